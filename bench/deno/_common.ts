/**
 * What the Deno workload programs (builtin.ts, raw.ts, sockffi.ts) share: the
 * command line and one-line JSON output of bench/c/workloads.c, and the timed
 * loops.
 *
 * @module
 */

import process from "node:process";

/** A workload mode: takes the numeric arguments after the mode name. */
export type Mode = (...args: number[]) => void | Promise<void>;

/** Monotonic nanoseconds, as a number (exact to well under a microsecond). */
export function nowNs(): number {
  return performance.now() * 1e6;
}

/** Prints one JSON line on stdout. */
export function out(obj: Record<string, unknown>): void {
  console.log(JSON.stringify(obj));
}

/**
 * Prints an `{"ops":N,"ns":T}` result line, with `"cpu"` (this process's CPU
 * seconds over the measured part) when `cpu0` (cpuSeconds() at its start) is given.
 */
export function reportOps(ops: number, ns: number, cpu0?: number): void {
  if (cpu0 === undefined) out({ ops, ns: Math.round(ns) });
  else out({ ops, ns: Math.round(ns), cpu: cpuSeconds() - cpu0 });
}

/**
 * Runs `op` `warmup` times (so TurboFan optimizes it and FFI calls reach the
 * fast path), then in batches until `maxIters` or `budgetMs` is reached, and
 * reports the timed part.
 */
export function timedLoop(
  op: () => void,
  maxIters: number,
  budgetMs: number,
  warmup: number,
  batch: number,
): void {
  for (let i = 0; i < warmup; i++) op();
  const cpu0 = cpuSeconds();
  const t0 = nowNs();
  const deadline = t0 + budgetMs * 1e6;
  let n = 0;
  let t1: number;
  for (;;) {
    for (let k = 0; k < batch; k++) op();
    n += batch;
    t1 = nowNs();
    if (n >= maxIters || t1 >= deadline) break;
  }
  reportOps(n, t1 - t0, cpu0);
}

/** {@linkcode timedLoop} for an async `op`. */
export async function timedLoopAsync(
  op: () => Promise<void>,
  maxIters: number,
  budgetMs: number,
  warmup: number,
  batch: number,
): Promise<void> {
  for (let i = 0; i < warmup; i++) await op();
  const cpu0 = cpuSeconds();
  const t0 = nowNs();
  const deadline = t0 + budgetMs * 1e6;
  let n = 0;
  let t1: number;
  for (;;) {
    for (let k = 0; k < batch; k++) await op();
    n += batch;
    t1 = nowNs();
    if (n >= maxIters || t1 >= deadline) break;
  }
  reportOps(n, t1 - t0, cpu0);
}

/**
 * The async-client loop of workload 5: `conns` connections each run `rtt`
 * back to back; round trips completing within the `budgetMs` window after
 * `warmupMs` are counted.
 */
export async function asyncClients<T>(
  conns: T[],
  rtt: (conn: T) => Promise<void>,
  budgetMs: number,
  warmupMs: number,
): Promise<void> {
  const t0 = nowNs() + warmupMs * 1e6;
  const t1 = t0 + budgetMs * 1e6;
  let measured = 0;
  let cpu0: number | undefined;
  await Promise.all(conns.map(async (c) => {
    for (;;) {
      await rtt(c);
      const t = nowNs();
      if (t >= t1) return;
      if (t >= t0) {
        cpu0 ??= cpuSeconds();
        measured++;
      }
    }
  }));
  reportOps(measured, budgetMs * 1e6, cpu0);
}

/** Throws unless `n` equals `want`. */
export function expect(n: number | null, want: number, what: string): void {
  if (n !== want) throw new Error(`${what}: got ${n}, want ${want}`);
}

/**
 * Runs the mode named by `Deno.args[0]` with the remaining arguments. A
 * thrown error becomes an `{"error": ...}` line and exit status 1.
 */
export async function main(modes: Record<string, Mode>): Promise<void> {
  const [name, ...rest] = Deno.args;
  const mode = modes[name];
  if (!mode) {
    out({ error: `unknown or unsupported mode ${name}` });
    Deno.exit(2);
  }
  try {
    await mode(...rest.map(Number));
  } catch (e) {
    out({ error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
    Deno.exit(1);
  }
}

/** A seeded generator of numbers in [0, 1) (mulberry32), the same in every runtime's program. */
export function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fills `data` from `random`, byte by byte. */
export function fill(data: Uint8Array<ArrayBuffer>, random: () => number): Uint8Array<ArrayBuffer> {
  for (let k = 0; k < data.length; k++) data[k] = (random() * 256) | 0;
  return data;
}

/**
 * The event-loop fairness workload: `load()` runs while a `tickMs`
 * interval timer counts its ticks. Prints `{"ticks", "expected", "ns"}`:
 * `expected` is the elapsed time over `tickMs` (whole ticks), `ns` the load's
 * wall time. Also the process's CPU seconds (`cpu`), from /proc/self/stat.
 */
export async function fairness(load: () => Promise<void>, tickMs: number): Promise<void> {
  let ticks = 0;
  const timer = setInterval(() => ticks++, tickMs);
  const cpu0 = cpuSeconds();
  const t0 = nowNs();
  try {
    await load();
  } finally {
    clearInterval(timer);
  }
  const ns = nowNs() - t0;
  out({
    ticks,
    expected: Math.floor(ns / 1e6 / tickMs),
    ns: Math.round(ns),
    cpu: cpuSeconds() - cpu0,
  });
}

/**
 * This process's user + system CPU seconds, all threads (getrusage through
 * node:process, which needs no permission; /proc/self/stat needs --allow-all).
 */
export function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/**
 * Reactor tuning written `spinUs=50,turnMs=1` (bench-only A/B runs: the
 * SOCKFFI_TUNE variable, wait_bench's `tune:` candidates), as the object
 * `tuneReactor()` takes; the values are checked there.
 */
export function parseTuning(spec: string): Record<string, number> {
  return Object.fromEntries(
    spec.split(",").map((kv) => {
      const [k, v] = kv.split("=");
      return [k, Number(v)];
    }),
  );
}

/**
 * The fairness load's parameters: clients, bytes each, largest piece, the
 * timer's period, and the clients of the unmeasured warm-up round before.
 */
export const FAIR = { clients: 300, size: 16384, piece: 8192, tickMs: 10, warmup: 20 } as const;
