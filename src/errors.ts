/**
 * The exception classes of Python's `socket` module.
 *
 * | Python            | sockffi                     |
 * | ----------------- | --------------------------- |
 * | `OSError`         | {@linkcode SocketError}     |
 * | `socket.error`    | {@linkcode error} (alias)   |
 * | `socket.herror`   | {@linkcode herror}          |
 * | `socket.gaierror` | {@linkcode gaierror}        |
 * | `socket.timeout`, `TimeoutError` | {@linkcode timeout}, {@linkcode TimeoutError} |
 * | `ConnectionRefusedError`, `BlockingIOError`, ... | the same names, picked by errno as CPython |
 * | `ValueError`, `OverflowError` | `RangeError`    |
 * | `TypeError`       | `TypeError`                 |
 *
 * `socket.errorTab` (Winsock error texts) exists only on Windows in CPython,
 * so it is absent here, as on Linux.
 *
 * @module
 */

import { errnoValues, errorcode, sys } from "../constants/mod.ts";
import { describe } from "./_args.ts";

/**
 * An error reported by the operating system: Python's `OSError` as the
 * `socket` module raises it.
 *
 * `errno` is the C `errno` value, `strerror` the C library's text for it,
 * `code` its symbolic name (`"ECONNREFUSED"`), and `syscall` the C function
 * that failed. The message reads as Python's `str(e)`:
 * `"[Errno 111] Connection refused"`.
 *
 * Errors the library raises from an errno are instances of the subclass
 * Python picks for that errno ({@linkcode ConnectionRefusedError},
 * {@linkcode BlockingIOError}, ... see {@linkcode errorFromErrno}), so
 * `except ConnectionRefusedError:` ports as
 * `if (e instanceof ConnectionRefusedError)`.
 *
 * Where CPython raises an `OSError` with a message only (errno `None`:
 * `inet_aton`'s "illegal IP address string passed to inet_aton", a timeout's
 * "timed out"), `errno` is `null`, `code` is `""`, and `strerror` holds the
 * message (CPython's `strerror` is `None` there too).
 *
 * @example Catch a refused connection
 * ```ts
 * import { AF_INET, ConnectionRefusedError, socket } from "@sockffi/socket";
 * const s = socket(AF_INET);
 * try {
 *   s.connect(["127.0.0.1", 1]);
 * } catch (e) {
 *   if (e instanceof ConnectionRefusedError) console.log(e.message); // [Errno 111] Connection refused
 * } finally {
 *   s.close();
 * }
 * ```
 */
export class SocketError extends Error {
  /**
   * The error number (`errno`, or the EAI_ / h_errno value for the resolver
   * subclasses); `null` where Python's is `None`.
   */
  readonly errno: number | null;
  /** The C library's description of the error (the message where `errno` is `null`). */
  readonly strerror: string;
  /** The symbolic name of `errno`, such as `"ECONNREFUSED"`, or `""` when it has none. */
  readonly code: string;
  /** The C function that failed, such as `"connect"`, or `""`. */
  readonly syscall: string;

  /**
   * Builds the error from its parts; the library raises these (through
   * {@linkcode errorFromErrno}, which picks the subclass), users rarely need to.
   *
   * @param errno the error number, or `null` for an error with a message only
   * @param strerror its description
   * @param syscall the failing C function
   * @param code its symbolic name; looked up from `errno` when omitted
   */
  constructor(errno: number | null, strerror: string, syscall = "", code?: string) {
    // A caller may build these too: its arguments are checked before they
    // are formatted, so that a Symbol or a detached view is a clear TypeError.
    if (errno !== null && typeof errno !== "number") {
      throw new TypeError(`SocketError: errno must be a number or null, not ${describe(errno)}`);
    }
    for (const [what, v] of [["strerror", strerror], ["syscall", syscall]] as const) {
      if (typeof v !== "string") {
        throw new TypeError(`SocketError: ${what} must be a string, not ${describe(v)}`);
      }
    }
    if (code !== undefined && typeof code !== "string") {
      throw new TypeError(`SocketError: code must be a string, not ${describe(code)}`);
    }
    super(errno === null ? strerror : `[Errno ${errno}] ${strerror}`);
    this.name = new.target.name;
    this.errno = errno;
    this.strerror = strerror;
    this.code = code ?? (errno === null ? "" : errorcode[errno] ?? "");
    this.syscall = syscall;
  }
}

/**
 * Python's `socket.error`: an alias of {@linkcode SocketError}, kept so that
 * `catch (e) { if (e instanceof error) ... }` ports unchanged.
 */
export const error: typeof SocketError = SocketError;

/**
 * Raised by `gethostbyname_ex()`, `gethostbyaddr()` and the other
 * `gethostby*` functions: `errno` is the C `h_errno` value and `strerror`
 * the text of `hstrerror()`.
 */
export class herror extends SocketError {
  /**
   * Builds the error from the resolver's h_errno and its text.
   *
   * @param h_errno the resolver's error number
   * @param strerror its description
   * @param syscall the failing C function
   */
  constructor(h_errno: number, strerror: string, syscall = "") {
    // looked up only for a number: any other value is SocketError's TypeError
    super(
      h_errno,
      strerror,
      syscall,
      typeof h_errno === "number" ? H_ERRNO_NAMES[h_errno] ?? "" : "",
    );
  }
}

/** h_errno value → name, from the generated table (<netdb.h>). */
const H_ERRNO_NAMES: Record<number, string> = {};
for (const name of ["HOST_NOT_FOUND", "TRY_AGAIN", "NO_RECOVERY", "NO_DATA"]) {
  const v = sys[name];
  if (v !== undefined) H_ERRNO_NAMES[v] = name;
}

/**
 * Raised by `getaddrinfo()` and `getnameinfo()`: `errno` is the `EAI_*`
 * value (negative on glibc), `strerror` the text of `gai_strerror()`, and
 * `code` the constant's name, such as `"EAI_NONAME"`.
 */
export class gaierror extends SocketError {
  /**
   * Builds the error from an EAI_* code and gai_strerror's text.
   *
   * @param eai the EAI_* error number
   * @param strerror the text of gai_strerror()
   * @param syscall the failing C function
   * @param code the EAI_* name
   */
  constructor(eai: number, strerror: string, syscall = "getaddrinfo", code = "") {
    super(eai, strerror, syscall, code);
  }
}

/**
 * Python's `ConnectionError`: the parent of {@linkcode BrokenPipeError},
 * {@linkcode ConnectionAbortedError}, {@linkcode ConnectionRefusedError} and
 * {@linkcode ConnectionResetError}. Never raised itself, as in CPython.
 */
export class ConnectionError extends SocketError {}

/** EPIPE and ESHUTDOWN (Python's `BrokenPipeError`): writing to a connection the peer or `shutdown()` closed. */
export class BrokenPipeError extends ConnectionError {}

/** ECONNABORTED (Python's `ConnectionAbortedError`), as from `accept()` when the peer gave up. */
export class ConnectionAbortedError extends ConnectionError {}

/** ECONNREFUSED (Python's `ConnectionRefusedError`): nothing listens at the address. */
export class ConnectionRefusedError extends ConnectionError {}

/** ECONNRESET (Python's `ConnectionResetError`): the peer reset the connection. */
export class ConnectionResetError extends ConnectionError {}

/**
 * EAGAIN/EWOULDBLOCK, EALREADY and EINPROGRESS (Python's `BlockingIOError`):
 * an operation on a non-blocking socket that would block.
 */
export class BlockingIOError extends SocketError {}

/** EINTR (Python's `InterruptedError`); the library retries EINTR itself (PEP 475), so it is rare. */
export class InterruptedError extends SocketError {}

/** ENOENT (Python's `FileNotFoundError`), as from connecting to a missing AF_UNIX path. */
export class FileNotFoundError extends SocketError {}

/** EEXIST (Python's `FileExistsError`), as from binding an AF_UNIX path that exists. */
export class FileExistsError extends SocketError {}

/** EACCES and EPERM (Python's `PermissionError`), as from binding a port below 1024 unprivileged. */
export class PermissionError extends SocketError {}

/** ECHILD (Python's `ChildProcessError`). */
export class ChildProcessError extends SocketError {}

/** ESRCH (Python's `ProcessLookupError`). */
export class ProcessLookupError extends SocketError {}

/** EISDIR (Python's `IsADirectoryError`). */
export class IsADirectoryError extends SocketError {}

/** ENOTDIR (Python's `NotADirectoryError`), as from an AF_UNIX path through a file. */
export class NotADirectoryError extends SocketError {}

/**
 * Python's `TimeoutError`, which `socket.timeout` is an alias of since
 * Python 3.10: raised when an operation on a socket in timeout mode (see
 * `Socket.settimeout()`) does not complete in time, by the async API when its
 * timeout expires, and for an ETIMEDOUT errno (a connect the network never
 * answered).
 *
 * A timeout of the library has the message `"timed out"` and `errno` `null`,
 * as CPython's (`TimeoutError('timed out')`, errno `None`); one from the
 * ETIMEDOUT errno has errno 110 and `"[Errno 110] Connection timed out"`.
 *
 * @example Tell a timeout from other errors
 * ```ts
 * import { AF_INET, SOCK_DGRAM, socket, TimeoutError } from "@sockffi/socket";
 * using s = socket(AF_INET, SOCK_DGRAM);
 * s.bind(["127.0.0.1", 0]);
 * s.settimeout(0.01);
 * try {
 *   s.recv(16);
 * } catch (e) {
 *   if (e instanceof TimeoutError) console.log(e.message, e.errno); // timed out null
 * }
 * ```
 */
export class TimeoutError extends SocketError {
  /**
   * A timeout of `syscall` ("timed out", errno `null`).
   *
   * @param syscall the operation that timed out
   */
  constructor(syscall?: string);
  /**
   * An error with errno and text (ETIMEDOUT), as {@linkcode errorFromErrno} builds.
   *
   * @param errno the error number, or `null`
   * @param strerror its description
   * @param syscall the failing C function
   * @param code its symbolic name; looked up from `errno` when omitted
   */
  constructor(errno: number | null, strerror: string, syscall?: string, code?: string);
  constructor(first: number | null | string = "", strerror?: string, syscall = "", code?: string) {
    const own = typeof first === "string";
    super(
      own ? null : first,
      own ? "timed out" : strerror ?? "timed out",
      own ? first : syscall,
      code,
    );
  }
}

/** Python's `socket.timeout`: an alias of {@linkcode TimeoutError} (Python 3.10+). */
export const timeout: typeof TimeoutError = TimeoutError;
/** Python's `socket.timeout` as a type: {@linkcode TimeoutError}. */
export type timeout = TimeoutError;

type ErrnoClass = new (errno: number, strerror: string, syscall?: string) => SocketError;

/** errno name → the class CPython's `OSError(errno, ...)` becomes (Objects/exceptions.c). */
const CLASS_BY_NAME: ReadonlyArray<readonly [string, ErrnoClass]> = [
  ["EAGAIN", BlockingIOError],
  ["EALREADY", BlockingIOError],
  ["EINPROGRESS", BlockingIOError],
  ["EWOULDBLOCK", BlockingIOError],
  ["EPIPE", BrokenPipeError],
  ["ESHUTDOWN", BrokenPipeError],
  ["ECHILD", ChildProcessError],
  ["ECONNABORTED", ConnectionAbortedError],
  ["ECONNREFUSED", ConnectionRefusedError],
  ["ECONNRESET", ConnectionResetError],
  ["EEXIST", FileExistsError],
  ["ENOENT", FileNotFoundError],
  ["EISDIR", IsADirectoryError],
  ["ENOTDIR", NotADirectoryError],
  ["EINTR", InterruptedError],
  ["EACCES", PermissionError],
  ["EPERM", PermissionError],
  ["ENOTCAPABLE", PermissionError],
  ["ESRCH", ProcessLookupError],
  ["ETIMEDOUT", TimeoutError],
];

const CLASS_BY_ERRNO = new Map<number, ErrnoClass>();
for (const [name, cls] of CLASS_BY_NAME) {
  const v = errnoValues[name];
  if (v !== undefined) CLASS_BY_ERRNO.set(v, cls);
}

/**
 * The error for errno value `errno`, of the class CPython's `OSError(errno,
 * strerror)` becomes: {@linkcode ConnectionRefusedError} for ECONNREFUSED,
 * {@linkcode BlockingIOError} for EAGAIN, EALREADY and EINPROGRESS,
 * {@linkcode BrokenPipeError} for EPIPE and ESHUTDOWN, {@linkcode TimeoutError}
 * for ETIMEDOUT, ..., and {@linkcode SocketError} for the rest.
 *
 * @param errno the C errno value
 * @param strerror its description
 * @param syscall the failing C function
 * @returns the error, not thrown
 *
 * @example
 * ```ts
 * import { ConnectionRefusedError, errorFromErrno } from "@sockffi/socket";
 * const e = errorFromErrno(111, "Connection refused", "connect");
 * console.log(e instanceof ConnectionRefusedError, e.message); // true "[Errno 111] Connection refused"
 * ```
 */
export function errorFromErrno(errno: number, strerror: string, syscall = ""): SocketError {
  const cls = CLASS_BY_ERRNO.get(errno) ?? SocketError;
  return new cls(errno, strerror, syscall);
}
