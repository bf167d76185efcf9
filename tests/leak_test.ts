/**
 * No descriptor leaks: every path that creates a descriptor closes it, on
 * success and on failure.
 */
import { assert, assertEquals, assertThrows } from "@std/assert";
import {
  AF_INET,
  AF_INET6,
  AF_UNIX,
  SOCK_DGRAM,
  SOCK_SEQPACKET,
  SOCK_STREAM,
  socket,
  SocketError,
  socketpair,
} from "../mod.ts";
import { linuxOnlyFile } from "./_platform.ts";

linuxOnlyFile("descriptors are counted in /proc/self/fd");

function openFds(): number {
  let n = 0;
  for (const _ of Deno.readDirSync("/proc/self/fd")) n++;
  return n;
}

Deno.test("opening and closing 10,000 sockets leaves /proc/self/fd where it started", () => {
  const before = openFds();
  const kinds: [number, number][] = [
    [AF_INET, SOCK_STREAM],
    [AF_INET, SOCK_DGRAM],
    [AF_INET6, SOCK_STREAM],
    [AF_UNIX, SOCK_DGRAM],
  ];
  let peak = 0;
  for (let i = 0; i < 10_000; i++) {
    const [family, type] = kinds[i % kinds.length];
    const s = socket(family, type);
    peak = Math.max(peak, s.fileno());
    s.close();
  }
  assertEquals(openFds(), before);
  // descriptors are reused, so the numbers stay low
  assert(peak < before + 10, `descriptor numbers grew to ${peak}`);
});

Deno.test("socketpair(), dup(), accept() and failed calls leak nothing over 2,000 rounds", () => {
  const before = openFds();
  using server = socket(AF_INET, SOCK_STREAM);
  server.bind(["127.0.0.1", 0]);
  server.listen(64);
  const addr = server.getsockname() as [string, number];
  for (let i = 0; i < 2_000; i++) {
    const [a, b] = socketpair(AF_UNIX, i % 2 ? SOCK_STREAM : SOCK_SEQPACKET);
    const c = a.dup();
    a.close();
    b.close();
    c.close();
    if (i % 10 === 0) {
      const client = socket(AF_INET, SOCK_STREAM);
      client.connect(addr);
      const [conn] = server.accept();
      conn.close();
      client.close();
    }
    // failing paths: a refused connect, a bad address, a bad family
    const s = socket(AF_INET, SOCK_STREAM);
    try {
      assertThrows(
        () => s.bind(["127.0.0.1", 70000]),
        RangeError,
        "getsockaddrarg: port must be 0-65535, not 70000",
      );
    } finally {
      s.close();
    }
    assertThrows(
      () => socket(-5, SOCK_STREAM),
      SocketError,
      "[Errno 97] Address family not supported by protocol",
    );
  }
  assertEquals(openFds(), before + 1); // the listening socket
});

Deno.test("a socket that is garbage-collected while open is closed by the finalizer", async () => {
  // run in a child with --expose-gc, so that collection can be forced
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "--v8-flags=--expose-gc", "-"],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(
    new TextEncoder().encode(`
      import { socket } from ${JSON.stringify(new URL("../mod.ts", import.meta.url).href)};
      const count = () => [...Deno.readDirSync("/proc/self/fd")].length;
      const before = count();
      (() => { for (let i = 0; i < 50; i++) socket(); })();
      const opened = count();
      for (let i = 0; i < 50 && count() > before; i++) {
        globalThis.gc();
        await new Promise((r) => setTimeout(r, 10));
      }
      console.log(JSON.stringify({ before, opened, after: count() }));
    `),
  );
  await writer.close();
  const out = await child.output();
  assertEquals(out.code, 0, new TextDecoder().decode(out.stderr));
  const { before, opened, after } = JSON.parse(new TextDecoder().decode(out.stdout).trim());
  assertEquals(opened, before + 50);
  assertEquals(after, before, `the finalizer left ${after - before} sockets open`);
});
