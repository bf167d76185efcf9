// Tests for constants/: the generated table against CPython, errorcode, and
// the generator against its committed output.
import { assert, assertEquals, assertMatch } from "@std/assert";
import { fromFileUrl, join } from "@std/path";
import * as constants from "../constants/mod.ts";
import { errnoValues, errorcode, socketValues } from "../constants/mod.ts";
import { nextTestOnLinux, notEmulated } from "./_platform.ts";

const CONSTANTS = fromFileUrl(new URL("../constants", import.meta.url));
const HOST_TABLE = `${Deno.build.os}_${Deno.build.arch}.ts`;

/** Runs a program; null when it is not installed. */
async function run(
  cmd: string,
  args: readonly string[],
): Promise<{ code: number; stdout: string; stderr: string } | null> {
  try {
    const r = await new Deno.Command(cmd, { args: [...args], stdin: "null" }).output();
    const dec = new TextDecoder();
    return { code: r.code, stdout: dec.decode(r.stdout), stderr: dec.decode(r.stderr) };
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    throw e;
  }
}

/** The real CPython interpreter behind `python3` (pyenv shims included), or null. */
async function findPython(): Promise<string | null> {
  const r = await run("python3", ["-c", "import sys; print(sys.executable)"]);
  const path = r?.code === 0 ? r.stdout.trim() : "";
  return path === "" ? null : path;
}

/** Runs a Python snippet that prints JSON, and parses it. */
async function pythonJson<T>(python: string, code: string): Promise<T> {
  const r = await run(python, ["-c", code]);
  assert(r !== null && r.code === 0, `python failed: ${r?.stderr}`);
  return JSON.parse(r.stdout) as T;
}

const PYTHON = await findPython();
if (PYTHON === null) {
  console.log("constants_test: python3 not found, so the comparisons with CPython are ignored");
}
const HAS_CC = (await run("cc", ["--version"]))?.code === 0;
const GEN_EMULATED =
  "the generator's probe is built by the host's cc (x86_64 code), so it cannot " +
  "reproduce the aarch64 table here; tests/generate_test.ts reproduces it natively with the cross compiler";
if (!HAS_CC) {
  console.log("constants_test: cc not found, so the generator reproduction tests are ignored");
}

/** Runs constants/generate.ts with `--out dir`. */
async function generateInto(dir: string): Promise<void> {
  const r = await run(Deno.execPath(), [
    "run",
    "--allow-read",
    "--allow-write",
    "--allow-run",
    "--allow-env",
    join(CONSTANTS, "generate.ts"),
    "--out",
    dir,
  ]);
  assert(r !== null && r.code === 0, `generate.ts failed:\n${r?.stderr}`);
}

/** The `<os>_<arch>.ts` tables committed in constants/. */
async function committedTables(): Promise<string[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(CONSTANTS)) {
    if (e.isFile && /^[a-z]+_[a-z0-9_]+\.ts$/.test(e.name) && e.name !== "generate.ts") {
      names.push(e.name);
    }
  }
  return names.sort();
}

Deno.test({
  name: "constants/mod.ts has every integer constant of CPython's socket module, with its value",
  ignore: PYTHON === null,
  async fn(): Promise<void> {
    const py = await pythonJson<Record<string, number>>(
      PYTHON!,
      [
        "import json, re, socket",
        "print(json.dumps({n: int(v) for n, v in vars(socket).items()",
        "  if re.fullmatch(r'[A-Z][A-Z0-9_]+', n) and isinstance(v, int) and not isinstance(v, bool)}))",
      ].join("\n"),
    );
    assert(Object.keys(py).length > 100, "CPython's socket module looks empty");
    const ours = constants as unknown as Record<string, unknown>;
    const problems: string[] = [];
    for (const [name, value] of Object.entries(py).sort()) {
      if (!(name in ours)) problems.push(`${name}: missing (CPython: ${value})`);
      else if (ours[name] !== value) problems.push(`${name}: ${ours[name]} (CPython: ${value})`);
    }
    assertEquals(problems, [], `${problems.length} constants differ from CPython`);
  },
});

Deno.test({
  name: "errnoValues has every name of CPython's errno module, and errorcode agrees with it",
  ignore: PYTHON === null,
  async fn(): Promise<void> {
    const py = await pythonJson<
      { names: Record<string, number>; errorcode: Record<string, string> }
    >(
      PYTHON!,
      [
        "import errno, json",
        "names = {n: v for n, v in vars(errno).items() if n.startswith('E') and isinstance(v, int)}",
        "print(json.dumps({'names': names, 'errorcode': errno.errorcode}))",
      ].join("\n"),
    );
    const problems: string[] = [];
    for (const [name, value] of Object.entries(py.names).sort()) {
      if (errnoValues[name] !== value) {
        problems.push(`errnoValues.${name}: ${errnoValues[name]} (CPython: ${value})`);
      }
    }
    // CPython's errorcode keeps whichever alias its errnomodule.c adds last;
    // ours keeps the canonical name. They part only where Python picks the
    // alias: 35 (EDEADLOCK for EDEADLK) and 95 (ENOTSUP for EOPNOTSUPP).
    const aliasPicks: Record<string, readonly [string, string]> = {
      EDEADLOCK: ["EDEADLOCK", "EDEADLK"],
      ENOTSUP: ["ENOTSUP", "EOPNOTSUPP"],
    };
    for (const [value, name] of Object.entries(py.errorcode)) {
      const expected = aliasPicks[name]?.[1] ?? name;
      if (errorcode[Number(value)] !== expected) {
        problems.push(`errorcode[${value}]: ${errorcode[Number(value)]} (expected ${expected})`);
      }
    }
    assertEquals(problems, []);
  },
});

Deno.test("errorcode gives the canonical name where errno names share a value", () => {
  assertEquals(errorcode[11], "EAGAIN");
  assertEquals(errorcode[95], "EOPNOTSUPP");
  assertEquals(errorcode[35], "EDEADLK");
  assertEquals(errorcode[1], "EPERM");
  assertEquals(errorcode[111], "ECONNREFUSED");
  assertEquals(errnoValues.EWOULDBLOCK, errnoValues.EAGAIN);
  assertEquals(errnoValues.ENOTSUP, 95);
  assertEquals(constants.EAGAIN, 11);
  assertEquals(constants.EWOULDBLOCK, 11);
  assertEquals(constants.EBADF, 9);
  for (const [value, name] of Object.entries(errorcode)) {
    assertEquals(errnoValues[name], Number(value), `errorcode[${value}] is ${name}`);
  }
});

nextTestOnLinux("checks Linux's values (AF_DECnet, SO_REUSEADDR, CAN_*, TIPC_*)");
Deno.test("constants/mod.ts exports every name of the table with its value", () => {
  const ours = constants as unknown as Record<string, unknown>;
  const missing = Object.entries(socketValues).filter(([n, v]) => ours[n] !== v);
  assertEquals(missing, []);
  assertEquals(constants.AF_DECnet, 12);
  assertEquals(constants.SO_REUSEADDR, 2);
  assertEquals(constants.IPPORT_RESERVED, 1024);
  assertEquals(constants.CAN_BCM_TX_SETUP, 1);
  assertEquals(constants.IOCTL_VM_SOCKETS_GET_LOCAL_CID, 0x7b9);
  assertEquals(constants.INADDR_NONE, 0xffffffff);
  assertEquals(constants.TIPC_WAIT_FOREVER, -1);
});

nextTestOnLinux("checks Linux's values (F_DUPFD_CLOEXEC, O_NONBLOCK, EPOLL_*)");
Deno.test("sys holds the implementation's OS constants and inherits every socket constant", () => {
  const { sys } = constants;
  assertEquals(sys.F_GETFL, 3);
  assertEquals(sys.F_SETFL, 4);
  assertEquals(sys.F_DUPFD_CLOEXEC, 1030);
  assertEquals(sys.FD_CLOEXEC, 1);
  assertEquals(sys.O_NONBLOCK, 0o4000);
  assertEquals(sys.POLLIN, 1);
  assertEquals(sys.POLLOUT, 4);
  assertEquals(sys.EPOLL_CTL_ADD, 1);
  for (const [name, value] of Object.entries(socketValues)) assertEquals(sys[name], value, name);
  // Not Python's API, so not named exports.
  const ours = constants as unknown as Record<string, unknown>;
  for (const name of ["F_GETFL", "O_NONBLOCK", "POLLIN", "EPOLLIN"]) {
    assert(!(name in ours), name);
  }
});

Deno.test({
  name: "sys agrees with CPython's os, fcntl and select modules",
  ignore: PYTHON === null ||
    notEmulated("CPython here is the host's x86_64 build, whose os/fcntl values are not aarch64's")
      .ignore,
  async fn(): Promise<void> {
    const py = await pythonJson<Record<string, number>>(
      PYTHON!,
      [
        "import fcntl, json, os, select",
        "out = {}",
        "for m in (os, fcntl, select):",
        "  for n, v in vars(m).items():",
        "    if n[:2] in ('F_', 'O_') or n.startswith(('POLL', 'EPOLL', 'FD_CLOEXEC')):",
        "      if isinstance(v, int) and not isinstance(v, bool): out[n] = v",
        "print(json.dumps(out))",
      ].join("\n"),
    );
    const { sys } = constants;
    const checked = Object.keys(py).filter((n) => Object.hasOwn(sys, n));
    assert(checked.length > 30, `only ${checked.length} names in common`);
    const problems = checked.filter((n) => sys[n] !== py[n]).map((n) =>
      `${n}: ${sys[n]} (CPython: ${py[n]})`
    );
    assertEquals(problems, []);
  },
});

nextTestOnLinux("the Bluetooth constants are Linux's");
Deno.test("constants/supplement.h supplies the Bluetooth constants that CPython defines", () => {
  assertEquals(constants.AF_BLUETOOTH, 31);
  assertEquals(constants.BTPROTO_L2CAP, 0);
  assertEquals(constants.BTPROTO_HCI, 1);
  assertEquals(constants.BTPROTO_SCO, 2);
  assertEquals(constants.BTPROTO_RFCOMM, 3);
  assertEquals(constants.SOL_HCI, 0);
  assertEquals(constants.HCI_DATA_DIR, 1);
  assertEquals(constants.HCI_FILTER, 2);
  assertEquals(constants.HCI_TIME_STAMP, 3);
  assertEquals(constants.BDADDR_ANY, "00:00:00:00:00:00");
  assertEquals(constants.BDADDR_LOCAL, "00:00:00:FF:FF:FF");
});

Deno.test("generated files say in their first line that they are generated", async () => {
  for (const name of [...await committedTables(), "mod.ts", "exports.ts"]) {
    const first = (await Deno.readTextFile(join(CONSTANTS, name))).split("\n", 1)[0];
    assertMatch(first, /^\/\/ Generated by constants\/generate\.ts\b.*do not edit/, name);
  }
});

nextTestOnLinux(
  "the committed macOS tables come from the pinned SDK headers, not this Mac's SDK (generate_test checks them with --target)",
);
Deno.test({
  name: "the generator reproduces the committed table and mod.ts byte for byte",
  ignore: !HAS_CC || notEmulated(GEN_EMULATED).ignore,
  async fn(): Promise<void> {
    const dir = await Deno.makeTempDir({ prefix: "sockffi-constants-" });
    try {
      for (const name of await committedTables()) {
        if (name !== HOST_TABLE) await Deno.copyFile(join(CONSTANTS, name), join(dir, name));
      }
      await generateInto(dir);
      for (const name of [HOST_TABLE, "mod.ts", "exports.ts"]) {
        const fresh = await Deno.readTextFile(join(dir, name));
        const committed = await Deno.readTextFile(join(CONSTANTS, name));
        assert(
          fresh === committed,
          `constants/${name} differs from a fresh run of the generator: run \`deno task gen:constants\``,
        );
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

nextTestOnLinux("removes AF_ALG from the host's table, which only Linux's has");
Deno.test({
  name: "the generator types a name that some table lacks as number | undefined",
  ignore: !HAS_CC || notEmulated(GEN_EMULATED).ignore,
  async fn(): Promise<void> {
    const dir = await Deno.makeTempDir({ prefix: "sockffi-constants-" });
    try {
      // A made-up second table: the host's without AF_ALG.
      const host = await Deno.readTextFile(join(CONSTANTS, HOST_TABLE));
      const other = Deno.build.os === "freebsd" ? "netbsd_x86_64.ts" : "freebsd_x86_64.ts";
      await Deno.writeTextFile(join(dir, other), host.replace(/^ {2}AF_ALG: .*\n/m, ""));
      await generateInto(dir);
      const mod = await Deno.readTextFile(join(dir, "mod.ts"));
      const key = other.replace(/\.ts$/, "").replace("_", "/");
      assertMatch(mod, /^export const AF_ALG: number \| undefined = S\.AF_ALG;$/m);
      assertMatch(
        mod,
        new RegExp(`Undefined on ${key}, which lack it\\. \\*/\\nexport const AF_ALG:`),
      );
      assertMatch(mod, /^export const AF_INET: number = S\.AF_INET;$/m);
      assertMatch(
        mod,
        new RegExp(`^import \\* as ${other.replace(/\.ts$/, "")} from "\\./${other}";$`, "m"),
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
