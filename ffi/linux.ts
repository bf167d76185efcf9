/**
 * The libc symbol table for Linux (glibc, `libc.so.6`).
 *
 * One literal, every parameter commented with its C type. Rules that keep
 * Deno's fast call path (see DESIGN.md, "Rules for the FFI layer"):
 * - byte buffers are `buffer` parameters (a TypedArray or ArrayBuffer, its
 *   offset honoured), never `Deno.UnsafePointer.of()` per call;
 * - `size_t` parameters are `usize` and must be given a BigInt;
 * - `ssize_t` results of send/recv/sendmsg/recvmsg/sendfile are declared
 *   `i32`: Linux caps one transfer at MAX_RW_COUNT (2^31 - 4096), so the value
 *   always fits and -1 stays -1, and an i32 result avoids a BigInt;
 * - blocking resolver calls have a `_nb` twin marked `nonblocking: true` for
 *   the async API; errno is never read after those (it lives on another
 *   thread).
 *
 * `fcntl` is variadic; on x86_64 and aarch64 Linux a fixed three-int call is
 * ABI-compatible with it (the int goes in a register either way).
 *
 * @module
 */

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
  /** int dup3(int oldfd, int newfd, int flags) */
  dup3: { parameters: ["i32", "i32", "i32"], result: "i32" },
  /** int fcntl(int fd, int cmd, int arg) — variadic in C, see the module doc */
  fcntl: { parameters: ["i32", "i32", "i32"], result: "i32" },
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
  /** int pipe(int pipefd[2]) — the poll() reactor's waker where eventfd is missing */
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
  /** int gethostname(char *name, size_t len) */
  gethostname: {
    parameters: [
      "buffer", // char *name
      "usize", // size_t len
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
