/**
 * The package imported as macOS imports it, on this Linux machine: a child
 * process replaces `Deno.build` with a darwin one before the first import
 * (tests/fixtures/as_darwin.ts), so everything chosen at import time — the
 * constants table, the struct layouts, readiness, features, the family
 * codecs, the reactor module — is the macOS one, and the pure-TypeScript
 * paths (sockaddr decoding with sa_len, CMSG_*) run on macOS's layouts. The
 * first libc call must go for libSystem. The values checked are macOS's
 * (from its SDK headers; CPython on macOS gives the same).
 */
import { assertEquals, assertStringIncludes } from "@std/assert";
import { linuxOnlyFile } from "./_platform.ts";

linuxOnlyFile(
  "imports the package as darwin on a machine without libSystem, and expects the first libc call to fail",
);

async function asDarwin(arch: string): Promise<Record<string, unknown>> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("./fixtures/as_darwin.ts", import.meta.url).pathname, arch],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const err = new TextDecoder().decode(out.stderr);
  assertEquals(out.code, 0, `the darwin import failed:\n${err}`);
  return JSON.parse(new TextDecoder().decode(out.stdout).trim().split("\n").at(-1)!);
}

for (const arch of ["aarch64", "x86_64"]) {
  Deno.test(`the package imports as darwin/${arch}: macOS tables, layouts, kqueue, sa_len`, async () => {
    const r = await asDarwin(arch);
    assertEquals(r.os, "darwin");
    assertEquals(r.readiness, { mechanism: "kqueue", waker: "pipe" });
    assertEquals(r.features, {
      sockCloexec: false,
      accept4: false,
      msgNoSignal: true, // the SDK 15 headers define MSG_NOSIGNAL (0x80000)
      soNoSigpipe: true,
      cmsgCloexec: false,
      saLen: true,
    });
    assertEquals([r.kevent, r.epoll, r.sockaddr_un], [32, null, 106]);
    // macOS values: AF_INET6 30, SO_NOSIGPIPE 0x1022, MSG_NOSIGNAL 0x80000; no SOCK_CLOEXEC, AF_NETLINK.
    assertEquals([r.AF_INET6, r.SO_NOSIGPIPE, r.MSG_NOSIGNAL], [30, 0x1022, 0x80000]);
    assertEquals([r.SOCK_CLOEXEC, r.AF_NETLINK], [null, null]);
    // a 12-byte cmsghdr aligned to 4: CMSG_LEN(4) = CMSG_SPACE(4) = 16
    assertEquals([r.CMSG_LEN4, r.CMSG_SPACE4], [16, 16]);
    assertEquals(r.in4, ["127.0.0.1", 80]);
    assertEquals(r.un, "/tmp/x");
    assertEquals(r.encUnix, [9, 9, 1, 0x2f]); // length 9: sun_len 9, AF_UNIX 1, "/"...
    assertStringIncludes(r.firstCall as string, "/usr/lib/libSystem.B.dylib");
  });
}
