/**
 * `s.async.*`: the sync methods' names, arguments and results as Promises,
 * waiting on the reactor without blocking the event loop; timeouts,
 * AbortSignal, close() with pending calls, errors, and the acceptance run of
 * 1,000 concurrent echo connections.
 */
import { assert, assertEquals, assertRejects, assertStrictEquals } from "@std/assert";
import { join } from "@std/path";
import { spy } from "@std/testing/mock";
import { FakeTime } from "@std/testing/time";
import {
  AF_INET,
  AF_INET6,
  AF_UNIX,
  async,
  CMSG_SPACE,
  create_server,
  errnoValues,
  MSG_PEEK,
  MSG_TRUNC,
  SCM_RIGHTS,
  SOCK_DGRAM,
  SOCK_STREAM,
  type Socket,
  socket,
  SocketError,
  socketpair,
  SOL_SOCKET,
  timeout,
} from "../mod.ts";
import { SOCK_NONBLOCK } from "./_linux.ts";
import { reactor } from "../src/reactor.ts";
import { fdFlags, O_NONBLOCK } from "./_sock_util.ts";
import { nextTestOnLinux } from "./_platform.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function openFds(): number {
  let n = 0;
  for (const _ of Deno.readDirSync("/dev/fd")) n++;
  return n;
}

/** O_NONBLOCK of a descriptor, from fcntl (what the kernel has, not what the Socket thinks). */
function isNonblocking(fd: number): boolean {
  return (fdFlags(fd) & O_NONBLOCK) !== 0;
}

/** A connected TCP pair on 127.0.0.1, made with the async API. */
async function tcpPair(): Promise<[client: Socket, server: Socket]> {
  using l = socket(AF_INET, SOCK_STREAM);
  l.bind(["127.0.0.1", 0]);
  l.listen();
  const c = socket(AF_INET, SOCK_STREAM);
  const accepting = l.async.accept();
  await c.async.connect(l.getsockname() as [string, number]);
  const [s] = await accepting;
  return [c, s];
}

async function idle(): Promise<void> {
  await reactor().whenIdle();
  assertEquals(reactor().stats().waiting, 0);
}

Deno.test("s.async.accept()/connect() connect a TCP pair and keep both sockets blocking", async () => {
  using l = socket(AF_INET, SOCK_STREAM);
  l.bind(["127.0.0.1", 0]);
  l.listen();
  using c = socket(AF_INET, SOCK_STREAM);
  const accepting = l.async.accept(); // waits: nobody connects yet
  await delay(10);
  await c.async.connect(["127.0.0.1", (l.getsockname() as [string, number])[1]]);
  const [conn, addr] = await accepting;
  using _conn = conn;
  assertEquals(addr, c.getsockname());
  assertEquals(conn.getpeername(), c.getsockname());
  // The sync API still sees blocking sockets, and so does the kernel.
  for (const s of [l, c, conn]) {
    assertEquals(s.gettimeout(), null);
    assertEquals(isNonblocking(s.fileno()), false, `fd ${s.fileno()} left non-blocking`);
  }
  assertEquals(conn.family, AF_INET);
  assertEquals(conn.type, SOCK_STREAM);
  await idle();
});

Deno.test("s.async.connect() resolves a host name off the event loop", async () => {
  using l = create_server(["127.0.0.1", 0]);
  using c = socket(AF_INET, SOCK_STREAM);
  const port = (l.getsockname() as [string, number])[1];
  await c.async.connect(["localhost", port]);
  assertEquals(c.getpeername(), ["127.0.0.1", port]);
  l.accept()[0].close();
});

nextTestOnLinux("SOCK_NONBLOCK in socket()'s type is Linux's");
Deno.test("s.async.connect() rejects with ECONNREFUSED, and EINPROGRESS never leaks out", async () => {
  using l = socket(AF_INET, SOCK_STREAM);
  l.bind(["127.0.0.1", 0]);
  const port = (l.getsockname() as [string, number])[1]; // bound, not listening: refused
  using c = socket(AF_INET, SOCK_STREAM);
  await assertRejects(
    () => c.async.connect(["127.0.0.1", port]),
    SocketError,
    "[Errno 111] Connection refused",
  );
  using n = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK);
  await assertRejects(
    () => n.async.connect(["127.0.0.1", port]),
    SocketError,
    "[Errno 111] Connection refused",
  );
  assertEquals(n.gettimeout(), 0);
});

nextTestOnLinux("SOCK_NONBLOCK in socket()'s type is Linux's");
Deno.test("s.async.connect() on a unix socket whose listener's backlog is full retries until accepted", async () => {
  const dir = await Deno.makeTempDir();
  const socks: Socket[] = [];
  try {
    const l = socket(AF_UNIX, SOCK_STREAM);
    socks.push(l);
    l.bind(join(dir, "s"));
    l.listen(0);
    // Fill the backlog with non-blocking connects until one says EAGAIN.
    let full = false;
    for (let i = 0; i < 64 && !full; i++) {
      const f = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK);
      socks.push(f);
      full = f.connect_ex(join(dir, "s")) === errnoValues.EAGAIN;
    }
    assert(full, "the listener's backlog filled up");
    const c = socket(AF_UNIX, SOCK_STREAM);
    socks.push(c);
    let connected = false;
    const connecting = c.async.connect(join(dir, "s")).then(() => connected = true);
    await delay(20);
    assertEquals(connected, false, "the connect waits while the backlog is full");
    // Accept what is queued until the waiting connect gets through.
    while (!connected) {
      const [s] = await l.async.accept({ signal: AbortSignal.timeout(5000) });
      socks.push(s);
      await delay(5);
    }
    await connecting;
    assertEquals(c.getpeername(), join(dir, "s"));
  } finally {
    for (const s of socks) s.close();
    await Deno.remove(dir, { recursive: true });
    await idle();
  }
});

Deno.test("s.async.recv()/send() move bytes both ways and give exactly the received length", async () => {
  const [c, s] = await tcpPair();
  try {
    assertEquals(await c.async.send(enc.encode("hello")), 5);
    const got = await s.async.recv(1024);
    assertEquals(got.length, 5);
    assertEquals(dec.decode(got), "hello");
    // large bufsize (own buffer) and peeking
    await s.async.sendall(new Uint8Array(100_000).fill(1));
    let total = 0;
    const peek = await c.async.recv(10, MSG_PEEK);
    assertEquals(peek.length, 10);
    while (total < 100_000) total += (await c.async.recv(200_000)).length;
    assertEquals(total, 100_000);
    // end of file
    s.shutdown(1);
    assertEquals((await c.async.recv(10)).length, 0);
  } finally {
    c.close();
    s.close();
  }
});

Deno.test("s.async.recv_into() honours the view's offset and nbytes", async () => {
  const [a, b] = socketpair();
  try {
    const buf = new Uint8Array(16).fill(0xee);
    const view = buf.subarray(4, 12);
    const p = b.async.recv_into(view, 3);
    a.send(enc.encode("abcdef"));
    assertEquals(await p, 3);
    assertEquals([...buf.subarray(0, 8)], [0xee, 0xee, 0xee, 0xee, 97, 98, 99, 0xee]);
    assertEquals(await b.async.recv_into(new DataView(buf.buffer, 0, 2)), 2);
    assertEquals(dec.decode(buf.subarray(0, 2)), "de");
    await assertRejects(
      () => b.async.recv_into(buf, 17),
      RangeError,
      "buffer too small for requested bytes: 17 > 16",
    );
    await assertRejects(
      () => b.async.recv_into(buf, -1),
      RangeError,
      "negative buffersize in recv_into: -1",
    );
  } finally {
    a.close();
    b.close();
  }
});

Deno.test("s.async.recv() on datagrams: recv(0) consumes nothing, MSG_TRUNC gives the full length with a zero tail", async () => {
  const [a, b] = socketpair(AF_UNIX, SOCK_DGRAM);
  try {
    // Stale bytes in the shared scratch buffer from an earlier, larger read.
    a.send(enc.encode("XXXXXXXXXXXXXXXX"));
    await b.async.recv(64);
    a.send(enc.encode("0123456789"));
    assertEquals((await b.async.recv(0)).length, 0);
    const d = await b.async.recv(4, MSG_TRUNC);
    assertEquals(d.length, 10);
    assertEquals(dec.decode(d.subarray(0, 4)), "0123");
    assertEquals([...d.subarray(4)], [0, 0, 0, 0, 0, 0]);
    a.send(enc.encode("abcdef"));
    const [d2] = await b.async.recvfrom(2, MSG_TRUNC);
    assertEquals(d2.length, 6);
    assertEquals([...d2], [97, 98, 0, 0, 0, 0]);
  } finally {
    a.close();
    b.close();
  }
});

Deno.test("s.async.recv_into() whose buffer is transferred while it waits rejects and consumes nothing", async () => {
  const [a, b] = socketpair();
  try {
    const buf = new Uint8Array(64);
    const p = b.async.recv_into(buf);
    await delay(5);
    buf.buffer.transfer(); // detaches the buffer the kernel would have written
    a.send(enc.encode("kept"));
    await assertRejects(
      () => p,
      RangeError,
      "recv_into(): the buffer was detached or shrank while the call waited",
    );
    assertEquals(dec.decode(await b.async.recv(16)), "kept");
    // A result of recv() whose buffer was transferred does not break later calls.
    a.send(enc.encode("one"));
    const r1 = await b.async.recv(16);
    (r1.buffer as ArrayBuffer).transfer();
    a.send(enc.encode("two"));
    assertEquals(dec.decode(await b.async.recv(16)), "two");
  } finally {
    a.close();
    b.close();
  }
});

Deno.test("s.async.sendto()/recvfrom()/recvfrom_into() on UDP give the sender's address", async () => {
  using a = socket(AF_INET, SOCK_DGRAM);
  using b = socket(AF_INET, SOCK_DGRAM);
  a.bind(["127.0.0.1", 0]);
  b.bind(["127.0.0.1", 0]);
  const to = b.getsockname() as [string, number];
  const waiting = b.async.recvfrom(100);
  await delay(5);
  assertEquals(await a.async.sendto(enc.encode("one"), to), 3);
  const [data, from] = await waiting;
  assertEquals(dec.decode(data), "one");
  assertEquals(from, a.getsockname());
  assertEquals(await a.async.sendto(enc.encode("two"), 0, to), 3);
  const buf = new Uint8Array(8);
  const [n, from2] = await b.async.recvfrom_into(buf);
  assertEquals(n, 3);
  assertEquals(dec.decode(buf.subarray(0, 3)), "two");
  assertEquals(from2, a.getsockname());
  // options in the address form's third place
  const ac = new AbortController();
  assertEquals(await a.async.sendto(enc.encode("3"), to, { signal: ac.signal }), 1);
  assertEquals(dec.decode((await b.async.recvfrom(8))[0]), "3");
});

Deno.test("s.async.recvmsg()/sendmsg()/recvmsg_into() carry data and addresses", async () => {
  using a = socket(AF_INET6, SOCK_DGRAM);
  using b = socket(AF_INET6, SOCK_DGRAM);
  a.bind(["::1", 0]);
  b.bind(["::1", 0]);
  const waiting = b.async.recvmsg(64);
  await delay(5);
  const n = await a.async.sendmsg([enc.encode("gath"), enc.encode("ered")], [], 0, b.getsockname());
  assertEquals(n, 8);
  const [data, anc, flags, addr] = await waiting;
  assertEquals(dec.decode(data), "gathered");
  assertEquals(anc, []);
  assertEquals(flags, 0);
  assertEquals(addr, a.getsockname());
  await a.async.sendmsg([enc.encode("scatter")], [], 0, b.getsockname());
  const x = new Uint8Array(3), y = new Uint8Array(10);
  const [m] = await b.async.recvmsg_into([x, y]);
  assertEquals(m, 7);
  assertEquals(dec.decode(x) + dec.decode(y.subarray(0, 4)), "scatter");
});

Deno.test("s.async.recvmsg() in timeout mode waits, passes a descriptor, and keeps the timeout", async () => {
  const [a, b] = socketpair();
  const [x, y] = socketpair();
  try {
    b.settimeout(5);
    const fdSize = 4;
    const waiting = b.async.recvmsg(16, CMSG_SPACE(fdSize));
    await delay(20);
    const fds = new Int32Array([x.fileno()]);
    await a.async.sendmsg([enc.encode("fd")], [[SOL_SOCKET, SCM_RIGHTS, fds]]);
    const [data, anc] = await waiting;
    assertEquals(dec.decode(data), "fd");
    assertEquals(anc.length, 1);
    assertEquals(anc[0][0], SOL_SOCKET);
    assertEquals(anc[0][1], SCM_RIGHTS);
    const received = new Int32Array(anc[0][2].slice().buffer)[0];
    using passed = socket(AF_UNIX, SOCK_STREAM, 0, received);
    passed.send(enc.encode("via passed fd"));
    assertEquals(dec.decode(y.recv(32)), "via passed fd");
    // The temporary switch to timeout 0 for the attempt is invisible afterwards.
    assertEquals(b.gettimeout(), 5);
    assertEquals(isNonblocking(b.fileno()), true, "timeout mode keeps O_NONBLOCK");
    b.settimeout(0.05);
    await assertRejects(() => b.async.recvmsg(16), timeout, "timed out");
  } finally {
    for (const s of [a, b, x, y]) s.close();
  }
});

Deno.test("s.async.sendall() of more than the socket buffers hold waits and sends every byte", async () => {
  const [c, s] = await tcpPair();
  try {
    const data = new Uint8Array(8 << 20);
    for (let i = 0; i < data.length; i++) data[i] = i * 7;
    const sending = c.async.sendall(data);
    const got = new Uint8Array(data.length);
    let off = 0;
    while (off < got.length) off += await s.async.recv_into(got.subarray(off));
    await sending;
    assertEquals(got, data);
  } finally {
    c.close();
    s.close();
  }
});

Deno.test("s.async.sendfile() sends a file (and a part of it) and leaves the position after it", async () => {
  const path = await Deno.makeTempFile();
  const [c, s] = await tcpPair();
  try {
    const data = new Uint8Array(3 << 20);
    crypto.getRandomValues(data.subarray(0, 65536));
    for (let i = 65536; i < data.length; i++) data[i] = data[i - 65536] ^ i;
    await Deno.writeFile(path, data);
    using f = await Deno.open(path);
    const receive = async (n: number): Promise<Uint8Array> => {
      const out = new Uint8Array(n);
      let off = 0;
      while (off < n) off += await s.async.recv_into(out.subarray(off));
      return out;
    };
    const [sent, got] = await Promise.all([c.async.sendfile(f), receive(data.length)]);
    assertEquals(sent, data.length);
    assertEquals(got, data);
    assertEquals(await f.seek(0, Deno.SeekMode.Current), data.length);
    const [sent2, got2] = await Promise.all([c.async.sendfile(f, 1000, 5000), receive(5000)]);
    assertEquals(sent2, 5000);
    assertEquals(got2, data.subarray(1000, 6000));
    assertEquals(await f.seek(0, Deno.SeekMode.Current), 6000);
    await assertRejects(() => c.async.sendfile(f, -1), RangeError, "negative seek position -1");
    await assertRejects(
      () => c.async.sendfile("file" as unknown as number),
      TypeError,
      "sendfile() needs a Deno.FsFile or a file descriptor number, not string",
    );
  } finally {
    c.close();
    s.close();
    await Deno.remove(path);
  }
});

Deno.test("s.async calls on a non-blocking socket wait without limit, as asyncio's", async () => {
  const [a, b] = socketpair();
  try {
    b.setblocking(false);
    const p = b.async.recv(10);
    await delay(50);
    a.send(enc.encode("late"));
    assertEquals(dec.decode(await p), "late");
    assertEquals(b.gettimeout(), 0);
  } finally {
    a.close();
    b.close();
  }
});

Deno.test("s.async in timeout mode rejects with timeout after about the set time", async () => {
  const [a, b] = socketpair();
  try {
    b.settimeout(0.2);
    const t0 = performance.now();
    const err = await b.async.recv(10).catch((e) => e);
    const ms = performance.now() - t0;
    assert(err instanceof timeout, `got ${err}`);
    assertEquals(err.message, "timed out");
    assert(ms >= 190, `rejected after ${ms.toFixed(0)} ms`);
    assert(ms < 2000, `rejected after ${ms.toFixed(0)} ms`);
    // The socket is still usable and data that arrives in time is received.
    const p = b.async.recv(10);
    a.send(enc.encode("ok"));
    assertEquals(dec.decode(await p), "ok");
    // accept() in timeout mode
    using l = socket(AF_INET, SOCK_STREAM);
    l.bind(["127.0.0.1", 0]);
    l.listen();
    l.settimeout(0.05);
    await assertRejects(() => l.async.accept(), timeout, "timed out");
    await idle();
  } finally {
    a.close();
    b.close();
  }
});

Deno.test("s.async in timeout mode: the deadline is the socket's timeout, to the millisecond (FakeTime)", async () => {
  const [a, b] = socketpair();
  try {
    {
      using time = new FakeTime();
      b.settimeout(0.2);
      let settled = false;
      const p = b.async.recv(10);
      p.then(() => settled = true, () => settled = true);
      await time.tickAsync(199);
      assertEquals(settled, false, "rejected before the 200 ms timeout");
      await time.tickAsync(1);
      assert(settled, "still pending at the 200 ms timeout");
      await assertRejects(() => p, timeout, "timed out");
      // each call has a deadline of its own: 150 ms into the next one, data is received
      const q = b.async.recv(10);
      await time.tickAsync(150);
      a.send(enc.encode("ok"));
      assertEquals(dec.decode(await q), "ok");
      // and no timer of a finished call is left to fire
      assertEquals(time.now - time.start, 350);
      await time.runAllAsync();
      assertEquals(time.now - time.start, 350, "a timer outlived its call");
    }
    await idle();
  } finally {
    a.close();
    b.close();
  }
});

Deno.test("a reused AbortSignal keeps no listener of a finished call (spy)", async () => {
  const [a, b] = socketpair();
  const ac = new AbortController();
  using add = spy(ac.signal, "addEventListener");
  using remove = spy(ac.signal, "removeEventListener");
  try {
    for (let i = 0; i < 3; i++) {
      const p = b.async.recv(10, 0, { signal: ac.signal });
      await delay(5);
      a.send(enc.encode(`m${i}`));
      assertEquals(dec.decode(await p), `m${i}`);
    }
    b.settimeout(0.05);
    await assertRejects(() => b.async.recv(10, 0, { signal: ac.signal }), timeout, "timed out");
    b.settimeout(null);
    const closed = b.async.recv(10, 0, { signal: ac.signal });
    await delay(5);
    b.close();
    const ebadf = await assertRejects(() => closed, SocketError, "[Errno 9] Bad file descriptor");
    assertEquals(ebadf.code, "EBADF");
    // every call that waited added one listener and took the same one away when it ended
    assertEquals(add.calls.length, 5);
    assertEquals(
      remove.calls.map((c) => c.args.slice(0, 2)),
      add.calls.map((c) => c.args.slice(0, 2)),
    );
  } finally {
    a.close();
    b.close();
  }
  await idle();
});

Deno.test("AbortSignal cancels a pending accept and a pending recv, and the sockets stay usable", async () => {
  using l = socket(AF_INET, SOCK_STREAM);
  l.bind(["127.0.0.1", 0]);
  l.listen();
  const ac = new AbortController();
  const accepting = l.async.accept({ signal: ac.signal });
  await delay(10);
  const reason = new Error("no more clients");
  ac.abort(reason);
  assertStrictEquals(await accepting.catch((e) => e), reason);
  // still listening: a later accept works
  using c = socket(AF_INET, SOCK_STREAM);
  const accepting2 = l.async.accept();
  await c.async.connect(l.getsockname() as [string, number]);
  const [conn] = await accepting2;
  using _conn = conn;
  const ac2 = new AbortController();
  const reading = conn.async.recv(10, 0, { signal: ac2.signal });
  await delay(10);
  ac2.abort();
  const e = await assertRejects(() => reading, DOMException, "aborted");
  assertEquals(e.name, "AbortError");
  // nothing was consumed: data sent now reaches the next recv
  await c.async.sendall(enc.encode("after"));
  assertEquals(dec.decode(await conn.async.recv(10)), "after");
  // an already-aborted signal rejects at once and consumes nothing
  await c.async.sendall(enc.encode("kept"));
  await delay(5);
  await assertRejects(
    () => conn.async.recv(10, 0, { signal: AbortSignal.abort(new Error("early")) }),
    Error,
    "early",
  );
  assertEquals(dec.decode(await conn.async.recv(10)), "kept");
  await idle();
});

Deno.test("close() rejects pending calls with EBADF and leaks nothing", async () => {
  await idle();
  const fds = openFds();
  for (let round = 0; round < 20; round++) {
    const [c, s] = await tcpPair();
    const pending = [
      s.async.recv(10),
      s.async.recv_into(new Uint8Array(4)),
      s.async.sendall(new Uint8Array(32 << 20)), // more than fits: waits
    ];
    await delay(round === 0 ? 20 : 1);
    assertEquals(s.async.pending, 3);
    s.close();
    c.close();
    const results = await Promise.allSettled(pending);
    for (const r of results) {
      assertEquals(r.status, "rejected");
      const e = (r as PromiseRejectedResult).reason;
      assert(e instanceof SocketError && e.code === "EBADF", `got ${e}`);
    }
    assertEquals(s.async.pending, 0);
  }
  await idle();
  assertEquals(openFds(), fds);
  // A call on a closed socket rejects (it does not throw).
  const [a, b] = socketpair();
  a.close();
  b.close();
  const p = a.async.recv(1);
  assert(p instanceof Promise);
  await assertRejects(() => p, SocketError, "[Errno 9] Bad file descriptor");
});

Deno.test("s.async argument errors reject with the sync API's TypeError/RangeError", async () => {
  const [a, b] = socketpair();
  try {
    await assertRejects(
      () => a.async.send("text" as unknown as Uint8Array),
      TypeError,
      "encode it first",
    );
    await assertRejects(
      () => a.async.sendall("text" as unknown as Uint8Array),
      TypeError,
      "sendall() needs bytes (a Uint8Array or other BufferSource), not a string: encode it first, e.g. new TextEncoder().encode(s)",
    );
    await assertRejects(() => a.async.recv(-1), RangeError, "negative buffersize in recv: -1");
    await assertRejects(
      () => a.async.recv(1.5),
      TypeError,
      "recv() bufsize must be an integer, not the non-integer 1.5",
    );
    await assertRejects(
      () => a.async.recv(1, 1.5),
      TypeError,
      "flags must be a 32-bit integer, not the non-integer 1.5",
    );
    await assertRejects(
      () => a.async.recv(1, 0, { signal: "no" as unknown as AbortSignal }),
      TypeError,
      "options.signal must be an AbortSignal, not string",
    );
    using t = socket(AF_INET, SOCK_STREAM);
    await assertRejects(
      () => t.async.connect(["127.0.0.1", 70000]),
      RangeError,
      "getsockaddrarg: port must be 0-65535, not 70000",
    );
    await assertRejects(
      () => a.async.connect(["127.0.0.1", 1]),
      TypeError,
      "AF_UNIX address must be a string or bytes (a BufferSource), not an array",
    ); // AF_UNIX wants a path
    await assertRejects(
      () => a.async.recvmsg(-1),
      RangeError,
      "negative buffer size in recvmsg(): -1",
    );
    await assertRejects(
      () => a.async.sendmsg(42 as unknown as Uint8Array[]),
      TypeError,
      "sendmsg() argument must be an iterable, not number",
    );
  } finally {
    a.close();
    b.close();
  }
});

Deno.test("s.async.sendall() then close: the peer still gets every byte (no data lost on the fast path)", async () => {
  const [c, s] = await tcpPair();
  try {
    await c.async.sendall(enc.encode("x".repeat(1000)));
    c.close();
    let n = 0;
    for (;;) {
      const d = await s.async.recv(4096);
      if (d.length === 0) break;
      n += d.length;
    }
    assertEquals(n, 1000);
  } finally {
    s.close();
  }
});

Deno.test("async.create_connection() resolves, connects, applies the timeout, and reports refusals", async () => {
  using l = create_server(["127.0.0.1", 0]);
  const port = (l.getsockname() as [string, number])[1];
  const conn = await async.create_connection(["127.0.0.1", port], 5);
  try {
    assertEquals(conn.getpeername(), ["127.0.0.1", port]);
    assertEquals(conn.gettimeout(), 5);
  } finally {
    conn.close();
    l.accept()[0].close();
  }
  const c2 = await async.create_connection(["localhost", port], undefined, ["127.0.0.1", 0]);
  assertEquals((c2.getsockname() as [string, number])[0], "127.0.0.1");
  c2.close();
  l.accept()[0].close();
  l.close();
  await assertRejects(
    () => async.create_connection(["127.0.0.1", port]),
    SocketError,
    "[Errno 111] Connection refused",
  );
  await assertRejects(
    () => async.create_connection(["127.0.0.1", port], null, null, { all_errors: true }),
    AggregateError,
    "create_connection failed",
  );
  await assertRejects(
    () => async.create_connection("x" as unknown as [string, number]),
    TypeError,
    "create_connection() address must be [host, port], not string",
  );
  const aborted = await assertRejects(
    () => async.create_connection(["127.0.0.1", port], 1, null, { signal: AbortSignal.abort() }),
    DOMException,
    "aborted",
  );
  assertEquals(aborted.name, "AbortError");
});

nextTestOnLinux("reads the descriptor limit from /proc/self/limits");
Deno.test("1,000 concurrent echo connections of 64 KiB in random pieces all complete, and the process exits", async () => {
  const limit = /^Max open files\s+(\d+)/m.exec(Deno.readTextFileSync("/proc/self/limits"));
  if (limit && Number(limit[1]) < 2200) {
    console.log(`skipped: RLIMIT_NOFILE is ${limit[1]}, 1,000 connections need ~2,100 descriptors`);
    return;
  }
  const dir = await Deno.makeTempDir();
  try {
    const script = join(dir, "echo1000.ts");
    await Deno.writeTextFile(
      script,
      ECHO_1000
        .replace("MOD_URL", new URL("../mod.ts", import.meta.url).href)
        .replace("REACTOR_URL", new URL("../src/reactor.ts", import.meta.url).href),
    );
    const t0 = performance.now();
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-ffi", script],
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const killer = setTimeout(() => child.kill("SIGKILL"), 120_000);
    const out = await child.output();
    clearTimeout(killer);
    const secs = (performance.now() - t0) / 1000;
    const text = dec.decode(out.stdout);
    assertEquals(
      out.code,
      0,
      `exit ${out.code} after ${secs.toFixed(1)} s: ${text}\n${dec.decode(out.stderr)}`,
    );
    const r = JSON.parse(text.trim().split("\n").at(-1)!);
    assertEquals(r.ok, 1000);
    assertEquals(r.bytes, 1000 * 65536);
    assertEquals(r.waiting, 0);
    // It exited by itself (no Deno.exit in the script), so nothing was left in flight.
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** The acceptance workload, run in its own process so that its exit can be watched. */
const ECHO_1000 = `
import { AF_INET, SOCK_STREAM, socket } from "MOD_URL";
import { reactor } from "REACTOR_URL";

const CONNS = 1000, SIZE = 65536;
function rng(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const l = socket(AF_INET, SOCK_STREAM);
l.bind(["127.0.0.1", 0]);
l.listen(1024);
const addr = l.getsockname();

async function echo(c) {
  const buf = new Uint8Array(16384);
  for (;;) {
    const n = await c.async.recv_into(buf);
    if (n === 0) break;
    await c.async.sendall(buf.subarray(0, n));
  }
  c.close();
}
let accepted = 0;
const server = (async () => {
  while (accepted < CONNS) {
    const [c] = await l.async.accept();
    accepted++;
    echo(c).catch((e) => { console.error("echo", e); Deno.exitCode = 1; });
  }
  l.close();
})();

async function client(i) {
  const random = rng(i + 1);
  const data = new Uint8Array(SIZE);
  for (let k = 0; k < SIZE; k++) data[k] = (random() * 256) | 0;
  const c = socket(AF_INET, SOCK_STREAM);
  await c.async.connect(addr);
  const sending = (async () => {
    let off = 0;
    while (off < SIZE) {
      const n = Math.min(SIZE - off, 1 + Math.floor(random() * 8192));
      await c.async.sendall(data.subarray(off, off + n));
      off += n;
    }
    c.shutdown(1);
  })();
  const got = new Uint8Array(SIZE);
  let off = 0;
  for (;;) {
    const n = await c.async.recv_into(got.subarray(Math.min(off, SIZE - 1)));
    if (n === 0) break;
    off += n;
    if (off > SIZE) throw new Error("client " + i + ": too much data");
  }
  await sending;
  c.close();
  if (off !== SIZE) throw new Error("client " + i + ": got " + off + " bytes");
  for (let k = 0; k < SIZE; k++) {
    if (got[k] !== data[k]) throw new Error("client " + i + ": byte " + k + " differs");
  }
  return off;
}

const sizes = await Promise.all(Array.from({ length: CONNS }, (_, i) => client(i)));
await server;
const s = reactor().stats();
console.log(JSON.stringify({
  ok: sizes.length,
  bytes: sizes.reduce((a, b) => a + b, 0),
  waiting: s.waiting,
  waits: s.waits,
  quickWakes: s.quickWakes,
  events: s.events,
}));
`;

Deno.test("s.async.recv() on a socket whose reads kept waiting still returns data already there", async () => {
  const [a, b] = socketpair();
  try {
    // Request/response rounds: each recv finds nothing and waits, so the
    // socket stops trying recv(2) before waiting (see SocketAsync #misses).
    for (let i = 0; i < 10; i++) {
      const p = b.async.recv(16);
      await new Promise((r) => setTimeout(r, 1));
      a.send(enc.encode(`r${i}`));
      assertEquals(dec.decode(await p), `r${i}`);
    }
    // Now the data is there before the call: it must still come back at
    // once (the reactor's zero-timeout poll sees it), in order, byte-exact.
    for (let i = 0; i < 40; i++) {
      a.send(enc.encode(`d${i};`));
      const want = `d${i};`;
      const buf = new Uint8Array(want.length);
      const n = await b.async.recv_into(buf);
      assertEquals(dec.decode(buf.subarray(0, n)), want);
    }
    assertEquals(reactor().stats().inFlight, false);
  } finally {
    a.close();
    b.close();
  }
});

Deno.test("s.async.recv() with a timeout longer than setTimeout can hold does not time out at once", async () => {
  const [a, b] = socketpair();
  try {
    b.settimeout(30 * 24 * 3600); // 30 days: past setTimeout's 2^31 - 1 ms
    const p = b.async.recv(8);
    await new Promise((r) => setTimeout(r, 20));
    a.send(enc.encode("late"));
    assertEquals(dec.decode(await p), "late");
  } finally {
    a.close();
    b.close();
  }
});
