/**
 * Where the tests run, for tests that apply to some systems only: the OS,
 * and whether this is Linux aarch64 emulated by qemu-user (whose syscall
 * translation differs from a real kernel in a few documented places).
 * A test that does not apply here is skipped with its reason printed once,
 * so a run on a Mac or under qemu says what it left out and why.
 *
 * ```ts ignore
 * Deno.test({ name: "...", ...linuxOnly("AF_PACKET is Linux's"), fn() {} });
 * nextTestUnlessEmulated("qemu-user does not set MSG_CTRUNC");
 * Deno.test("...", () => {}); // unchanged: skipped under qemu-user
 * linuxOnlyFile("the Linux address families"); // every test registered after it
 * ```
 *
 * @module
 */

/** Running on Linux (a real or an emulated kernel). */
export const IS_LINUX: boolean = Deno.build.os === "linux";

/** Running on macOS. */
export const IS_DARWIN: boolean = Deno.build.os === "darwin";

function detectEmulation(): string | null {
  // .ci/aarch64.sh says so; otherwise a native binary tells: under qemu-user
  // Deno reports aarch64 while a host program started from it (uname, an
  // x86_64 binary the host kernel runs itself) reports the host's machine.
  try {
    const said = Deno.env.get("SOCKFFI_EMULATED");
    if (said) return said;
  } catch {
    // no env permission: try the probe
  }
  if (!IS_LINUX || Deno.build.arch !== "aarch64") return null;
  try {
    const out = new Deno.Command("uname", { args: ["-m"], stdout: "piped", stderr: "null" })
      .outputSync();
    const machine = new TextDecoder().decode(out.stdout).trim();
    return machine !== "" && machine !== "aarch64" ? `qemu-user on ${machine}` : null;
  } catch {
    return null;
  }
}

/** `"qemu-aarch64"` (or `"qemu-user on x86_64"`) when emulated, else null. */
export const EMULATED: string | null = detectEmulation();

/**
 * How much longer waits on child processes may take here: a Deno child
 * starts in about 0.1 s natively and 5-15 s under qemu-user.
 */
export const TIME_SCALE: number = EMULATED === null ? 1 : 10;

const told = new Set<string>();

function skip(reason: string): { ignore: true } {
  if (!told.has(reason)) {
    told.add(reason);
    console.log(`skipped here: ${reason}`);
  }
  return { ignore: true };
}

/**
 * Deno.test options that skip the test off Linux, printing why.
 *
 * @param why what makes the test Linux-only (e.g. "AF_PACKET is Linux's")
 */
export function linuxOnly(why: string): { ignore: boolean } {
  return IS_LINUX ? { ignore: false } : skip(`${why} (Linux only; this is ${Deno.build.os})`);
}

type TestFn = Deno.TestDefinition["fn"];

/** Registers what `Deno.test(a, b, c)` would, with `ignore: true`, through `real`. */
function registerIgnored(real: typeof Deno.test, a: unknown, b?: unknown, c?: unknown): void {
  let def: Deno.TestDefinition;
  if (typeof a === "function") def = { name: a.name, fn: a as TestFn };
  else if (typeof a === "string") {
    def = typeof b === "function"
      ? { name: a, fn: b as TestFn }
      : { ...(b as object), name: a, fn: c as TestFn };
  } else if (typeof b === "function") def = { ...(a as Deno.TestDefinition), fn: b as TestFn };
  else def = a as Deno.TestDefinition;
  real({ ...def, ignore: true });
}

/** Replaces this module's `Deno.test` by `f` (with `.ignore`/`.only` the same). */
function setTest(f: (a: unknown, b?: unknown, c?: unknown) => void): void {
  (Deno as { test: unknown }).test = Object.assign(f, { ignore: f, only: f });
}

/** The next test this module registers is skipped, with `reason` printed. */
function ignoreNext(reason: string): void {
  skip(reason);
  const real = Deno.test;
  setTest((a, b, c) => {
    (Deno as { test: unknown }).test = real;
    registerIgnored(real, a, b, c);
  });
}

/**
 * Skips the next test this module registers off Linux, printing why: a line
 * above an unchanged `Deno.test(...)`.
 *
 * @param why what makes the test Linux-only
 */
export function nextTestOnLinux(why: string): void {
  if (!IS_LINUX) ignoreNext(`${why} (Linux only; this is ${Deno.build.os})`);
}

/**
 * Skips the next test this module registers under qemu-user emulation,
 * printing why: a line above an unchanged `Deno.test(...)`, for a test that
 * meets a known difference of qemu-user from a real kernel.
 *
 * @param why the qemu-user difference
 */
export function nextTestUnlessEmulated(why: string): void {
  if (EMULATED !== null) ignoreNext(`${why} (under ${EMULATED})`);
}

/**
 * Makes every test this module registers after the call skip off Linux,
 * printing why once: for a test file that is about Linux features as a
 * whole (its families, /proc). Call it right after the imports. Each test
 * module has its own `Deno.test`, so other files are not affected.
 *
 * @param why what makes the file Linux-only
 */
export function linuxOnlyFile(why: string): void {
  if (IS_LINUX) return;
  skip(`${why} (Linux only; this is ${Deno.build.os})`);
  const real = Deno.test;
  setTest((a, b, c) => registerIgnored(real, a, b, c));
}

/**
 * Deno.test options that skip the test under qemu-user emulation, printing
 * why: only for behaviour qemu-user is known to translate differently from
 * a real kernel (plain C shows the same difference under qemu).
 *
 * @param why the qemu-user difference, e.g. "qemu-user does not set MSG_CTRUNC"
 */
export function notEmulated(why: string): { ignore: boolean } {
  return EMULATED === null ? { ignore: false } : skip(`${why} (under ${EMULATED})`);
}
