/** The examples run and print what they promise (so that they cannot rot). */
import { assert, assertEquals, assertMatch, assertNotEquals } from "@std/assert";
import { fromFileUrl } from "@std/path";
import { errnoValues } from "../mod.ts";
import { nextTestOnLinux } from "./_platform.ts";

async function runExample(
  name: string,
  flags: string[],
  args: string[] = [],
): Promise<{ code: number; out: string; err: string }> {
  const path = fromFileUrl(new URL(`../examples/${name}`, import.meta.url));
  const r = await new Deno.Command(Deno.execPath(), {
    args: ["run", ...flags, path, ...args],
    stdin: "null",
    env: { NO_COLOR: "1" },
  }).output();
  const dec = new TextDecoder();
  return { code: r.code, out: dec.decode(r.stdout), err: dec.decode(r.stderr) };
}

Deno.test("examples/demo.ts tours echo, socketpair, options, UDP and errors", async () => {
  const r = await runExample("demo.ts", ["--allow-ffi", "--allow-read", "--allow-write"]);
  assertEquals(r.code, 0, r.err);
  assertMatch(r.out, /client received the echo: "Hello, world"/);
  assertMatch(r.out, /b received "ping"/);
  assertMatch(r.out, /TCP_NODELAY after: {2}1/);
  assertMatch(r.out, /a second recvfrom raised TimeoutError: timed out/);
  assertMatch(r.out, new RegExp(`errno ${errnoValues.ECONNREFUSED} \\(ECONNREFUSED\\)`));
});

nextTestOnLinux("examples/fd_passing.ts names its control socket in the abstract unix namespace");
Deno.test("examples/fd_passing.ts hands an accepted TCP connection to a worker process", async () => {
  const r = await runExample("fd_passing.ts", ["--allow-ffi", "--allow-run"]);
  assertEquals(r.code, 0, r.err);
  const m = r.out.match(
    /^worker (\d+) \("take this connection"\) answers: hello from the client, parent (\d+)$/m,
  );
  assert(m, r.out);
  assertNotEquals(m[1], m[2], "the reply came from another process");
});

Deno.test("examples/async_echo_server.ts serves three clients at once and exits", async () => {
  const r = await runExample("async_echo_server.ts", ["--allow-ffi"]);
  assertEquals(r.code, 0, r.err);
  for (const word of ["alpha", "beta", "gamma"]) assertMatch(r.out, new RegExp(word));
});

Deno.test("examples/raw_ping.ts pings 127.0.0.1 with a raw ICMP socket", {
  // SOCK_RAW needs root (or CAP_NET_RAW)
  ignore: Deno.uid() !== 0,
}, async () => {
  const r = await runExample("raw_ping.ts", ["--allow-ffi"], ["127.0.0.1", "2"]);
  assertEquals(r.code, 0, r.err);
  assertMatch(r.out, /reply from 127\.0\.0\.1: icmp_seq=1 ttl=\d+/);
  assertMatch(r.out, /icmp_seq=2/);
});
