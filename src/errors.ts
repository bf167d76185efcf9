/**
 * The exception classes of Python's `socket` module.
 *
 * | Python            | sockffi                     |
 * | ----------------- | --------------------------- |
 * | `OSError`         | {@linkcode SocketError}     |
 * | `socket.error`    | {@linkcode error} (alias)   |
 * | `socket.herror`   | {@linkcode herror}          |
 * | `socket.gaierror` | {@linkcode gaierror}        |
 * | `socket.timeout`  | {@linkcode timeout}         |
 * | `ValueError`, `OverflowError` | `RangeError`    |
 * | `TypeError`       | `TypeError`                 |
 *
 * @module
 */

import { errnoValues, errorcode, sys } from "../constants/mod.ts";

/**
 * An error reported by the operating system: Python's `OSError` as the
 * `socket` module raises it.
 *
 * `errno` is the C `errno` value, `strerror` the C library's text for it,
 * `code` its symbolic name (`"ECONNREFUSED"`), and `syscall` the C function
 * that failed. EAGAIN on a non-blocking socket is a `SocketError` with
 * `code === "EAGAIN"` (Python's `BlockingIOError`).
 *
 * @example Catch a refused connection
 * ```ts
 * import { AF_INET, socket, SocketError } from "@sockffi/socket";
 * const s = socket(AF_INET);
 * try {
 *   s.connect(["127.0.0.1", 1]);
 * } catch (e) {
 *   if (e instanceof SocketError && e.code === "ECONNREFUSED") console.log("refused");
 * } finally {
 *   s.close();
 * }
 * ```
 */
export class SocketError extends Error {
  /** The error number (`errno`, or the EAI_ / h_errno value for the resolver subclasses). */
  readonly errno: number;
  /** The C library's description of the error. */
  readonly strerror: string;
  /** The symbolic name of `errno`, such as `"ECONNREFUSED"`, or `""` when it has none. */
  readonly code: string;
  /** The C function that failed, such as `"connect"`, or `""`. */
  readonly syscall: string;

  /**
   * Builds the error from its parts; the library raises these, users rarely need to.
   *
   * @param errno the error number
   * @param strerror its description
   * @param syscall the failing C function
   * @param code its symbolic name; looked up from `errno` when omitted
   */
  constructor(errno: number, strerror: string, syscall = "", code?: string) {
    const name = code ?? errorcode[errno] ?? "";
    super(
      `[Errno ${errno}] ${strerror}${name ? ` (${name}${syscall ? `, ${syscall}` : ""})` : ""}`,
    );
    this.name = "SocketError";
    this.errno = errno;
    this.strerror = strerror;
    this.code = name;
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
    super(h_errno, strerror, syscall, H_ERRNO_NAMES[h_errno] ?? "");
    this.name = "herror";
    this.message = `[Errno ${h_errno}] ${strerror}`;
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
    this.name = "gaierror";
    this.message = `[Errno ${eai}] ${strerror}`;
  }
}

/**
 * Raised when an operation on a socket in timeout mode (see
 * `Socket.settimeout()`) does not complete in time, and by the async API
 * when its timeout expires. Python's `socket.timeout` (`TimeoutError`).
 *
 * Its message is `"timed out"`. Python leaves `errno` as `None`; here it is
 * `ETIMEDOUT`'s value and `code` is `"ETIMEDOUT"`, so that every
 * `SocketError` has a number.
 */
export class timeout extends SocketError {
  /**
   * Builds the error for an operation that timed out.
   *
   * @param syscall the operation that timed out
   */
  constructor(syscall = "") {
    super(errnoValues.ETIMEDOUT, "timed out", syscall, "ETIMEDOUT");
    this.name = "timeout";
    this.message = "timed out";
  }
}
