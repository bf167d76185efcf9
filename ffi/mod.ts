/**
 * Opens the C library for the running OS, lazily, and exposes its symbols,
 * errno and the struct layouts. Nothing here runs at import time, so the
 * package can be imported (for its types and constants) without
 * `--allow-ffi`; the first call that needs libc opens it.
 *
 * @module
 */

import {
  LIBC_PATH as LINUX_LIBC,
  READINESS as LINUX_READINESS,
  symbols as linuxSymbols,
} from "./linux.ts";
import { linux_aarch64, linux_x86_64, type LinuxLayout } from "./structs.ts";

export type { Layout } from "./structs.ts";

/** The symbol table type; every OS table provides the same names. */
export type SymbolTable = typeof linuxSymbols;
/** The opened library's callable symbols. */
export type Libc = Deno.DynamicLibrary<SymbolTable>["symbols"];

let lib: Libc | undefined;
let errnoCell: Int32Array | undefined;

function unsupported(): Error {
  return new Error(
    `sockffi: not supported on ${Deno.build.os} ${Deno.build.arch} yet (no ffi/ table for it)`,
  );
}

/** The running system's name as Deno reports it (`"linux"`...), for messages in src/. */
export const osName: string = Deno.build.os;

/** The struct layouts for this OS and architecture. */
export const layout: LinuxLayout = Deno.build.os === "linux"
  ? (Deno.build.arch === "aarch64" ? linux_aarch64 : linux_x86_64)
  : linux_x86_64;

/**
 * How this system waits for socket readiness, for the async reactor:
 * `mechanism` is the readiness API its table provides (`"epoll"`, or the
 * portable `"poll"`), `waker` how the reactor interrupts its own in-flight
 * wait (`"eventfd"`, or a `"pipe"`). `src/` picks its reactor from this and
 * never looks at the OS name.
 */
export interface Readiness {
  /** The readiness API: epoll on Linux, poll() elsewhere. */
  readonly mechanism: "epoll" | "poll";
  /** What wakes an in-flight wait: an eventfd on Linux, a pipe elsewhere. */
  readonly waker: "eventfd" | "pipe";
}

/** This system's readiness capability (see {@linkcode Readiness}). */
export const readiness: Readiness = Deno.build.os === "linux"
  ? LINUX_READINESS
  : { mechanism: "poll", waker: "pipe" };

function libraryPath(): string {
  // An override for unusual systems (musl, a non-standard libc location).
  // Read only when env access is already granted, so that it never prompts.
  try {
    const state = Deno.permissions.querySync({ name: "env", variable: "SOCKFFI_LIBC" }).state;
    if (state === "granted") return Deno.env.get("SOCKFFI_LIBC") ?? LINUX_LIBC;
  } catch {
    // permissions API unavailable: use the default
  }
  return LINUX_LIBC;
}

function open(): Libc {
  if (Deno.build.os !== "linux") throw unsupported();
  const path = libraryPath();
  let dl: Deno.DynamicLibrary<SymbolTable>;
  try {
    dl = Deno.dlopen(path, linuxSymbols);
  } catch (e) {
    const notCapable = (Deno.errors as Record<string, unknown>).NotCapable as
      | (new (msg: string, opts?: ErrorOptions) => Error)
      | undefined;
    if (
      e instanceof Deno.errors.PermissionDenied || (notCapable && e instanceof notCapable)
    ) {
      const Ctor = (e as Error).constructor as new (msg: string, opts?: ErrorOptions) => Error;
      throw new Ctor(
        `sockffi needs FFI access to call the C library (${path}): run with --allow-ffi ` +
          `(plain --allow-ffi: a path-scoped or prompted grant makes dlopen look in the ` +
          `working directory, denoland/deno#29246). Note that FFI sockets are not confined ` +
          `by --allow-net.`,
        { cause: e },
      );
    }
    throw new Error(`sockffi: cannot open the C library "${path}": ${(e as Error).message}`, {
      cause: e,
    });
  }
  lib = dl.symbols;
  const p = lib.__errno_location();
  if (p === null) throw new Error("sockffi: __errno_location() returned NULL");
  errnoCell = new Int32Array(Deno.UnsafePointerView.getArrayBuffer(p, 4));
  return lib;
}

/**
 * The C library's symbols, opened on first use.
 *
 * @throws {Deno.errors.NotCapable} without `--allow-ffi`, with a message that says so.
 */
export function libc(): Libc {
  return lib ?? open();
}

/**
 * The calling thread's `errno`, read through a view over the JavaScript
 * thread's errno cell (1 ns, against 37 ns for `UnsafePointerView.getInt32`).
 * Valid only right after a failing call made on the JavaScript thread: never
 * after a `nonblocking: true` call, which ran on another thread.
 */
export function errno(): number {
  return errnoCell![0];
}

/** Sets errno to 0 before a call whose failure is not signalled by its result alone. */
export function clearErrno(): void {
  errnoCell![0] = 0;
}
