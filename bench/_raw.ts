/**
 * A minimal `Deno.dlopen` table over glibc, private to the benchmarks: the
 * "raw FFI" floor that sockffi's wrappers are measured against. Linux x86_64
 * only (sockaddr layouts and constants are hard-coded here on purpose, so the
 * baseline depends on nothing in `src/`, `ffi/` or `constants/`).
 *
 * Definitions follow the fast-call rules in DESIGN.md: `buffer` parameters,
 * BigInt for `usize`, `i32` results. The `*_u32`, `*_isize` and `*_ptr`
 * variants exist only so `ffi_bench.ts` can measure those choices.
 *
 * @module
 */

/** The libc symbols the benchmarks call, one C prototype per entry. */
export const RAW_SYMBOLS = {
  abs: { parameters: ["i32"], result: "i32" }, // int abs(int j)
  getpid: { parameters: [], result: "i32" }, // pid_t getpid(void)
  __errno_location: { parameters: [], result: "pointer" }, // int *__errno_location(void)
  socket: { parameters: ["i32", "i32", "i32"], result: "i32" }, // int socket(int domain, int type, int protocol)
  socketpair: {
    parameters: [
      "i32", // int domain
      "i32", // int type
      "i32", // int protocol
      "buffer", // int sv[2]
    ],
    result: "i32",
  },
  close: { parameters: ["i32"], result: "i32" }, // int close(int fd)
  shutdown: { parameters: ["i32", "i32"], result: "i32" }, // int shutdown(int sockfd, int how)
  bind: {
    parameters: [
      "i32", // int sockfd
      "buffer", // const struct sockaddr *addr
      "u32", // socklen_t addrlen
    ],
    result: "i32",
  },
  listen: { parameters: ["i32", "i32"], result: "i32" }, // int listen(int sockfd, int backlog)
  accept4: {
    parameters: [
      "i32", // int sockfd
      "buffer", // struct sockaddr *addr
      "buffer", // socklen_t *addrlen
      "i32", // int flags
    ],
    result: "i32",
  },
  connect: {
    parameters: [
      "i32", // int sockfd
      "buffer", // const struct sockaddr *addr
      "u32", // socklen_t addrlen
    ],
    result: "i32",
  },
  send: {
    parameters: [
      "i32", // int sockfd
      "buffer", // const void *buf
      "usize", // size_t len
      "i32", // int flags
    ],
    result: "i32", // ssize_t, never above 2^31 for the lengths used here
  },
  recv: {
    parameters: [
      "i32", // int sockfd
      "buffer", // void *buf
      "usize", // size_t len
      "i32", // int flags
    ],
    result: "i32", // ssize_t
  },
  sendto: {
    parameters: [
      "i32", // int sockfd
      "buffer", // const void *buf
      "usize", // size_t len
      "i32", // int flags
      "buffer", // const struct sockaddr *dest_addr
      "u32", // socklen_t addrlen
    ],
    result: "i32", // ssize_t
  },
  recvfrom: {
    parameters: [
      "i32", // int sockfd
      "buffer", // void *buf
      "usize", // size_t len
      "i32", // int flags
      "buffer", // struct sockaddr *src_addr
      "buffer", // socklen_t *addrlen
    ],
    result: "i32", // ssize_t
  },
  getsockopt: {
    parameters: [
      "i32", // int sockfd
      "i32", // int level
      "i32", // int optname
      "buffer", // void *optval
      "buffer", // socklen_t *optlen
    ],
    result: "i32",
  },
  setsockopt: {
    parameters: [
      "i32", // int sockfd
      "i32", // int level
      "i32", // int optname
      "buffer", // const void *optval
      "u32", // socklen_t optlen
    ],
    result: "i32",
  },
  getsockname: {
    parameters: [
      "i32", // int sockfd
      "buffer", // struct sockaddr *addr
      "buffer", // socklen_t *addrlen
    ],
    result: "i32",
  },
  inet_pton: {
    parameters: [
      "i32", // int af
      "buffer", // const char *src (NUL-terminated)
      "buffer", // void *dst
    ],
    result: "i32",
  },
  getaddrinfo: {
    parameters: [
      "buffer", // const char *node
      "buffer", // const char *service
      "buffer", // const struct addrinfo *hints
      "buffer", // struct addrinfo **res
    ],
    result: "i32",
  },
  freeaddrinfo: { parameters: ["pointer"], result: "void" }, // void freeaddrinfo(struct addrinfo *res)

  // Variants, measured in ffi_bench.ts only. strnlen is userland-only, so its
  // variants show the call-shape cost without a syscall's noise on top.
  strnlen: { parameters: ["buffer", "usize"], result: "i32" }, // size_t strnlen(const char *s, size_t maxlen)
  strnlen_u32: { name: "strnlen", parameters: ["buffer", "u32"], result: "i32" },
  strnlen_isize: { name: "strnlen", parameters: ["buffer", "usize"], result: "isize" },
  send_u32: { name: "send", parameters: ["i32", "buffer", "u32", "i32"], result: "i32" },
  recv_u32: { name: "recv", parameters: ["i32", "buffer", "u32", "i32"], result: "i32" },
  send_isize: { name: "send", parameters: ["i32", "buffer", "usize", "i32"], result: "isize" },
  recv_isize: { name: "recv", parameters: ["i32", "buffer", "usize", "i32"], result: "isize" },
  send_ptr: { name: "send", parameters: ["i32", "pointer", "usize", "i32"], result: "i32" },
  recv_ptr: { name: "recv", parameters: ["i32", "pointer", "usize", "i32"], result: "i32" },
} as const satisfies Deno.ForeignLibraryInterface;

/** The opened library; `raw.symbols.send(...)` and friends. */
export const raw: Deno.DynamicLibrary<typeof RAW_SYMBOLS> = Deno.dlopen("libc.so.6", RAW_SYMBOLS);

/** The symbol functions, taken out of `raw.symbols` once (V8 optimizes these best). */
export const {
  abs,
  getpid,
  socket,
  socketpair,
  close,
  shutdown,
  bind,
  listen,
  accept4,
  connect,
  send,
  recv,
  sendto,
  recvfrom,
  getsockopt,
  setsockopt,
  getsockname,
  inet_pton,
  getaddrinfo,
  freeaddrinfo,
} = raw.symbols;

/** Linux x86_64 values; the benchmarks must not depend on `constants/`. */
export const C = {
  AF_UNIX: 1,
  AF_INET: 2,
  SOCK_STREAM: 1,
  SOCK_DGRAM: 2,
  SOCK_CLOEXEC: 0o2000000,
  SOL_SOCKET: 1,
  SO_REUSEADDR: 2,
  SO_RCVBUF: 8,
  IPPROTO_TCP: 6,
  TCP_NODELAY: 1,
  SHUT_WR: 1,
  AI_NUMERICHOST: 4,
  EINTR: 4,
} as const;

const errnoView = new Int32Array(
  Deno.UnsafePointerView.getArrayBuffer(raw.symbols.__errno_location()!, 4),
);

/** The calling thread's errno, read through a cached view (about 1 ns). */
export function errno(): number {
  return errnoView[0];
}

/** Throws an Error naming the call and errno when `ret` is negative. */
export function check(ret: number, what: string): number {
  if (ret < 0) throw new Error(`${what} failed: errno ${errno()}`);
  return ret;
}

/**
 * Encodes `struct sockaddr_in` for `host`:`port` into `out` (16 bytes, reused
 * by callers on hot paths: a fresh small typed array costs hundreds of ns
 * when passed to FFI) and returns it.
 */
export function sockaddrIn(host: string, port: number, out = new Uint8Array(16)): Uint8Array {
  const parts = host.split(".");
  if (parts.length !== 4) throw new TypeError(`not an IPv4 address: ${host}`);
  out.fill(0, 0, 16);
  out[0] = C.AF_INET & 0xff; // sa_family, little-endian
  out[1] = C.AF_INET >> 8;
  out[2] = port >> 8; // sin_port, network order
  out[3] = port & 0xff;
  for (let i = 0; i < 4; i++) out[4 + i] = Number(parts[i]);
  return out;
}

/** Decodes a `struct sockaddr_in` into `[host, port]`. */
export function decodeSockaddrIn(sa: Uint8Array): [string, number] {
  return [`${sa[4]}.${sa[5]}.${sa[6]}.${sa[7]}`, (sa[2] << 8) | sa[3]];
}

/** A connected AF_UNIX stream socketpair, as two descriptors. */
export function rawSocketpair(type: number = C.SOCK_STREAM): [number, number] {
  const sv = new Int32Array(2);
  check(socketpair(C.AF_UNIX, type | C.SOCK_CLOEXEC, 0, sv), "socketpair");
  return [sv[0], sv[1]];
}

/** A socket bound to 127.0.0.1 on an ephemeral port: `[fd, port]`. */
export function rawBound(type: number): [number, number] {
  const fd = check(socket(C.AF_INET, type | C.SOCK_CLOEXEC, 0), "socket");
  const sa = sockaddrIn("127.0.0.1", 0);
  check(bind(fd, sa, sa.length), "bind");
  const len = new Uint32Array([16]);
  check(getsockname(fd, sa, len), "getsockname");
  return [fd, decodeSockaddrIn(sa)[1]];
}

/** Sets an int-valued socket option. */
export function rawSetInt(fd: number, level: number, opt: number, value: number): void {
  check(setsockopt(fd, level, opt, new Int32Array([value]), 4), "setsockopt");
}

/** A blocking TCP connection to 127.0.0.1:`port`, TCP_NODELAY set. */
export function rawConnect(port: number): number {
  const fd = check(socket(C.AF_INET, C.SOCK_STREAM | C.SOCK_CLOEXEC, 0), "socket");
  const sa = sockaddrIn("127.0.0.1", port);
  while (connect(fd, sa, sa.length) < 0) {
    if (errno() !== C.EINTR) throw new Error(`connect failed: errno ${errno()}`);
  }
  rawSetInt(fd, C.IPPROTO_TCP, C.TCP_NODELAY, 1);
  return fd;
}

/** Accepts one connection on `listener`, TCP_NODELAY set. */
export function rawAccept(listener: number): number {
  let fd: number;
  while ((fd = accept4(listener, null, null, C.SOCK_CLOEXEC)) < 0) {
    if (errno() !== C.EINTR) throw new Error(`accept4 failed: errno ${errno()}`);
  }
  rawSetInt(fd, C.IPPROTO_TCP, C.TCP_NODELAY, 1);
  return fd;
}
