/**
 * The libc symbol table for Linux (glibc, `libc.so.6`).
 *
 * The symbols whose declaration is the same on every system come from
 * ffi/_posix.ts (socket calls, send/recv, getaddrinfo, if_*, inet_*); this
 * table adds glibc's own: `__errno_location`, the GNU `strerror_r`,
 * `accept4`, `dup3`, `fcntl`, Linux's `sendfile`, `poll` (`nfds_t` is
 * `unsigned long`), epoll and eventfd, the reentrant `*_r` resolver calls
 * and `sethostname`. The rules that keep Deno's fast call path are those of
 * ffi/_posix.ts (see DESIGN.md, "Rules for the FFI layer"); `sendfile`'s
 * `ssize_t` result is an `i32` too, as Linux caps one transfer at
 * MAX_RW_COUNT (2^31 - 4096).
 *
 * `fcntl` is variadic; on x86_64 and aarch64 Linux a fixed three-int call is
 * ABI-compatible with it (the int goes in a register either way).
 *
 * @module
 */

import { posixSymbols } from "./_posix.ts";

/** The shared object that holds the C library on Linux. */
export const LIBC_PATH = "libc.so.6";

/**
 * How the async reactor (src/reactor.ts) waits for readiness here: its
 * mechanism and how it wakes its own in-flight wait. Linux has epoll and
 * eventfd; a table for a system with neither says `{ mechanism: "poll", waker:
 * "pipe" }` and the portable poll() reactor is used.
 */
export const READINESS = { mechanism: "epoll", waker: "eventfd" } as const;

/**
 * The C library's own facts for `Features` in ffi/mod.ts (the flag and
 * option constants' presence comes from the constants table): glibc has
 * `accept4`.
 */
export const FEATURES = { accept4: true } as const;

/** The symbol table opened with `Deno.dlopen` on Linux. */
export const symbols = {
  ...posixSymbols,

  // ---- errno and error text ----
  /** int *__errno_location(void) */
  __errno_location: { parameters: [], result: "pointer" },
  /** char *strerror_r(int errnum, char *buf, size_t buflen) — the GNU form */
  strerror_r: {
    parameters: [
      "i32", // int errnum
      "buffer", // char *buf
      "usize", // size_t buflen
    ],
    result: "pointer",
  },

  // ---- socket lifecycle ----
  /** int accept4(int sockfd, struct sockaddr *addr, socklen_t *addrlen, int flags) */
  accept4: {
    parameters: [
      "i32", // int sockfd
      "buffer", // struct sockaddr *addr
      "buffer", // socklen_t *addrlen
      "i32", // int flags
    ],
    result: "i32",
  },
  /** int dup3(int oldfd, int newfd, int flags) */
  dup3: { parameters: ["i32", "i32", "i32"], result: "i32" },
  /** int fcntl(int fd, int cmd, int arg) — variadic in C, see the module doc */
  fcntl: { parameters: ["i32", "i32", "i32"], result: "i32" },

  // ---- data transfer ----
  /** ssize_t sendfile(int out_fd, int in_fd, off_t *offset, size_t count) */
  sendfile: {
    parameters: [
      "i32", // int out_fd
      "i32", // int in_fd
      "buffer", // off_t *offset
      "usize", // size_t count
    ],
    result: "i32",
  },

  // ---- readiness ----
  /** int poll(struct pollfd *fds, nfds_t nfds, int timeout) */
  poll: {
    parameters: [
      "buffer", // struct pollfd *fds
      "usize", // nfds_t nfds (unsigned long)
      "i32", // int timeout (ms)
    ],
    result: "i32",
  },
  /** int poll(struct pollfd *fds, nfds_t nfds, int timeout), on a worker thread */
  poll_nb: {
    name: "poll",
    parameters: ["buffer", "usize", "i32"],
    result: "i32",
    nonblocking: true,
  },
  /** int epoll_create1(int flags) */
  epoll_create1: { parameters: ["i32"], result: "i32" },
  /** int epoll_ctl(int epfd, int op, int fd, struct epoll_event *event) */
  epoll_ctl: {
    parameters: [
      "i32", // int epfd
      "i32", // int op
      "i32", // int fd
      "buffer", // struct epoll_event *event
    ],
    result: "i32",
  },
  /** int epoll_wait(int epfd, struct epoll_event *events, int maxevents, int timeout) */
  epoll_wait: {
    parameters: [
      "i32", // int epfd
      "buffer", // struct epoll_event *events
      "i32", // int maxevents
      "i32", // int timeout (ms)
    ],
    result: "i32",
  },
  /** epoll_wait on a worker thread: the reactor's single in-flight wait */
  epoll_wait_nb: {
    name: "epoll_wait",
    parameters: ["i32", "buffer", "i32", "i32"],
    result: "i32",
    nonblocking: true,
  },
  /** int eventfd(unsigned int initval, int flags) */
  eventfd: { parameters: ["u32", "i32"], result: "i32" },

  // ---- resolver ----
  /** int gethostbyname_r(const char *name, struct hostent *ret, char *buf, size_t buflen, struct hostent **result, int *h_errnop) */
  gethostbyname_r: {
    parameters: [
      "buffer", // const char *name
      "buffer", // struct hostent *ret
      "buffer", // char *buf
      "usize", // size_t buflen
      "buffer", // struct hostent **result
      "buffer", // int *h_errnop
    ],
    result: "i32",
  },
  /** gethostbyname_r on a worker thread (async API) */
  gethostbyname_r_nb: {
    name: "gethostbyname_r",
    parameters: ["buffer", "buffer", "buffer", "usize", "buffer", "buffer"],
    result: "i32",
    nonblocking: true,
  },
  /** int gethostbyname2_r(const char *name, int af, struct hostent *ret, char *buf, size_t buflen, struct hostent **result, int *h_errnop) */
  gethostbyname2_r: {
    parameters: [
      "buffer", // const char *name
      "i32", // int af
      "buffer", // struct hostent *ret
      "buffer", // char *buf
      "usize", // size_t buflen
      "buffer", // struct hostent **result
      "buffer", // int *h_errnop
    ],
    result: "i32",
  },
  /** int gethostbyaddr_r(const void *addr, socklen_t len, int type, struct hostent *ret, char *buf, size_t buflen, struct hostent **result, int *h_errnop) */
  gethostbyaddr_r: {
    parameters: [
      "buffer", // const void *addr
      "u32", // socklen_t len
      "i32", // int type
      "buffer", // struct hostent *ret
      "buffer", // char *buf
      "usize", // size_t buflen
      "buffer", // struct hostent **result
      "buffer", // int *h_errnop
    ],
    result: "i32",
  },
  /** gethostbyaddr_r on a worker thread (async API) */
  gethostbyaddr_r_nb: {
    name: "gethostbyaddr_r",
    parameters: ["buffer", "u32", "i32", "buffer", "buffer", "usize", "buffer", "buffer"],
    result: "i32",
    nonblocking: true,
  },
  /** int getservbyname_r(const char *name, const char *proto, struct servent *result_buf, char *buf, size_t buflen, struct servent **result) */
  getservbyname_r: {
    parameters: [
      "buffer", // const char *name
      "buffer", // const char *proto
      "buffer", // struct servent *result_buf
      "buffer", // char *buf
      "usize", // size_t buflen
      "buffer", // struct servent **result
    ],
    result: "i32",
  },
  /** int getservbyport_r(int port, const char *proto, struct servent *result_buf, char *buf, size_t buflen, struct servent **result) */
  getservbyport_r: {
    parameters: [
      "i32", // int port (network byte order)
      "buffer", // const char *proto
      "buffer", // struct servent *result_buf
      "buffer", // char *buf
      "usize", // size_t buflen
      "buffer", // struct servent **result
    ],
    result: "i32",
  },
  /** int getprotobyname_r(const char *name, struct protoent *result_buf, char *buf, size_t buflen, struct protoent **result) */
  getprotobyname_r: {
    parameters: [
      "buffer", // const char *name
      "buffer", // struct protoent *result_buf
      "buffer", // char *buf
      "usize", // size_t buflen
      "buffer", // struct protoent **result
    ],
    result: "i32",
  },
  /** int sethostname(const char *name, size_t len) */
  sethostname: {
    parameters: [
      "buffer", // const char *name
      "usize", // size_t len
    ],
    result: "i32",
  },
} as const satisfies Deno.ForeignLibraryInterface;
