/**
 * The sockffi fuzzer: `deno task fuzz [options]`.
 *
 * Calls every export of mod.ts and every method of Socket, SocketAsync,
 * the makefile() files and the web streams with random and adversarial
 * arguments (see tools/fuzz/README.md), in child Deno processes, a batch of
 * calls per child, and counts what went wrong:
 *
 * - crashes: a child that died (signal, Deno panic, V8 fatal error, exit
 *   without its summary);
 * - hangs: a child still running after `--timeout` ms, or one that printed
 *   its summary but did not exit (something kept the event loop alive after
 *   every socket was closed);
 * - unhandled rejections and uncaught errors inside the child;
 * - untyped errors: anything thrown that is not a SocketError (or subclass),
 *   a TypeError/RangeError made by the library, a DOMException AbortError, or
 *   the fuzzer's own probe error passed through;
 * - stuck calls: async calls that never settled after their socket closed;
 * - synchronous throws from functions that return Promises;
 * - contract violations (bytes sent beyond a buffer, writes outside a view,
 *   results sharing a buffer, data reaching the wrong socket or port, a
 *   descriptor kept open after close);
 * - leaked descriptors (/proc/self/fd after everything was closed, against
 *   the count before the batch).
 *
 * Options:
 *   --seed S          one seed (default: random, printed)
 *   --seeds a,b,c     several seeds
 *   --calls N         calls per seed (default 2000)
 *   --batch-size N    calls per child process (default 250)
 *   --batch B         run only batch B of each seed (to reproduce a finding)
 *   --jobs J          children at once (default 2)
 *   --timeout MS      per-batch limit (default 60000)
 *   --mode M          netns (children in their own network and UTS
 *                     namespaces; the default when `unshare -n -u` works),
 *                     safe (only loopback and unix addresses, numeric hosts),
 *                     or auto
 *   --verbose         print every call of the batches run
 *   --all             print every finding, not only one per distinct signature
 *   --json            end with one line "JSON {totals}" for scripts
 *
 * Exit status 0 when nothing was found, 1 otherwise.
 *
 * @module
 */

const here = new URL(".", import.meta.url).pathname;
const childPath = `${here}child.ts`;

interface Finding {
  kind: string;
  call: number;
  desc: string;
  detail: string;
}
interface ChildStats {
  [k: string]: number;
}
interface BatchResult {
  seed: string;
  batch: number;
  stats: ChildStats | null;
  findings: Finding[];
  crash?: string;
  hang?: string;
  lastCall: string;
}

function parse(): {
  seeds: string[];
  calls: number;
  batchSize: number;
  only: number | null;
  jobs: number;
  timeout: number;
  mode: string;
  verbose: boolean;
  all: boolean;
  json: boolean;
} {
  const a: Record<string, string | undefined> = {};
  let verbose = false;
  let all = false;
  let json = false;
  const known = ["seed", "seeds", "calls", "batch-size", "batch", "jobs", "timeout", "mode"];
  for (let i = 0; i < Deno.args.length; i++) {
    const arg = Deno.args[i];
    if (arg === "--verbose") {
      verbose = true;
      continue;
    }
    if (arg === "--all") {
      all = true;
      continue;
    }
    if (arg === "--json") {
      json = true;
      continue;
    }
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!m || !known.includes(m[1])) throw new Error(`fuzz: unknown argument ${arg}`);
    a[m[1]] = m[2] ?? Deno.args[++i];
  }
  const seeds = a.seeds
    ? String(a.seeds).split(",").filter((x) => x !== "")
    : [a.seed ?? String(crypto.getRandomValues(new Uint32Array(1))[0])];
  return {
    seeds,
    calls: Number(a.calls ?? 2000),
    batchSize: Number(a["batch-size"] ?? 250),
    only: a.batch === undefined ? null : Number(a.batch),
    jobs: Number(a.jobs ?? 2),
    timeout: Number(a.timeout ?? 60000),
    mode: a.mode ?? "auto",
    verbose,
    all,
    json,
  };
}

/** Whether children can run in their own network + UTS namespace (root or user namespaces). */
async function netnsPrefix(): Promise<string[] | null> {
  for (const pre of [["unshare", "-n", "-u"], ["unshare", "-r", "-n", "-u"]]) {
    try {
      const r = await new Deno.Command(pre[0], {
        args: [...pre.slice(1), "sh", "-c", "ip link set lo up"],
        stdout: "null",
        stderr: "null",
      }).output();
      if (r.code === 0) return pre;
    } catch {
      // unshare or ip missing
    }
  }
  return null;
}

async function runBatch(
  seed: string,
  batch: number,
  calls: number,
  opts: { prefix: string[] | null; timeout: number; verbose: boolean; denoDir: string },
): Promise<BatchResult> {
  const tmp = await Deno.makeTempDir({ prefix: "sockffi-fuzz-" });
  const deno = [
    Deno.execPath(),
    "run",
    "--allow-all",
    "--no-check",
    "--v8-flags=--expose-gc",
    childPath,
    seed,
    String(batch),
    String(calls),
    opts.prefix ? "netns" : "safe",
    tmp,
    opts.verbose ? "verbose" : "",
  ];
  const argv = opts.prefix
    ? [...opts.prefix, "sh", "-c", 'ip link set lo up && exec "$0" "$@"', ...deno]
    : deno;
  const child = new Deno.Command(argv[0], {
    args: argv.slice(1),
    cwd: tmp,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: {
      FUZZ_SKIP: Deno.env.get("FUZZ_SKIP") ?? "",
      ...(Deno.env.get("FUZZ_KINDS") ? { FUZZ_KINDS: Deno.env.get("FUZZ_KINDS")! } : {}),
      ...(Deno.env.get("FUZZ_ONLY") ? { FUZZ_ONLY: Deno.env.get("FUZZ_ONLY")! } : {}),
      ...(Deno.env.get("FUZZ_SELFTEST") ? { FUZZ_SELFTEST: Deno.env.get("FUZZ_SELFTEST")! } : {}),
      DENO_NO_UPDATE_CHECK: "1",
      DENO_DIR: opts.denoDir,
      TMPDIR: tmp,
      NO_COLOR: "1",
    },
  }).spawn();
  let stdout = "";
  let stderr = "";
  const readAll = async (s: ReadableStream<Uint8Array>, into: (t: string) => void) => {
    for await (const chunk of s.pipeThrough(new TextDecoderStream())) into(chunk);
  };
  const reading = Promise.all([
    readAll(child.stdout, (t) => {
      stdout += t;
      if (opts.verbose) Deno.stdout.writeSync(new TextEncoder().encode(t));
      // keep memory bounded: only the tail matters besides the summary
      if (stdout.length > 1 << 20) stdout = stdout.slice(-(1 << 16));
    }),
    readAll(child.stderr, (t) => {
      stderr = (stderr + t).slice(-8192);
    }),
  ]);
  let timer: ReturnType<typeof setInterval> | undefined;
  let hung = false;
  let summarySeenAt = 0;
  const status = await Promise.race([
    child.status,
    new Promise<null>((res) => {
      const started = Date.now();
      timer = setInterval(() => {
        const now = Date.now();
        if (summarySeenAt === 0 && /\nR \{/.test(stdout)) summarySeenAt = now;
        if (now - started > opts.timeout || (summarySeenAt && now - summarySeenAt > 5000)) {
          hung = true;
          res(null);
        }
      }, 100);
    }),
  ]);
  clearInterval(timer);
  if (status === null) {
    try {
      child.kill("SIGKILL");
    } catch { /* gone */ }
    await child.status;
  }
  await reading;
  await Deno.remove(tmp, { recursive: true }).catch(() => {});
  const lines = stdout.split("\n");
  const rLine = lines.find((l) => l.startsWith("R "));
  const lastCall = [...lines].reverse().find((l) => l.startsWith("C ")) ??
    "(before the first call)";
  const res: BatchResult = { seed, batch, stats: null, findings: [], lastCall };
  if (rLine) {
    const j = JSON.parse(rLine.slice(2));
    res.stats = j.stats;
    res.findings = j.findings;
  }
  if (hung) {
    res.hang = rLine
      ? "the child printed its summary but did not exit (event loop kept alive)"
      : `no progress after ${opts.timeout} ms; last call started: ${lastCall}`;
  } else if (status && (status.code !== 0 || status.signal !== null || !rLine)) {
    res.crash = `exit code ${status.code}${status.signal ? ` signal ${status.signal}` : ""}` +
      `${rLine ? "" : " without a summary"}; last call started: ${lastCall}; stderr: ${
        stderr.trim().split("\n").slice(-6).join(" | ")
      }`;
  }
  return res;
}

async function main(): Promise<number> {
  const o = parse();
  let prefix: string[] | null = null;
  if (o.mode !== "safe") {
    prefix = await netnsPrefix();
    if (prefix === null && o.mode === "netns") {
      console.error("fuzz: --mode netns needs `unshare -n -u` and `ip` (root or user namespaces)");
      return 2;
    }
  }
  console.log(
    `fuzz: mode ${
      prefix ? `netns (${prefix.join(" ")})` : "safe (loopback/unix, numeric hosts)"
    }, ` +
      `seeds ${o.seeds.join(",")}, ${o.calls} calls per seed, ${o.batchSize} per child`,
  );
  const denoDir = await Deno.makeTempDir({ prefix: "sockffi-fuzz-denodir-" });
  const jobs: { seed: string; batch: number; calls: number }[] = [];
  for (const seed of o.seeds) {
    const nb = Math.ceil(o.calls / o.batchSize);
    for (let b = 0; b < nb; b++) {
      if (o.only !== null && b !== o.only) continue;
      jobs.push({ seed, batch: b, calls: Math.min(o.batchSize, o.calls - b * o.batchSize) });
    }
  }
  const totals: Record<string, number> = {
    calls: 0,
    crashes: 0,
    hangs: 0,
    unhandled: 0,
    uncaught: 0,
    untyped: 0,
    stuck: 0,
    syncThrows: 0,
    violations: 0,
    leakedFds: 0,
    fuzzerErrors: 0,
    ok: 0,
    os: 0,
    typed: 0,
    propagated: 0,
    aborted: 0,
  };
  // Findings grouped by signature: kind, the function called, the message with numbers blanked.
  const groups = new Map<string, { count: number; first: string }>();
  const report = (kind: string, desc: string, detail: string, where: string, repro: string) => {
    const fn = desc.replace(/^call #\d+: /, "").replace(/^s-?\d+\([^)]*\)\./, "")
      .replace(/^scenario (\w+).*/, "scenario $1").replace(/\(.*$/, "");
    const sig = `${kind} ${fn}: ${
      detail.replace(/@.*$/, "").replace(/last call started:.*$/, "").replace(/\d+/g, "N")
        .slice(0, 140)
    }`;
    const g = groups.get(sig);
    if (g) g.count++;
    else {
      groups.set(sig, {
        count: 1,
        first: `${kind} ${where} ${desc}\n    ${detail}\n    reproduce: ${repro}`,
      });
    }
    if (o.all) console.log(`${kind} ${where} ${desc}\n  ${detail}\n  reproduce: ${repro}`);
  };
  const started = Date.now();
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const j = jobs[next++];
      const r = await runBatch(j.seed, j.batch, j.calls, {
        prefix,
        timeout: o.timeout,
        verbose: o.verbose,
        denoDir,
      });
      if (r.stats) {
        for (const k of Object.keys(r.stats)) totals[k] = (totals[k] ?? 0) + r.stats[k];
      } else totals.calls += Number(r.lastCall.split(" ")[1]) || 0;
      const where = `seed=${r.seed} batch=${r.batch}`;
      const repro =
        `deno task fuzz --seed ${r.seed} --batch ${r.batch} --batch-size ${o.batchSize} --calls ${
          (r.batch + 1) * o.batchSize
        } --verbose`;
      if (r.crash) {
        totals.crashes++;
        report("CRASH", r.lastCall.replace(/^C \d+ /, ""), r.crash, where, repro);
      }
      if (r.hang) {
        totals.hangs++;
        report("HANG", r.lastCall.replace(/^C \d+ /, ""), r.hang, where, repro);
      }
      for (const f of r.findings) {
        report(f.kind.toUpperCase(), `call #${f.call}: ${f.desc}`, f.detail, where, repro);
      }
      const bad = r.crash || r.hang || r.findings.length;
      Deno.stdout.writeSync(new TextEncoder().encode(bad ? "!" : "."));
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, o.jobs) }, worker));
  await Deno.remove(denoDir, { recursive: true }).catch(() => {});
  console.log("");
  if (groups.size > 0) console.log(`distinct findings (${groups.size}):`);
  for (const [sig, g] of [...groups].sort((a, b) => a[0].localeCompare(b[0]))) {
    console.log(`- [${g.count}x] ${sig}\n  first: ${g.first}`);
  }
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  console.log(
    `fuzz: ${totals.calls} calls in ${jobs.length} batches, ${secs} s (seeds ${
      o.seeds.join(",")
    })\n` +
      `  crashes ${totals.crashes}, hangs ${totals.hangs}, unhandled rejections ${totals.unhandled}, ` +
      `uncaught errors ${totals.uncaught}, untyped errors ${totals.untyped}, leaked fds ${totals.leakedFds}\n` +
      `  stuck async calls ${totals.stuck}, sync throws from async APIs ${totals.syncThrows}, ` +
      `contract violations ${totals.violations}, fuzzer errors ${totals.fuzzerErrors}\n` +
      `  outcomes: ok ${totals.ok}, SocketError ${totals.os}, library TypeError/RangeError ${totals.typed}, ` +
      `probe errors passed through ${totals.propagated}, aborted ${totals.aborted}`,
  );
  if (o.json) console.log(`JSON ${JSON.stringify({ totals, distinct: groups.size })}`);
  const failed = totals.crashes + totals.hangs + totals.unhandled + totals.uncaught +
    totals.untyped +
    totals.leakedFds + totals.stuck + totals.syncThrows + totals.violations + totals.fuzzerErrors;
  return failed === 0 ? 0 : 1;
}

Deno.exit(await main());
