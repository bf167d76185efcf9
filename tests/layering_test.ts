/**
 * The shape of src/ (issue 14): imports run one way, public modules →
 * socket core → address codecs / resolver → syscall layer → ffi/ and
 * constants/, so no import circle; and src/ never names an OS (issue 10:
 * OS differences live in ffi/ and constants/).
 */

import { assertEquals } from "@std/assert";
import { dirname, fromFileUrl, join, relative } from "@std/path";

const root = join(dirname(fromFileUrl(import.meta.url)), "..");
const srcDir = join(root, "src");

/** One import edge: from a file to a file, and whether only types cross it. */
export interface Edge {
  from: string;
  to: string;
  typeOnly: boolean;
}

/**
 * Type-only imports that point back up on purpose, each with its reason.
 * They are erased at run time, so they cannot make a load-order circle:
 * the method modules name the `Socket` class in their signatures (the
 * async face returns Sockets from accept(), the file objects keep the
 * socket they wrap). A value import along any of them is a circle.
 */
const TYPE_BACK_EDGES: Record<string, string> = {
  "src/async.ts -> src/socket.ts": "SocketAsync's results and its `socket` are Sockets",
  "src/file.ts -> src/socket.ts": "the file objects wrap a Socket and call its methods",
  "src/msg.ts -> src/socket.ts": "the sendmsg/recvmsg implementations take the Socket",
  "src/sendfile.ts -> src/socket.ts": "sendfile's fallback calls the Socket's send()",
  "src/streams.ts -> src/socket.ts": "the streams read through the Socket's async face",
};

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const e of Deno.readDirSync(dir)) {
    const p = join(dir, e.name);
    if (e.isDirectory) out.push(...walk(p));
    else if (e.name.endsWith(".ts")) out.push(p);
  }
  return out.sort();
}

const IMPORT_RE =
  /(?:^|\n)\s*(import|export)\s+(type\s+)?([^;"']*?)\s*from\s*["']([^"']+)["']|(?:^|\n)\s*import\s*["']([^"']+)["']|\bimport\(\s*["']([^"']+)["']\s*\)/g;

/** The relative imports of one source text, resolved against `file` (paths from the repo root). */
export function importsOf(file: string, text: string): Edge[] {
  // drop comments so that examples in JSDoc do not count
  const code = text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:])\/\/.*$/gm, "$1");
  const edges: Edge[] = [];
  for (const m of code.matchAll(IMPORT_RE)) {
    const spec = m[4] ?? m[5] ?? m[6];
    if (!spec.startsWith(".")) continue;
    let typeOnly = false;
    if (m[4] !== undefined) {
      const clause = m[3].trim();
      if (m[2] !== undefined) typeOnly = true;
      else if (clause.startsWith("{") && clause.endsWith("}")) {
        const names = clause.slice(1, -1).split(",").map((x) => x.trim()).filter((x) => x !== "");
        typeOnly = names.length > 0 && names.every((n) => n.startsWith("type "));
      }
    }
    const to = relative(root, join(dirname(join(root, file)), spec));
    edges.push({ from: file, to, typeOnly });
  }
  return edges;
}

/** A circle in `edges` among the files in `within`, as a path, or null when there is none. */
export function findCircle(edges: Edge[], within: (f: string) => boolean): string[] | null {
  const next = new Map<string, string[]>();
  for (const e of edges) {
    if (!within(e.from) || !within(e.to)) continue;
    if (!next.has(e.from)) next.set(e.from, []);
    next.get(e.from)!.push(e.to);
  }
  const state = new Map<string, 1 | 2>(); // 1 on the path, 2 done
  const path: string[] = [];
  const visit = (n: string): string[] | null => {
    state.set(n, 1);
    path.push(n);
    for (const m of next.get(n) ?? []) {
      const s = state.get(m);
      if (s === 1) return [...path.slice(path.indexOf(m)), m];
      if (s === undefined) {
        const c = visit(m);
        if (c !== null) return c;
      }
    }
    path.pop();
    state.set(n, 2);
    return null;
  };
  for (const n of [...next.keys()].sort()) {
    if (state.get(n) === undefined) {
      const c = visit(n);
      if (c !== null) return c;
    }
  }
  return null;
}

function srcEdges(): Edge[] {
  const edges: Edge[] = [];
  for (const p of walk(srcDir)) {
    edges.push(...importsOf(relative(root, p), Deno.readTextFileSync(p)));
  }
  return edges;
}

const inSrc = (f: string): boolean => f.startsWith("src/");

/** The edges that count for the circle check: all but the listed type-only back-edges. */
function counted(edges: Edge[]): Edge[] {
  return edges.filter((e) => !(e.typeOnly && `${e.from} -> ${e.to}` in TYPE_BACK_EDGES));
}

Deno.test("layering: no import circle in src/ (type-only back-edges only where listed)", () => {
  const edges = srcEdges();
  assertEquals(findCircle(counted(edges), inSrc), null);
  // and no circle at run time at all (type imports are erased)
  assertEquals(findCircle(edges.filter((e) => !e.typeOnly), inSrc), null);
});

Deno.test("layering: every listed back-edge still exists and is type-only", () => {
  const edges = srcEdges();
  for (const key of Object.keys(TYPE_BACK_EDGES)) {
    const found = edges.filter((e) => `${e.from} -> ${e.to}` === key);
    assertEquals(
      found.length > 0,
      true,
      `${key} is listed but not imported: drop it from the list`,
    );
    for (const e of found) assertEquals(e.typeOnly, true, `${key} must stay \`import type\``);
  }
});

Deno.test("layering: the circle check catches socket.ts and a method module importing each other", () => {
  const edges = srcEdges();
  const withBack = [...counted(edges), {
    from: "src/msg.ts",
    to: "src/socket.ts",
    typeOnly: false,
  }];
  assertEquals(findCircle(withBack, inSrc), [
    "src/msg.ts",
    "src/socket.ts",
    "src/msg.ts",
  ]);
  // a value import written as source text is parsed as one
  const parsed = importsOf("src/msg.ts", 'import { socket } from "./socket.ts";\n');
  assertEquals(parsed, [{ from: "src/msg.ts", to: "src/socket.ts", typeOnly: false }]);
  assertEquals(
    importsOf("src/msg.ts", 'import { type Socket } from "./socket.ts";\n')[0].typeOnly,
    true,
  );
});

Deno.test("layering: src/ never names an OS (Deno.build.os lives in ffi/ and constants/)", () => {
  const offenders = walk(srcDir)
    .filter((p) => Deno.readTextFileSync(p).includes("Deno.build.os"))
    .map((p) => relative(root, p));
  assertEquals(offenders, []);
});
