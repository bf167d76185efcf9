/**
 * The async API's options object in place of trailing optional positional
 * arguments (issue 11), and the async forms of send_fds/recv_fds.
 *
 * @module
 */

import { assertEquals, assertRejects } from "@std/assert";
import { AF_INET, AF_UNIX, async, SOCK_DGRAM, SOCK_STREAM, socket, socketpair } from "../mod.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

Deno.test("s.async.*: an options object in place of flags/nbytes works, and its signal aborts", async () => {
  const [a, b] = socketpair();
  try {
    // The reported failure: "flags must be a 32-bit integer, not Object".
    const p = b.async.recv(10, { signal: AbortSignal.timeout(5000) });
    await a.async.send(enc.encode("one"), { signal: AbortSignal.timeout(5000) });
    assertEquals(dec.decode(await p), "one");

    const buf = new Uint8Array(8);
    await a.async.sendall(enc.encode("two"), {});
    assertEquals(await b.async.recv_into(buf, { signal: AbortSignal.timeout(5000) }), 3);
    await a.async.sendall(enc.encode("three"));
    assertEquals(await b.async.recv_into(buf, 2, { signal: AbortSignal.timeout(5000) }), 2);
    assertEquals(await b.async.recv_into(buf, 0, 0, {}), 3);

    await a.async.sendmsg([enc.encode("msg")], { signal: AbortSignal.timeout(5000) });
    const [data] = await b.async.recvmsg(16, { signal: AbortSignal.timeout(5000) });
    assertEquals(dec.decode(data), "msg");
    await a.async.sendmsg([enc.encode("m2")], [], { signal: AbortSignal.timeout(5000) });
    const [n] = await b.async.recvmsg_into([buf], 0, {});
    assertEquals(n, 2);

    // The signal in the options object aborts the wait.
    const ctl = new AbortController();
    const pending = b.async.recv(10, { signal: ctl.signal });
    ctl.abort(new Error("stop"));
    await assertRejects(() => pending, Error, "stop");
    const pending2 = b.async.recv_into(buf, { signal: ctl.signal });
    await assertRejects(() => pending2, Error, "stop");

    // Positional arguments after the options object are refused.
    await assertRejects(
      () => b.async.recv_into(buf, {}, 5 as never),
      TypeError,
      "after the options object",
    );
    // A non-plain object in the flags position is still a flags error.
    await assertRejects(() => b.async.recv(10, new Date() as never), TypeError, "flags");
  } finally {
    a.close();
    b.close();
  }
});

Deno.test("s.async.recvfrom/recvfrom_into: options in place of flags and nbytes", async () => {
  const a = socket(AF_INET, SOCK_DGRAM);
  const b = socket(AF_INET, SOCK_DGRAM);
  try {
    b.bind(["127.0.0.1", 0]);
    const to = b.getsockname() as [string, number];
    await a.async.sendto(enc.encode("d1"), to, { signal: AbortSignal.timeout(5000) });
    const [d1, from] = await b.async.recvfrom(16, { signal: AbortSignal.timeout(5000) });
    assertEquals(dec.decode(d1), "d1");
    assertEquals((from as [string, number])[0], "127.0.0.1");
    await a.async.sendto(enc.encode("d2"), to);
    const buf = new Uint8Array(16);
    const [n] = await b.async.recvfrom_into(buf, { signal: AbortSignal.timeout(5000) });
    assertEquals(n, 2);
  } finally {
    a.close();
    b.close();
  }
});

Deno.test("async.send_fds/async.recv_fds pass a descriptor, and take the options object in place of flags", async () => {
  const [a, b] = socketpair(AF_UNIX, SOCK_STREAM);
  const [c, d] = socketpair(AF_UNIX, SOCK_STREAM);
  try {
    const got = async.recv_fds(b, 16, 2, { signal: AbortSignal.timeout(5000) });
    assertEquals(await async.send_fds(a, [enc.encode("fd")], [c.fileno()], {}), 2);
    const [data, fds, flags] = await got;
    assertEquals(dec.decode(data), "fd");
    assertEquals(fds.length, 1);
    assertEquals(flags, 0);
    // The received descriptor is the same socket: what goes in comes out at d.
    const c2 = socket(AF_UNIX, SOCK_STREAM, 0, fds[0]);
    c2.send(enc.encode("via"));
    assertEquals(dec.decode(d.recv(8)), "via");
    c2.close();
    await assertRejects(() => async.recv_fds(b, 16, -1), RangeError, "maxfds");
    await assertRejects(() => async.send_fds(a, [enc.encode("x")], ["3" as never]), TypeError);
    const ctl = new AbortController();
    const p = async.recv_fds(b, 16, 1, 0, { signal: ctl.signal });
    ctl.abort(new Error("gone"));
    await assertRejects(() => p, Error, "gone");
  } finally {
    for (const s of [a, b, c, d]) s.close();
  }
});
