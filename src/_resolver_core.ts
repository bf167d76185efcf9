/**
 * The resolver functions' algorithms, written once as generators over the
 * primitives of `_resolve.ts`, and their argument checks: `resolver.ts`
 * runs them synchronously, `async_module.ts` on worker threads. Each
 * follows CPython 3.11's `Modules/socketmodule.c` and `Lib/socket.py`
 * step by step (`setipaddr`, `gethost_common`, `socket_getnameinfo`,
 * `getfqdn`), so results and errors match.
 *
 * @module
 */

import { layout } from "../ffi/mod.ts";
import {
  AF_INET,
  AF_INET6,
  AF_UNSPEC,
  AI_NUMERICHOST,
  AI_PASSIVE,
  errnoValues,
  SOCK_DGRAM,
} from "../constants/mod.ts";
import { SocketError } from "./errors.ts";
import { errorFor } from "./_syscall.ts";
import { decode, getFamily, putFamily, setHostResolver } from "./_sockaddr.ts";
import type { Address, Bytes, Inet6Address, InetAddress } from "./_types.ts";
import { bytesOf, cInt, describe, isBufferSource } from "./_args.ts";
import { ntop4, ntop6, pton4, pton6 } from "./_inet.ts";
import { idnaEncode } from "./_idna.ts";
import {
  cBytes,
  gai,
  ghba,
  ghbn,
  gni,
  hError,
  type HostEnt,
  hostname,
  LITTLE_ENDIAN,
  plainError,
  type ResolverGen,
  runSync,
} from "./_resolve.ts";

/**
 * One getaddrinfo result: `[family, type, proto, canonname, sockaddr]`,
 * Python's 5-tuple. `sockaddr` is `[host, port]` for AF_INET and
 * `[host, port, flowinfo, scope_id]` for AF_INET6 (the only families the C
 * library's getaddrinfo returns); `S` narrows it when the family asked for
 * is known.
 */
export type AddrInfo<S extends Address = InetAddress | Inet6Address> = [
  family: number,
  type: number,
  proto: number,
  canonname: string,
  sockaddr: S,
];

/** `gethostbyname_ex()` / `gethostbyaddr()` result: `[hostname, aliaslist, ipaddrlist]`. */
export type HostEntry = [hostname: string, aliaslist: string[], ipaddrlist: string[]];

/** A host argument: a name or address as a string, or already-encoded bytes. */
export type Host = string | Bytes;

const IN = layout.sockaddr_in;
const IN6 = layout.sockaddr_in6;
const utf8 = new TextEncoder();

// ---- argument checks (Python's PyArg_Parse formats) ----

/** A C `unsigned int` argument parsed with format "I": any integer, wrapped modulo 2**32. */
export function cUintMask(v: unknown, what: string): number {
  if (typeof v !== "number" || !Number.isInteger(v)) {
    throw new TypeError(`${what} must be an integer, not ${describe(v)}`);
  }
  return Number(BigInt.asUintN(32, BigInt(v)));
}

/**
 * A `str` argument passed to C as UTF-8 (format "s"): TypeError for a
 * non-string (bytes included), RangeError for an embedded NUL or a lone
 * surrogate. Returns the NUL-terminated bytes.
 */
export function cStr(v: unknown, what: string): Uint8Array {
  if (typeof v !== "string") {
    throw new TypeError(`${what} must be a string, not ${describe(v)}`);
  }
  if (v.includes("\0")) throw new RangeError(`${what}: embedded null character`);
  return utf8z(v, what);
}

/** UTF-8 with a NUL terminator; a lone surrogate is a RangeError (UnicodeEncodeError). */
export function utf8z(s: string, what: string): Uint8Array {
  if (!s.isWellFormed()) {
    throw new RangeError(`${what}: 'utf-8' codec can't encode a lone surrogate`);
  }
  const b = new Uint8Array(utf8.encode(s).length + 1);
  utf8.encodeInto(s, b);
  return b;
}

/** getaddrinfo's host: null, a string (IDNA-encoded) or bytes; C reads up to a NUL. */
function gaiHost(host: unknown): Uint8Array | null {
  if (host === null || host === undefined) return null;
  if (typeof host === "string") return cBytes(idnaEncode(host));
  if (isBufferSource(host)) return cBytes(bytesOf(host));
  throw new TypeError(`getaddrinfo() argument 1 must be string or None, not ${describe(host)}`);
}

/** getaddrinfo's port: null, an integer (as decimal text), a service name or bytes. */
function gaiPort(port: unknown): Uint8Array | null {
  if (port === null || port === undefined) return null;
  if (typeof port === "number") {
    if (!Number.isInteger(port)) {
      throw new TypeError(
        `getaddrinfo() argument 2 must be integer or string, not ${describe(port)}`,
      );
    }
    if (port >= 2 ** 63 || port < -(2 ** 63)) {
      throw new RangeError("getaddrinfo(): port: Python int too large to convert to C long");
    }
    return cBytes(utf8.encode(BigInt(port).toString()));
  }
  if (typeof port === "string") return cBytes(utf8z(port, "getaddrinfo() port"));
  if (isBufferSource(port)) return cBytes(bytesOf(port));
  throw new TypeError(`getaddrinfo() argument 2 must be integer or string, not ${describe(port)}`);
}

/**
 * The host argument of the gethostby* functions (format "et" with the
 * "idna" encoding): a string is IDNA-encoded, bytes are taken as they are,
 * and neither may contain a NUL. Returns the bytes without a terminator.
 */
export function etHost(host: unknown, fn: string): Uint8Array {
  let b: Uint8Array;
  let kind: string;
  if (typeof host === "string") {
    b = idnaEncode(host);
    kind = "str";
  } else if (isBufferSource(host)) {
    b = bytesOf(host);
    kind = "bytes";
  } else {
    throw new TypeError(
      `${fn}() argument 1 must be str, bytes or bytearray, not ${describe(host)}`,
    );
  }
  if (b.includes(0)) {
    throw new TypeError(
      `${fn}() argument 1 must be encoded string without null bytes, not ${kind}`,
    );
  }
  return b;
}

function latin1(b: Uint8Array): string {
  let s = "";
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]);
  return s;
}

function zterm(b: Uint8Array): Uint8Array {
  const out = new Uint8Array(b.length + 1);
  out.set(b);
  return out;
}

function sockaddrIn(addr: Uint8Array): Uint8Array {
  const sa = new Uint8Array(IN.size);
  putFamily(sa, AF_INET, IN.size);
  sa.set(addr, IN.sin_addr);
  return sa;
}

function sockaddrIn6(addr: Uint8Array): Uint8Array {
  const sa = new Uint8Array(IN6.size);
  putFamily(sa, AF_INET6, IN6.size);
  sa.set(addr, IN6.sin6_addr);
  return sa;
}

// ---- CPython's setipaddr ----

/**
 * Resolves a host name to one sockaddr as CPython's `setipaddr`: `""` is
 * the wildcard (getaddrinfo with AI_PASSIVE, which must give exactly one
 * address), `"255.255.255.255"` and `"<broadcast>"` are INADDR_BROADCAST,
 * numeric addresses are parsed, anything else is the first getaddrinfo
 * result. `name` is the encoded name without a NUL.
 */
export function* setipaddr(name: Uint8Array, af: number, fn: string): ResolverGen<Uint8Array> {
  if (name.length === 0) {
    const res = yield* gai(null, zterm(utf8.encode("0")), af, SOCK_DGRAM, 0, AI_PASSIVE);
    const first = res[0];
    if (first === undefined || (first.family !== AF_INET && first.family !== AF_INET6)) {
      throw plainError("unsupported address family", fn);
    }
    if (res.length > 1) throw plainError("wildcard resolved to multiple address", fn);
    return first.addr;
  }
  const s = latin1(name);
  if (s === "255.255.255.255" || s === "<broadcast>") {
    if (af !== AF_INET && af !== AF_UNSPEC) {
      throw plainError("address family mismatched", fn);
    }
    return sockaddrIn(new Uint8Array([255, 255, 255, 255]));
  }
  if (af === AF_UNSPEC || af === AF_INET) {
    const v4 = pton4(s);
    if (v4 !== null) return sockaddrIn(v4);
  }
  if ((af === AF_UNSPEC || af === AF_INET6) && !s.includes("%")) {
    const v6 = /^[\x20-\x7e]*$/.test(s) ? pton6(s) : null;
    if (v6 !== null) return sockaddrIn6(v6);
  }
  const res = yield* gai(zterm(name), null, af, 0, 0, 0);
  const first = res[0];
  if (first === undefined || (first.family !== AF_INET && first.family !== AF_INET6)) {
    throw plainError("unknown address family", fn);
  }
  return first.addr;
}

// ---- getaddrinfo ----

/** `getaddrinfo(host, port, family, type, proto, flags)` as CPython's `socket.getaddrinfo`. */
export function* getaddrinfoGen(
  host: unknown,
  port: unknown,
  family: unknown = 0,
  type: unknown = 0,
  proto: unknown = 0,
  flags: unknown = 0,
): ResolverGen<AddrInfo[]> {
  const f = cInt(family, "getaddrinfo() family");
  const t = cInt(type, "getaddrinfo() type");
  const p = cInt(proto, "getaddrinfo() proto");
  const fl = cInt(flags, "getaddrinfo() flags");
  const h = gaiHost(host);
  const pt = gaiPort(port);
  const res = yield* gai(h, pt, f, t, p, fl);
  return res.map((ai): AddrInfo => [
    ai.family,
    ai.type,
    ai.proto,
    ai.canonname,
    // getaddrinfo(3) returns AF_INET and AF_INET6 addresses only.
    decode(ai.addr, ai.addr.length, p) as InetAddress | Inet6Address,
  ]);
}

// ---- getnameinfo ----

/** `getnameinfo(sockaddr, flags)` as CPython's `socket_getnameinfo`. */
export function* getnameinfoGen(
  sockaddr: unknown,
  flags: unknown,
): ResolverGen<[host: string, port: string]> {
  const fl = cInt(flags, "getnameinfo() flags");
  if (!Array.isArray(sockaddr)) {
    throw new TypeError(
      `getnameinfo() argument 1 must be a tuple (an array), not ${describe(sockaddr)}`,
    );
  }
  if (sockaddr.length < 2 || sockaddr.length > 4 || typeof sockaddr[0] !== "string") {
    throw new TypeError("getnameinfo(): illegal sockaddr argument");
  }
  const host = cStr(sockaddr[0], "getnameinfo() host");
  const port = cInt(sockaddr[1], "getnameinfo() port");
  const flowinfo = sockaddr.length > 2 ? cUintMask(sockaddr[2], "getnameinfo() flowinfo") : 0;
  const scope = sockaddr.length > 3 ? cUintMask(sockaddr[3], "getnameinfo() scope_id") : 0;
  if (flowinfo > 0xfffff) {
    throw new RangeError("getnameinfo(): flowinfo must be 0-1048575.");
  }
  const res = yield* gai(
    host,
    zterm(utf8.encode(String(port))),
    AF_UNSPEC,
    SOCK_DGRAM,
    0,
    AI_NUMERICHOST,
  );
  if (res.length > 1) throw plainError("sockaddr resolved to multiple addresses", "getnameinfo");
  const ai = res[0];
  if (ai === undefined) throw plainError("sockaddr resolved to no address", "getnameinfo");
  const sa = ai.addr.slice();
  if (ai.family === AF_INET) {
    if (sockaddr.length !== 2) throw plainError("IPv4 sockaddr must be 2 tuple", "getnameinfo");
  } else if (ai.family === AF_INET6) {
    const dv = new DataView(sa.buffer, sa.byteOffset, sa.byteLength);
    dv.setUint32(IN6.sin6_flowinfo, flowinfo, false);
    dv.setUint32(IN6.sin6_scope_id, scope, LITTLE_ENDIAN);
  }
  return yield* gni(sa, fl);
}

// ---- gethostbyname, gethostbyname_ex, gethostbyaddr ----

/**
 * Resolves `host` to the raw address bytes for `family` (4 or 16), exactly
 * as CPython's `getsockaddrarg` does: the host is IDNA-encoded, then
 * `setipaddr` applies: `''` is the wildcard address, `'<broadcast>'` is
 * INADDR_BROADCAST, numeric addresses are parsed, anything else goes
 * through getaddrinfo (its failure is a `gaierror`). Installed into the
 * address encoder (`_sockaddr.ts`) when this module loads.
 */
export function resolveHost(host: string, family: number): Uint8Array {
  const sa = runSync(setipaddr(etHost(host, "getsockaddrarg"), family, "getsockaddrarg"));
  if (getFamily(sa) === AF_INET) {
    return sa.slice(IN.sin_addr, IN.sin_addr + 4);
  }
  return sa.slice(IN6.sin6_addr, IN6.sin6_addr + 16);
}

setHostResolver(resolveHost);

/** `gethostbyname(host)`: setipaddr with AF_INET, formatted. */
export function* gethostbynameGen(host: unknown): ResolverGen<string> {
  const name = etHost(host, "gethostbyname");
  const sa = yield* setipaddr(name, AF_INET, "gethostbyname");
  return ntop4(sa.subarray(IN.sin_addr, IN.sin_addr + 4));
}

/** CPython's gethost_common: the hostent as `[name, aliases, addresses]`, or the error. */
function gethostCommon(h: HostEnt | number, af: number, syscall: string): HostEntry {
  if (typeof h === "number") throw hError(h, syscall);
  if (h.addrtype !== af) throw errorFor(errnoValues.EAFNOSUPPORT, syscall);
  const addrs = h.addrs.map((a) => af === AF_INET ? ntop4(a.subarray(0, 4)) : ntop6(padTo(a, 16)));
  return [h.name, h.aliases, addrs];
}

function padTo(a: Uint8Array, n: number): Uint8Array {
  if (a.length >= n) return a.subarray(0, n);
  const out = new Uint8Array(n);
  out.set(a);
  return out;
}

/** `gethostbyname_ex(host)`: setipaddr (AF_INET) to check the name, then gethostbyname_r. */
export function* gethostbynameExGen(host: unknown): ResolverGen<HostEntry> {
  const name = etHost(host, "gethostbyname_ex");
  const sa = yield* setipaddr(name, AF_INET, "gethostbyname_ex");
  const h = yield* ghbn(zterm(name));
  return gethostCommon(h, getFamily(sa), "gethostbyname_ex");
}

/** `gethostbyaddr(ip)`: setipaddr (any family), then gethostbyaddr_r on its address. */
export function* gethostbyaddrGen(ip: unknown): ResolverGen<HostEntry> {
  const name = etHost(ip, "gethostbyaddr");
  const sa = yield* setipaddr(name, AF_UNSPEC, "gethostbyaddr");
  const af = getFamily(sa);
  let addr: Uint8Array;
  if (af === AF_INET) addr = sa.slice(IN.sin_addr, IN.sin_addr + 4);
  else if (af === AF_INET6) addr = sa.slice(IN6.sin6_addr, IN6.sin6_addr + 16);
  else throw plainError("unsupported address family", "gethostbyaddr");
  const h = yield* ghba(addr, af);
  return gethostCommon(h, af, "gethostbyaddr");
}

// ---- getfqdn ----

/** Python's `str.isspace()` characters, which `str.strip()` removes. */
const PY_SPACE = new Set(
  [
    0x09,
    0x0a,
    0x0b,
    0x0c,
    0x0d,
    0x1c,
    0x1d,
    0x1e,
    0x1f,
    0x20,
    0x85,
    0xa0,
    0x1680,
    0x2000,
    0x2001,
    0x2002,
    0x2003,
    0x2004,
    0x2005,
    0x2006,
    0x2007,
    0x2008,
    0x2009,
    0x200a,
    0x2028,
    0x2029,
    0x202f,
    0x205f,
    0x3000,
  ],
);

/** Python's `str.strip()` with no argument. */
export function pyStrip(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && PY_SPACE.has(s.charCodeAt(a))) a++;
  while (b > a && PY_SPACE.has(s.charCodeAt(b - 1))) b--;
  return s.slice(a, b);
}

/** `getfqdn(name)` with the algorithm of Python's `socket.getfqdn`. */
export function* getfqdnGen(name: unknown = ""): ResolverGen<string> {
  if (typeof name !== "string") {
    throw new TypeError(`getfqdn() name must be a string, not ${describe(name)}`);
  }
  let n = pyStrip(name);
  if (n === "" || n === "0.0.0.0" || n === "::") n = hostname();
  let entry: HostEntry;
  try {
    entry = yield* gethostbyaddrGen(n);
  } catch (e) {
    if (e instanceof SocketError) return n;
    throw e;
  }
  const [host, aliases] = entry;
  for (const a of [host, ...aliases]) if (a.includes(".")) return a;
  return host;
}
