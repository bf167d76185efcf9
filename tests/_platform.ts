/**
 * Where the tests run, for tests that apply to some systems only: the OS,
 * and whether this is Linux aarch64 emulated by qemu-user (whose syscall
 * translation differs from a real kernel in a few documented places).
 * A test that does not apply here is skipped with its reason printed once,
 * so a run on a Mac or under qemu says what it left out and why.
 *
 * ```ts ignore
 * Deno.test({ name: "...", ...linuxOnly("AF_PACKET is Linux's"), fn() {} });
 * Deno.test({ name: "...", ...notEmulated("qemu-user does not set MSG_CTRUNC"), fn() {} });
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
  const ignored = (a: unknown, b?: unknown, c?: unknown): void => {
    let def: Deno.TestDefinition;
    if (typeof a === "function") def = { name: a.name, fn: a as Deno.TestDefinition["fn"] };
    else if (typeof a === "string") {
      def = typeof b === "function"
        ? { name: a, fn: b as Deno.TestDefinition["fn"] }
        : { ...(b as object), name: a, fn: c as Deno.TestDefinition["fn"] };
    } else if (typeof b === "function") {
      def = { ...(a as Deno.TestDefinition), fn: b as Deno.TestDefinition["fn"] };
    } else def = a as Deno.TestDefinition;
    real({ ...def, ignore: true });
  };
  (Deno as { test: unknown }).test = Object.assign(ignored, { ignore: ignored, only: ignored });
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
