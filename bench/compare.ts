/**
 * `deno task bench:compare`: runs the same socket workloads in C (the floor,
 * compiled on the spot with `cc -O2`), CPython, Node, Deno's built-in
 * networking, raw `Deno.dlopen` calls and sockffi (sync and `s.async`), and
 * prints one markdown table of medians with each runtime's cost relative to C.
 *
 * Workloads (see bench/c/workloads.c for the exact loops):
 *   pair      same-thread send 1 byte + recv it on a unix socketpair
 *   udp       sendto 64 bytes + recvfrom on 127.0.0.1
 *   pingpong  cross-process TCP ping-pong of 1 byte on 127.0.0.1
 *   bulk      TCP bulk transfer of 1 GiB in 64 KiB writes (both ends one runtime;
 *             bulk-send and bulk-recv put a C peer on the other end)
 *   async1    async TCP ping-pong, 1 connection, cross-process (both ends one runtime)
 *   async1-c  the same with a C echo peer (the runtime is the client only)
 *   async100  async TCP ping-pong, 100 concurrent connections, cross-process
 *   fair      event-loop fairness: 300 in-process async echo clients of 16 KiB in
 *             random pieces while a 10 ms interval timer counts its ticks (no C row:
 *             the share of expected ticks that fired, and the load's wall time)
 *
 * Every run is its own subprocess printing one JSON line. Rounds are
 * interleaved: each round runs every workload once per runtime, in an order
 * rotated from round to round, with a C run before the first runtime and
 * after each one, so every ratio to C compares runs made seconds apart (the
 * mean of the C runs on either side). A runtime that is missing, does not
 * apply or fails becomes a "not available: reason" row.
 *
 * Options:
 *   --reps N          rounds (default 5)
 *   --quick           64 MiB bulk, shorter time budgets, 3 rounds unless --reps
 *   --only a,b        workloads to run (ids above; "bulk" selects all bulk rows)
 *   --runtimes a,b    runtimes to run (c, cpython, node, bun-node, bun, deno, raw, sockffi,
 *                     sockffi-async)
 *
 * Bun is looked for in bench/.bun (`npm install --prefix bench/.bun bun@1.4`, gitignored),
 * then on PATH; without it its rows say "not available". Rates also show the client
 * process's CPU µs per operation (user + system over the measured part) where the
 * program reports it.
 *   --json            print machine-readable JSON instead of the table
 *
 * @module
 */

import { fromFileUrl, join } from "@std/path";

const HERE = fromFileUrl(new URL(".", import.meta.url));

// ---------------------------------------------------------------- options

/** Parsed command line of compare.ts. */
export interface Options {
  reps: number;
  quick: boolean;
  json: boolean;
  only: string[] | null;
  runtimes: string[] | null;
}

/** Parses compare.ts's command line; throws a TypeError on a bad option. */
export function parseOptions(args: string[]): Options {
  const o: Options = { reps: 0, quick: false, json: false, only: null, runtimes: null };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const value = (): string => {
      const v = a.includes("=") ? a.slice(a.indexOf("=") + 1) : args[++i];
      if (v === undefined) throw new TypeError(`${a} needs a value`);
      return v;
    };
    const name = a.split("=")[0];
    if (name === "--reps") {
      o.reps = Number(value());
      if (!Number.isInteger(o.reps) || o.reps < 1) {
        throw new TypeError("--reps must be a positive integer");
      }
    } else if (name === "--quick") o.quick = true;
    else if (name === "--json") o.json = true;
    else if (name === "--only") o.only = value().split(",").filter(Boolean);
    else if (name === "--runtimes") o.runtimes = value().split(",").filter(Boolean);
    else throw new TypeError(`unknown option ${a} (see the header of bench/compare.ts)`);
  }
  if (o.reps === 0) o.reps = o.quick ? 3 : 5;
  return o;
}

// ---------------------------------------------------------------- workloads

type Unit = "ns/op" | "rt/s" | "GiB/s" | "ticks";

/** One row group of the table. */
interface Workload {
  id: string;
  title: string;
  unit: Unit;
  /** Mode names in the workload programs: one for single-process, two for client/server. */
  single?: string;
  server?: string;
  client?: string;
  /** Arguments after the mode name; `port` is the server's for client/server workloads. */
  args: (port: number) => string[];
  /** Which runtime plays the server and the client (default: the runtime itself). */
  peers?: (rt: string) => { server: string; client: string };
  /** The workload whose C result is this one's baseline (default: itself). */
  baseline?: string;
  /** No C run: nothing to compare with (the fairness workload). */
  noBaseline?: boolean;
  /** Seconds before a run is killed. */
  timeout: number;
}

function workloads(o: Options): Workload[] {
  const budget = o.quick ? 150 : 300;
  const bulkBytes = (o.quick ? 64 : 1024) * 2 ** 20;
  const iters = ["200000", String(budget), "20000"];
  const bulk = (port: number): string[] => [String(port), String(bulkBytes), "65536"];
  // Async rounds measure 1 s after 300 ms of warm-up: in 300 ms windows every
  // JIT runtime (Node, Deno built-in, sockffi) measured the same ~45k rt/s at
  // 100 connections, the window being dominated by connection set-up and
  // warm-up rather than the steady state that throughput means.
  const asyncBudget = o.quick ? 300 : 1000;
  const asyncArgs = (conns: number) => (port: number): string[] => [
    String(port),
    String(conns),
    String(asyncBudget),
    "300",
  ];
  return [
    {
      id: "pair",
      title: "1. socketpair send+recv 1 B",
      unit: "ns/op",
      single: "pair",
      args: () => iters,
      timeout: 60,
    },
    {
      id: "udp",
      title: "2. UDP sendto+recvfrom 64 B",
      unit: "ns/op",
      single: "udp",
      args: () => iters,
      timeout: 60,
    },
    {
      id: "pingpong",
      title: "3. TCP ping-pong 1 B, 2 processes",
      unit: "rt/s",
      server: "pingpong-server",
      client: "pingpong-client",
      args: (port) => [String(port), "200000", String(budget), "2000"],
      timeout: 60,
    },
    {
      id: "bulk",
      title: `4. TCP bulk ${o.quick ? "64 MiB" : "1 GiB"}, 64 KiB writes`,
      unit: "GiB/s",
      server: "bulk-server",
      client: "bulk-client",
      args: bulk,
      timeout: 120,
    },
    {
      id: "bulk-send",
      title: "4a. bulk, sender only (C receives)",
      unit: "GiB/s",
      server: "bulk-server",
      client: "bulk-client",
      args: bulk,
      peers: (rt) => ({ server: "c", client: rt }),
      baseline: "bulk",
      timeout: 120,
    },
    {
      id: "bulk-recv",
      title: "4b. bulk, receiver only (C sends)",
      unit: "GiB/s",
      server: "bulk-server",
      client: "bulk-client",
      args: bulk,
      peers: (rt) => ({ server: rt, client: "c" }),
      baseline: "bulk",
      timeout: 120,
    },
    {
      id: "async1",
      title: "5. async ping-pong, 1 connection",
      unit: "rt/s",
      server: "async-server",
      client: "async-client",
      args: asyncArgs(1),
      timeout: 60,
    },
    {
      id: "async1-c",
      title: "5c. async ping-pong, 1 connection, C echo peer",
      unit: "rt/s",
      server: "async-server",
      client: "async-client",
      args: asyncArgs(1),
      peers: (rt) => ({ server: "c", client: rt }),
      baseline: "async1",
      timeout: 60,
    },
    {
      id: "async100",
      title: "5. async ping-pong, 100 connections",
      unit: "rt/s",
      server: "async-server",
      client: "async-client",
      args: asyncArgs(100),
      timeout: 60,
    },
    {
      id: "fair",
      title: "6. event-loop fairness: 10 ms timer ticks under 300 echo clients",
      unit: "ticks",
      single: "fair",
      args: () => [],
      noBaseline: true,
      timeout: 60,
    },
  ];
}

// ---------------------------------------------------------------- runtimes

/** A program that runs the workload modes. */
interface Runtime {
  id: string;
  label: string;
  /** argv before the mode name, or the reason it is not available. */
  argv: string[] | { unavailable: string };
  /** Maps a workload mode to this runtime's mode name, or null when it does not apply. */
  mode: (mode: string, workload: string) => string | null;
  /** Why `mode` returned null. */
  naReason?: string;
}

async function output(cmd: string, args: string[]): Promise<{ ok: boolean; text: string }> {
  try {
    const r = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
    const dec = new TextDecoder();
    return { ok: r.success, text: (dec.decode(r.stdout) + dec.decode(r.stderr)).trim() };
  } catch (e) {
    return { ok: false, text: e instanceof Error ? e.message : String(e) };
  }
}

function firstLine(s: string): string {
  return s.split("\n").find((l) => l.trim() !== "")?.trim().slice(0, 200) ?? "";
}

async function findC(tmp: string): Promise<Runtime> {
  const bin = join(tmp, "workloads");
  const r = await output("cc", ["-O2", "-o", bin, join(HERE, "c", "workloads.c")]);
  const v = await output("cc", ["--version"]);
  return {
    id: "c",
    label: `C (${firstLine(v.text).replace(/\s*\(.*?\)\s*/, " ") || "cc"} -O2)`,
    argv: r.ok ? [bin] : { unavailable: `cc failed: ${firstLine(r.text)}` },
    mode: (m) => m,
  };
}

async function findPython(): Promise<Runtime> {
  const candidates = [Deno.env.get("PYTHON"), "python3"].filter((c): c is string => !!c);
  for (const c of candidates) {
    // Resolve sys.executable once: pyenv-style shims cost tens of ms per start.
    const r = await output(c, [
      "-c",
      "import sys; print(sys.executable); print(sys.version.split()[0])",
    ]);
    if (!r.ok) continue;
    const [exe, version] = r.text.split("\n");
    return {
      id: "cpython",
      label: `CPython ${version} (socket, asyncio)`,
      argv: [exe, join(HERE, "py", "workloads.py")],
      mode: (m) => (m === "fair" ? null : m),
      naReason: "not written for asyncio",
    };
  }
  return {
    id: "cpython",
    label: "CPython",
    argv: { unavailable: "python3 not found" },
    mode: (m) => m,
  };
}

async function findNode(): Promise<Runtime> {
  const r = await output("node", ["--version"]);
  return {
    id: "node",
    label: r.ok ? `Node ${r.text} (net, dgram)` : "Node",
    argv: r.ok ? ["node", join(HERE, "node", "workloads.mjs")] : { unavailable: "node not found" },
    mode: (m) => m,
  };
}

async function findBun(): Promise<Runtime[]> {
  const local = join(HERE, ".bun", "node_modules", ".bin", "bun");
  let bun: string | null = null;
  let version = "";
  for (const c of [local, "bun"]) {
    const r = await output(c, ["--version"]);
    if (r.ok) {
      bun = c;
      version = r.text;
      break;
    }
  }
  const missing = {
    unavailable: "bun not found (npm install --prefix bench/.bun bun@1.4)",
  };
  return [
    {
      id: "bun-node",
      label: bun ? `Bun ${version} (node:net, node:dgram)` : "Bun (node:net, node:dgram)",
      argv: bun ? [bun, join(HERE, "node", "workloads.mjs")] : missing,
      mode: (m) => m,
    },
    {
      id: "bun",
      label: bun
        ? `Bun ${version} (Bun.listen/connect/udpSocket)`
        : "Bun (Bun.listen/connect/udpSocket)",
      argv: bun ? [bun, join(HERE, "bun", "workloads.mjs")] : missing,
      mode: (m) => (m === "pair" || m.startsWith("bulk") ? null : m),
      naReason: "no Bun-native form (no socketpair; bulk not written)",
    },
  ];
}

function denoRuntimes(): Runtime[] {
  const deno = Deno.execPath();
  const run = [deno, "run", "--quiet"];
  const ffi = ["--allow-ffi", "--allow-read", "--allow-write", "--allow-env", "--allow-sys"];
  const sync = (m: string): string | null => (m.startsWith("async-") ? null : m);
  return [
    {
      id: "deno",
      label: `Deno ${Deno.version.deno} built-in (Deno.connect/listen/listenDatagram)`,
      argv: [
        ...run,
        "--allow-read",
        "--allow-write",
        "--allow-net",
        "--unstable-net",
        join(HERE, "deno", "builtin.ts"),
      ],
      mode: (m) => m,
    },
    {
      id: "raw",
      label: "raw Deno.dlopen (bench/_raw.ts)",
      argv: [...run, "--allow-ffi", join(HERE, "deno", "raw.ts")],
      mode: (m) => (m === "fair" ? null : sync(m)),
      naReason: "sync calls only (no event loop of its own)",
    },
    {
      id: "sockffi",
      label: "sockffi, sync",
      argv: [...run, ...ffi, join(HERE, "deno", "sockffi.ts")],
      mode: (m) => (m === "fair" ? null : sync(m)),
      naReason: "an async workload: see the sockffi, async row",
    },
    {
      id: "sockffi-async",
      label: "sockffi, s.async",
      argv: [...run, ...ffi, join(HERE, "deno", "sockffi.ts")],
      mode: (m) => (m.startsWith("async-") ? m : `async-${m}`),
    },
  ];
}

// ---------------------------------------------------------------- running

/** What one run produced: a cost (ns per op or per byte), a display value, or why not. */
type RunResult =
  | { cost: number; value: number; cpu?: number; wallMs?: number }
  | { unavailable: string }
  | { failed: string };

/** One runtime's run in one round, with its cost over the neighbouring C runs'. */
interface Measured {
  r: RunResult;
  ratio: number | null;
}

/** The run with the median cost (the first failure when none was measured). */
function medianRun(runs: RunResult[]): RunResult {
  const ok = runs.filter((r): r is Extract<RunResult, { cost: number }> => "cost" in r)
    .sort((a, b) => a.cost - b.cost);
  return ok.length ? ok[(ok.length - 1) >> 1] : runs[0];
}

/** Reads a child's stdout as lines; keeps draining so the pipe never fills. */
class Lines {
  #lines: string[] = [];
  #waiters: (() => void)[] = [];
  #done = false;
  readonly finished: Promise<void>;

  constructor(stream: ReadableStream<Uint8Array>) {
    this.finished = this.#pump(stream);
  }

  async #pump(stream: ReadableStream<Uint8Array>): Promise<void> {
    const dec = new TextDecoder();
    let rest = "";
    try {
      for await (const chunk of stream) {
        rest += dec.decode(chunk, { stream: true });
        let i;
        while ((i = rest.indexOf("\n")) >= 0) {
          this.#lines.push(rest.slice(0, i));
          rest = rest.slice(i + 1);
        }
        this.#wake();
      }
    } catch {
      // A killed child's stream may error; what was read is kept.
    }
    if (rest) this.#lines.push(rest);
    this.#done = true;
    this.#wake();
  }

  #wake(): void {
    for (const w of this.#waiters.splice(0)) w();
  }

  /** The next line, or null at end of stream. */
  async next(): Promise<string | null> {
    while (this.#lines.length === 0 && !this.#done) {
      await new Promise<void>((r) => this.#waiters.push(r));
    }
    return this.#lines.shift() ?? null;
  }
}

/** A running workload program. */
class Proc {
  readonly child: Deno.ChildProcess;
  readonly stdout: Lines;
  readonly stderr: Promise<string>;

  constructor(argv: string[]) {
    this.child = new Deno.Command(argv[0], {
      args: argv.slice(1),
      stdin: "null",
      // Deno's error messages without colour codes.
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.stdout = new Lines(this.child.stdout);
    this.stderr = new Response(this.child.stderr).text().catch(() => "");
  }

  /** The first JSON object on stdout, or null if the program ended without one. */
  async json(): Promise<Record<string, unknown> | null> {
    for (;;) {
      const line = await this.stdout.next();
      if (line === null) return null;
      if (!line.startsWith("{")) continue;
      try {
        return JSON.parse(line);
      } catch {
        continue;
      }
    }
  }

  kill(): void {
    try {
      this.child.kill("SIGKILL");
    } catch {
      // Already gone.
    }
  }

  /** Waits for exit up to `seconds`, then kills. Returns true if it exited by itself. */
  async finish(seconds: number): Promise<boolean> {
    const exited = await withTimeout(this.child.status, seconds, () => this.kill());
    await this.child.status;
    await this.stdout.finished;
    return exited !== null;
  }

  /** Why the program failed, from its output. */
  async why(obj: Record<string, unknown> | null): Promise<string> {
    if (obj && typeof obj.error === "string") return obj.error;
    const err = (await this.stderr).split("\n").map((l) => l.trim()).filter(Boolean);
    const line = err.find((l) => /error/i.test(l)) ?? err.at(-1) ?? "no output";
    return line.slice(0, 200);
  }
}

function withTimeout<T>(p: Promise<T>, seconds: number, onTimeout: () => void): Promise<T | null> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<null>((r) => {
      timer = setTimeout(() => {
        onTimeout();
        r(null);
      }, seconds * 1000);
    }),
  ]);
}

function toResult(obj: Record<string, unknown>, unit: Unit): RunResult {
  if (typeof obj.unavailable === "string") return { unavailable: obj.unavailable };
  if (unit === "ticks") {
    const ticks = Number(obj.ticks), expected = Number(obj.expected), ns = Number(obj.ns);
    if (!(expected > 0 && ticks >= 0 && ns > 0)) {
      return { failed: `bad result ${JSON.stringify(obj)}` };
    }
    // cost: wall time; value: the share of expected ticks that fired, in %.
    return { cost: ns, value: (100 * ticks) / expected, wallMs: ns / 1e6 };
  }
  if (unit === "GiB/s") {
    const bytes = Number(obj.bytes), ns = Number(obj.ns);
    if (!(bytes > 0 && ns > 0)) return { failed: `bad result ${JSON.stringify(obj)}` };
    return { cost: ns / bytes, value: bytes / 2 ** 30 / (ns / 1e9) };
  }
  const ops = Number(obj.ops), ns = Number(obj.ns);
  if (!(ops > 0 && ns > 0)) return { failed: `bad result ${JSON.stringify(obj)}` };
  const cost = ns / ops;
  const cpu = typeof obj.cpu === "number" ? (obj.cpu * 1e6) / ops : undefined;
  return { cost, value: unit === "ns/op" ? cost : 1e9 / cost, cpu };
}

async function runSingle(argv: string[], w: Workload): Promise<RunResult> {
  const p = new Proc([...argv, ...w.args(0)]);
  const obj = await withTimeout(p.json(), w.timeout, () => p.kill());
  await p.finish(5);
  if (obj === null) return { failed: `timed out or no result: ${await p.why(null)}` };
  if (typeof obj.error === "string") return { failed: obj.error };
  return toResult(obj, w.unit);
}

async function runClientServer(
  server: string[],
  client: string[],
  w: Workload,
): Promise<RunResult> {
  const s = new Proc(server);
  try {
    const hello = await withTimeout(s.json(), 30, () => s.kill());
    if (hello === null) return { failed: `server: ${await s.why(null)}` };
    if (typeof hello.unavailable === "string") return { unavailable: hello.unavailable };
    if (typeof hello.port !== "number") return { failed: `server: ${await s.why(hello)}` };
    const c = new Proc([...client, ...w.args(hello.port)]);
    const obj = await withTimeout(c.json(), w.timeout, () => c.kill());
    await c.finish(5);
    if (obj === null) return { failed: `client: ${await c.why(null)}` };
    if (typeof obj.error === "string") return { failed: `client: ${obj.error}` };
    return toResult(obj, w.unit);
  } finally {
    // Echo servers for workload 5 run until killed; the others end with the client.
    if (w.server === "async-server") s.kill();
    await s.finish(10);
  }
}

/** Runs workload `w` for runtime `rt`; `byId` resolves peers. */
function runOne(w: Workload, rt: Runtime, byId: Map<string, Runtime>): Promise<RunResult> {
  const argvOf = (r: Runtime, mode: string): string[] | RunResult => {
    if (!Array.isArray(r.argv)) {
      return {
        unavailable: r === rt ? r.argv.unavailable : `needs ${r.label}: ${r.argv.unavailable}`,
      };
    }
    const m = r.mode(mode, w.id);
    if (m === null) return { unavailable: `n/a: ${r.naReason ?? "does not apply"}` };
    return [...r.argv, m];
  };
  if (w.single) {
    const a = argvOf(rt, w.single);
    return Array.isArray(a) ? runSingle(a, w) : Promise.resolve(a);
  }
  const peers = w.peers?.(rt.id) ?? { server: rt.id, client: rt.id };
  const s = argvOf(byId.get(peers.server)!, w.server!);
  if (!Array.isArray(s)) return Promise.resolve(s);
  const c = argvOf(byId.get(peers.client)!, w.client!);
  if (!Array.isArray(c)) return Promise.resolve(c);
  return runClientServer(s, c, w);
}

// ---------------------------------------------------------------- statistics

/** The median of `xs` (mean of the middle two for an even count). */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** One table row's numbers. */
export interface Row {
  workload: string;
  title: string;
  runtime: string;
  label: string;
  unit: Unit;
  /** Per round: the display value, or null where that round failed. */
  values: (number | null)[];
  /** Per round: cost divided by C's cost in the same round. */
  ratios: (number | null)[];
  median: number | null;
  min: number | null;
  max: number | null;
  ratio: { median: number; min: number; max: number } | null;
  /** Median client CPU µs per operation, where the program reported it. */
  cpu: number | null;
  /** Fairness rows: median, lowest and highest wall time of the load, ms. */
  wall: { median: number; min: number; max: number } | null;
  unavailable: string | null;
  failures: string[];
}

// ---------------------------------------------------------------- formatting

function fmtValue(v: number, unit: Unit): string {
  if (unit === "ticks") return `${v.toFixed(0)} %`;
  if (unit === "ns/op") {
    return v >= 10000 ? `${(v / 1000).toFixed(1)} µs` : `${(v / 1000).toFixed(2)} µs`;
  }
  if (unit === "GiB/s") return `${v.toFixed(2)} GiB/s`;
  return v >= 1e6 ? `${(v / 1e6).toFixed(2)}M rt/s` : `${(v / 1e3).toFixed(1)}k rt/s`;
}

function fmtRatio(r: Row["ratio"]): string {
  if (!r) return "—";
  return `**${r.median.toFixed(2)}x** (${r.min.toFixed(2)}–${r.max.toFixed(2)})`;
}

/** The markdown table: one row per workload and runtime. */
export function table(rows: Row[]): string {
  const out = [
    "| Workload | Runtime | Median | Min | Max | Time vs C (median of per-round ratios, min–max) | CPU µs/op |",
    "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
  ];
  let last = "";
  for (const r of rows) {
    const title = r.title === last ? "" : r.title;
    last = r.title;
    // For rates, "Min"/"Max" are the slowest/fastest rounds as values.
    const cells = r.median === null
      ? [
        r.unavailable ? `not available: ${r.unavailable}` : `failed: ${r.failures[0] ?? "?"}`,
        "",
        "",
        "—",
        "",
      ]
      : [
        fmtValue(r.median, r.unit),
        fmtValue(r.min!, r.unit),
        fmtValue(r.max!, r.unit),
        r.wall
          ? `load took ${r.wall.median.toFixed(0)} ms (${r.wall.min.toFixed(0)}–${
            r.wall.max.toFixed(0)
          })`
          : fmtRatio(r.ratio),
        r.cpu === null ? "" : r.cpu.toFixed(1),
      ];
    const note = r.median !== null && r.failures.length
      ? ` (${r.failures.length} failed: ${r.failures[0]})`
      : "";
    out.push(`| ${title} | ${r.label}${note} | ${cells.join(" | ")} |`);
  }
  return out.join("\n");
}

/** Issue 6's targets, checked against the rows. */
export function targets(rows: Row[]): string[] {
  const get = (w: string, rt: string): Row | undefined =>
    rows.find((r) => r.workload === w && r.runtime === rt);
  const ratio = (w: string, rt: string): number | null => get(w, rt)?.ratio?.median ?? null;
  const lines: string[] = [];
  const verdict = (
    ok: boolean | null,
  ): string => (ok === null ? "not measured" : ok ? "met" : "MISSED");
  const fx = (x: number | null): string => (x === null ? "n/a" : `${x.toFixed(2)}x`);
  const faster = (w: string, rt: string, other: string): boolean | null => {
    const a = ratio(w, rt), b = ratio(w, other);
    return a === null || b === null ? null : a < b;
  };
  for (const w of ["pair", "udp"]) {
    const r = ratio(w, "sockffi");
    const ok = r === null ? null : r <= 1.10;
    const py = faster(w, "sockffi", "cpython");
    lines.push(
      `- ${w}: sockffi ${fx(r)} of C (target ≤ 1.10x): ${verdict(ok)}; ` +
        `faster than CPython (${fx(ratio(w, "cpython"))}): ${verdict(py)}; raw dlopen ${
          fx(ratio(w, "raw"))
        }`,
    );
  }
  {
    const r = ratio("pingpong", "sockffi");
    const ok = r === null ? null : r <= 1.05;
    lines.push(
      `- pingpong: sockffi ${fx(r)} of C (target ≤ 1.05x): ${verdict(ok)}; ` +
        `ahead of Deno built-in (${fx(ratio("pingpong", "deno"))}): ${
          verdict(faster("pingpong", "sockffi", "deno"))
        }; ` +
        `ahead of Node (${fx(ratio("pingpong", "node"))}): ${
          verdict(faster("pingpong", "sockffi", "node"))
        }`,
    );
  }
  for (const w of ["bulk", "bulk-send", "bulk-recv"]) {
    for (const rt of ["sockffi", "sockffi-async"]) {
      const r = ratio(w, rt);
      const pct = r === null ? null : 100 / r;
      lines.push(
        `- ${w}: ${rt} ${
          pct === null ? "n/a" : `${pct.toFixed(1)}%`
        } of C's throughput (target ≥ 95%): ` +
          verdict(pct === null ? null : pct >= 95),
      );
    }
  }
  // Issue 11's targets.
  const faster2 = (w: string, rt: string, others: string[], by = 1): boolean | null => {
    const a = ratio(w, rt);
    const bs = others.map((o) => ratio(w, o));
    if (a === null || bs.some((b) => b === null)) return null;
    return bs.every((b) => b! >= a * by);
  };
  const peers = ["deno", "node"];
  const fx2 = (w: string, rts: string[]): string =>
    rts.map((rt) => `${rt} ${fx(ratio(w, rt))}`).join(", ");
  lines.push(
    `- async1-c (sockffi client, C echo peer): ${
      fx2("async1-c", ["sockffi-async", ...peers, "bun-node", "bun"])
    } of C; no slower than Deno and Node: ${verdict(faster2("async1-c", "sockffi-async", peers))}`,
  );
  lines.push(
    `- async1 (both ends one runtime): ${
      fx2("async1", ["sockffi-async", ...peers, "bun-node", "bun"])
    } of C; ahead of Deno and Node: ${verdict(faster2("async1", "sockffi-async", peers))}`,
  );
  lines.push(
    `- async100: ${
      fx2("async100", ["sockffi-async", ...peers, "bun-node", "bun"])
    } of C; at least 1.2x the rate of Deno and Node: ${
      verdict(faster2("async100", "sockffi-async", peers, 1.2))
    }`,
  );
  {
    const ticks = (rt: string): number | null => get("fair", rt)?.median ?? null;
    const s = ticks("sockffi-async");
    const others = peers.map(ticks);
    const ok = s === null || others.some((o) => o === null)
      ? null
      : s >= 50 && others.every((o) => s >= o!);
    const show = (rt: string): string => {
      const t = ticks(rt);
      return `${rt} ${t === null ? "n/a" : `${t.toFixed(0)}%`}`;
    };
    lines.push(
      `- fair: ticks fired ${
        ["sockffi-async", ...peers, "bun-node", "bun"].map(show).join(", ")
      }; sockffi >= 50% and >= Deno and Node: ${verdict(ok)}`,
    );
  }
  for (const [w, lim] of [["udp", 1.10], ["pair", 1.05]] as const) {
    // The median over rounds of sockffi's time over raw FFI's in the same
    // round: a direct comparison, without the C runs between them, whose
    // own noise a ratio of ratios to C would add.
    const a = get(w, "sockffi")?.values ?? [], b = get(w, "raw")?.values ?? [];
    const per = a.flatMap((x, i) => (x !== null && b[i] != null ? [x / b[i]!] : []));
    const r = per.length ? median(per) : null;
    lines.push(
      `- ${w}: sockffi ${r === null ? "n/a" : `${r.toFixed(2)}x`} of raw FFI (target <= ${
        lim.toFixed(2)
      }x): ${verdict(r === null ? null : r <= lim)}`,
    );
  }
  return lines;
}

// ---------------------------------------------------------------- main

async function machine(): Promise<string> {
  // Deno reads /proc/cpuinfo only with --allow-all; cat needs just --allow-run.
  const cpu = (await output("cat", ["/proc/cpuinfo"])).text.match(/model name\s*:\s*(.*)/)?.[1] ??
    "unknown CPU";
  return `${Deno.build.os} ${Deno.build.arch}, ${navigator.hardwareConcurrency} cores (${cpu}), kernel ${Deno.osRelease()}`;
}

async function main(): Promise<void> {
  let o: Options;
  try {
    o = parseOptions(Deno.args);
  } catch (e) {
    console.error(e instanceof Error ? e.message : e);
    Deno.exit(2);
  }
  const all = workloads(o);
  const wanted = new Set(
    all.filter((w) =>
      !o.only || o.only.includes(w.id) || (o.only.includes("bulk") && w.id.startsWith("bulk"))
    ).flatMap((w) => [w.id, w.baseline ?? w.id]),
  );
  // A workload whose baseline is another one's C run brings that one along.
  const selected = all.filter((w) => wanted.has(w.id));
  if (selected.length === 0) {
    console.error(`--only matched nothing; workloads: ${all.map((w) => w.id).join(", ")}`);
    Deno.exit(2);
  }
  const tmp = await Deno.makeTempDir({ prefix: "sockffi-compare-" });
  // Progress goes to stderr, so stdout holds only the table or the JSON.
  const log = (s: string): void => console.error(s);
  try {
    log("building and probing runtimes ...");
    const found = [
      await findC(tmp),
      await findPython(),
      await findNode(),
      ...(await findBun()),
      ...denoRuntimes(),
    ];
    const byId = new Map(found.map((r) => [r.id, r]));
    const runtimes = found.filter((r) => !o.runtimes || r.id === "c" || o.runtimes.includes(r.id));
    // results[workload][runtime][round]: the run and its cost relative to C.
    const results = new Map<string, Map<string, Measured[]>>();
    const dead = new Map<string, string>(); // "w/rt" → unavailable reason: skip later rounds
    const c = byId.get("c")!;
    const t0 = performance.now();
    for (let round = 0; round < o.reps; round++) {
      for (const w of selected) {
        const per = results.get(w.id) ?? new Map<string, Measured[]>();
        results.set(w.id, per);
        const push = (rt: string, m: Measured): void => {
          per.set(rt, [...(per.get(rt) ?? []), m]);
        };
        const show = (rt: string, r: RunResult): void => {
          const shown = "value" in r
            ? fmtValue(r.value, w.unit)
            : "unavailable" in r
            ? `not available: ${r.unavailable}`
            : `FAILED: ${r.failed}`;
          log(`[round ${round + 1}/${o.reps}] ${w.id.padEnd(9)} ${rt.padEnd(14)} ${shown}`);
        };
        // C runs before the first runtime and after each measured one; each
        // runtime is compared with the mean of the C runs on either side of
        // it, so drift on this shared machine cancels out of the ratios.
        // (bulk-send/bulk-recv use C at both ends, the "bulk" set-up.)
        const cWorkload = all.find((x) => x.id === (w.baseline ?? w.id))!;
        const cRuns: RunResult[] = [];
        const runC = async (): Promise<RunResult> => {
          if (w.noBaseline) return { unavailable: "no C program for this workload" };
          const r = await runOne(cWorkload, c, byId);
          cRuns.push(r);
          show("c", r);
          return r;
        };
        let before = await runC();
        const order = runtimes.filter((rt) => rt !== c);
        for (let i = 0; i < order.length; i++) {
          const rt = order[(i + round) % order.length];
          const key = `${w.id}/${rt.id}`;
          if (dead.has(key)) {
            push(rt.id, { r: { unavailable: dead.get(key)! }, ratio: null });
            continue;
          }
          const r = await runOne(w, rt, byId);
          show(rt.id, r);
          if ("unavailable" in r) dead.set(key, r.unavailable);
          if (!("cost" in r)) {
            push(rt.id, { r, ratio: null });
            continue;
          }
          if (w.noBaseline) {
            push(rt.id, { r, ratio: null });
            continue;
          }
          const after = await runC();
          const sides = [before, after].filter((x): x is Extract<RunResult, { cost: number }> =>
            "cost" in x
          );
          const cCost = sides.reduce((sum, x) => sum + x.cost, 0) / sides.length;
          push(rt.id, { r, ratio: sides.length ? r.cost / cCost : null });
          before = after;
        }
        if (!w.peers && !w.noBaseline) push("c", { r: medianRun(cRuns), ratio: 1 });
      }
    }
    const rows: Row[] = [];
    for (const w of selected) {
      const per = results.get(w.id)!;
      for (const rt of runtimes) {
        const runs = per.get(rt.id);
        if (!runs) continue;
        const values = runs.map(({ r }) => ("value" in r ? r.value : null));
        const ratios = runs.map(({ r, ratio }) => ("cost" in r ? ratio : null));
        const vs = values.filter((v): v is number => v !== null);
        const rs = ratios.filter((v): v is number => v !== null);
        const unavailable = runs.find((m): m is { r: { unavailable: string }; ratio: null } =>
          "unavailable" in m.r
        )?.r.unavailable ?? null;
        rows.push({
          workload: w.id,
          title: w.title,
          runtime: rt.id,
          label: rt.label,
          unit: w.unit,
          values,
          ratios,
          median: vs.length ? median(vs) : null,
          min: vs.length ? Math.min(...vs) : null,
          max: vs.length ? Math.max(...vs) : null,
          ratio: rs.length
            ? { median: median(rs), min: Math.min(...rs), max: Math.max(...rs) }
            : null,
          cpu: ((xs) => (xs.length ? median(xs) : null))(
            runs.flatMap(({ r }) => ("cpu" in r && r.cpu !== undefined ? [r.cpu] : [])),
          ),
          wall: ((xs) =>
            xs.length
              ? { median: median(xs), min: Math.min(...xs), max: Math.max(...xs) }
              : null)(
              runs.flatMap(({ r }) => ("wallMs" in r && r.wallMs !== undefined ? [r.wallMs] : [])),
            ),
          unavailable: vs.length ? null : unavailable,
          failures: runs.flatMap(({ r }) => ("failed" in r ? [r.failed] : [])),
        });
      }
    }
    const meta = {
      command: `deno task bench:compare${Deno.args.length ? " " + Deno.args.join(" ") : ""}`,
      date: new Date().toISOString().slice(0, 10),
      machine: await machine(),
      reps: o.reps,
      seconds: Math.round((performance.now() - t0) / 1000),
      runtimes: Object.fromEntries(runtimes.map((r) => [r.id, r.label])),
    };
    if (o.json) {
      console.log(JSON.stringify({ meta, rows, targets: targets(rows) }, null, 2));
      return;
    }
    console.log(
      [
        `Command: \`${meta.command}\` (${meta.reps} interleaved rounds, ${meta.seconds} s)`,
        `Date: ${meta.date}; machine: ${meta.machine}`,
        "",
        table(rows),
        "",
        "Time vs C: the runtime's time per operation (per byte for bulk) over the mean of the C runs",
        "made just before and just after it; the median over rounds, with the lowest and highest.",
        "1.00x is C, lower is better. Median/Min/Max are over rounds (C: its median run per round);",
        "for rates, Min is the slowest round and Max the fastest.",
        "",
        "Targets (issues 6 and 11):",
        ...targets(rows),
      ].join("\n"),
    );
  } finally {
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
  }
}

if (import.meta.main) await main();
