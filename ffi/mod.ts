/**
 * Opens the C library for the running OS, lazily, and exposes its symbols,
 * errno, the struct layouts and what the system can do. Nothing here runs
 * at import time, so the package can be imported (for its types and
 * constants) without `--allow-ffi`; the first call that needs libc opens it.
 *
 * Systems: Linux (glibc `libc.so.6`) on x86_64 and aarch64, macOS
 * (`/usr/lib/libSystem.B.dylib`) on aarch64 and x86_64. Every one presents
 * the same {@linkcode Libc}: the Linux table's functions, with adapters in
 * ffi/ where a system's C functions differ (ffi/_darwin_libc.ts). `src/`
 * never names an OS: it reads {@linkcode layout}, {@linkcode readiness}
 * and {@linkcode features}.
 *
 * @module
 */

import {
  FEATURES as LINUX_FEATURES,
  LIBC_PATH as LINUX_LIBC,
  READINESS as LINUX_READINESS,
  symbols as linuxSymbols,
} from "./linux.ts";
import {
  type DarwinCommon,
  FEATURES as DARWIN_FEATURES,
  LIBC_PATH as DARWIN_LIBC,
  READINESS as DARWIN_READINESS,
  symbols_aarch64 as darwinSymbolsAarch64,
  symbols_x86_64 as darwinSymbolsX86_64,
} from "./darwin.ts";
import { errnoValues, sys } from "../constants/mod.ts";
import { type Fcntl3, portableDarwin } from "./_darwin_libc.ts";
import { missing, missingAsync } from "./_missing.ts";
import type { Libc } from "./_libc_type.ts";
import * as structs from "./structs.ts";
import type { Layout } from "./structs.ts";

export type { Layout } from "./structs.ts";
export type { Libc, SymbolTable } from "./_libc_type.ts";

/** `os/arch` as Deno names them, e.g. `"darwin/aarch64"`. */
const TARGET = `${Deno.build.os}/${Deno.build.arch}`;

let lib: Libc | undefined;
let errnoCell: Int32Array | undefined;

/** The struct layouts per `os/arch` that ffi/structs.ts provides. */
const LAYOUTS: Readonly<Record<string, Layout | undefined>> = {
  "linux/x86_64": structs.linux_x86_64,
  "linux/aarch64": structs.linux_aarch64,
  "darwin/aarch64": structs.darwin_aarch64,
  "darwin/x86_64": structs.darwin_x86_64,
};

function unsupported(): Error {
  return new Error(
    `sockffi: not supported on ${Deno.build.os} ${Deno.build.arch} yet (no ffi/ table for it; ` +
      `supported: linux x86_64/aarch64, darwin aarch64/x86_64)`,
  );
}

/** The running system's name as Deno reports it (`"linux"`...), for messages in src/. */
export const osName: string = Deno.build.os;

/**
 * The struct layouts for this OS and architecture (those of linux/x86_64 on
 * a system without a table, so that importing for types still works; the
 * first libc call there throws).
 */
export const layout: Layout = LAYOUTS[TARGET] ?? structs.linux_x86_64;

/**
 * How this system waits for socket readiness, for the async reactor:
 * `mechanism` is the readiness API its table provides, `waker` how the
 * reactor interrupts its own in-flight wait. `src/` picks its reactor from
 * this and never looks at the OS name.
 */
export interface Readiness {
  /** The readiness API: epoll on Linux, kqueue on macOS, poll() elsewhere. */
  readonly mechanism: "epoll" | "kqueue" | "poll";
  /** What wakes an in-flight wait: an eventfd on Linux, a pipe elsewhere. */
  readonly waker: "eventfd" | "pipe";
}

/** This system's readiness capability (see {@linkcode Readiness}). */
export const readiness: Readiness = Deno.build.os === "linux"
  ? LINUX_READINESS
  : Deno.build.os === "darwin"
  ? DARWIN_READINESS
  : { mechanism: "poll", waker: "pipe" };

/**
 * What the system's socket API has, where systems differ. `src/` reads
 * these instead of the OS name.
 */
export interface Features {
  /**
   * `socket()`/`socketpair()` take SOCK_CLOEXEC (and SOCK_NONBLOCK) in the
   * type, so a descriptor is close-on-exec from birth. Where false, the
   * portable `socket`, `socketpair` and `accept4` of {@linkcode Libc} set
   * FD_CLOEXEC right after the call (not atomic against a concurrent fork).
   */
  readonly sockCloexec: boolean;
  /** `accept4(2)` exists; where false, {@linkcode Libc}'s `accept4` is `accept` + fcntl. */
  readonly accept4: boolean;
  /** The MSG_NOSIGNAL send flag exists. */
  readonly msgNoSignal: boolean;
  /** The SO_NOSIGPIPE socket option exists (BSD, macOS). */
  readonly soNoSigpipe: boolean;
  /** The MSG_CMSG_CLOEXEC recvmsg flag exists (received descriptors close-on-exec atomically). */
  readonly cmsgCloexec: boolean;
  /** Sockaddrs start with a one-byte `sa_len` (BSD, macOS); see `layout.saLen`. */
  readonly saLen: boolean;
}

/** This system's {@linkcode Features}: its constants table and C library say. */
export const features: Features = {
  sockCloexec: sys.SOCK_CLOEXEC !== undefined,
  accept4: (Deno.build.os === "darwin" ? DARWIN_FEATURES : LINUX_FEATURES).accept4,
  msgNoSignal: sys.MSG_NOSIGNAL !== undefined,
  soNoSigpipe: sys.SO_NOSIGPIPE !== undefined,
  cmsgCloexec: sys.MSG_CMSG_CLOEXEC !== undefined,
  saLen: layout.saLen,
};

/** The C library's default path here. */
const DEFAULT_LIBC = Deno.build.os === "darwin" ? DARWIN_LIBC : LINUX_LIBC;

function libraryPath(): string {
  // An override for unusual systems (musl, a non-standard libc location).
  // Read only when env access is already granted, so that it never prompts.
  try {
    const state = Deno.permissions.querySync({ name: "env", variable: "SOCKFFI_LIBC" }).state;
    if (state === "granted") return Deno.env.get("SOCKFFI_LIBC") ?? DEFAULT_LIBC;
  } catch {
    // permissions API unavailable: use the default
  }
  return DEFAULT_LIBC;
}

function dlopen<S extends Deno.ForeignLibraryInterface>(
  path: string,
  table: S,
): Deno.DynamicLibrary<S>["symbols"] {
  try {
    return Deno.dlopen(path, table).symbols;
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
}

/** A view of the calling thread's errno cell at `p` (from `__errno_location()`/`__error()`). */
function errnoView(p: Deno.PointerValue, fn: string): Int32Array {
  if (p === null) throw new Error(`sockffi: ${fn}() returned NULL`);
  return new Int32Array(Deno.UnsafePointerView.getArrayBuffer(p, 4));
}

function openLinux(path: string): Libc {
  const raw = dlopen(path, linuxSymbols);
  const cell = errnoView(raw.__errno_location(), "__errno_location");
  errnoCell = cell;
  const enosys = missing(cell, errnoValues.ENOSYS);
  return { ...raw, kqueue: enosys, kevent: enosys, kevent_nb: missingAsync() };
}

function openDarwin(path: string): Libc {
  if (Deno.build.arch === "aarch64") {
    const raw = dlopen(path, darwinSymbolsAarch64);
    const f = raw.fcntl;
    // Apple arm64: the variadic argument goes in the first stack slot (ffi/darwin.ts).
    return darwinLibc(raw, (fd, cmd, arg) => f(fd, cmd, 0n, 0n, 0n, 0n, 0n, 0n, BigInt(arg)));
  }
  const raw = dlopen(path, darwinSymbolsX86_64);
  return darwinLibc(raw, raw.fcntl);
}

/** The portable `Libc` over either macOS table, given its three-int `fcntl`. */
function darwinLibc(raw: DarwinCommon, fcntl: Fcntl3): Libc {
  const cell = errnoView(raw.__error(), "__error");
  errnoCell = cell;
  return portableDarwin(raw, fcntl, cell, layout);
}

function open(): Libc {
  if (LAYOUTS[TARGET] === undefined) throw unsupported();
  const path = libraryPath();
  lib = Deno.build.os === "darwin" ? openDarwin(path) : openLinux(path);
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
