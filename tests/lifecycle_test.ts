/**
 * Lifecycle defects of issue 9: a pending operation and garbage collection
 * (item 1), results sharing memory (item 3), timeout mode spinning on a
 * ready-but-EAGAIN descriptor (item 4), a timeout ignored after a dup turned
 * blocking (item 5).
 */

import { assert, assertEquals } from "@std/assert";
import { dirname, fromFileUrl, join } from "@std/path";
import { AF_UNIX, SOCK_DGRAM, socketpair } from "../mod.ts";
import { nextTestOnLinux, TIME_SCALE } from "./_platform.ts";

const modUrl = new URL("../mod.ts", import.meta.url).href;
const dec = new TextDecoder();

/** Runs `code` (a module with `mod` imported) in a child Deno with `gc()` exposed; its JSON output. */
async function inChild<T>(code: string, killAfterMs = 60_000): Promise<T> {
  killAfterMs *= TIME_SCALE; // a child Deno starts in seconds under qemu-user
  const dir = Deno.makeTempDirSync({ prefix: "sockffi-lifecycle-" });
  try {
    const file = join(dir, "child.ts");
    Deno.writeTextFileSync(file, `import * as mod from ${JSON.stringify(modUrl)};\n${code}\n`);
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--no-check", "--v8-flags=--expose-gc", file],
      cwd: join(dirname(fromFileUrl(import.meta.url)), ".."),
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      env: { DENO_NO_UPDATE_CHECK: "1" },
    }).spawn();
    let hung = false;
    const killer = setTimeout(() => {
      hung = true;
      child.kill("SIGKILL");
    }, killAfterMs);
    const out = await child.output();
    clearTimeout(killer);
    assert(!hung, `child still running after ${killAfterMs} ms: killed`);
    const stdout = dec.decode(out.stdout);
    assertEquals(out.code, 0, `child failed:\n${stdout}\n${dec.decode(out.stderr)}`);
    return JSON.parse(stdout.trim().split("\n").at(-1)!) as T;
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}

// Helpers for the children: watch an object and collect garbage until it is
// gone (a WeakRef would keep its target for the rest of the job).
const COLLECT = `
const gc = (globalThis as unknown as { gc: () => void }).gc;
const gone = new Set<number>();
const watcher = new FinalizationRegistry<number>((k) => gone.add(k));
let lastKey = 0;
function watch(o: object): number {
  watcher.register(o, ++lastKey);
  return lastKey;
}
async function collect(key?: number): Promise<void> {
  for (let i = 0; i < 20; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 5));
    if (key !== undefined && gone.has(key)) break;
  }
  gc(); // the library's own finalizer may run a turn later
  await new Promise((r) => setTimeout(r, 5));
}
function within<T>(p: Promise<T>, ms: number): Promise<T | "timed out"> {
  let t: number | undefined;
  return Promise.race([p, new Promise<"timed out">((r) => t = setTimeout(() => r("timed out"), ms))])
    .finally(() => clearTimeout(t));
}
// Whether s.async.recv() gets the "mine" that peer sends (settleMs after the recv starts) within 2 s.
async function receivesMine(s: mod.Socket, peer: mod.Socket, settleMs = 0): Promise<boolean> {
  const got = s.async.recv(100);
  if (settleMs > 0) await new Promise((r) => setTimeout(r, settleMs)); // let it wait in the reactor
  peer.sendall(new TextEncoder().encode("mine"));
  const v = await within(got, 2000);
  return v !== "timed out" && new TextDecoder().decode(v) === "mine";
}
`;

Deno.test("item 1: a socket dropped with s.async.recv() pending does not steal a later socket's data", async () => {
  const r = await inChild<{ tries: number; delivered: number; reused: number }>(`${COLLECT}
let delivered = 0, reused = 0;
const tries = 5;
const keep: mod.Socket[] = [];
for (let i = 0; i < tries; i++) {
  let key: number;
  let oldFd: number;
  {
    const [x, y] = mod.socketpair();
    keep.push(y); // the peer stays open, so the pending recv stays pending
    oldFd = x.fileno();
    x.async.recv(100).catch(() => {});
    key = watch(x);
  }
  await collect(key);
  const [c, d] = mod.socketpair();
  if (c.fileno() === oldFd || d.fileno() === oldFd) reused++;
  if (await receivesMine(c, d)) delivered++;
  c.close();
  d.close();
}
console.log(JSON.stringify({ tries, delivered, reused }));
Deno.exit(0);
`);
  assertEquals(r.delivered, r.tries, `only ${r.delivered} of ${r.tries} recvs got their data`);
});

Deno.test("item 1: a socket collected after async use leaves nothing in the reactor for its number", async () => {
  const r = await inChild<{ tries: number; delivered: number; reused: number }>(`${COLLECT}
let delivered = 0, reused = 0;
const tries = 5;
// in a function of its own, so that no context of the loop keeps x
async function useOnce(): Promise<[number, number]> {
  const [x, y] = mod.socketpair();
  const p = x.async.recv(100); // registers x's descriptor with the reactor
  y.sendall(new Uint8Array([1]));
  await p;
  y.close();
  return [watch(x), x.fileno()];
}
for (let i = 0; i < tries; i++) {
  const [key, oldFd] = await useOnce();
  await collect(key);
  const [c, d] = mod.socketpair();
  const s = c.fileno() === oldFd ? c : d.fileno() === oldFd ? d : c;
  const peer = s === c ? d : c;
  if (s.fileno() === oldFd) reused++;
  if (await receivesMine(s, peer, 20)) delivered++;
  c.close();
  d.close();
}
console.log(JSON.stringify({ tries, delivered, reused }));
Deno.exit(0);
`);
  assert(r.reused > 0, "the descriptor number was never reused: the test proves nothing");
  assertEquals(r.delivered, r.tries, `only ${r.delivered} of ${r.tries} recvs got their data`);
});

// ---- item 3: every result owns its bytes ----

function assertOwnBuffer(r: Uint8Array, what: string): void {
  assertEquals(r.byteOffset, 0, `${what}: byteOffset`);
  assertEquals(r.buffer.byteLength, r.byteLength, `${what}: the buffer holds only this result`);
}

Deno.test("item 3: recv(), recvfrom() and async.recv() results each own their ArrayBuffer", async () => {
  const [a, b] = socketpair();
  const [da, db] = socketpair(AF_UNIX, SOCK_DGRAM);
  try {
    const results: Uint8Array<ArrayBuffer>[] = [];
    for (let i = 0; i < 4; i++) {
      a.sendall(new Uint8Array([i, i, i]));
      results.push(b.recv(100));
      da.send(new Uint8Array([10 + i]));
      results.push(db.recvfrom(100)[0]);
      a.sendall(new Uint8Array([20 + i, 20 + i]));
      results.push(await b.async.recv(100));
      da.send(new Uint8Array([30 + i]));
      results.push((await db.async.recvfrom(100))[0]);
    }
    results.forEach((r, i) => assertOwnBuffer(r, `result ${i}`));
    const before = results.map((r) => [...r]);
    // transferring one result's buffer leaves every other result intact
    const moved = structuredClone(results[0], { transfer: [results[0].buffer] });
    assertEquals([...moved], before[0]);
    results[1].buffer.transfer();
    for (let i = 2; i < results.length; i++) {
      assertEquals([...results[i]], before[i], `result ${i}`);
    }
  } finally {
    a.close();
    b.close();
    da.close();
    db.close();
  }
});

// ---- timing a call in a child (items 4 and 5) ----

/**
 * Runs `expr` after `setup` in a child (killed after 10 s: a call that spins
 * or blocks forever fails the test) and checks that it raised `timeout`
 * after `ms` milliseconds (and not much later).
 */
async function assertTimesOut(setup: string, expr: string, ms: number): Promise<void> {
  const r = await inChild<{ error: string; ms: number }>(
    `${setup}
const t0 = performance.now();
let error = "none";
try {
  await (async () => ${expr})();
} catch (e) {
  error = e instanceof mod.timeout ? "timeout" : (e as Error).name;
}
console.log(JSON.stringify({ error, ms: performance.now() - t0 }));
Deno.exit(0);
`,
    10_000,
  );
  assertEquals(r.error, "timeout");
  assert(r.ms >= ms - 10 && r.ms < 3000, `timed out after ${r.ms} ms`);
}

// ---- item 4: timeout mode never polls forever ----

// Each case sets a 0.2 s timeout on a socket that poll(2) reports ready but
// whose call keeps failing with EAGAIN; CPython raises timeout after 0.2 s.
const SPIN_SETUP = `
const m = mod;
function udpErrqueue(): mod.Socket {
  const u = m.socket(m.AF_INET, m.SOCK_DGRAM);
  u.bind(["127.0.0.1", 0]);
  const v = m.socket(m.AF_INET, m.SOCK_DGRAM);
  v.sendto(new Uint8Array([1]), u.getsockname()); // ordinary data queued: POLLIN
  v.close();
  u.settimeout(0.2);
  return u;
}
function dgramShutRd(): mod.Socket {
  const [x, y] = m.socketpair(m.AF_UNIX, m.SOCK_DGRAM);
  y.close();
  x.settimeout(0.2);
  x.shutdown(m.SHUT_RD); // readable for poll, EAGAIN for recv
  return x;
}
// Linux marks an unconnected UDP socket shut down although shutdown() fails
// with ENOTCONN: epoll reports it readable, recvmsg(MSG_DONTWAIT) says EAGAIN.
// The async calls on it retry in reactor rounds that each cost far more than
// 1/16 of the turn budget (a 50 us budget; or five recvmsg_into() of 1024
// buffers each, ~1 ms a round, with the default 1 ms budget: the fuzzer's
// F20): the budget must still run out so that their timeouts can fire.
function udpShut(): mod.Socket {
  const u = m.socket(m.AF_INET, m.SOCK_DGRAM);
  try {
    u.shutdown(m.SHUT_RDWR);
  } catch (e) {
    if (!(e instanceof m.SocketError)) throw e;
  }
  u.settimeout(0.2);
  return u;
}
function udpShutSmallTurns(): mod.Socket {
  m.tuneReactor({ turnMs: 0.05 });
  return udpShut();
}
function manySlowRecvmsgInto(): Promise<unknown> {
  const calls: Promise<unknown>[] = [];
  for (let i = 0; i < 5; i++) {
    const bufs = Array.from({ length: 1024 }, () => new Uint8Array(1));
    calls.push(udpShut().async.recvmsg_into(bufs));
  }
  return Promise.all(calls);
}
`;

const SPIN_CASES: Record<string, string> = {
  "recv(100, MSG_ERRQUEUE)": "udpErrqueue().recv(100, m.MSG_ERRQUEUE)",
  "recvfrom(100, MSG_ERRQUEUE)": "udpErrqueue().recvfrom(100, m.MSG_ERRQUEUE)",
  "recv_into(buf, 0, MSG_ERRQUEUE)":
    "udpErrqueue().recv_into(new Uint8Array(8), 0, m.MSG_ERRQUEUE)",
  "recvmsg(100, 0, MSG_ERRQUEUE)": "udpErrqueue().recvmsg(100, 0, m.MSG_ERRQUEUE)",
  "recv() on a datagram socket shut down for reading": "dgramShutRd().recv(10)",
  "recvfrom() on a datagram socket shut down for reading": "dgramShutRd().recvfrom(10)",
  "makefile('rb', 0).read() on a datagram socket shut down for reading":
    "dgramShutRd().makefile('rb', 0).read(10)",
  "async.recv(100, MSG_ERRQUEUE)": "udpErrqueue().async.recv(100, m.MSG_ERRQUEUE)",
  "async.recv() on a datagram socket shut down for reading": "dgramShutRd().async.recv(10)",
  "async.recvmsg_into() on a UDP socket after shutdown(), a 50 us turn budget":
    "udpShutSmallTurns().async.recvmsg_into([new Uint8Array(3), new Uint8Array(61)])",
  "async.recvmsg() on a UDP socket after shutdown(), a 50 us turn budget":
    "udpShutSmallTurns().async.recvmsg(64)",
  "five async.recvmsg_into() of 1024 buffers on UDP sockets after shutdown()":
    "manySlowRecvmsgInto()",
};

for (const [name, expr] of Object.entries(SPIN_CASES)) {
  if (name.includes("MSG_ERRQUEUE")) nextTestOnLinux("MSG_ERRQUEUE is Linux's");
  if (name.includes("UDP socket")) {
    nextTestOnLinux("a UDP socket marked shut down despite ENOTCONN is Linux's");
  }
  Deno.test(`item 4: settimeout(0.2) + ${name} raises timeout after 0.2 s`, async () => {
    await assertTimesOut(SPIN_SETUP, expr, 200);
  });
}

// ---- item 5: a dup() turned blocking does not turn the timeout off ----

// CPython 3.11 here: `b.settimeout(0.3); b.dup().setblocking(True); b.recv(10)`
// raises TimeoutError after 0.3 s (sock_call_ex polls before every call in
// timeout mode); so do accept() and a send() into a full buffer.
const DUP_SETUP = `
const m = mod;
function dupBlocking(s: mod.Socket): mod.Socket {
  s.settimeout(0.3);
  const d = s.dup();
  d.setblocking(true); // clears O_NONBLOCK on the description s shares
  return s;
}
function idlePair(): mod.Socket {
  const [a, b] = m.socketpair();
  (globalThis as Record<string, unknown>).keep = a;
  return dupBlocking(b);
}
function fullPair(): mod.Socket {
  const [a, b] = m.socketpair();
  (globalThis as Record<string, unknown>).keep = b;
  a.setblocking(false);
  const chunk = new Uint8Array(65536);
  try {
    for (;;) a.send(chunk);
  } catch { /* full */ }
  return dupBlocking(a);
}
function listener(): mod.Socket {
  const l = m.socket(m.AF_INET, m.SOCK_STREAM);
  l.bind(["127.0.0.1", 0]);
  l.listen();
  return dupBlocking(l);
}
`;

const DUP_CASES: Record<string, string> = {
  "recv(10)": "idlePair().recv(10)",
  "recvfrom(10)": "idlePair().recvfrom(10)",
  "recv_into(buf)": "idlePair().recv_into(new Uint8Array(10))",
  "recvmsg(10)": "idlePair().recvmsg(10)",
  "makefile('rb', 0).read(10)": "idlePair().makefile('rb', 0).read(10)",
  "send() into a full buffer": "fullPair().send(new Uint8Array(65536))",
  "sendall() into a full buffer": "fullPair().sendall(new Uint8Array(65536))",
  "sendmsg() into a full buffer": "fullPair().sendmsg([new Uint8Array(65536)])",
  "accept()": "listener().accept()",
  "async.accept()": "listener().async.accept()",
  "async.recv(10)": "idlePair().async.recv(10)",
};

for (const [name, expr] of Object.entries(DUP_CASES)) {
  Deno.test(`item 5: settimeout(0.3), dup().setblocking(true), then ${name} times out after 0.3 s`, async () => {
    await assertTimesOut(DUP_SETUP, expr, 300);
  });
}
