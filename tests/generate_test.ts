// constants/generate.ts for every target: ffi/structs.ts's layouts equal what
// the headers give (sizeof/offsetof, read from a compiled object file), and a
// fresh run reproduces each committed table and mod.ts byte for byte. A target
// whose compiler or headers are missing here is ignored with the reason
// printed; .ci/tables.sh installs them all and sets SOCKFFI_REQUIRE_TABLE_TOOLS=1
// so that CI covers every target.
import { assert, assertEquals, assertMatch } from "@std/assert";
import { layoutDifferences, type LayoutResult, normalizePath } from "../constants/generate.ts";
import { notEmulated } from "./_platform.ts";

const ROOT = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
const CONSTANTS = `${ROOT}/constants`;
const dec = new TextDecoder();

/** Runs a program; null when it is not installed. */
async function run(
  cmd: string,
  args: readonly string[],
): Promise<{ code: number; stdout: string; stderr: string } | null> {
  try {
    const r = await new Deno.Command(cmd, { args: [...args], stdin: "null" }).output();
    return { code: r.code, stdout: dec.decode(r.stdout), stderr: dec.decode(r.stderr) };
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    throw e;
  }
}

/** Runs constants/generate.ts with `args`. */
async function generate(
  args: readonly string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const r = await run(Deno.execPath(), [
    "run",
    "--allow-read",
    "--allow-write",
    "--allow-run",
    "--allow-env",
    `${CONSTANTS}/generate.ts`,
    ...args,
  ]);
  return r!;
}

const HOME = Deno.env.get("HOME") ?? "";
const SDK = Deno.env.get("SOCKFFI_MACOS_SDK") ?? `${HOME}/.cache/sockffi/zig-macos-headers`;

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Why a target cannot be compiled for here, or "" when it can. */
async function missingTools(target: string | undefined): Promise<string> {
  const cc = target === undefined
    ? "cc"
    : target.startsWith("darwin")
    ? "clang"
    : `${target.replace(/^linux-/, "")}-linux-gnu-gcc`;
  if ((await run(cc, ["--version"]))?.code !== 0) return `${cc} is not installed`;
  if (target?.startsWith("darwin") && !await exists(`${SDK}/lib/libc/include/any-macos-any`)) {
    return `no macOS headers in ${SDK} (constants/macos_headers.sh unpacks them)`;
  }
  return "";
}

/** Targets: `--target` name (undefined: the host) and the table it writes. */
const TARGETS: readonly { target: string | undefined; table: string; ident: string }[] = [
  {
    target: undefined,
    table: `${Deno.build.os}_${Deno.build.arch}.ts`,
    ident: `${Deno.build.os}_${Deno.build.arch}`,
  },
  { target: "linux-x86_64", table: "linux_x86_64.ts", ident: "linux_x86_64" },
  { target: "linux-aarch64", table: "linux_aarch64.ts", ident: "linux_aarch64" },
  { target: "darwin-aarch64", table: "darwin_aarch64.ts", ident: "darwin_aarch64" },
  { target: "darwin-x86_64", table: "darwin_x86_64.ts", ident: "darwin_x86_64" },
];

const missing = new Map<string | undefined, string>();
for (const t of TARGETS) {
  const why = await missingTools(t.target);
  if (why !== "") {
    missing.set(t.target, why);
    console.log(`generate_test: ${t.target ?? "host"} ignored: ${why}`);
  }
}

Deno.test({
  name: "every target's compiler and headers are here (where CI requires them)",
  ignore: Deno.env.get("SOCKFFI_REQUIRE_TABLE_TOOLS") !== "1",
  fn(): void {
    assertEquals([...missing.values()], []);
  },
});

/** The committed `<os>_<arch>.ts` tables. */
async function committedTables(): Promise<string[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(CONSTANTS)) {
    if (e.isFile && /^[a-z]+_[a-z0-9_]+\.ts$/.test(e.name)) names.push(e.name);
  }
  return names.sort();
}

Deno.test({
  name: "ffi/structs.ts's layout of the host is what the host's headers give",
  ignore: missing.has(undefined) ||
    notEmulated(
      "the host's cc builds x86_64 code, not this aarch64 system's; the --target linux-aarch64 " +
        "check below does it with the cross compiler",
    ).ignore,
  async fn(): Promise<void> {
    const r = await generate(["--check-layouts"]);
    assertEquals(r.code, 0, r.stderr);
    assertMatch(r.stderr, /agrees with the headers \(\d+ fields\)/);
  },
});

// Every target with --target: a table run checks ffi/structs.ts's layout of
// the target against the headers (exit 1 where they differ) and writes the
// table and mod.ts, which must equal the committed ones (tests/constants_test.ts
// reproduces the host's table without --target; both ways write the same text).
for (const t of TARGETS.filter((t) => t.target !== undefined)) {
  Deno.test({
    name: `--target ${t.target}: ffi/structs.ts's ${t.ident} layout is what the headers give, ` +
      `and constants/${t.table} and mod.ts are reproduced byte for byte`,
    ignore: missing.has(t.target),
    async fn(): Promise<void> {
      const dir = await Deno.makeTempDir({ prefix: "sockffi-gen-test-" });
      try {
        for (const name of await committedTables()) {
          if (name !== t.table) await Deno.copyFile(`${CONSTANTS}/${name}`, `${dir}/${name}`);
        }
        const r = await generate(["--target", t.target!, "--out", dir]);
        assertEquals(r.code, 0, r.stderr);
        assertMatch(r.stderr, new RegExp(`${t.ident} agrees with the headers \\(\\d+ fields\\)`));
        for (const file of [t.table, "mod.ts", "exports.ts"]) {
          const fresh = await Deno.readTextFile(`${dir}/${file}`);
          const committed = await Deno.readTextFile(`${CONSTANTS}/${file}`);
          assert(
            fresh === committed,
            `constants/${file} differs from a fresh run: run ` +
              `\`deno task gen:constants --target ${t.target}\``,
          );
        }
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    },
  });
}

Deno.test("generated tables name headers as <path>, never by an absolute path", async () => {
  for (const name of await committedTables()) {
    const text = await Deno.readTextFile(`${CONSTANTS}/${name}`);
    const absolute = text.split("\n").filter((l) => /^\s+\w+: -?\d+, \/\/ .*(^|[\s(])\//.test(l));
    assertEquals(absolute, [], name);
    assertMatch(text, /^\/\/ Headers: <sys\/types\.h>/m, name);
  }
});

Deno.test("include directories of cross compilers resolve their ../.. segments", () => {
  assertEquals(
    normalizePath("/usr/lib/gcc-cross/aarch64-linux-gnu/12/../../../../aarch64-linux-gnu/include"),
    "/usr/aarch64-linux-gnu/include",
  );
  assertEquals(
    normalizePath("/usr/lib/gcc-cross/aarch64-linux-gnu/12/../../../../aarch64-linux-gnu/include/"),
    "/usr/aarch64-linux-gnu/include",
  );
  assertEquals(normalizePath("/a/./b//c/../d"), "/a/b/d");
  assertEquals(normalizePath("/../a"), "/a");
  assertEquals(normalizePath("a/../../b"), "../b");
});

Deno.test("the layout check reports every field that differs, is missing or is extra", () => {
  const probed: LayoutResult = {
    layout: {
      pointerSize: 8,
      saLen: true,
      msghdr: { size: 48, msg_flags: 44 },
      kevent: { size: 32, udata: 24 },
    },
    unchecked: new Map([["sockaddr_l2", "no <bluetooth/bluetooth.h>"]]),
    absent: new Set(["epoll_event"]),
  };
  assertEquals(
    layoutDifferences(probed, {
      pointerSize: 8,
      saLen: false,
      msghdr: { size: 48, msg_flags: 48, msg_extra: 1 },
      epoll_event: { size: 12 },
      sockaddr_l2: { size: 14 },
      MAX_RW: 1,
      mystery: { size: 1 },
    }),
    [
      "saLen: ffi/structs.ts false, headers true",
      "msghdr.msg_flags: ffi/structs.ts 48, headers 44",
      "msghdr.msg_extra: ffi/structs.ts 1, headers undefined",
      'kevent: missing in ffi/structs.ts (headers: {"size":32,"udata":24})',
      "epoll_event: in ffi/structs.ts, but this system lacks it",
      "mystery: in ffi/structs.ts, but generate.ts does not probe it",
    ],
  );
  assertEquals(layoutDifferences(probed, { ...probed.layout }), []);
});

Deno.test("macOS errno tables: only error codes (no ELAST), canonical names in errorcode", async () => {
  for (const ident of ["darwin_aarch64", "darwin_x86_64"]) {
    const t = await import(`../constants/${ident}.ts`) as {
      errno: Record<string, number>;
      errorcode: Record<number, string>;
    };
    assert(!("ELAST" in t.errno), `${ident}: ELAST is a bound, not an error code`);
    assertEquals(t.errorcode[106], "EQFULL", ident);
    assertEquals([t.errno.ENOTSUP, t.errno.EOPNOTSUPP, t.errno.EAGAIN], [45, 102, 35], ident);
    assertEquals([t.errorcode[35], t.errorcode[45], t.errorcode[102]], [
      "EAGAIN",
      "ENOTSUP",
      "EOPNOTSUPP",
    ], ident);
    for (const [value, name] of Object.entries(t.errorcode)) {
      assertEquals(t.errno[name], Number(value), `${ident}: errorcode[${value}]`);
    }
  }
});
