/**
 * What the Deno workload programs (builtin.ts, raw.ts, sockffi.ts) share: the
 * command line and one-line JSON output of bench/c/workloads.c, and the timed
 * loops.
 *
 * @module
 */

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

/** Prints an `{"ops":N,"ns":T}` result line. */
export function reportOps(ops: number, ns: number): void {
  out({ ops, ns: Math.round(ns) });
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
  reportOps(n, t1 - t0);
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
  reportOps(n, t1 - t0);
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
  await Promise.all(conns.map(async (c) => {
    for (;;) {
      await rtt(c);
      const t = nowNs();
      if (t >= t1) return;
      if (t >= t0) measured++;
    }
  }));
  reportOps(measured, budgetMs * 1e6);
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
