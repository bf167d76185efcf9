/**
 * The module's `async` namespace: the blocking resolver calls as Promises.
 *
 * @module
 */

import { type ResolverGen, runAsync } from "./_resolve.ts";
import {
  type AddrInfo,
  getaddrinfoGen,
  getfqdnGen,
  gethostbyaddrGen,
  gethostbynameExGen,
  gethostbynameGen,
  getnameinfoGen,
  type Host,
  type HostEntry,
} from "./_resolver_core.ts";
import { type AsyncCreateConnectionOptions, type AsyncOptions, createConnection } from "./async.ts";
import { recvFdsAsync, type RecvFdsResult, sendFdsAsync } from "./fds.ts";
import type { Socket } from "./socket.ts";
import type { AddressIn, Bytes, Inet6Address, InetAddress } from "./_types.ts";
import { signalOf } from "./_args.ts";

export type { AsyncCreateConnectionOptions } from "./async.ts";

/** Options every call of the {@linkcode async} namespace takes last. */
export interface AsyncCallOptions {
  /**
   * Rejects the call with the signal's reason when it aborts. A C call
   * already running on its worker thread cannot be interrupted: it finishes
   * in the background and its results are freed.
   */
  signal?: AbortSignal;
}

/**
 * The shape of the {@linkcode async} namespace: module-level functions that
 * block in C, returning Promises instead.
 */
export interface AsyncNamespace {
  /**
   * `getaddrinfo()` without blocking the event loop: `getaddrinfo(3)` runs
   * on a worker thread. Python: `socket.getaddrinfo()` (or asyncio's
   * `loop.getaddrinfo()`).
   *
   * @example
   * ```ts
   * import { async, SOCK_STREAM } from "@sockffi/socket";
   * const infos = await async.getaddrinfo("localhost", 80, 0, SOCK_STREAM);
   * console.log(infos[0][4]); // ["127.0.0.1", 80] (or ["::1", 80, 0, 0])
   * ```
   *
   * @param host a host name, numeric address, bytes, or null
   * @param port a port number, service name, bytes, or null
   * @param family AF_INET, AF_INET6 or 0 for any
   * @param type SOCK_STREAM, SOCK_DGRAM... or 0 for any
   * @param proto a protocol number or 0 for any
   * @param flags AI_* flags
   * @param options `{ signal }` to abandon the call
   * @returns `[family, type, proto, canonname, sockaddr]` for every address
   * @throws {gaierror} (rejects) when the lookup fails; EAI_SYSTEM stays a gaierror here,
   * since errno cannot be read from another thread
   */
  getaddrinfo(
    host: Host | null,
    port: number | string | Bytes | null,
    family?: number,
    type?: number,
    proto?: number,
    flags?: number,
    options?: AsyncCallOptions,
  ): Promise<AddrInfo[]>;

  /**
   * `getnameinfo()` without blocking the event loop: `getnameinfo(3)` (a
   * reverse lookup unless NI_NUMERICHOST) runs on a worker thread. Python:
   * `socket.getnameinfo()` (or asyncio's `loop.getnameinfo()`).
   *
   * @example
   * ```ts
   * import { async, NI_NUMERICSERV } from "@sockffi/socket";
   * console.log(await async.getnameinfo(["127.0.0.1", 22], NI_NUMERICSERV)); // ["localhost", "22"]
   * ```
   *
   * @param sockaddr `[host, port]` or `[host, port, flowinfo, scope_id]`, host numeric
   * @param flags NI_* flags
   * @param options `{ signal }` to abandon the call
   * @returns `[host, port]`
   * @throws {gaierror} (rejects) when the lookup fails
   */
  getnameinfo(
    sockaddr: readonly [string, number, number?, number?] | readonly unknown[],
    flags: number,
    options?: AsyncCallOptions,
  ): Promise<[host: string, port: string]>;

  /**
   * `gethostbyname()` without blocking the event loop. Python:
   * `socket.gethostbyname()`.
   *
   * @example
   * ```ts
   * import { async } from "@sockffi/socket";
   * console.log(await async.gethostbyname("localhost")); // "127.0.0.1"
   * ```
   *
   * @param hostname a host name or IPv4 address
   * @param options `{ signal }` to abandon the call
   * @returns the IPv4 address as text
   * @throws {gaierror} (rejects) when the name does not resolve to an IPv4 address
   */
  gethostbyname(hostname: Host, options?: AsyncCallOptions): Promise<string>;

  /**
   * `gethostbyname_ex()` without blocking the event loop
   * (`gethostbyname_r(3)` on a worker thread). Python:
   * `socket.gethostbyname_ex()`.
   *
   * @param hostname a host name or IPv4 address
   * @param options `{ signal }` to abandon the call
   * @returns `[hostname, aliaslist, ipaddrlist]`
   * @throws {herror} (rejects) when the lookup fails
   */
  gethostbyname_ex(hostname: Host, options?: AsyncCallOptions): Promise<HostEntry>;

  /**
   * `gethostbyaddr()` without blocking the event loop
   * (`gethostbyaddr_r(3)` on a worker thread). Python:
   * `socket.gethostbyaddr()`.
   *
   * @example
   * ```ts
   * import { async } from "@sockffi/socket";
   * const [name] = await async.gethostbyaddr("127.0.0.1");
   * console.log(name); // "localhost"
   * ```
   *
   * @param ip_address an IPv4 or IPv6 address, or a name to resolve first
   * @param options `{ signal }` to abandon the call
   * @returns `[hostname, aliaslist, ipaddrlist]`
   * @throws {herror} (rejects) when no name is known for the address
   */
  gethostbyaddr(ip_address: Host, options?: AsyncCallOptions): Promise<HostEntry>;

  /**
   * `getfqdn()` without blocking the event loop. Python: `socket.getfqdn()`.
   *
   * @param name a host name or address; this host when omitted
   * @param options `{ signal }` to abandon the call
   * @returns the fully qualified name, or the best name known
   */
  getfqdn(name?: string, options?: AsyncCallOptions): Promise<string>;

  /**
   * `create_connection()` without blocking the event loop: the host is
   * resolved with `getaddrinfo(3)` on a worker thread, then every address is
   * tried in order with `s.async.connect()`, which waits on the reactor.
   * Arguments, result and errors are those of the sync
   * `create_connection()`: `timeout` (seconds; `null` blocking; omitted:
   * `getdefaulttimeout()`) is set on the socket and bounds each connect.
   * Python: `socket.create_connection()` (asyncio's `open_connection()`
   * does the same work).
   *
   * @example Connect to a local server
   * ```ts
   * import { async, create_server } from "@sockffi/socket";
   * using server = create_server(["127.0.0.1", 0]);
   * const [, port] = server.getsockname();
   * using conn = await async.create_connection(["localhost", port], 5);
   * console.log(conn.getpeername()); // ["127.0.0.1", port]
   * ```
   *
   * @param address `[host, port]`
   * @param timeout seconds, or null for blocking; omitted: the default timeout
   * @param source_address `[host, port]` to bind to before connecting
   * @param options `{ all_errors, signal }`
   * @returns the connected socket
   * @throws {SocketError} (rejects) the last connect error when every address fails, or
   * `timeout`; an `AggregateError` of them all with `all_errors`
   * @throws {gaierror} (rejects) when the host does not resolve
   * @throws {TypeError} (rejects) when address is not a `[host, port]` array
   */
  create_connection(
    address: readonly [host: string | null, port: number | string | null],
    timeout?: number | null,
    source_address?: AddressIn | null,
    options?: AsyncCreateConnectionOptions,
  ): Promise<Socket<InetAddress | Inet6Address, InetAddress | Inet6Address | null>>;

  /**
   * `send_fds()` without blocking the event loop (`sendmsg(2)` with
   * SCM_RIGHTS, waiting for buffer space on the reactor). The options
   * object may stand in place of `flags` or `address`.
   *
   * @param sock an AF_UNIX socket
   * @param buffers the data, an iterable of bytes-like objects
   * @param fds the descriptors to pass (they stay open here)
   * @param flags MSG_* flags for sendmsg
   * @param address the destination for an unconnected datagram socket
   * @param options `{ signal }` to abort the wait
   * @returns the number of bytes of data sent
   * @throws {TypeError} (rejects) when fds is not an iterable of integers
   */
  send_fds(
    sock: Socket,
    buffers: Iterable<Bytes>,
    fds: Iterable<number>,
    flags?: number | AsyncOptions,
    address?: AddressIn | null | AsyncOptions,
    options?: AsyncOptions,
  ): Promise<number>;

  /**
   * `recv_fds()` without blocking the event loop (`recvmsg(2)` with room for
   * `maxfds` descriptors, waiting for data on the reactor). The options
   * object may stand in place of `flags`.
   *
   * @example Pass a descriptor and receive it
   * ```ts
   * import { async, close, socketpair } from "@sockffi/socket";
   * const [a, b] = socketpair();
   * const [c, d] = socketpair();
   * const got = async.recv_fds(b, 16, 1, { signal: AbortSignal.timeout(5000) });
   * await async.send_fds(a, [new Uint8Array([1])], [c.fileno()]);
   * const [data, fds] = await got;
   * console.log(data.length, fds.length); // 1 1
   * for (const s of [a, b, c, d]) s.close();
   * for (const fd of fds) close(fd);
   * ```
   *
   * @param sock an AF_UNIX socket
   * @param bufsize the most bytes of data to receive
   * @param maxfds the most descriptors to receive
   * @param flags MSG_* flags for recvmsg
   * @param options `{ signal }` to abort the wait
   * @returns `[data, fds, msg_flags, address]`; close the descriptors when done
   */
  recv_fds(
    sock: Socket,
    bufsize: number,
    maxfds: number,
    flags?: number | AsyncOptions,
    options?: AsyncOptions,
  ): Promise<RecvFdsResult>;
}

/**
 * Promise versions of the module functions that block in C, so that a
 * lookup does not stall the event loop: each blocking C call runs on a
 * worker thread (`nonblocking: true` FFI calls), like asyncio's
 * `loop.getaddrinfo()`. Arguments, results and errors are those of the
 * synchronous functions; argument errors reject the Promise. Every call
 * takes an optional trailing `{ signal }`.
 *
 * A worker-thread call costs tens of microseconds of hand-off: for numeric
 * addresses (AI_NUMERICHOST) the synchronous functions are cheaper.
 *
 * @example Resolve without blocking timers
 * ```ts
 * import { async } from "@sockffi/socket";
 * const [addrs, name] = await Promise.all([
 *   async.getaddrinfo("localhost", 443),
 *   async.gethostbyaddr("127.0.0.1"),
 * ]);
 * console.log(addrs.length > 0, name[0]);
 * ```
 */
export const async: AsyncNamespace = {
  getaddrinfo(
    host,
    port,
    family = 0,
    type = 0,
    proto = 0,
    flags = 0,
    options,
  ): Promise<AddrInfo[]> {
    return start(() => getaddrinfoGen(host, port, family, type, proto, flags), options);
  },
  getnameinfo(sockaddr, flags, options): Promise<[host: string, port: string]> {
    return start(() => getnameinfoGen(sockaddr, flags), options);
  },
  gethostbyname(hostname, options): Promise<string> {
    return start(() => gethostbynameGen(hostname), options);
  },
  gethostbyname_ex(hostname, options): Promise<HostEntry> {
    return start(() => gethostbynameExGen(hostname), options);
  },
  gethostbyaddr(ip_address, options): Promise<HostEntry> {
    return start(() => gethostbyaddrGen(ip_address), options);
  },
  getfqdn(name = "", options): Promise<string> {
    return start(() => getfqdnGen(name), options);
  },
  create_connection(
    address,
    timeout,
    source_address,
    options,
  ): Promise<Socket<InetAddress | Inet6Address, InetAddress | Inet6Address | null>> {
    return createConnection(address, timeout, source_address, options);
  },
  send_fds(sock, buffers, fds, flags, address, options): Promise<number> {
    return sendFdsAsync(sock, buffers, fds, flags, address, options);
  },
  recv_fds(sock, bufsize, maxfds, flags, options): Promise<RecvFdsResult> {
    return recvFdsAsync(sock, bufsize, maxfds, flags, options);
  },
};

/**
 * Runs a resolver generator on worker threads once its options are
 * checked: an argument error (a bad option, a throwing getter) rejects the
 * Promise before any lookup starts, and is never thrown synchronously.
 */
function start<T>(gen: () => ResolverGen<T>, options: AsyncCallOptions | undefined): Promise<T> {
  try {
    return runAsync(gen(), signalOf(options));
  } catch (e) {
    return Promise.reject(e);
  }
}
