/**
 * sockffi's side of bench/compare.ts: the workloads of bench/c/workloads.c
 * through the library's public API (`../../mod.ts`), synchronous (`pair`,
 * `udp`, `pingpong-*`, `bulk-*`) and through `s.async` (the same names with
 * an `async-` prefix, and `async-server`/`async-client` for workload 5).
 *
 * The library is imported dynamically and checked for what each mode needs,
 * so a missing `mod.ts`, export or `s.async` method prints an
 * `{"unavailable": reason}` line instead of failing.
 *
 * @module
 */

import {
  asyncClients,
  expect,
  FAIR,
  fairness,
  fill,
  main,
  type Mode,
  nowNs,
  out,
  parseTuning,
  rng,
  timedLoop,
  timedLoopAsync,
} from "./_common.ts";

type Addr = [string, number];

/** The part of sockffi's `s.async` these workloads use. */
interface AsyncOps {
  send(data: BufferSource): Promise<number>;
  sendall(data: BufferSource): Promise<void>;
  sendto(data: BufferSource, address: Addr): Promise<number>;
  recv_into(buffer: ArrayBufferView, nbytes?: number): Promise<number>;
  recvfrom_into(buffer: ArrayBufferView, nbytes?: number): Promise<[number, unknown]>;
  accept(): Promise<[Sock, unknown]>;
  connect(address: Addr): Promise<void>;
}

/** The part of sockffi's `Socket` these workloads use (Python's names). */
interface Sock {
  send(data: BufferSource): number;
  sendall(data: BufferSource): void;
  sendto(data: BufferSource, address: Addr): number;
  recv_into(buffer: ArrayBufferView, nbytes?: number): number;
  recvfrom_into(buffer: ArrayBufferView, nbytes?: number): [number, unknown];
  setsockopt(level: number, option: number, value: number): void;
  getsockname(): Addr;
  bind(address: Addr): void;
  listen(backlog?: number): void;
  accept(): [Sock, unknown];
  connect(address: Addr): void;
  shutdown(how: number): void;
  close(): void;
  async?: Partial<AsyncOps>;
}

/** The part of sockffi's module these workloads use. */
interface Lib {
  socket(family?: number, type?: number): Sock;
  socketpair(family?: number, type?: number): [Sock, Sock];
  AF_INET: number;
  AF_UNIX: number;
  SOCK_STREAM: number;
  SOCK_DGRAM: number;
  IPPROTO_TCP: number;
  TCP_NODELAY: number;
  SHUT_WR: number;
}

class Unavailable extends Error {}

async function load(): Promise<Lib> {
  const url = new URL("../../mod.ts", import.meta.url);
  let lib: Partial<Lib>;
  try {
    lib = await import(url.href);
  } catch (e) {
    throw new Unavailable(
      `cannot import mod.ts (${e instanceof Error ? e.message.split("\n")[0] : e})`,
    );
  }
  for (const name of ["socket", "socketpair"] as const) {
    if (typeof lib[name] !== "function") throw new Unavailable(`mod.ts does not export ${name}()`);
  }
  return lib as Lib;
}

// Bench-only tuning overrides (A/B runs of the reactor's defaults): SOCKFFI_TUNE="spinUs=0,turnMs=1".
const tuneSpec = Deno.env.get("SOCKFFI_TUNE");
if (tuneSpec) {
  const { tuneReactor } = await import("../../src/reactor.ts");
  tuneReactor(parseTuning(tuneSpec));
}

const lib = await load().catch((e) => {
  if (!(e instanceof Unavailable)) throw e;
  out({ unavailable: e.message });
  Deno.exit(0);
});

/** `s.async`, with the methods `names` checked to exist. */
function asyncOf(s: Sock, ...names: (keyof AsyncOps)[]): AsyncOps {
  const ops = s.async;
  if (ops === undefined || ops === null) throw new Unavailable("Socket has no .async yet");
  for (const n of names) {
    if (typeof ops[n] !== "function") throw new Unavailable(`Socket.async.${n}() is missing`);
  }
  return ops as AsyncOps;
}

const HOST = "127.0.0.1";

/** A listening TCP socket on 127.0.0.1; `announce` prints its port for the client. */
function listener(): Sock {
  const l = lib.socket(lib.AF_INET, lib.SOCK_STREAM);
  l.bind([HOST, 0]);
  l.listen(1024);
  return l;
}

function announce(l: Sock): void {
  out({ port: l.getsockname()[1] });
}

function tcp(): Sock {
  return lib.socket(lib.AF_INET, lib.SOCK_STREAM);
}

function nodelay(s: Sock): Sock {
  s.setsockopt(lib.IPPROTO_TCP, lib.TCP_NODELAY, 1);
  return s;
}

function udpPair(): [Sock, Sock, Addr] {
  const a = lib.socket(lib.AF_INET, lib.SOCK_DGRAM);
  const b = lib.socket(lib.AF_INET, lib.SOCK_DGRAM);
  a.bind([HOST, 0]);
  b.bind([HOST, 0]);
  return [a, b, b.getsockname()];
}

// ---- synchronous ----

function pair(maxIters: number, budgetMs: number, warmup: number): void {
  const [a, b] = lib.socketpair(lib.AF_UNIX, lib.SOCK_STREAM);
  const one = new Uint8Array([120]);
  const buf = new Uint8Array(64);
  timedLoop(
    () => {
      expect(a.send(one), 1, "send");
      expect(b.recv_into(buf), 1, "recv_into");
    },
    maxIters,
    budgetMs,
    warmup,
    256,
  );
  a.close();
  b.close();
}

function udp(maxIters: number, budgetMs: number, warmup: number): void {
  const [a, b, to] = udpPair();
  const msg = new Uint8Array(64).fill(120);
  const buf = new Uint8Array(2048);
  timedLoop(
    () => {
      expect(a.sendto(msg, to), 64, "sendto");
      expect(b.recvfrom_into(buf)[0], 64, "recvfrom_into");
    },
    maxIters,
    budgetMs,
    warmup,
    256,
  );
  a.close();
  b.close();
}

function pingpongServer(): void {
  const l = listener();
  announce(l);
  const [c] = l.accept();
  nodelay(c);
  const buf = new Uint8Array(64);
  for (;;) {
    const n = c.recv_into(buf);
    if (n === 0) break;
    c.sendall(buf.subarray(0, n));
  }
  c.close();
  l.close();
  out({ done: true });
}

function pingpongClient(port: number, maxIters: number, budgetMs: number, warmup: number): void {
  const c = tcp();
  c.connect([HOST, port]);
  nodelay(c);
  const one = new Uint8Array([120]);
  const buf = new Uint8Array(64);
  timedLoop(
    () => {
      expect(c.send(one), 1, "send");
      expect(c.recv_into(buf), 1, "recv_into");
    },
    maxIters,
    budgetMs,
    warmup,
    64,
  );
  c.close();
}

function bulkServer(): void {
  const l = listener();
  announce(l);
  const [c] = l.accept();
  nodelay(c);
  const buf = new Uint8Array(65536);
  let total = 0;
  for (;;) {
    const n = c.recv_into(buf);
    if (n === 0) break;
    total += n;
  }
  c.sendall(new Uint8Array([107]));
  c.close();
  l.close();
  out({ received: total });
}

function bulkClient(port: number, total: number, chunk: number): void {
  const c = tcp();
  c.connect([HOST, port]);
  nodelay(c);
  const data = new Uint8Array(chunk).fill(120);
  const t0 = nowNs();
  let sent = 0;
  while (sent < total) {
    const want = Math.min(chunk, total - sent);
    c.sendall(want === chunk ? data : data.subarray(0, want));
    sent += want;
  }
  c.shutdown(lib.SHUT_WR);
  expect(c.recv_into(new Uint8Array(1)), 1, "ack");
  const t1 = nowNs();
  c.close();
  out({ bytes: sent, ns: Math.round(t1 - t0) });
}

// ---- s.async ----

async function asyncPair(maxIters: number, budgetMs: number, warmup: number): Promise<void> {
  const [a, b] = lib.socketpair(lib.AF_UNIX, lib.SOCK_STREAM);
  const aa = asyncOf(a, "send");
  const ba = asyncOf(b, "recv_into");
  const one = new Uint8Array([120]);
  const buf = new Uint8Array(64);
  await timedLoopAsync(
    async () => {
      expect(await aa.send(one), 1, "send");
      expect(await ba.recv_into(buf), 1, "recv_into");
    },
    maxIters,
    budgetMs,
    warmup,
    256,
  );
  a.close();
  b.close();
}

async function asyncUdp(maxIters: number, budgetMs: number, warmup: number): Promise<void> {
  const [a, b, to] = udpPair();
  const aa = asyncOf(a, "sendto");
  const ba = asyncOf(b, "recvfrom_into");
  const msg = new Uint8Array(64).fill(120);
  const buf = new Uint8Array(2048);
  await timedLoopAsync(
    async () => {
      expect(await aa.sendto(msg, to), 64, "sendto");
      expect((await ba.recvfrom_into(buf))[0], 64, "recvfrom_into");
    },
    maxIters,
    budgetMs,
    warmup,
    256,
  );
  a.close();
  b.close();
}

async function echo(c: Sock, size = 4096): Promise<void> {
  const ca = asyncOf(c, "recv_into", "sendall");
  const buf = new Uint8Array(size);
  try {
    for (;;) {
      const n = await ca.recv_into(buf);
      if (n === 0) break;
      await ca.sendall(buf.subarray(0, n));
    }
  } finally {
    c.close();
  }
}

async function asyncConnect(port: number): Promise<[Sock, AsyncOps]> {
  const c = tcp();
  const ca = asyncOf(c, "connect", "send", "sendall", "recv_into");
  await ca.connect([HOST, port]);
  return [nodelay(c), ca];
}

/** Checks `s.async` on the listener before announcing it, then accepts one connection. */
async function asyncAcceptOne(l: Sock): Promise<Sock> {
  const la = asyncOf(l, "accept", "recv_into", "sendall");
  announce(l);
  const [c] = await la.accept();
  return nodelay(c);
}

async function asyncPingpongServer(): Promise<void> {
  const l = listener();
  const c = await asyncAcceptOne(l);
  l.close();
  await echo(c);
  out({ done: true });
}

async function asyncPingpongClient(
  port: number,
  maxIters: number,
  budgetMs: number,
  warmup: number,
): Promise<void> {
  const [c, ca] = await asyncConnect(port);
  const one = new Uint8Array([120]);
  const buf = new Uint8Array(64);
  await timedLoopAsync(
    async () => {
      expect(await ca.send(one), 1, "send");
      expect(await ca.recv_into(buf), 1, "recv_into");
    },
    maxIters,
    budgetMs,
    warmup,
    64,
  );
  c.close();
}

async function asyncBulkServer(): Promise<void> {
  const l = listener();
  const c = await asyncAcceptOne(l);
  l.close();
  const ca = asyncOf(c, "recv_into", "sendall");
  const buf = new Uint8Array(65536);
  let total = 0;
  for (;;) {
    const n = await ca.recv_into(buf);
    if (n === 0) break;
    total += n;
  }
  await ca.sendall(new Uint8Array([107]));
  c.close();
  out({ received: total });
}

async function asyncBulkClient(port: number, total: number, chunk: number): Promise<void> {
  const [c, ca] = await asyncConnect(port);
  const data = new Uint8Array(chunk).fill(120);
  const t0 = nowNs();
  let sent = 0;
  while (sent < total) {
    const want = Math.min(chunk, total - sent);
    await ca.sendall(want === chunk ? data : data.subarray(0, want));
    sent += want;
  }
  c.shutdown(lib.SHUT_WR);
  expect(await ca.recv_into(new Uint8Array(1)), 1, "ack");
  const t1 = nowNs();
  c.close();
  out({ bytes: sent, ns: Math.round(t1 - t0) });
}

async function asyncServer(): Promise<void> {
  const l = listener();
  const la = asyncOf(l, "accept", "recv_into", "sendall");
  announce(l);
  for (;;) {
    const [c] = await la.accept();
    nodelay(c);
    echo(c).catch(() => {});
  }
}

async function asyncClient(
  port: number,
  conns: number,
  budgetMs: number,
  warmupMs: number,
): Promise<void> {
  const peers = await Promise.all(Array.from({ length: conns }, async () => {
    const [c, ca] = await asyncConnect(port);
    return { c, ca, buf: new Uint8Array(1) };
  }));
  const one = new Uint8Array([120]);
  await asyncClients(
    peers,
    async ({ ca, buf }) => {
      expect(await ca.send(one), 1, "send");
      expect(await ca.recv_into(buf), 1, "recv_into");
    },
    budgetMs,
    warmupMs,
  );
  for (const { c } of peers) c.close();
}

/**
 * The fairness workload: FAIR.clients echo clients in this process, each
 * sending FAIR.size bytes in random pieces to an echo server also here and
 * checking what comes back, while an interval timer counts its ticks.
 */
async function asyncFair(): Promise<void> {
  const l = listener();
  const la = asyncOf(l, "accept", "recv_into", "sendall");
  const addr: Addr = [HOST, l.getsockname()[1]];
  const { clients, size, piece, warmup } = FAIR;
  const server = (async () => {
    for (let i = 0; i < warmup + clients; i++) {
      const [c] = await la.accept();
      echo(c, 16384).catch((e) => out({ error: `echo: ${e}` }));
    }
    l.close();
  })();
  // The data is made before the timer starts: generating it is not socket work.
  const datas = Array.from(
    { length: warmup + clients },
    (_, i) => fill(new Uint8Array(size), rng(i + 1)),
  );
  const client = async (i: number): Promise<void> => {
    const random = rng(~i);
    const data = datas[i];
    const c = tcp();
    const ca = asyncOf(c, "connect", "sendall", "recv_into");
    await ca.connect(addr);
    const sending = (async () => {
      for (let off = 0; off < size;) {
        const n = Math.min(size - off, 1 + Math.floor(random() * piece));
        await ca.sendall(data.subarray(off, off + n));
        off += n;
      }
      c.shutdown(lib.SHUT_WR);
    })();
    const got = new Uint8Array(size + 1);
    let off = 0;
    for (;;) {
      const n = await ca.recv_into(got.subarray(off));
      if (n === 0) break;
      off += n;
      if (off > size) throw new Error(`client ${i}: too much data`);
    }
    await sending;
    c.close();
    if (off !== size) throw new Error(`client ${i}: got ${off} bytes`);
    for (let k = 0; k < size; k++) {
      if (got[k] !== data[k]) throw new Error(`client ${i}: byte ${k} differs`);
    }
  };
  // A warm-up round (JIT, first calls), then the measured one.
  await Promise.all(Array.from({ length: warmup }, (_, i) => client(clients + i)));
  await fairness(async () => {
    await Promise.all(Array.from({ length: clients }, (_, i) => client(i)));
    await server;
  }, FAIR.tickMs);
}

/** Turns an {@linkcode Unavailable} thrown by a mode into an `unavailable` line. */
function guarded(mode: Mode): Mode {
  return async (...args: number[]): Promise<void> => {
    try {
      await mode(...args);
    } catch (e) {
      if (!(e instanceof Unavailable)) throw e;
      out({ unavailable: e.message });
    }
  };
}

const modes: Record<string, Mode> = {
  "pair": pair,
  "udp": udp,
  "pingpong-server": pingpongServer,
  "pingpong-client": pingpongClient,
  "bulk-server": bulkServer,
  "bulk-client": bulkClient,
  "async-pair": asyncPair,
  "async-udp": asyncUdp,
  "async-pingpong-server": asyncPingpongServer,
  "async-pingpong-client": asyncPingpongClient,
  "async-bulk-server": asyncBulkServer,
  "async-bulk-client": asyncBulkClient,
  "async-server": asyncServer,
  "async-client": asyncClient,
  "async-fair": asyncFair,
};
await main(Object.fromEntries(Object.entries(modes).map(([k, v]) => [k, guarded(v)])));
