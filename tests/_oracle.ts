// Shared by the module-function tests: CPython as the oracle. One python3
// process per batch of cases: the cases go in as JSON on stdin, the results
// come back as JSON on stdout.
import { gaierror, herror, SocketError } from "../mod.ts";

/** Runs a program to completion; null when it is not installed. */
export async function run(
  cmd: string,
  args: readonly string[],
  stdin?: string,
): Promise<{ code: number; stdout: string; stderr: string } | null> {
  try {
    const child = new Deno.Command(cmd, {
      args: [...args],
      stdin: stdin === undefined ? "null" : "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    if (stdin !== undefined) {
      const w = child.stdin.getWriter();
      await w.write(new TextEncoder().encode(stdin));
      await w.close();
    }
    const r = await child.output();
    const dec = new TextDecoder();
    return { code: r.code, stdout: dec.decode(r.stdout), stderr: dec.decode(r.stderr) };
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    throw e;
  }
}

/** The real CPython interpreter behind `python3` (pyenv shims resolved once), or null. */
export async function findPython(): Promise<string | null> {
  const r = await run("python3", ["-c", "import sys; print(sys.executable)"]);
  const path = r?.code === 0 ? r.stdout.trim() : "";
  return path === "" ? null : path;
}

/**
 * The Python side of a batch: `FUNCS` (defined by the caller's snippet)
 * maps a name to a callable; each case is `[name, args]`; arguments use
 * the encodings of {@linkcode enc}; each result is `{ok: value}` or
 * `{err: [class, errno]}` with the class reduced to the JS mapping.
 */
export const PY_RUNNER = String.raw`
import sys, json, socket
def classify(e):
    if isinstance(e, socket.gaierror): return ["gaierror", e.errno]
    if isinstance(e, socket.herror): return ["herror", e.errno]
    if isinstance(e, OSError): return ["OSError", e.errno]
    if isinstance(e, (ValueError, OverflowError)): return ["ValueError", None]
    if isinstance(e, TypeError): return ["TypeError", None]
    return [type(e).__name__, None]
def conv(v):
    if isinstance(v, dict):
        if "int" in v: return int(v["int"])
        if "bytes" in v: return bytes.fromhex(v["bytes"])
        if "tuple" in v: return tuple(conv(x) for x in v["tuple"])
        if "float" in v: return float(v["float"])
    if isinstance(v, list): return [conv(x) for x in v]
    return v
def out(v):
    if isinstance(v, (bytes, bytearray)): return {"bytes": bytes(v).hex()}
    if isinstance(v, (tuple, list)): return [out(x) for x in v]
    if isinstance(v, bool): return v
    if isinstance(v, int): return int(v)
    return v
def main():
    cases = json.load(sys.stdin)
    res = []
    for name, args in cases:
        try:
            res.append({"ok": out(FUNCS[name](*[conv(a) for a in args]))})
        except Exception as e:
            res.append({"err": classify(e)})
    sys.stdout.write(json.dumps(res))
`;

/** An argument as the Python runner decodes it. */
export type Arg =
  | string
  | number
  | boolean
  | null
  | { int: string }
  | { bytes: string }
  | { tuple: Arg[] }
  | { float: number }
  | Arg[];

/** Encodes JS values for Python: integers exactly, bytes as hex, tuples marked. */
export const enc = {
  int: (n: number): Arg => ({ int: BigInt(n).toString() }),
  bytes: (b: Uint8Array): Arg => ({ bytes: hex(b) }),
  tuple: (xs: Arg[]): Arg => ({ tuple: xs }),
  float: (x: number): Arg => ({ float: x }),
};

/** Decodes an encoded argument into the JS value the library gets. */
export function dec(a: Arg): unknown {
  if (a === null || typeof a !== "object") return a;
  if (Array.isArray(a)) return a.map(dec);
  if ("int" in a) return Number(a.int);
  if ("bytes" in a) return unhex(a.bytes);
  if ("tuple" in a) return a.tuple.map(dec);
  if ("float" in a) return a.float;
  return a;
}

/** Lowercase hex of bytes. */
export function hex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

function unhex(s: string): Uint8Array {
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** A result in the runner's shape. */
export type Outcome = { ok: unknown } | { err: [string, number | null] };

/** Normalizes a JS result like the Python side's `out()`. */
export function norm(v: unknown): unknown {
  if (v instanceof Uint8Array) return { bytes: hex(v) };
  if (Array.isArray(v)) return v.map(norm);
  return v;
}

/** Reduces a thrown error to the runner's class names. */
export function classify(e: unknown): [string, number | null] {
  if (e instanceof gaierror) return ["gaierror", e.errno];
  if (e instanceof herror) return ["herror", e.errno];
  if (e instanceof SocketError) return ["OSError", e.errno];
  if (e instanceof RangeError) return ["ValueError", null];
  if (e instanceof TypeError) return ["TypeError", null];
  return [`JS:${(e as Error)?.name}:${(e as Error)?.message}`, null];
}

/** Runs `f` and records its outcome. */
export function outcome(f: () => unknown): Outcome {
  try {
    return { ok: norm(f()) };
  } catch (e) {
    return { err: classify(e) };
  }
}

/** Whether a JS outcome matches CPython's: same value, or same error class (and errno when Python has one). */
export function same(js: Outcome, py: Outcome): boolean {
  if ("ok" in py) return "ok" in js && JSON.stringify(js.ok) === JSON.stringify(py.ok);
  if (!("err" in js)) return false;
  const [pc, pe] = py.err;
  const [jc, je] = js.err;
  if (pc !== jc) return false;
  return pe === null || pe === je;
}

/**
 * Runs a batch on CPython: `funcs` is Python source defining FUNCS.
 * `wrapper` runs python under another command (`["unshare", "-n"]`).
 */
export async function python(
  exe: string,
  funcs: string,
  cases: [string, Arg[]][],
  wrapper: string[] = [],
): Promise<Outcome[]> {
  const code = `${PY_RUNNER}\n${funcs}\nmain()\n`;
  const argv = [...wrapper, exe, "-c", code];
  const r = await run(argv[0], argv.slice(1), JSON.stringify(cases));
  if (r === null || r.code !== 0) throw new Error(`python failed: ${r?.stderr}`);
  return JSON.parse(r.stdout) as Outcome[];
}

/** A small seeded PRNG (mulberry32): the same seed gives the same cases. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Helpers over a PRNG. */
export class Gen {
  constructor(readonly r: () => number) {}
  /** An integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.r() * (hi - lo + 1));
  }
  /** True with probability p. */
  chance(p: number): boolean {
    return this.r() < p;
  }
  /** One element. */
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.r() * xs.length)];
  }
  /** n random bytes. */
  bytes(n: number): Uint8Array {
    const b = new Uint8Array(n);
    for (let i = 0; i < n; i++) b[i] = this.int(0, 255);
    return b;
  }
}

/**
 * Compares JS and Python outcomes for every case; on any difference, fails
 * with the seed and the first differences.
 */
export function compare(
  what: string,
  seed: number,
  cases: [string, Arg[]][],
  js: Outcome[],
  py: Outcome[],
): void {
  const diffs: string[] = [];
  for (let i = 0; i < cases.length; i++) {
    if (!same(js[i], py[i])) {
      diffs.push(
        `${cases[i][0]}(${JSON.stringify(cases[i][1])}): ours ${JSON.stringify(js[i])}, ` +
          `CPython ${JSON.stringify(py[i])}`,
      );
    }
  }
  if (diffs.length > 0) {
    throw new Error(
      `${what}: ${diffs.length} of ${cases.length} cases differ from CPython ` +
        `(seed ${seed}; rerun with SOCKFFI_SEED=${seed}):\n  ${diffs.slice(0, 15).join("\n  ")}`,
    );
  }
}
