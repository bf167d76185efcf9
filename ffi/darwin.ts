/**
 * The libc symbol table for macOS (`/usr/lib/libSystem.B.dylib`), on Apple
 * silicon (aarch64) and Intel (x86_64).
 *
 * The symbols whose C prototype is the same as on Linux come from
 * ffi/_posix.ts, the table both systems spread; this one adds kqueue for
 * the reactor and, where macOS differs, the raw symbol as macOS has it,
 * for which ffi/_darwin_libc.ts presents the Linux-shaped function `src/`
 * calls:
 * - errno is `int *__error(void)`, not `__errno_location`;
 * - no `accept4`, `SOCK_CLOEXEC`, `SOCK_NONBLOCK`, `MSG_CMSG_CLOEXEC`,
 *   `dup3`, `epoll`, `eventfd`: descriptors are made close-on-exec with
 *   `fcntl` right after the call (`SO_NOSIGPIPE` exists, and the SDK 15
 *   headers define `MSG_NOSIGNAL`; neither is needed, as Deno runs with
 *   SIGPIPE ignored);
 * - `strerror_r` is the XSI form (returns an int);
 * - `nfds_t` is `unsigned int`; `sethostname` takes an `int` length;
 * - `sendfile(int fd, int s, off_t offset, off_t *len, struct sf_hdtr *hdtr,
 *   int flags)`: file first, offset by value, the length in/out;
 * - no `gethostbyname_r` & co.: the reentrant hostent calls are
 *   `getipnodebyname`/`getipnodebyaddr` (RFC 2553, a malloc'd result freed
 *   with `freehostent`); `getservbyname`/`getservbyport`/`getprotobyname`
 *   keep their result in thread-specific storage and are called on the
 *   JavaScript thread only, their result copied out at once.
 *
 * Every name here was checked against the macOS SDK headers (the
 * `any-macos-any` tree): compiling a reference to each with `clang -target
 * {arm64,x86_64}-apple-macos13` gives plain `_name` symbols (no `$UNIX2003`
 * or `$NOCANCEL` suffix on the 64-bit ABIs), so `dlsym(name)` finds them.
 *
 * The same rules as ffi/_posix.ts keep Deno's fast call path: `buffer`
 * parameters for byte buffers, BigInt for `usize`, `i32` results for
 * `ssize_t` transfers (src/ caps one transfer at `layout.MAX_RW`).
 *
 * ## `fcntl` is variadic, and Apple's arm64 ABI passes variadic arguments on the stack
 *
 * Deno's FFI has no variadic declarations. On x86_64 (macOS and Linux) and
 * on aarch64 Linux a variadic `int` goes in the same register as the third
 * fixed parameter would, so `fcntl(i32, i32, i32)` is right there. Apple's
 * arm64 ABI differs: every variadic argument goes on the stack, in an
 * 8-byte slot. `clang -target arm64-apple-macos13 -O1 -S` of
 * `fcntl(fd, 4, arg)` gives
 *
 * ```
 * str  x1, [sp]      ; arg, in the first stack slot
 * mov  w1, #4        ; cmd in w1, fd stays in w0
 * bl   _fcntl
 * ```
 *
 * and a fixed call `f(int, int, long x6, long)` with the real argument
 * ninth gives `str x8, [sp]` after filling x0..x7: the first eight integer
 * arguments go in registers, the ninth in the first stack slot, where
 * `fcntl`'s `va_arg` reads it. So on darwin/aarch64 `fcntl` is declared
 * with two `i32`, six dummy `i64` (x2..x7, ignored) and the argument as an
 * `i64`; ffi/_darwin_libc.ts fills the dummies. That Deno's FFI puts a
 * ninth `i64` in the first stack slot was checked on Linux aarch64 (qemu,
 * the arm64 Deno 2.9.6): a fixed C function whose body is `ldr w0, [sp]`
 * returned the ninth argument on 200,000 calls, before and after the JIT
 * optimized the caller (AAPCS64 and Apple's ABI place an 8-byte stack
 * argument alike). On x86_64 macOS the same
 * compile puts the variadic `int` in `%edx`, where a fixed third `int`
 * goes; it also sets `%al` (the count of vector registers used), which a
 * fixed call leaves unset, but the callee only reads it to decide whether to
 * save the vector registers, so any value is harmless: the three-`i32`
 * declaration is right there, as on Linux.
 *
 * @module
 */

import { posixSymbols } from "./_posix.ts";

/** The C library on macOS (a dyld shared-cache path: dlopen finds it without a file). */
export const LIBC_PATH = "/usr/lib/libSystem.B.dylib";

/**
 * How the async reactor waits here: kqueue, woken through a pipe (macOS
 * has no eventfd; EVFILT_USER exists, but a pipe works on every BSD).
 */
export const READINESS = { mechanism: "kqueue", waker: "pipe" } as const;

/**
 * The C library's own facts for `Features` in ffi/mod.ts (the flag and
 * option constants' presence comes from the constants table): no `accept4`,
 * so the portable `accept4` of ffi/_darwin_libc.ts is `accept` + fcntl.
 */
export const FEATURES = { accept4: false } as const;

/**
 * kqueue(2), for the reactor. Declared here and typed into every OS's
 * `Libc` (ffi/mod.ts); on a system without kqueue they fail with ENOSYS.
 */
export const kqueueSymbols = {
  /** int kqueue(void) */
  kqueue: { parameters: [], result: "i32" },
  /** int kevent(int kq, const struct kevent *changelist, int nchanges, struct kevent *eventlist, int nevents, const struct timespec *timeout) */
  kevent: {
    parameters: [
      "i32", // int kq
      "buffer", // const struct kevent *changelist
      "i32", // int nchanges
      "buffer", // struct kevent *eventlist
      "i32", // int nevents
      "buffer", // const struct timespec *timeout (NULL: wait until an event)
    ],
    result: "i32",
  },
  /** kevent on a worker thread: the reactor's single in-flight wait */
  kevent_nb: {
    name: "kevent",
    parameters: ["i32", "buffer", "i32", "buffer", "i32", "buffer"],
    result: "i32",
    nonblocking: true,
  },
} as const satisfies Deno.ForeignLibraryInterface;

/** The symbols whose declaration is the same on both macOS architectures. */
export const common = {
  ...kqueueSymbols,
  ...posixSymbols,

  // ---- errno and error text ----
  /** int *__error(void) — the calling thread's errno */
  __error: { parameters: [], result: "pointer" },
  /** int strerror_r(int errnum, char *strerrbuf, size_t buflen) — the XSI form */
  strerror_r: {
    parameters: [
      "i32", // int errnum
      "buffer", // char *strerrbuf
      "usize", // size_t buflen
    ],
    result: "i32",
  },

  // ---- data transfer ----
  /** int sendfile(int fd, int s, off_t offset, off_t *len, struct sf_hdtr *hdtr, int flags) */
  sendfile: {
    parameters: [
      "i32", // int fd (the file)
      "i32", // int s (the socket)
      "i64", // off_t offset
      "buffer", // off_t *len (in: bytes to send, 0 = to the end; out: bytes sent)
      "pointer", // struct sf_hdtr *hdtr (NULL)
      "i32", // int flags (0)
    ],
    result: "i32",
  },

  // ---- readiness ----
  /** int poll(struct pollfd fds[], nfds_t nfds, int timeout) — nfds_t is unsigned int here */
  poll: {
    parameters: [
      "buffer", // struct pollfd fds[]
      "u32", // nfds_t nfds (unsigned int)
      "i32", // int timeout (ms)
    ],
    result: "i32",
  },
  /** poll on a worker thread */
  poll_nb: { name: "poll", parameters: ["buffer", "u32", "i32"], result: "i32", nonblocking: true },

  // ---- resolver ----
  /** struct hostent *getipnodebyname(const char *name, int af, int flags, int *error_num) — malloc'd result */
  getipnodebyname: {
    parameters: [
      "buffer", // const char *name
      "i32", // int af
      "i32", // int flags
      "buffer", // int *error_num
    ],
    result: "pointer",
  },
  /** getipnodebyname on a worker thread (async API) */
  getipnodebyname_nb: {
    name: "getipnodebyname",
    parameters: ["buffer", "i32", "i32", "buffer"],
    result: "pointer",
    nonblocking: true,
  },
  /** struct hostent *getipnodebyaddr(const void *src, size_t len, int af, int *error_num) — malloc'd result */
  getipnodebyaddr: {
    parameters: [
      "buffer", // const void *src
      "usize", // size_t len
      "i32", // int af
      "buffer", // int *error_num
    ],
    result: "pointer",
  },
  /** getipnodebyaddr on a worker thread (async API) */
  getipnodebyaddr_nb: {
    name: "getipnodebyaddr",
    parameters: ["buffer", "usize", "i32", "buffer"],
    result: "pointer",
    nonblocking: true,
  },
  /** void freehostent(struct hostent *ptr) */
  freehostent: { parameters: ["pointer"], result: "void" },
  /** struct servent *getservbyname(const char *name, const char *proto) — thread-specific storage */
  getservbyname: { parameters: ["buffer", "buffer"], result: "pointer" },
  /** struct servent *getservbyport(int port, const char *proto) — port in network byte order */
  getservbyport: { parameters: ["i32", "buffer"], result: "pointer" },
  /** struct protoent *getprotobyname(const char *name) — thread-specific storage */
  getprotobyname: { parameters: ["buffer"], result: "pointer" },
  /** int sethostname(const char *name, int namelen) — an int length here */
  sethostname: { parameters: ["buffer", "i32"], result: "i32" },
} as const satisfies Deno.ForeignLibraryInterface;

/**
 * macOS on Intel: `fcntl(int fildes, int cmd, ...)` with the variadic
 * `int` in the third argument register, as a fixed three-int call (see the
 * module doc).
 */
export const symbols_x86_64 = {
  ...common,
  /** int fcntl(int fildes, int cmd, ...) — the variadic int in %edx, as a fixed third int */
  fcntl: { parameters: ["i32", "i32", "i32"], result: "i32" },
} as const satisfies Deno.ForeignLibraryInterface;

/**
 * macOS on Apple silicon: `fcntl(int fildes, int cmd, ...)` declared so the
 * argument lands in the first stack slot, where Apple's arm64 ABI puts a
 * variadic argument (see the module doc): x0 fildes, x1 cmd, x2..x7 unused,
 * the ninth (stack) argument the value.
 */
export const symbols_aarch64 = {
  ...common,
  /** int fcntl(int fildes, int cmd, ...) — fildes, cmd, six unused registers, then the argument at [sp] */
  fcntl: {
    parameters: [
      "i32", // int fildes (w0)
      "i32", // int cmd (w1)
      "i64", // unused (x2)
      "i64", // unused (x3)
      "i64", // unused (x4)
      "i64", // unused (x5)
      "i64", // unused (x6)
      "i64", // unused (x7)
      "i64", // the variadic argument: first stack slot, 8 bytes
    ],
    result: "i32",
  },
} as const satisfies Deno.ForeignLibraryInterface;

/** The raw symbols both macOS tables share (all but `fcntl`). */
export type DarwinCommon = Deno.DynamicLibrary<typeof common>["symbols"];
