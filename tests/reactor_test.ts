/**
 * The readiness reactor (src/reactor.ts): one nonblocking wait shared by
 * every waiting socket, batching, release when idle, the event loop kept
 * free, and the same behaviour on every mechanism (epoll one-shot, epoll
 * level-triggered, poll) and waker (eventfd, pipe).
 */
import { assert, assertEquals, assertRejects, fail } from "@std/assert";
import { join } from "@std/path";
import {
  AF_INET,
  close,
  SOCK_STREAM,
  type Socket,
  socket,
  SocketError,
  socketpair,
  timeout,
} from "../mod.ts";
import {
  type BackendKind,
  reactor,
  type ReactorStats,
  READ,
  useReactor,
  type WakerKind,
} from "../src/reactor.ts";
import { nextTestOnLinux } from "./_platform.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

function openFds(): number {
  let n = 0;
  for (const _ of Deno.readDirSync("/dev/fd")) n++;
  return n;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves when the reactor has no wait in flight (the test sanitizer wants no pending op). */
async function idle(): Promise<ReactorStats> {
  await reactor().whenIdle();
  const s = reactor().stats();
  assertEquals(s.waiting, 0, "no waiter left behind");
  assertEquals(s.inFlight, false, "no wait left in flight");
  return s;
}

function closeAll(...socks: Socket[]): void {
  for (const s of socks) s.close();
}

Deno.test("reactor: a recv that waits resolves when data arrives, and the wait is released", async () => {
  const [a, b] = socketpair();
  try {
    const before = reactor().stats();
    const p = b.async.recv(100);
    await delay(20); // the wait is in flight by now
    assertEquals(reactor().stats().inFlight, true);
    a.send(enc.encode("hello"));
    assertEquals(dec.decode(await p), "hello");
    const after = await idle();
    assert(after.waits > before.waits, "a nonblocking wait was issued");
  } finally {
    closeAll(a, b);
  }
});

Deno.test("reactor: data already there costs no wait at all", async () => {
  const [a, b] = socketpair();
  try {
    a.send(enc.encode("ready"));
    const before = reactor().stats();
    assertEquals(dec.decode(await b.async.recv(100)), "ready");
    const after = reactor().stats();
    assertEquals(after.waits, before.waits);
    assertEquals(after.quickWakes, before.quickWakes);
    assertEquals(after.events, before.events);
  } finally {
    closeAll(a, b);
  }
});

Deno.test("reactor: one wake serves every socket that became ready", async () => {
  const pairs = Array.from({ length: 64 }, () => socketpair());
  try {
    const pending = pairs.map(([, b]) => b.async.recv(16));
    await delay(30); // all 64 wait on the one in-flight call
    const before = reactor().stats();
    assertEquals(before.waiting, 64);
    assertEquals(before.inFlight, true);
    for (const [a] of pairs) a.send(enc.encode("x"));
    const got = await Promise.all(pending);
    assert(got.every((d) => dec.decode(d) === "x"));
    const after = await idle();
    const events = after.events - before.events;
    const wakes = (after.waits - before.waits) + (after.quickWakes - before.quickWakes) + 1;
    assert(events >= 64, `64 readiness events dispatched (got ${events})`);
    // The writes happen in one synchronous burst: the in-flight wait returns
    // with some of them and a zero-time poll or two collects the rest.
    assert(wakes <= 6, `64 sockets served by ${wakes} wake-ups`);
  } finally {
    for (const [a, b] of pairs) closeAll(a, b);
  }
});

Deno.test("reactor: a setInterval timer keeps firing while a socket waits", async () => {
  const [a, b] = socketpair();
  try {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 10);
    const p = b.async.recv(10);
    await delay(300);
    clearInterval(timer);
    a.send(enc.encode("done"));
    await p;
    // 30 ticks are due; a noisy 2-core machine may delay some, a blocked
    // event loop would deliver none.
    assert(ticks >= 10, `the interval fired ${ticks} times in 300 ms`);
    await idle();
  } finally {
    closeAll(a, b);
  }
});

Deno.test("reactor: the last waiter leaving (abort) ends the in-flight wait", async () => {
  const [a, b] = socketpair();
  try {
    const ac = new AbortController();
    const p = b.async.recv(10, 0, { signal: ac.signal });
    await delay(20);
    assertEquals(reactor().stats().inFlight, true);
    const before = reactor().stats();
    ac.abort(new Error("stop"));
    await assertRejects(() => p, Error, "stop");
    await idle();
    assertEquals(reactor().stats().wakeups, before.wakeups + 1, "woken through the waker");
  } finally {
    closeAll(a, b);
  }
});

Deno.test("reactor: a descriptor number closed behind the reactor's back and reused still works", async () => {
  const [a, b] = socketpair();
  const p = b.async.recv(10);
  a.send(enc.encode("1"));
  await p; // b is registered with the epoll instance now
  const fd = b.fileno();
  close(fd); // bypasses Socket.close(): the reactor is not told
  b.detach();
  const [c, d] = socketpair();
  try {
    assert(c.fileno() === fd || d.fileno() === fd, "the number was reused");
    const reused = c.fileno() === fd ? c : d;
    const other = reused === c ? d : c;
    const q = reused.async.recv(10);
    await delay(10);
    other.send(enc.encode("2"));
    assertEquals(dec.decode(await q), "2");
    await idle();
  } finally {
    closeAll(a, c, d);
  }
});

nextTestOnLinux("epoll's EPERM for a regular file, found through /proc/self/fd");
Deno.test("reactor: a descriptor the kernel refuses to watch fails its waiter, and nothing stays counted", async () => {
  const path = await Deno.makeTempFile();
  const file = await Deno.open(path, { read: true });
  try {
    // Find the file's descriptor number: the newest entry of /proc/self/fd
    // that points at the path.
    let fd = -1;
    for (const e of Deno.readDirSync("/proc/self/fd")) {
      try {
        if (Deno.readLinkSync(`/proc/self/fd/${e.name}`) === path) fd = Number(e.name);
      } catch {
        // gone meanwhile
      }
    }
    assert(fd >= 0);
    const before = reactor().stats().waiting;
    let failure: SocketError | undefined;
    reactor().add({
      fd,
      events: READ,
      ready(): void {
        fail("a regular file never becomes a readiness event");
      },
      fail(err: SocketError): void {
        failure = err;
      },
    });
    assert(failure instanceof SocketError, "fail() was called at once");
    assertEquals(failure.code, "EPERM"); // epoll does not watch regular files
    assertEquals(failure.syscall, "epoll_ctl");
    assertEquals(reactor().stats().waiting, before);
    await idle();
  } finally {
    file.close();
    await Deno.remove(path);
  }
});

Deno.test("reactor: readiness nobody waits for (data, end of file) does not make the waits spin", async () => {
  const [x, xPeer] = socketpair();
  const [y, yPeer] = socketpair();
  const [z, zPeer] = socketpair();
  try {
    // x and z are served once, so their read interest stays registered...
    for (const [s, peer] of [[x, xPeer], [z, zPeer]]) {
      const p = s.async.recv(4);
      await delay(5);
      peer.send(enc.encode("1"));
      await p;
    }
    // ...then become ready with nobody reading them: data on x, end of file on z.
    xPeer.send(enc.encode("unread"));
    zPeer.close();
    const before = reactor().stats();
    const waiting = y.async.recv(4);
    await delay(100);
    const mid = reactor().stats();
    const wakes = (mid.waits - before.waits) + (mid.quickWakes - before.quickWakes);
    assert(wakes <= 4, `${wakes} wake-ups in 100 ms while one socket waited`);
    yPeer.send(enc.encode("2"));
    assertEquals(dec.decode(await waiting), "2");
    // Nothing was consumed on their behalf.
    assertEquals(dec.decode(await x.async.recv(16)), "unread");
    assertEquals((await z.async.recv(16)).length, 0);
    await idle();
  } finally {
    closeAll(x, xPeer, y, yPeer, z);
  }
});

Deno.test("reactor: ERR/HUP wake readers and writers, whose retried call reports it", async () => {
  const [a, b] = socketpair();
  try {
    const p = b.async.recv(10);
    await delay(10);
    a.close(); // b sees end-of-file
    assertEquals((await p).length, 0);
    await idle();
  } finally {
    b.close();
  }
});

for (
  const [kind, waker] of [["epoll", "eventfd"], ["epoll-oneshot", "eventfd"], ["poll", "eventfd"], [
    "poll",
    "pipe",
  ]] as [BackendKind, WakerKind][]
) {
  if (waker === "eventfd") nextTestOnLinux("epoll and eventfd are Linux's");
  Deno.test(`reactor (${kind}, ${waker} waker): echo, abort, timeout, close and batching`, async () => {
    await reactor().whenIdle();
    const fds = openFds();
    useReactor(kind, waker);
    const l = socket(AF_INET, SOCK_STREAM);
    const socks: Socket[] = [l];
    try {
      assertEquals(reactor().stats().backend, kind);
      l.bind(["127.0.0.1", 0]);
      l.listen();
      const accepting = l.async.accept();
      const c = socket(AF_INET, SOCK_STREAM);
      socks.push(c);
      await c.async.connect(l.getsockname() as [string, number]);
      const [conn] = await accepting;
      socks.push(conn);
      // echo both ways, with the reader waiting first
      const r1 = conn.async.recv(64);
      await delay(5);
      await c.async.sendall(enc.encode("ping"));
      assertEquals(dec.decode(await r1), "ping");
      // a write that needs several waits: 4 MiB through a small buffer
      const big = new Uint8Array(4 << 20).fill(7);
      const sending = conn.async.sendall(big);
      let got = 0;
      const buf = new Uint8Array(65536);
      while (got < big.length) got += await c.async.recv_into(buf);
      await sending;
      // abort
      const ac = new AbortController();
      const r2 = c.async.recv(1, 0, { signal: ac.signal });
      setTimeout(() => ac.abort(new Error("aborted")), 10);
      await assertRejects(() => r2, Error, "aborted");
      // timeout
      c.settimeout(0.05);
      await assertRejects(() => c.async.recv(1), timeout, "timed out");
      c.settimeout(null);
      // close with a pending call
      const r3 = conn.async.recv(1);
      await delay(5);
      conn.close();
      await assertRejects(() => r3, SocketError, "[Errno 9] Bad file descriptor");
      // several sockets ready at once
      const pairs = Array.from({ length: 16 }, () => socketpair());
      for (const [x, y] of pairs) socks.push(x, y);
      const waits = pairs.map(([, y]) => y.async.recv(4));
      await delay(10);
      for (const [x] of pairs) x.send(enc.encode("m"));
      assert((await Promise.all(waits)).every((d) => d.length === 1));
      await idle();
    } finally {
      closeAll(...socks);
      await reactor().whenIdle();
      useReactor(); // back to the system's default; closes this one's descriptors
    }
    assertEquals(openFds(), fds, "the reactor's own descriptors were closed");
  });
}

Deno.test("reactor: a program whose sockets are idle exits by itself", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const script = join(dir, "idle.ts");
    const mod = new URL("../mod.ts", import.meta.url).href;
    await Deno.writeTextFile(
      script,
      `import { socketpair } from ${JSON.stringify(mod)};
const [a, b] = socketpair();
const [c, d] = socketpair();
setTimeout(() => a.send(new TextEncoder().encode("late")), 50);
console.log(new TextDecoder().decode(await b.async.recv(16)));
// An aborted wait must not keep the process alive either.
const ac = new AbortController();
const p = d.async.recv(16, 0, { signal: ac.signal }).catch((e) => e.message);
setTimeout(() => ac.abort(new Error("aborted")), 20);
console.log(await p);
// Sockets stay open, one readable stream is idle: nothing waits any more.
void c.readable;
`,
    );
    const t0 = performance.now();
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-ffi", script],
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const killer = setTimeout(() => child.kill("SIGKILL"), 20_000);
    const out = await child.output();
    clearTimeout(killer);
    const ms = performance.now() - t0;
    assertEquals(out.code, 0, dec.decode(out.stderr));
    assertEquals(dec.decode(out.stdout), "late\naborted\n");
    assert(ms < 15_000, `exited after ${ms.toFixed(0)} ms`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
