/**
 * The libc symbols whose C prototype, and so whose declaration, is the same
 * on every system sockffi has a table for (Linux's glibc, macOS's
 * libSystem): ffi/linux.ts and ffi/darwin.ts each spread this table into
 * their own and add what their C library has or declares differently
 * (errno, `strerror_r`, `sendfile`, `poll`'s `nfds_t`, `sethostname`'s
 * length, the reentrant resolver calls, epoll or kqueue).
 *
 * Every parameter is commented with its C type, and the rules that keep
 * Deno's fast call path hold (see DESIGN.md, "Rules for the FFI layer"):
 * - byte buffers are `buffer` parameters (a TypedArray or ArrayBuffer, its
 *   offset honoured), never `Deno.UnsafePointer.of()` per call;
 * - `size_t` parameters are `usize` and must be given a BigInt;
 * - `ssize_t` results of send/recv/sendmsg/recvmsg/read/write are declared
 *   `i32`: src/ caps one transfer at `layout.MAX_RW` (on Linux the kernel
 *   caps it at MAX_RW_COUNT, 2^31 - 4096), so the value always fits and -1
 *   stays -1, and an i32 result avoids a BigInt;
 * - blocking resolver calls have a `_nb` twin marked `nonblocking: true` for
 *   the async API; errno is never read after those (it lives on another
 *   thread).
 *
 * @module
 */

/** The symbols every system's table declares alike. */
export const posixSymbols = {
  // ---- errno and error text ----
  /** const char *gai_strerror(int errcode) */
  gai_strerror: { parameters: ["i32"], result: "pointer" },
  /** const char *hstrerror(int err) */
  hstrerror: { parameters: ["i32"], result: "pointer" },
  /** pid_t getpid(void) — used as the FFI no-op in benchmarks and for credentials */
  getpid: { parameters: [], result: "i32" },
  /** uid_t getuid(void) */
  getuid: { parameters: [], result: "u32" },
  /** gid_t getgid(void) */
  getgid: { parameters: [], result: "u32" },

  // ---- socket lifecycle ----
  /** int socket(int domain, int type, int protocol) */
  socket: { parameters: ["i32", "i32", "i32"], result: "i32" },
  /** int socketpair(int domain, int type, int protocol, int sv[2]) */
  socketpair: {
    parameters: [
      "i32", // int domain
      "i32", // int type
      "i32", // int protocol
      "buffer", // int sv[2]
    ],
    result: "i32",
  },
  /** int bind(int sockfd, const struct sockaddr *addr, socklen_t addrlen) */
  bind: {
    parameters: [
      "i32", // int sockfd
      "buffer", // const struct sockaddr *addr
      "u32", // socklen_t addrlen
    ],
    result: "i32",
  },
  /** int listen(int sockfd, int backlog) */
  listen: { parameters: ["i32", "i32"], result: "i32" },
  /** int accept(int sockfd, struct sockaddr *addr, socklen_t *addrlen) */
  accept: {
    parameters: [
      "i32", // int sockfd
      "buffer", // struct sockaddr *addr
      "buffer", // socklen_t *addrlen
    ],
    result: "i32",
  },
  /** int connect(int sockfd, const struct sockaddr *addr, socklen_t addrlen) */
  connect: {
    parameters: [
      "i32", // int sockfd
      "buffer", // const struct sockaddr *addr
      "u32", // socklen_t addrlen
    ],
    result: "i32",
  },
  /** int shutdown(int sockfd, int how) */
  shutdown: { parameters: ["i32", "i32"], result: "i32" },
  /** int close(int fd) */
  close: { parameters: ["i32"], result: "i32" },
  /** int getsockname(int sockfd, struct sockaddr *addr, socklen_t *addrlen) */
  getsockname: {
    parameters: [
      "i32", // int sockfd
      "buffer", // struct sockaddr *addr
      "buffer", // socklen_t *addrlen
    ],
    result: "i32",
  },
  /** int getpeername(int sockfd, struct sockaddr *addr, socklen_t *addrlen) */
  getpeername: {
    parameters: [
      "i32", // int sockfd
      "buffer", // struct sockaddr *addr
      "buffer", // socklen_t *addrlen
    ],
    result: "i32",
  },
  /** int getsockopt(int sockfd, int level, int optname, void *optval, socklen_t *optlen) */
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
  /** int setsockopt(int sockfd, int level, int optname, const void *optval, socklen_t optlen) */
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

  // ---- data transfer ----
  /** ssize_t send(int sockfd, const void *buf, size_t len, int flags) */
  send: {
    parameters: [
      "i32", // int sockfd
      "buffer", // const void *buf
      "usize", // size_t len
      "i32", // int flags
    ],
    result: "i32",
  },
  /** ssize_t sendto(int sockfd, const void *buf, size_t len, int flags, const struct sockaddr *dest_addr, socklen_t addrlen) */
  sendto: {
    parameters: [
      "i32", // int sockfd
      "buffer", // const void *buf
      "usize", // size_t len
      "i32", // int flags
      "buffer", // const struct sockaddr *dest_addr
      "u32", // socklen_t addrlen
    ],
    result: "i32",
  },
  /** ssize_t sendmsg(int sockfd, const struct msghdr *msg, int flags) */
  sendmsg: {
    parameters: [
      "i32", // int sockfd
      "buffer", // const struct msghdr *msg
      "i32", // int flags
    ],
    result: "i32",
  },
  /** ssize_t recv(int sockfd, void *buf, size_t len, int flags) */
  recv: {
    parameters: [
      "i32", // int sockfd
      "buffer", // void *buf
      "usize", // size_t len
      "i32", // int flags
    ],
    result: "i32",
  },
  /** ssize_t recvfrom(int sockfd, void *buf, size_t len, int flags, struct sockaddr *src_addr, socklen_t *addrlen) */
  recvfrom: {
    parameters: [
      "i32", // int sockfd
      "buffer", // void *buf
      "usize", // size_t len
      "i32", // int flags
      "buffer", // struct sockaddr *src_addr
      "buffer", // socklen_t *addrlen
    ],
    result: "i32",
  },
  /** ssize_t recvmsg(int sockfd, struct msghdr *msg, int flags) */
  recvmsg: {
    parameters: [
      "i32", // int sockfd
      "buffer", // struct msghdr *msg
      "i32", // int flags
    ],
    result: "i32",
  },
  /** ssize_t read(int fd, void *buf, size_t count) */
  read: {
    parameters: [
      "i32", // int fd
      "buffer", // void *buf
      "usize", // size_t count
    ],
    result: "i32",
  },
  /** ssize_t write(int fd, const void *buf, size_t count) */
  write: {
    parameters: [
      "i32", // int fd
      "buffer", // const void *buf
      "usize", // size_t count
    ],
    result: "i32",
  },
  /** off_t lseek(int fd, off_t offset, int whence) */
  lseek: {
    parameters: [
      "i32", // int fd
      "i64", // off_t offset
      "i32", // int whence
    ],
    result: "i64",
  },

  // ---- readiness ----
  /** int pipe(int pipefd[2]) — the reactor's waker where there is no eventfd */
  pipe: {
    parameters: [
      "buffer", // int pipefd[2]
    ],
    result: "i32",
  },

  // ---- resolver ----
  /** int getaddrinfo(const char *node, const char *service, const struct addrinfo *hints, struct addrinfo **res) */
  getaddrinfo: {
    parameters: [
      "buffer", // const char *node
      "buffer", // const char *service
      "buffer", // const struct addrinfo *hints
      "buffer", // struct addrinfo **res
    ],
    result: "i32",
  },
  /** getaddrinfo on a worker thread (async API) */
  getaddrinfo_nb: {
    name: "getaddrinfo",
    parameters: ["buffer", "buffer", "buffer", "buffer"],
    result: "i32",
    nonblocking: true,
  },
  /** void freeaddrinfo(struct addrinfo *res) */
  freeaddrinfo: { parameters: ["pointer"], result: "void" },
  /** int getnameinfo(const struct sockaddr *addr, socklen_t addrlen, char *host, socklen_t hostlen, char *serv, socklen_t servlen, int flags) */
  getnameinfo: {
    parameters: [
      "buffer", // const struct sockaddr *addr
      "u32", // socklen_t addrlen
      "buffer", // char *host
      "u32", // socklen_t hostlen
      "buffer", // char *serv
      "u32", // socklen_t servlen
      "i32", // int flags
    ],
    result: "i32",
  },
  /** getnameinfo on a worker thread (async API) */
  getnameinfo_nb: {
    name: "getnameinfo",
    parameters: ["buffer", "u32", "buffer", "u32", "buffer", "u32", "i32"],
    result: "i32",
    nonblocking: true,
  },
  /** int gethostname(char *name, size_t len) */
  gethostname: {
    parameters: [
      "buffer", // char *name
      "usize", // size_t len
    ],
    result: "i32",
  },

  // ---- interfaces ----
  /** struct if_nameindex *if_nameindex(void) */
  if_nameindex: { parameters: [], result: "pointer" },
  /** void if_freenameindex(struct if_nameindex *ptr) */
  if_freenameindex: { parameters: ["pointer"], result: "void" },
  /** unsigned int if_nametoindex(const char *ifname) */
  if_nametoindex: { parameters: ["buffer"], result: "u32" },
  /** char *if_indextoname(unsigned int ifindex, char *ifname) */
  if_indextoname: {
    parameters: [
      "u32", // unsigned int ifindex
      "buffer", // char *ifname (IF_NAMESIZE bytes)
    ],
    result: "pointer",
  },

  // ---- address text ----
  /** int inet_pton(int af, const char *src, void *dst) */
  inet_pton: {
    parameters: [
      "i32", // int af
      "buffer", // const char *src
      "buffer", // void *dst
    ],
    result: "i32",
  },
  /** const char *inet_ntop(int af, const void *src, char *dst, socklen_t size) */
  inet_ntop: {
    parameters: [
      "i32", // int af
      "buffer", // const void *src
      "buffer", // char *dst
      "u32", // socklen_t size
    ],
    result: "pointer",
  },
  /** int inet_aton(const char *cp, struct in_addr *inp) */
  inet_aton: {
    parameters: [
      "buffer", // const char *cp
      "buffer", // struct in_addr *inp
    ],
    result: "i32",
  },
} as const satisfies Deno.ForeignLibraryInterface;
