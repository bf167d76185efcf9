/**
 * Name services: Python's `getaddrinfo`, `getnameinfo`, `gethostbyname`,
 * `gethostbyname_ex`, `gethostbyaddr`, `getfqdn`, `gethostname`,
 * `sethostname`, `getprotobyname`, `getservbyname` and `getservbyport`,
 * over the C library's resolver (its reentrant `_r` functions where they
 * exist). They block the calling thread like their C counterparts; the
 * module's `async` namespace has Promise versions of the ones that may
 * wait on the network.
 *
 * Errors are CPython's: `gaierror` (the EAI_* code and `gai_strerror()`'s
 * text) from getaddrinfo/getnameinfo, `herror` (h_errno and `hstrerror()`'s
 * text) from the gethostby* lookups, and `SocketError` otherwise. Where CPython raises a bare
 * `OSError("message")` without an errno ("service/proto not found"...), the
 * SocketError carries that message and the closest errno (ENOENT, EINVAL,
 * EAFNOSUPPORT).
 *
 * @module
 */

import {
  hostname,
  plainError,
  protoByName,
  runSync,
  servByName,
  servByPort,
  setHostname,
} from "./_resolve.ts";
import {
  type AddrInfo,
  cStr,
  getaddrinfoGen,
  getfqdnGen,
  gethostbyaddrGen,
  gethostbynameExGen,
  gethostbynameGen,
  getnameinfoGen,
  type Host,
  type HostEntry,
  utf8z,
} from "./_resolver_core.ts";
import type { Bytes, Inet6Address, InetAddress } from "./_types.ts";
import type { Family } from "./typed.ts";
import { bytesOf, cInt, describe, isBufferSource } from "./_args.ts";

export type { AddrInfo, Host, HostEntry } from "./_resolver_core.ts";

/**
 * Translates a host and port into the addresses to create sockets for:
 * Python's `socket.getaddrinfo(host, port, family=0, type=0, proto=0,
 * flags=0)` over `getaddrinfo(3)`.
 *
 * Each result is `[family, type, proto, canonname, sockaddr]`; `sockaddr`
 * is `[host, port]` for AF_INET and `[host, port, flowinfo, scope_id]` for
 * AF_INET6, ready for `connect()` or `bind()`. `canonname` is set on the
 * first result when `flags` has AI_CANONNAME, else `""`.
 *
 * `host` is a name or numeric address (IDNA-encoded when it is a string, as
 * Python does), bytes, or null (C's NULL: the loopback address, or the
 * wildcard with AI_PASSIVE). `port` is a number, a service name such as
 * `"http"`, bytes, or null. Every AI_* flag is passed through.
 *
 * @example Numeric lookup, no resolver traffic
 * ```ts
 * import { AI_NUMERICHOST, getaddrinfo, SOCK_STREAM } from "@sockffi/socket";
 * const [[family, type, proto, canonname, sockaddr]] = getaddrinfo(
 *   "127.0.0.1", 80, 0, SOCK_STREAM, 0, AI_NUMERICHOST,
 * );
 * console.log(family, type, proto, canonname, sockaddr); // 2 1 6 "" ["127.0.0.1", 80]
 * ```
 *
 * @param host a host name, numeric address, bytes, or null
 * @param port a port number, service name, bytes, or null
 * @param family AF_INET, AF_INET6 or 0 (AF_UNSPEC) for any
 * @param type SOCK_STREAM, SOCK_DGRAM... or 0 for any
 * @param proto a protocol number or 0 for any
 * @param flags AI_* flags, OR-ed
 * @returns the addresses, in the order the resolver ranks them
 * @throws {gaierror} when the name does not resolve (EAI_NONAME), the service is unknown
 * (EAI_SERVICE), a flag or family is invalid...
 * @throws {TypeError} when host is not a string, bytes or null, or port not an integer, string,
 * bytes or null, or family/type/proto/flags not integers
 * @throws {RangeError} for an integer outside C's range, or a host that IDNA cannot encode
 */
export function getaddrinfo(
  host: Host | null,
  port: number | string | Bytes | null,
  family: Family<"AF_INET">,
  type?: number,
  proto?: number,
  flags?: number,
): AddrInfo<InetAddress>[];
/** With AF_INET6: every sockaddr is `[host, port, flowinfo, scope_id]` (`getaddrinfo(3)`). */
export function getaddrinfo(
  host: Host | null,
  port: number | string | Bytes | null,
  family: Family<"AF_INET6">,
  type?: number,
  proto?: number,
  flags?: number,
): AddrInfo<Inet6Address>[];
/** Any family (0, AF_UNSPEC: both): IPv4 and IPv6 sockaddrs (`getaddrinfo(3)`). */
export function getaddrinfo(
  host: Host | null,
  port: number | string | Bytes | null,
  family?: number,
  type?: number,
  proto?: number,
  flags?: number,
): AddrInfo[];
export function getaddrinfo(
  host: Host | null,
  port: number | string | Bytes | null,
  family = 0,
  type = 0,
  proto = 0,
  flags = 0,
): AddrInfo[] {
  return runSync(getaddrinfoGen(host, port, family, type, proto, flags));
}

/**
 * Translates a socket address into a host and port (service) pair: Python's
 * `socket.getnameinfo(sockaddr, flags)` over `getnameinfo(3)`.
 *
 * As CPython, the host of `sockaddr` must be numeric: it is resolved first
 * with getaddrinfo(AI_NUMERICHOST), and must give a single address. An
 * IPv4 sockaddr is `[host, port]`; an IPv6 one `[host, port, flowinfo?,
 * scope_id?]` (`%zone` in the host also sets the scope).
 *
 * @example
 * ```ts
 * import { getnameinfo, NI_NUMERICHOST, NI_NUMERICSERV } from "@sockffi/socket";
 * console.log(getnameinfo(["::1", 8080, 0, 0], NI_NUMERICHOST | NI_NUMERICSERV)); // ["::1", "8080"]
 * ```
 *
 * @param sockaddr `[host, port]` or `[host, port, flowinfo, scope_id]`
 * @param flags NI_* flags, OR-ed
 * @returns `[host, port]`, the port as a service name or decimal text
 * @throws {gaierror} when the host is not numeric (EAI_NONAME), or the lookup fails
 * @throws {SocketError} "sockaddr resolved to multiple addresses", "IPv4 sockaddr must be 2 tuple"
 * @throws {TypeError} when sockaddr is not an array of 2-4 elements with a string host
 * @throws {RangeError} when flowinfo is above 1048575 or port/flags exceed a C int
 */
export function getnameinfo(
  sockaddr: readonly [string, number, number?, number?] | readonly unknown[],
  flags: number,
): [host: string, port: string] {
  return runSync(getnameinfoGen(sockaddr, flags));
}

/**
 * The IPv4 address of a host as text: Python's `socket.gethostbyname()`.
 * Numeric addresses are parsed without a lookup; `""` is `"0.0.0.0"`, and
 * `"<broadcast>"` is `"255.255.255.255"`; names go through
 * `getaddrinfo(3)` with AF_INET (IPv4 only: see getaddrinfo for IPv6).
 *
 * @example
 * ```ts
 * import { gethostbyname } from "@sockffi/socket";
 * console.log(gethostbyname("localhost")); // "127.0.0.1"
 * ```
 *
 * @param hostname a host name or IPv4 address (string or bytes)
 * @returns the address as a dotted quad
 * @throws {gaierror} when the name does not resolve to an IPv4 address
 * @throws {TypeError} for a non-string, or a NUL in the name
 */
export function gethostbyname(hostname: Host): string {
  return runSync(gethostbynameGen(hostname));
}

/**
 * A host's primary name, aliases and IPv4 addresses: Python's
 * `socket.gethostbyname_ex()` over `gethostbyname_r(3)` (after CPython's
 * check of the name through getaddrinfo).
 *
 * @example
 * ```ts
 * import { gethostbyname_ex } from "@sockffi/socket";
 * const [name, aliases, addresses] = gethostbyname_ex("localhost");
 * console.log(name, aliases, addresses); // "localhost" [] ["127.0.0.1"]
 * ```
 *
 * @param hostname a host name or IPv4 address (string or bytes)
 * @returns `[hostname, aliaslist, ipaddrlist]`
 * @throws {gaierror} when the name does not resolve to an IPv4 address
 * @throws {herror} when gethostbyname_r fails (h_errno: HOST_NOT_FOUND, TRY_AGAIN...)
 */
export function gethostbyname_ex(hostname: Host): HostEntry {
  return runSync(gethostbynameExGen(hostname));
}

/**
 * The primary name, aliases and addresses for an address (IPv4 or IPv6):
 * Python's `socket.gethostbyaddr()` over `gethostbyaddr_r(3)`. A name is
 * accepted too: as CPython, it is resolved first and its address looked up.
 *
 * @example
 * ```ts
 * import { gethostbyaddr } from "@sockffi/socket";
 * const [name, aliases, addresses] = gethostbyaddr("127.0.0.1");
 * console.log(name, addresses); // "localhost" ["127.0.0.1"]
 * ```
 *
 * @param ip_address an address, or a name to resolve first
 * @returns `[hostname, aliaslist, ipaddrlist]`
 * @throws {herror} when no name is known for the address (HOST_NOT_FOUND)
 * @throws {gaierror} when a name argument does not resolve
 */
export function gethostbyaddr(ip_address: Host): HostEntry {
  return runSync(gethostbyaddrGen(ip_address));
}

/**
 * A fully qualified domain name for `name` (default: this host), with
 * Python's `socket.getfqdn()` algorithm: `name` is stripped; empty,
 * `"0.0.0.0"` and `"::"` stand for `gethostname()`; then the first of
 * gethostbyaddr's hostname and aliases that contains a dot is returned,
 * else that hostname, or `name` itself when the lookup fails.
 *
 * @example
 * ```ts
 * import { getfqdn } from "@sockffi/socket";
 * console.log(getfqdn("127.0.0.1")); // "localhost", or this machine's FQDN
 * ```
 *
 * @param name a host name or address; this host when omitted
 * @returns the fully qualified name, or the best name known
 * @throws {TypeError} when name is not a string
 */
export function getfqdn(name = ""): string {
  return runSync(getfqdnGen(name));
}

/**
 * This machine's host name: Python's `socket.gethostname()` over
 * `gethostname(2)`.
 *
 * @example
 * ```ts
 * import { gethostname } from "@sockffi/socket";
 * console.log(gethostname()); // "myhost"
 * ```
 *
 * @returns the host name
 * @throws {SocketError} if gethostname(2) fails
 */
export function gethostname(): string {
  return hostname();
}

/**
 * Sets this machine's host name (in the current UTS namespace): Python's
 * `socket.sethostname()` over `sethostname(2)`. Needs CAP_SYS_ADMIN.
 *
 * @example Only in a namespace of its own
 * ```ts ignore
 * import { sethostname } from "@sockffi/socket";
 * sethostname("builder-7"); // run under `unshare --uts` to leave the machine's name alone
 * ```
 *
 * @param name the new name, a string (UTF-8) or bytes
 * @throws {SocketError} EPERM without the privilege, EINVAL when longer than 64 bytes
 * @throws {TypeError} when name is not a string or bytes
 * @throws {RangeError} for a NUL in a string name
 */
export function sethostname(name: string | Bytes): void {
  let b: Uint8Array;
  if (typeof name === "string") {
    if (name.includes("\0")) throw new RangeError("sethostname(): embedded null byte");
    const z = utf8z(name, "sethostname()");
    b = z.subarray(0, z.length - 1);
  } else if (isBufferSource(name)) {
    b = bytesOf(name).slice();
  } else {
    throw new TypeError(`sethostname() name must be a string or bytes, not ${describe(name)}`);
  }
  setHostname(b);
}

/**
 * The number of a protocol by name, from /etc/protocols: Python's
 * `socket.getprotobyname()` over `getprotobyname_r(3)`.
 *
 * @example
 * ```ts
 * import { getprotobyname } from "@sockffi/socket";
 * console.log(getprotobyname("tcp")); // 6
 * ```
 *
 * @param protocolname a protocol name or alias, such as "udp" or "icmp"
 * @returns the protocol number, for the third argument of `socket()`
 * @throws {SocketError} "protocol not found" (errno null, as CPython's None)
 * @throws {TypeError} when the name is not a string
 */
export function getprotobyname(protocolname: string): number {
  const n = protoByName(cStr(protocolname, "getprotobyname() name"));
  if (n === null) throw plainError("protocol not found", "getprotobyname");
  return n;
}

/**
 * The port of a service by name, from /etc/services: Python's
 * `socket.getservbyname(servicename[, protocolname])` over
 * `getservbyname_r(3)`.
 *
 * @example
 * ```ts
 * import { getservbyname } from "@sockffi/socket";
 * console.log(getservbyname("http", "tcp")); // 80
 * ```
 *
 * @param servicename a service name or alias
 * @param protocolname "tcp", "udp"...; any protocol when omitted (or null)
 * @returns the port number
 * @throws {SocketError} "service/proto not found" (errno null, as CPython's None)
 * @throws {TypeError} when an argument is not a string
 */
export function getservbyname(servicename: string, protocolname?: string | null): number {
  const name = cStr(servicename, "getservbyname() servicename");
  const proto = protoArg(protocolname, "getservbyname() protocolname");
  const port = servByName(name, proto);
  if (port === null) {
    throw plainError("service/proto not found", "getservbyname");
  }
  return port;
}

/**
 * The name of the service on a port, from /etc/services: Python's
 * `socket.getservbyport(port[, protocolname])` over `getservbyport_r(3)`.
 *
 * @example
 * ```ts
 * import { getservbyport } from "@sockffi/socket";
 * console.log(getservbyport(443, "tcp")); // "https"
 * ```
 *
 * @param port 0-65535
 * @param protocolname "tcp", "udp"...; any protocol when omitted (or null)
 * @returns the service name
 * @throws {SocketError} "port/proto not found" (errno null, as CPython's None)
 * @throws {RangeError} for a port outside 0-65535
 * @throws {TypeError} when port is not an integer or the protocol not a string
 */
export function getservbyport(port: number, protocolname?: string | null): string {
  const p = cInt(port, "getservbyport() port");
  if (p < 0 || p > 0xffff) throw new RangeError("getservbyport: port must be 0-65535.");
  const proto = protoArg(protocolname, "getservbyport() protocolname");
  const name = servByPort(p, proto);
  if (name === null) throw plainError("port/proto not found", "getservbyport");
  return name;
}

/** An optional protocol name (null or omitted: any protocol) as a C string, or null. */
function protoArg(protocolname: string | null | undefined, what: string): Uint8Array | null {
  return protocolname === undefined || protocolname === null ? null : cStr(protocolname, what);
}
