/**
 * Connection helpers from Python's `socket.py`: `create_connection`,
 * `create_server`, `has_dualstack_ipv6` and `has_ipv6`.
 *
 * @module
 */

import {
  AF_INET,
  AF_INET6,
  IPPROTO_IPV6,
  IPV6_V6ONLY,
  SO_REUSEADDR,
  SO_REUSEPORT,
  SOCK_STREAM,
  socketValues,
  SOL_SOCKET,
} from "../constants/mod.ts";
import { errorFromErrno, SocketError } from "./errors.ts";
import { pyRepr } from "./_repr.ts";
import { Socket } from "./socket.ts";
import { connectionArgs, optionsArg } from "./_args.ts";
import type { AddressIn, Inet6Address, InetAddress } from "./_types.ts";
import type { Family } from "./typed.ts";
import { getaddrinfo } from "./resolver.ts";
import { plainError } from "./_resolve.ts";

/**
 * Whether this build supports IPv6: Python's `socket.has_ipv6`. As in
 * CPython it says whether IPv6 support is built in (AF_INET6 exists on this
 * system), not whether the running kernel has an IPv6 address; see
 * {@linkcode has_dualstack_ipv6} for a runtime check.
 */
export const has_ipv6: boolean = socketValues.AF_INET6 !== undefined;

/** Options of {@linkcode create_connection} beyond Python 3.8's (keyword-only in Python 3.11). */
export interface CreateConnectionOptions {
  /**
   * When every address fails: false (the default) throws the last error;
   * true throws an `AggregateError` of all of them, Python 3.11's
   * `ExceptionGroup("create_connection failed", errors)`.
   */
  all_errors?: boolean;
}

function hasSource(source: unknown): boolean {
  // Python's truthiness: None and an empty tuple mean "no source address".
  if (source === null || source === undefined) return false;
  return !(Array.isArray(source) && source.length === 0);
}

/**
 * Connects a TCP socket to `address` (`[host, port]`) and returns it:
 * Python's `socket.create_connection()`. Every address that
 * `getaddrinfo(host, port, 0, SOCK_STREAM)` returns is tried in order
 * (IPv4 and IPv6 alike), closing each failed socket; the first connection
 * wins.
 *
 * `timeout` is set on the socket before connecting (seconds; `null`
 * blocking); omitted, the socket gets `getdefaulttimeout()`. With
 * `source_address` (`[host, port]`, `""`/0 for the default), the socket
 * binds there first.
 *
 * @example Connect to a local server
 * ```ts
 * import { create_connection, create_server } from "@sockffi/socket";
 * using server = create_server(["127.0.0.1", 0]);
 * const [, port] = server.getsockname();
 * using conn = create_connection(["localhost", port], 5);
 * console.log(conn.getpeername()); // ["127.0.0.1", port]
 * ```
 *
 * @param address `[host, port]`
 * @param timeout seconds, or null for blocking; omitted: the default timeout
 * @param source_address `[host, port]` to bind to before connecting
 * @param options `{ all_errors }`
 * @returns the connected socket
 * @throws {SocketError} the last connect error (ECONNREFUSED...) when every address fails, or
 * `timeout`; an `AggregateError` of them all with `all_errors`
 * @throws {gaierror} when the host does not resolve
 * @throws {TypeError} when address is not a `[host, port]` array
 */
export function create_connection(
  address: readonly [host: string | null, port: number | string | null],
  timeout?: number | null,
  source_address?: AddressIn | null,
  options: CreateConnectionOptions = {},
): Socket<InetAddress | Inet6Address, InetAddress | Inet6Address | null> {
  // everything checked before the lookup starts
  const { host, port, timeout: tmo, options: o } = connectionArgs(address, timeout, options);
  const allErrors = o.all_errors === true;
  const errors: SocketError[] = [];
  for (
    const [af, socktype, proto, , sa] of getaddrinfo(host, port, 0, SOCK_STREAM)
  ) {
    let sock: Socket<InetAddress | Inet6Address, InetAddress | Inet6Address | null> | null = null;
    try {
      // getaddrinfo(3) gives AF_INET and AF_INET6 only: the socket's addresses are theirs.
      sock = new Socket(af, socktype, proto);
      if (tmo !== undefined) sock.settimeout(tmo);
      if (hasSource(source_address)) sock.bind(source_address as AddressIn);
      sock.connect(sa);
      return sock;
    } catch (e) {
      sock?.close();
      if (!(e instanceof SocketError)) throw e;
      if (!allErrors) errors.length = 0;
      errors.push(e);
    }
  }
  if (errors.length > 0) {
    if (allErrors) throw new AggregateError(errors, "create_connection failed");
    throw errors[0];
  }
  throw plainError("getaddrinfo returns an empty list", "create_connection");
}

/**
 * Whether a TCP socket can accept both IPv4 and IPv6 connections (an
 * AF_INET6 socket with IPV6_V6ONLY off): Python 3.8's
 * `socket.has_dualstack_ipv6()`. Creates and closes a socket to find out.
 *
 * @example
 * ```ts
 * import { has_dualstack_ipv6 } from "@sockffi/socket";
 * console.log(has_dualstack_ipv6()); // true on Linux with IPv6
 * ```
 *
 * @returns true when dual-stack sockets work here
 */
export function has_dualstack_ipv6(): boolean {
  if (!has_ipv6 || IPPROTO_IPV6 === undefined || IPV6_V6ONLY === undefined) return false;
  let sock: Socket | null = null;
  try {
    sock = new Socket(AF_INET6, SOCK_STREAM);
    sock.setsockopt(IPPROTO_IPV6, IPV6_V6ONLY, 0);
    return true;
  } catch (e) {
    if (e instanceof SocketError) return false;
    throw e;
  } finally {
    sock?.close();
  }
}

/** Keyword-only options of {@linkcode create_server}, as in Python 3.8. */
export interface CreateServerOptions {
  /** AF_INET (the default) or AF_INET6. */
  family?: number;
  /** The listen() backlog; the system's default when omitted or null. */
  backlog?: number | null;
  /** Set SO_REUSEPORT (several servers on one port). */
  reuse_port?: boolean;
  /** With AF_INET6: accept IPv4 connections too (IPV6_V6ONLY off). */
  dualstack_ipv6?: boolean;
}

/**
 * Creates a TCP server socket bound to `address` and listening: Python
 * 3.8's `socket.create_server(address, *, family=AF_INET, backlog=None,
 * reuse_port=False, dualstack_ipv6=False)` (keyword-only arguments in an
 * options object). SO_REUSEADDR is set; an AF_INET6 socket gets
 * IPV6_V6ONLY on unless `dualstack_ipv6`.
 *
 * @example An IPv6 server that takes IPv4 clients too
 * ```ts
 * import { AF_INET6, create_server, has_dualstack_ipv6 } from "@sockffi/socket";
 * if (has_dualstack_ipv6()) {
 *   using server = create_server(["", 0], { family: AF_INET6, dualstack_ipv6: true });
 *   console.log(server.getsockname()); // ["::", 40123, 0, 0]
 * }
 * ```
 *
 * @param address `[host, port]` (`["", 0]`: every address, an ephemeral port)
 * @param options `{ family, backlog, reuse_port, dualstack_ipv6 }`
 * @returns the listening socket
 * @throws {RangeError} when reuse_port or dualstack_ipv6 is unsupported, or dualstack_ipv6 is asked
 * for without AF_INET6
 * @throws {SocketError} from bind (its message names the address, as Python's) or listen; the
 * socket is closed
 */
export function create_server(
  address: AddressIn,
  options: CreateServerOptions & { family: Family<"AF_INET6"> },
): Socket<Inet6Address, Inet6Address | null>;
/** An IPv4 server (the default family), its addresses typed `[host, port]` (`socket(2)`, `bind(2)`, `listen(2)`). */
export function create_server(
  address: AddressIn,
  options?: CreateServerOptions & { family?: Family<"AF_INET"> },
): Socket<InetAddress, InetAddress | null>;
/** A server of a family not known at compile time (`socket(2)`, `bind(2)`, `listen(2)`). */
export function create_server(address: AddressIn, options?: CreateServerOptions): Socket;
export function create_server(
  address: AddressIn,
  options: CreateServerOptions = {},
): Socket {
  const o = optionsArg(options, "create_server");
  const family = o.family ?? AF_INET;
  const backlog = o.backlog ?? null;
  const reusePort = o.reuse_port ?? false;
  const dualstack = o.dualstack_ipv6 ?? false;
  if (reusePort && SO_REUSEPORT === undefined) {
    throw new RangeError("SO_REUSEPORT not supported on this platform");
  }
  if (dualstack) {
    if (!has_dualstack_ipv6()) {
      throw new RangeError("dualstack_ipv6 not supported on this platform");
    }
    if (family !== AF_INET6) throw new RangeError("dualstack_ipv6 requires AF_INET6 family");
  }
  const sock = new Socket(family, SOCK_STREAM);
  try {
    try {
      sock.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1);
    } catch (e) {
      // Fail later on bind(), as Python does, for systems without the option.
      if (!(e instanceof SocketError)) throw e;
    }
    if (reusePort) sock.setsockopt(SOL_SOCKET, SO_REUSEPORT, 1);
    if (has_ipv6 && family === AF_INET6) {
      if (dualstack) sock.setsockopt(IPPROTO_IPV6, IPV6_V6ONLY, 0);
      else if (IPV6_V6ONLY !== undefined && IPPROTO_IPV6 !== undefined) {
        sock.setsockopt(IPPROTO_IPV6, IPV6_V6ONLY, 1);
      }
    }
    try {
      sock.bind(address);
    } catch (e) {
      if (!(e instanceof SocketError)) throw e;
      // CPython: raise error(err.errno, msg), an OSError of errno's subclass.
      const msg = `${e.strerror} (while attempting to bind on address ${pyRepr(address)})`;
      throw e.errno === null
        ? new SocketError(null, msg, "bind")
        : errorFromErrno(e.errno, msg, "bind");
    }
    if (backlog === null) sock.listen();
    else sock.listen(backlog);
    return sock;
  } catch (e) {
    sock.close();
    throw e;
  }
}
