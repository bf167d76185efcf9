/**
 * How to learn that a socket is ready, measured side by side (issue 11): a
 * 1-byte TCP ping-pong on 127.0.0.1 between a JavaScript client and a
 * blocking C echo peer (bench/c/workloads.c `pingpong-server`), one client
 * process per candidate and round, rounds interleaved. For each: µs per
 * round trip, CPU µs per round trip (user + system of the whole client
 * process, all threads, getrusage through node:process), context switches per round trip
 * (voluntary + involuntary, summed over the process's threads from
 * /proc/self/task/{@literal *}/status), and the share of a 5 ms interval
 * timer's ticks that fired meanwhile.
 *
 * Candidates:
 * - `c`: the C client (`pingpong-client`), the floor.
 * - `deno`: Deno's built-in `Deno.connect` (`conn.write`/`conn.read`).
 * - `handoff`: sockffi's reactor with neither busy-polling nor blocking
 *   (`spinUs: 0, waitMs: 0`): a zero-timeout `epoll_wait` on the JavaScript
 *   thread, then the `nonblocking: true` `epoll_wait` (a thread hand-off).
 * - `spin25`, `spin50`, `spin100`: the bounded adaptive busy-poll of that
 *   many µs before the hand-off (`waitMs: 0`).
 * - `block1`: the bounded adaptive blocking wait on the JavaScript thread
 *   (`epoll_wait` with a 1 ms timeout) before the hand-off (the default).
 * - `worker`: a Worker blocked in a synchronous `epoll_wait` (EPOLLONESHOT,
 *   re-armed by the main thread), waking the main thread through a
 *   SharedArrayBuffer and `Atomics.notify` / `Atomics.waitAsync`.
 * - `threadsafe`: the same Worker calling a `Deno.UnsafeCallback.threadSafe`
 *   of the main thread's instead.
 * - `rawblock`: the same raw FFI calls as the Worker candidates, but waiting
 *   like `block1` (a synchronous level-triggered `epoll_wait` with a 1 ms
 *   timeout on the JavaScript thread): against `block1` it shows what
 *   sockffi's async machinery costs, against `threadsafe` what the Worker
 *   saves. It never yields to the event loop (its timer fires no ticks): a
 *   floor for comparison, not a design.
 * - `default`: sockffi's reactor as it ships (no tuning).
 * - `tune:spinUs=50,waitMs=1,turnMs=0.25`: sockffi's reactor with that
 *   {@linkcode tuneReactor} tuning (the defaults for the rest).
 *
 * `WAIT_CANDIDATES="c;deno;default;tune:spinUs=50,turnMs=0.25"` runs only
 * those (separated by `;`).
 *
 * Run: `deno run -A bench/wait_bench.ts [rounds] [ms per run]`.
 *
 * @module
 */

import { fromFileUrl, join } from "@std/path";
import { AF_INET, IPPROTO_TCP, SOCK_STREAM, socket, TCP_NODELAY } from "../mod.ts";
import { tuneReactor } from "../src/reactor.ts";
import { median } from "./compare.ts";
import { cpuSeconds, parseTuning } from "./deno/_common.ts";

const HERE = fromFileUrl(new URL(".", import.meta.url));
const ALL = [
  "c",
  "deno",
  "handoff",
  "spin25",
  "spin50",
  "spin100",
  "block1",
  "worker",
  "threadsafe",
  "rawblock",
  "default",
] as const;
/**
 * A candidate: one of {@linkcode ALL}, or sockffi's reactor with explicit
 * tuning, `tune:spinUs=50,waitMs=1,turnMs=0.25` (any of the three; the
 * library's defaults for the rest).
 */
type Candidate = typeof ALL[number] | `tune:${string}`;
/** The candidates to run: `WAIT_CANDIDATES=c,deno,default,tune:spinUs=50` or all of ALL. */
const CANDIDATES: readonly Candidate[] = Deno.env.get("WAIT_CANDIDATES")?.split(";")
  .map((x) => x.trim() as Candidate) ?? ALL;

/** One client run's result. */
interface Result {
  us: number;
  cpuUs: number;
  ctx: number;
  ticks: number;
}

// ---- the client side (a child process per run) ----

function contextSwitches(): number {
  let n = 0;
  for (const t of Deno.readDirSync("/proc/self/task")) {
    try {
      const s = Deno.readTextFileSync(`/proc/self/task/${t.name}/status`);
      n += Number(/^voluntary_ctxt_switches:\s*(\d+)/m.exec(s)![1]) +
        Number(/^nonvoluntary_ctxt_switches:\s*(\d+)/m.exec(s)![1]);
    } catch {
      // A thread that ended meanwhile.
    }
  }
  return n;
}

/** Runs `rtt` for `ms` after a 200 ms warm-up and prints the Result line. */
async function measure(rtt: () => Promise<void>, ms: number): Promise<void> {
  const warm = performance.now() + 200;
  while (performance.now() < warm) await rtt();
  let ticks = 0;
  const iv = setInterval(() => ticks++, 5);
  const c0 = cpuSeconds(), x0 = contextSwitches(), t0 = performance.now();
  let n = 0;
  const end = t0 + ms;
  while (performance.now() < end) {
    for (let k = 0; k < 16; k++) await rtt();
    n += 16;
  }
  const dt = performance.now() - t0;
  const cpu = cpuSeconds() - c0, ctx = contextSwitches() - x0;
  clearInterval(iv);
  const r: Result = {
    us: (dt * 1000) / n,
    cpuUs: (cpu * 1e6) / n,
    ctx: ctx / n,
    ticks: (ticks * 5) / dt,
  };
  console.log(JSON.stringify(r));
}

const dlib = () =>
  Deno.dlopen("libc.so.6", {
    send: { parameters: ["i32", "buffer", "usize", "i32"], result: "isize" },
    recv: { parameters: ["i32", "buffer", "usize", "i32"], result: "isize" },
    epoll_create1: { parameters: ["i32"], result: "i32" },
    epoll_ctl: { parameters: ["i32", "i32", "i32", "buffer"], result: "i32" },
    epoll_wait: { parameters: ["i32", "buffer", "i32", "i32"], result: "i32" },
    eventfd: { parameters: ["u32", "i32"], result: "i32" },
    write: { parameters: ["i32", "buffer", "usize"], result: "isize" },
    close: { parameters: ["i32"], result: "i32" },
  }).symbols;

/** The Worker candidates: raw FFI on the socket sockffi connected. */
async function workerClient(fd: number, ms: number, threadsafe: boolean): Promise<void> {
  const L = dlib();
  const EPOLLIN = 1, EPOLLONESHOT = 1 << 30, MSG_DONTWAIT = 0x40, ADD = 1, MOD = 3;
  const epfd = L.epoll_create1(0);
  const ev = new Uint8Array(12);
  const dv = new DataView(ev.buffer);
  const ctl = (op: number, target: number, events: number): void => {
    dv.setUint32(0, events, true);
    dv.setInt32(4, target, true);
    if (L.epoll_ctl(epfd, op, target, ev) < 0) throw new Error("epoll_ctl");
  };
  const stopFd = L.eventfd(0, 0);
  ctl(ADD, stopFd, EPOLLIN);
  ctl(ADD, fd, 0);
  const sab = new SharedArrayBuffer(8);
  const cell = new Int32Array(sab);
  let wake: (() => void) | null = null;
  const cb = threadsafe
    ? Deno.UnsafeCallback.threadSafe({ parameters: [], result: "void" } as const, () => {
      const w = wake;
      wake = null;
      w?.();
    })
    : null;
  const worker = new Worker(new URL("./deno/_wait_worker.ts", import.meta.url), {
    type: "module",
  });
  worker.postMessage({
    epfd,
    sab,
    callback: cb === null ? null : BigInt(Deno.UnsafePointer.value(cb.pointer)),
  });
  const one = new Uint8Array([120]), buf = new Uint8Array(64);
  const big1 = 1n, big64 = 64n;
  const rtt = async (): Promise<void> => {
    if (L.send(fd, one, big1, 0) !== 1n) throw new Error("send");
    for (;;) {
      const r = L.recv(fd, buf, big64, MSG_DONTWAIT);
      if (r > 0n) return;
      if (r === 0n) throw new Error("peer closed");
      const seen = Atomics.load(cell, 0);
      if (threadsafe) {
        const p = new Promise<void>((resolve) => (wake = resolve));
        ctl(MOD, fd, EPOLLIN | EPOLLONESHOT);
        await p;
      } else {
        ctl(MOD, fd, EPOLLIN | EPOLLONESHOT);
        const w = Atomics.waitAsync(cell, 0, seen);
        if (w.async) await w.value;
      }
    }
  };
  await measure(rtt, ms);
  Atomics.store(cell, 1, 1);
  L.write(stopFd, new BigUint64Array([1n]), 8n);
  await new Promise((r) => setTimeout(r, 20));
  worker.terminate();
  cb?.close();
}

/** The `rawblock` candidate: raw FFI, a blocking level-triggered epoll_wait on this thread. */
async function rawBlockClient(fd: number, ms: number): Promise<void> {
  const L = dlib();
  const EPOLLIN = 1, MSG_DONTWAIT = 0x40, ADD = 1;
  const epfd = L.epoll_create1(0);
  const ev = new Uint8Array(12 * 4);
  const dv = new DataView(ev.buffer);
  dv.setUint32(0, EPOLLIN, true);
  dv.setInt32(4, fd, true);
  if (L.epoll_ctl(epfd, ADD, fd, ev) < 0) throw new Error("epoll_ctl");
  const one = new Uint8Array([120]), buf = new Uint8Array(64);
  const big1 = 1n, big64 = 64n;
  await measure(async (): Promise<void> => {
    if (L.send(fd, one, big1, 0) !== 1n) throw new Error("send");
    for (;;) {
      const r = L.recv(fd, buf, big64, MSG_DONTWAIT);
      if (r > 0n) return;
      if (r === 0n) throw new Error("peer closed");
      L.epoll_wait(epfd, ev, 4, 1);
      await Promise.resolve();
    }
  }, ms);
  L.close(epfd);
}

async function client(kind: Candidate, port: number, ms: number): Promise<void> {
  if (kind === "deno") {
    const c = await Deno.connect({ hostname: "127.0.0.1", port });
    c.setNoDelay(true);
    const one = new Uint8Array([120]), buf = new Uint8Array(64);
    await measure(async () => {
      await c.write(one);
      await c.read(buf);
    }, ms);
    c.close();
    return;
  }
  const s = socket(AF_INET, SOCK_STREAM);
  await s.async.connect(["127.0.0.1", port]);
  s.setsockopt(IPPROTO_TCP, TCP_NODELAY, 1);
  if (kind === "rawblock") {
    await rawBlockClient(s.fileno(), ms);
  } else if (kind === "worker" || kind === "threadsafe") {
    await workerClient(s.fileno(), ms, kind === "threadsafe");
  } else {
    if (kind.startsWith("tune:")) {
      tuneReactor(parseTuning(kind.slice(5)));
    } else if (kind !== "default") {
      tuneReactor(
        kind === "block1"
          ? { spinUs: 0, waitMs: 1 }
          : { spinUs: kind === "handoff" ? 0 : Number(kind.slice(4)), waitMs: 0 },
      );
    }
    const one = new Uint8Array([120]), buf = new Uint8Array(64);
    await measure(async () => {
      await s.async.send(one);
      await s.async.recv_into(buf);
    }, ms);
  }
  s.close();
}

// ---- the orchestrator ----

function lines(p: Deno.ChildProcess): AsyncIterableIterator<string> {
  const rd = p.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let rest = "";
  async function* gen(): AsyncGenerator<string> {
    for (;;) {
      const { value, done } = await rd.read();
      if (done) return;
      rest += value;
      let i;
      while ((i = rest.indexOf("\n")) >= 0) {
        yield rest.slice(0, i);
        rest = rest.slice(i + 1);
      }
    }
  }
  return gen();
}

async function runOne(bin: string, kind: Candidate, ms: number): Promise<Result | null> {
  const server = new Deno.Command(bin, { args: ["pingpong-server"], stdout: "piped" }).spawn();
  const it = lines(server);
  const hello = JSON.parse((await it.next()).value);
  let out: string;
  if (kind === "c") {
    const r = await new Deno.Command("bash", {
      args: [
        "-c",
        // The C client's own CPU and context switches, from its rusage (GNU time).
        `/usr/bin/time -f '%e %U %S %c %w' ${bin} pingpong-client ${hello.port} 100000000 ${ms} 20000`,
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const o = JSON.parse(new TextDecoder().decode(r.stdout).trim());
    const [, user, sys, inv, vol] = new TextDecoder().decode(r.stderr).trim().split("\n").at(-1)!
      .split(" ").map(Number);
    const n = o.ops;
    out = JSON.stringify({
      us: o.ns / n / 1000,
      cpuUs: ((user + sys) * 1e6) / n, // includes the 20,000 warm-up round trips
      ctx: (inv + vol) / n,
      ticks: NaN,
    });
  } else {
    const r = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", import.meta.filename!, "client", kind, String(hello.port), String(ms)],
      stdout: "piped",
      stderr: "piped",
    }).output();
    out = new TextDecoder().decode(r.stdout).trim().split("\n").at(-1) ?? "";
    if (!r.success) console.error(kind, new TextDecoder().decode(r.stderr).slice(0, 400));
  }
  try {
    server.kill();
  } catch { /* gone */ }
  await server.status;
  try {
    return JSON.parse(out);
  } catch {
    return null;
  }
}

async function main(): Promise<void> {
  const rounds = Number(Deno.args[0] ?? 3), ms = Number(Deno.args[1] ?? 1000);
  const tmp = await Deno.makeTempDir();
  const bin = `${tmp}/workloads`;
  const cc = await new Deno.Command("cc", {
    args: ["-O2", "-o", bin, join(HERE, "c", "workloads.c")],
  })
    .output();
  if (!cc.success) throw new Error("cc failed");
  const res = new Map<Candidate, Result[]>();
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < CANDIDATES.length; i++) {
      const kind = CANDIDATES[(i + r) % CANDIDATES.length];
      const x = await runOne(bin, kind, ms);
      console.error(`round ${r + 1} ${kind.padEnd(12)} ${JSON.stringify(x)}`);
      if (x) res.set(kind, [...(res.get(kind) ?? []), x]);
    }
  }
  await Deno.remove(tmp, { recursive: true });
  const f = (xs: number[], d: number): string =>
    xs.some((x) => !Number.isFinite(x))
      ? "—"
      : `${median(xs).toFixed(d)} (${Math.min(...xs).toFixed(d)}–${Math.max(...xs).toFixed(d)})`;
  console.log(
    "| candidate | µs / round trip | CPU µs / round trip | context switches / round trip | 5 ms timer ticks |",
  );
  console.log("| --- | ---: | ---: | ---: | ---: |");
  for (const k of CANDIDATES) {
    const xs = res.get(k) ?? [];
    if (!xs.length) continue;
    console.log(
      `| ${k} | ${f(xs.map((x) => x.us), 1)} | ${f(xs.map((x) => x.cpuUs), 1)} | ${
        f(xs.map((x) => x.ctx), 2)
      } | ${
        xs.some((x) => !Number.isFinite(x.ticks)) ? "—" : f(xs.map((x) => x.ticks * 100), 0) + " %"
      } |`,
    );
  }
}

if (import.meta.main) {
  if (Deno.args[0] === "client") {
    await client(Deno.args[1] as Candidate, Number(Deno.args[2]), Number(Deno.args[3]));
  } else {
    await main();
  }
}
