/**
 * # sockffi — Python's `socket` module for Deno, over libc through FFI
 *
 * The names, arguments, results and errors of CPython's `socket` module,
 * calling the C library's socket functions directly with `Deno.dlopen`:
 * `setsockopt`, raw and packet sockets, unix datagram and seqpacket
 * sockets, descriptor passing, netlink, the system resolver and interface
 * indexes, at a per-call cost close to the raw syscall.
 *
 * Run with `--allow-ffi`. FFI sockets are not confined by `--allow-net`:
 * `--allow-ffi` grants everything the C library can do.
 *
 * The ~1,500 constants (`AF_INET`, `SO_REUSEADDR`, `errno` values...) are
 * imported from here as well (`import { AF_INET } from "@sockffi/socket"`);
 * they are documented on their own page, `@sockffi/socket/constants`, so
 * that this one starts with the API. `select()`, `poll()` and
 * `DefaultSelector` are in `@sockffi/socket/select`.
 *
 * @example A TCP echo round trip on 127.0.0.1
 * ```ts
 * import { AF_INET, SOCK_STREAM, socket } from "@sockffi/socket";
 *
 * using server = socket(AF_INET, SOCK_STREAM);
 * server.bind(["127.0.0.1", 0]);
 * server.listen();
 * using client = socket(AF_INET, SOCK_STREAM);
 * client.connect(server.getsockname());
 * const [conn] = server.accept();
 * client.sendall(new TextEncoder().encode("hello"));
 * conn.sendall(conn.recv(1024));
 * console.log(new TextDecoder().decode(client.recv(1024))); // "hello"
 * conn.close();
 * ```
 *
 * @module
 */

// The constants are exported here too, hidden from this page of the docs (see ./constants).
export * from "./constants/exports.ts";
// The constants that decide an address's shape, typed by name (they shadow the plain ones above).
export {
  AF_INET,
  AF_INET6,
  AF_NETLINK,
  AF_UNIX,
  SOCK_DGRAM,
  SOCK_RAW,
  SOCK_SEQPACKET,
  SOCK_STREAM,
} from "./src/typed.ts";
export type { AddressOf, Family, Kind, NetlinkAddress, SenderOf } from "./src/typed.ts";
export {
  BlockingIOError,
  BrokenPipeError,
  ChildProcessError,
  ConnectionAbortedError,
  ConnectionError,
  ConnectionRefusedError,
  ConnectionResetError,
  error,
  errorFromErrno,
  FileExistsError,
  FileNotFoundError,
  gaierror,
  herror,
  InterruptedError,
  IsADirectoryError,
  NotADirectoryError,
  PermissionError,
  ProcessLookupError,
  SocketError,
  timeout,
  TimeoutError,
} from "./src/errors.ts";
export {
  close,
  dup,
  fromfd,
  fromshare,
  getdefaulttimeout,
  setdefaulttimeout,
  Socket,
  socket,
  socketpair,
  SocketType,
} from "./src/socket.ts";
export type {
  Address,
  AddressIn,
  Bytes,
  Inet6Address,
  Inet6AddressIn,
  InetAddress,
} from "./src/_types.ts";
export type { AncData, AncDataIn, RecvmsgIntoResult, RecvmsgResult } from "./src/msg.ts";
export type {
  BinaryMode,
  BufferedSocketFile,
  MakefileOptions,
  SocketFile,
  TextMode,
  TextSocketFile,
} from "./src/file.ts";
export { SocketIO } from "./src/file.ts";
export type { AfalgOptions } from "./src/afalg.ts";
export { SocketAsync } from "./src/async.ts";
export type { AsyncCreateConnectionOptions, AsyncOptions } from "./src/async.ts";
export { CMSG_LEN, CMSG_SPACE } from "./src/cmsg.ts";
export { recv_fds, send_fds } from "./src/fds.ts";
export type { RecvFdsResult } from "./src/fds.ts";
export {
  getaddrinfo,
  getfqdn,
  gethostbyaddr,
  gethostbyname,
  gethostbyname_ex,
  gethostname,
  getnameinfo,
  getprotobyname,
  getservbyname,
  getservbyport,
  sethostname,
} from "./src/resolver.ts";
export type { AddrInfo, Host, HostEntry } from "./src/resolver.ts";
export { async } from "./src/async_module.ts";
export type { AsyncCallOptions, AsyncNamespace } from "./src/async_module.ts";
export {
  htonl,
  htons,
  inet_aton,
  inet_ntoa,
  inet_ntop,
  inet_pton,
  ntohl,
  ntohs,
} from "./src/inet.ts";
export { if_indextoname, if_nameindex, if_nametoindex } from "./src/interfaces.ts";
export {
  create_connection,
  create_server,
  has_dualstack_ipv6,
  has_ipv6,
} from "./src/connection.ts";
export type { CreateConnectionOptions, CreateServerOptions } from "./src/connection.ts";
export { AddressFamily, AddressInfo, MsgFlag, SocketKind } from "./src/enums.ts";
export type { IntEnum } from "./src/enums.ts";
export { tuneReactor } from "./src/reactor.ts";
export type { ReactorTuning } from "./src/reactor.ts";
