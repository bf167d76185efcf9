/**
 * Keeps the macOS marking true: every test that uses a Linux-only construct
 * is skipped on macOS (tests/_platform.ts), so `deno task test` on a Mac
 * runs what applies there and says what it left out.
 *
 * How: a child (tests/fixtures/darwin_registered.ts) runs every test file's
 * module-level code with Deno.build saying darwin and a recorder in place of
 * Deno.test, so the markers act as on a Mac and each registered test comes
 * back with its `ignore` and its function's source. A test registered as
 * not ignored fails this check when its source (comments stripped), or a
 * module-level helper of the tests it calls (one file's top-level functions
 * and constants, and those of tests/_*.ts, followed transitively by name),
 * contains one of a small list of Linux-only constructs: /proc, AF_NETLINK,
 * AF_PACKET, unshare, `ip netns`, SCM_CREDENTIALS, SO_PEERCRED, SO_PASSCRED,
 * a name imported from tests/_linux.ts (Linux's constants), or an errno
 * compared with a number (Linux's values; macOS's differ). In the test's own
 * source only: a name the package leaves undefined on macOS (a constant it
 * lacks, listed by the child) and a string starting with a zero byte (an
 * abstract unix name). A file whose top level fails as darwin must be
 * wholly Linux's (linuxOnlyFile()).
 *
 * Why this and not running the suite as darwin: the tests call libc, which
 * is not libSystem here, so only registration can run as macOS. A text check
 * is coarse but cannot miss a new test that reads /proc unmarked, and a
 * false alarm is fixed by a marker or by a portable rewrite. Running the
 * module-level code (instead of grepping the markers) checks what the
 * markers do: `nextTestOnLinux` above the wrong test, or a `linuxOnly` that
 * is not spread into the options, shows up here. What no list can see (a
 * test asserting Linux's value of a constant macOS has too, say
 * SO_REUSEADDR === 2) is marked by hand; README "Tests on macOS" lists it.
 */
import { assertEquals } from "@std/assert";

const PATTERNS: RegExp[] = [
  /\/proc\//,
  /\bAF_NETLINK\b/,
  /\bAF_PACKET\b/,
  /\bunshare\b/,
  /\bip netns\b/,
  /\bSCM_CREDENTIALS\b/,
  /\bSO_PEERCRED\b/,
  /\bSO_PASSCRED\b/,
  /\.errno, (?:11|3[5-9]|[4-9]\d|\d{3})\b/, // 1-34 but 11 (EAGAIN) are the same on both
];

/**
 * A string that starts with a zero byte: an abstract unix name. Like the
 * names macOS lacks, it counts in a test's own source only: module-level
 * tables hold such strings as data (differential_test's generated inputs,
 * hostile_input_test's entries, whose honest and lying outcomes are compared
 * whatever the system answers).
 */
const ABSTRACT = /["'`]\\0/;

const here = new URL(".", import.meta.url).pathname;

function stripComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|\s)\/\/.*$/gm, "$1");
}

/** Top-level declarations of a file: name → text (up to the next top-level line). */
function chunks(text: string): Map<string, string> {
  const m = new Map<string, string>();
  const lines = text.split("\n");
  let name = "";
  let body: string[] = [];
  const flush = () => {
    if (name) m.set(name, stripComments(body.join("\n")));
  };
  for (const line of lines) {
    if (/^\S/.test(line) && !/^[})\]]/.test(line)) {
      flush();
      const d = /^(?:export )?(?:async )?(?:function\*? |const |let |class )(\w+)/.exec(line);
      name = d ? d[1] : "";
      body = [];
    }
    body.push(line);
  }
  flush();
  return m;
}

/** Names of the Linux-only helpers among `decls` (transitively), given extra patterns. */
function linuxHelpers(decls: Map<string, string>, patterns: RegExp[]): Set<string> {
  const bad = new Set<string>();
  for (let changed = true; changed;) {
    changed = false;
    for (const [name, text] of decls) {
      if (bad.has(name)) continue;
      const body = text.replace(new RegExp(`^[^\\n]*\\b${name}\\b`), "");
      if (
        patterns.some((p) => p.test(text)) ||
        [...bad].some((b) => new RegExp(`\\b${b}\\b`).test(body))
      ) {
        bad.add(name);
        changed = true;
      }
    }
  }
  return bad;
}

Deno.test("every test that uses a Linux-only construct is skipped on macOS", async () => {
  const files = [...Deno.readDirSync(here)]
    .map((e) => e.name)
    .filter((n) => n.endsWith("_test.ts"))
    .sort();
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--no-check",
      `${here}fixtures/darwin_registered.ts`,
      ...files.map((f) => `${here}${f}`),
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const err = new TextDecoder().decode(out.stderr);
  assertEquals(out.code, 0, err);
  const { absent, tests: reg }: {
    absent: string[];
    tests: { file: string; name?: string; ignore?: boolean; source?: string; error?: string }[];
  } = JSON.parse(new TextDecoder().decode(out.stdout).trim().split("\n").at(-1)!);
  const lacking = new RegExp(`\\b(?:${absent.join("|")})\\b`);

  const shared = new Map<string, string>();
  for (const e of Deno.readDirSync(here)) {
    if (/^_.*\.ts$/.test(e.name) && e.name !== "_platform.ts" && e.name !== "_linux.ts") {
      for (const [k, v] of chunks(Deno.readTextFileSync(here + e.name))) shared.set(k, v);
    }
  }
  const problems: string[] = [];
  const perFile = new Map<string, { patterns: RegExp[]; bad: Set<string> }>();
  for (const r of reg) {
    const base = r.file.slice(r.file.lastIndexOf("/") + 1);
    if (r.error !== undefined) {
      // A file whose top level calls libc cannot load here as darwin; it must
      // be wholly Linux's (linuxOnlyFile() before that call) or portable.
      const text = Deno.readTextFileSync(r.file);
      if (!/^linuxOnlyFile\(/m.test(text)) problems.push(`${base}: top level failed: ${r.error}`);
      continue;
    }
    if (r.ignore) continue;
    let info = perFile.get(r.file);
    if (!info) {
      const text = Deno.readTextFileSync(r.file);
      const linuxNames = [...text.matchAll(/import\s*{([^}]*)}\s*from\s*"\.\/_linux\.ts"/g)]
        .flatMap((m) => m[1].split(",").map((s) => s.trim()).filter(Boolean));
      const patterns = [...PATTERNS, ...linuxNames.map((n) => new RegExp(`\\b${n}\\b`))];
      const decls = new Map([...shared, ...chunks(text)]);
      info = { patterns, bad: linuxHelpers(decls, patterns) };
      perFile.set(r.file, info);
    }
    const src = stripComments(r.source!);
    // The names macOS lacks count in the test's own source only: module-level
    // tables of expected values (tables_oracle_test's KNOWN) name them as data.
    const hit = info.patterns.find((p) => p.test(src)) ??
      (lacking.test(src) ? lacking : undefined) ??
      (ABSTRACT.test(src) ? ABSTRACT : undefined) ??
      [...info.bad].map((b) => new RegExp(`\\b${b}\\b`)).find((p) => p.test(src));
    if (hit) {
      const what = hit === lacking ? src.match(lacking)![0] : hit.source;
      problems.push(`${base}: "${r.name}" uses ${what} but runs on macOS`);
    }
  }
  assertEquals(problems, [], `\n${problems.join("\n")}\n`);
});
