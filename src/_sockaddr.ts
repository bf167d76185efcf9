/**
 * Socket address encode/decode, per family, with CPython's representation
 * of each: `[host, port]` for AF_INET, `[host, port, flowinfo, scope_id]` for
 * AF_INET6, a path string or abstract-namespace bytes for AF_UNIX. Other
 * families register a {@linkcode FamilyCodec} with
 * {@linkcode registerFamily}. Struct offsets come from `ffi/structs.ts`.
 *
 * @module
 */

import { layout, osName } from "../ffi/mod.ts";
import { AF_INET, AF_INET6, AF_UNIX, errnoValues } from "../constants/mod.ts";
import { SocketError } from "./errors.ts";
import { ntop6, pton4, pton4Into, pton6 } from "./_inet.ts";
import { bytesOf, describe, isBufferSource, requireInt } from "./_args.ts";

import type { Address, Inet6Address, InetAddress } from "./_types.ts";

/** What a family contributes: how its addresses turn into sockaddr bytes and back. */
export interface FamilyCodec {
  /** Writes the sockaddr for `addr` into `out` and returns its length. */
  encode(addr: unknown, out: Uint8Array, type: number, proto: number): number;
  /** Reads the sockaddr of `len` bytes in `buf` (its family already known). */
  decode(buf: Uint8Array, len: number, proto: number): Address;
}

const codecs = new Map<number, FamilyCodec>();

/** Adds (or replaces) the codec for an address family. */
export function registerFamily(family: number, codec: FamilyCodec): void {
  codecs.set(family, codec);
}

const FAM = layout.sa_family.offset;
const SA_LEN = layout.saLen;

/** Writes the family (and on BSD the sa_len byte) at the start of a sockaddr. */
export function putFamily(out: Uint8Array, family: number, len: number): void {
  if (SA_LEN) {
    out[0] = len;
    out[FAM] = family;
  } else {
    out[FAM] = family & 0xff;
    out[FAM + 1] = family >>> 8;
  }
}

/** Reads the family field of a sockaddr. */
export function getFamily(buf: Uint8Array): number {
  return SA_LEN ? buf[FAM] : buf[FAM] | (buf[FAM + 1] << 8);
}

// ---- argument checks shared by codecs ----

/** Checks a port as CPython does: an integer in 0-65535. */
export function checkPort(v: unknown, fn = "getsockaddrarg"): number {
  const p = requireInt(v, "port");
  if (p < 0 || p > 65535) throw new RangeError(`${fn}: port must be 0-65535, not ${p}`);
  return p;
}

const utf8 = new TextEncoder();
const utf8d = new TextDecoder("utf-8", { fatal: false });

/** Encodes a C string argument, refusing embedded NULs. */
export function cstr(s: string, what: string): Uint8Array {
  if (s.includes("\0")) throw new TypeError(`${what} must not contain a NUL character`);
  const b = new Uint8Array(utf8.encode(s).length + 1);
  utf8.encodeInto(s, b);
  return b;
}

/** Decodes `len` bytes of `buf` as UTF-8 (surrogate-free replacement, as a path). */
export function decodeUtf8(buf: Uint8Array, start: number, end: number): string {
  return utf8d.decode(buf.subarray(start, end));
}

const utf8strict = new TextDecoder("utf-8", { fatal: true });

/**
 * Python's `os.fsdecode()` on Linux: UTF-8 with the "surrogateescape" error
 * handler (PEP 383). A byte that is not part of valid UTF-8 becomes the lone
 * surrogate U+DC80-U+DCFF, so that {@linkcode fsencode} gives the same
 * bytes back and such a path can be used again.
 */
export function fsdecode(b: Uint8Array): string {
  try {
    return utf8strict.decode(b);
  } catch {
    // some bytes are not UTF-8: escape them one by one
  }
  let out = "";
  let i = 0;
  while (i < b.length) {
    const c = b[i];
    const n = c < 0x80
      ? 1
      : c >= 0xc2 && c <= 0xdf
      ? 2
      : c >= 0xe0 && c <= 0xef
      ? 3
      : c >= 0xf0 && c <= 0xf4
      ? 4
      : 0;
    if (n > 0 && i + n <= b.length) {
      try {
        out += utf8strict.decode(b.subarray(i, i + n));
        i += n;
        continue;
      } catch {
        // not a valid sequence: escape its first byte
      }
    }
    out += String.fromCharCode(0xdc00 + c);
    i++;
  }
  return out;
}

/**
 * Python's `os.fsencode()` on Linux: UTF-8, with the lone surrogates
 * U+DC80-U+DCFF that {@linkcode fsdecode} made turned back into their bytes.
 */
export function fsencode(s: string): Uint8Array {
  if (!/[\udc80-\udcff]/.test(s)) return utf8.encode(s);
  const bytes: number[] = [];
  let seg = "";
  const flush = (): void => {
    if (seg !== "") { for (const x of utf8.encode(seg)) bytes.push(x); }
    seg = "";
  };
  for (let i = 0; i < s.length; i++) {
    const cu = s.charCodeAt(i);
    if (cu >= 0xd800 && cu <= 0xdbff && i + 1 < s.length) {
      const lo = s.charCodeAt(i + 1);
      if (lo >= 0xdc00 && lo <= 0xdfff) {
        seg += s[i] + s[i + 1];
        i++;
        continue;
      }
    }
    if (cu >= 0xdc80 && cu <= 0xdcff) {
      flush();
      bytes.push(cu - 0xdc00);
    } else {
      seg += s[i];
    }
  }
  flush();
  return new Uint8Array(bytes);
}

// ---- host resolution (CPython's setipaddr), handed in by the resolver ----

/**
 * Resolves `host` to the raw address bytes for `family` (4 or 16), as
 * CPython's `getsockaddrarg` does (see `resolveHost` in
 * `_resolver_core.ts`, which installs itself here when it loads: the
 * encoder sits below the resolver and does not import it).
 */
export type HostResolver = (host: string, family: number) => Uint8Array;

let resolveHost: HostResolver = () => {
  throw new Error("sockffi: no host resolver installed (import src/_resolver_core.ts)");
};

/** Installs the function the AF_INET/AF_INET6 encoders use for non-numeric hosts. */
export function setHostResolver(fn: HostResolver): void {
  resolveHost = fn;
}

// ---- AF_INET ----

const IN = layout.sockaddr_in;
const IN6 = layout.sockaddr_in6;

function pairOf(addr: unknown, fam: string): readonly unknown[] {
  if (!Array.isArray(addr)) {
    throw new TypeError(`${fam} address must be an array [host, port], not ${describe(addr)}`);
  }
  return addr;
}

function hostOf(v: unknown): string {
  if (typeof v !== "string") {
    throw new TypeError(`host must be a string, not ${describe(v)}`);
  }
  return v;
}

const inetCodec: FamilyCodec = {
  encode(addr: unknown, out: Uint8Array): number {
    const a = pairOf(addr, "AF_INET");
    if (a.length !== 2) {
      throw new TypeError(
        `AF_INET address must be a pair [host, port], not an array of ${a.length}`,
      );
    }
    const host = hostOf(a[0]);
    const port = checkPort(a[1]);
    out.fill(0, 0, IN.size);
    // a dotted quad is parsed straight into place; anything else is resolved
    if (!pton4Into(host, out, IN.sin_addr)) out.set(resolveHost(host, AF_INET), IN.sin_addr);
    putFamily(out, AF_INET, IN.size);
    out[IN.sin_port] = port >>> 8;
    out[IN.sin_port + 1] = port & 0xff;
    return IN.size;
  },
  decode: decodeInet,
};

// The last IPv4 host decoded, as its 32-bit value and its text: a receiver
// hears the same few peers again and again, and building the dotted string
// (four number conversions and a concatenation, and their garbage) was the
// largest part of recvfrom's wrapper cost (issue 11's profile). Strings are
// immutable, so sharing one between results hands no caller another's bytes;
// the arrays stay fresh per result.
let lastInetKey = -1;
let lastInetHost = "";

function decodeInet(buf: Uint8Array): InetAddress {
  const o = IN.sin_addr;
  const key = ((buf[o] << 24) | (buf[o + 1] << 16) | (buf[o + 2] << 8) | buf[o + 3]) >>> 0;
  let host = lastInetHost;
  if (key !== lastInetKey) {
    host = `${buf[o]}.${buf[o + 1]}.${buf[o + 2]}.${buf[o + 3]}`;
    lastInetKey = key;
    lastInetHost = host;
  }
  return [host, (buf[IN.sin_port] << 8) | buf[IN.sin_port + 1]];
}

// ---- AF_INET6 ----

const inet6Codec: FamilyCodec = {
  encode(addr: unknown, out: Uint8Array): number {
    const a = pairOf(addr, "AF_INET6");
    if (a.length < 2 || a.length > 4) {
      throw new TypeError(
        `AF_INET6 address must be [host, port[, flowinfo[, scope_id]]], not an array of ${a.length}`,
      );
    }
    const host = hostOf(a[0]);
    const port = checkPort(a[1]);
    const flowinfo = a.length > 2 ? requireInt(a[2], "flowinfo") : 0;
    if (flowinfo < 0 || flowinfo > 0xfffff) {
      throw new RangeError(`getsockaddrarg: flowinfo must be 0-1048575, not ${flowinfo}`);
    }
    const scope = a.length > 3 ? requireInt(a[3], "scope_id") : 0;
    if (scope < 0 || scope > 0xffffffff) {
      throw new RangeError(`scope_id must be 0-4294967295, not ${scope}`);
    }
    const raw = resolveHost(host, AF_INET6);
    out.fill(0, 0, IN6.size);
    putFamily(out, AF_INET6, IN6.size);
    out[IN6.sin6_port] = port >>> 8;
    out[IN6.sin6_port + 1] = port & 0xff;
    const dv = new DataView(out.buffer, out.byteOffset, out.byteLength);
    dv.setUint32(IN6.sin6_flowinfo, flowinfo, false);
    out.set(raw, IN6.sin6_addr);
    dv.setUint32(IN6.sin6_scope_id, scope, true);
    return IN6.size;
  },
  decode(buf: Uint8Array): Inet6Address {
    const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    const scope = dv.getUint32(IN6.sin6_scope_id, true);
    // CPython 3.11 formats the host with inet_ntop alone: no `%scope` suffix
    // (the scope id is the tuple's fourth element).
    const host = ntop6(buf.subarray(IN6.sin6_addr, IN6.sin6_addr + 16));
    return [
      host,
      (buf[IN6.sin6_port] << 8) | buf[IN6.sin6_port + 1],
      dv.getUint32(IN6.sin6_flowinfo, false),
      scope,
    ];
  },
};

// ---- AF_UNIX ----

const UN = layout.sockaddr_un;

const unixCodec: FamilyCodec = {
  encode(addr: unknown, out: Uint8Array): number {
    let path: Uint8Array;
    if (typeof addr === "string") path = fsencode(addr);
    else if (isBufferSource(addr)) path = bytesOf(addr);
    else {
      throw new TypeError(
        `AF_UNIX address must be a string or bytes (a BufferSource), not ${describe(addr)}`,
      );
    }
    // As CPython: an abstract name (or '' for autobind) may fill sun_path;
    // a filesystem path needs room for its terminating NUL, which the
    // address length includes.
    const abstract = path.length === 0 || path[0] === 0;
    const len = abstract ? path.length : path.length + 1;
    if (len > UN.pathMax) {
      throw new SocketError(errnoValues.ENAMETOOLONG, "AF_UNIX path too long", "getsockaddrarg");
    }
    out.fill(0, 0, UN.size);
    putFamily(out, AF_UNIX, UN.sun_path + len);
    out.set(path, UN.sun_path);
    return UN.sun_path + len;
  },
  decode(buf: Uint8Array, len: number): string | Uint8Array {
    const n = len - UN.sun_path;
    if (n <= 0) return "";
    if (buf[UN.sun_path] === 0) return buf.slice(UN.sun_path, len);
    let end = UN.sun_path;
    while (end < len && buf[end] !== 0) end++;
    return fsdecode(buf.subarray(UN.sun_path, end));
  },
};

registerFamily(AF_INET, inetCodec);
registerFamily(AF_INET6, inet6Codec);
registerFamily(AF_UNIX, unixCodec);

// ---- dispatch ----

/**
 * Encodes `addr` for a socket of `family` into `out` (at least a
 * sockaddr_storage); returns the sockaddr length.
 */
export function encode(
  family: number,
  type: number,
  proto: number,
  addr: unknown,
  out: Uint8Array,
): number {
  const c = codecs.get(family);
  if (c === undefined) {
    throw new SocketError(
      errnoValues.EAFNOSUPPORT,
      `getsockaddrarg: bad family ${family} (no address format for it: not supported on ${osName})`,
      "getsockaddrarg",
    );
  }
  return c.encode(addr, out, type, proto);
}

/**
 * Decodes a sockaddr the kernel wrote (`len` bytes of `buf`): `null` when
 * `len` is 0, the family's representation when known, else
 * `[family, bytes]` as CPython returns for unknown families.
 */
export function decode(buf: Uint8Array, len: number, proto = 0): Address | null {
  if (len === 0) return null;
  const family = getFamily(buf);
  // the hot case first, without the table lookup and the indirect call
  if (family === AF_INET) return decodeInet(buf);
  const c = codecs.get(family);
  if (c === undefined) return [family, buf.slice(FAM + layout.sa_family.size, len)];
  return c.decode(buf, len, proto);
}

// ---- a one-entry cache for repeated sendto() to the same numeric address ----

/**
 * Encodes with a cache: repeated sends to the same numeric [host, port]
 * reuse the bytes. The caller's array is read once, element by element,
 * into a plain array of its own; that copy is what gets encoded and what the
 * cache remembers, so an address whose getters (or Proxy) answer
 * differently from one read to the next can never make a later call reuse
 * bytes that were encoded for another destination.
 */
export class AddressCache {
  #family = -1;
  #host: unknown = undefined;
  #port: unknown = undefined;
  #rest: unknown[] = [];
  #len = 0;
  /** The cached sockaddr bytes. */
  readonly buf: Uint8Array<ArrayBuffer> = new Uint8Array(layout.sockaddr_storage.size);

  /** Encodes `addr` (or reuses the last encoding) and returns its length; bytes in `buf`. */
  encode(family: number, type: number, proto: number, addr: unknown): number {
    const n = Array.isArray(addr) ? addr.length : -1;
    if (n < 2 || n > 4 || (family !== AF_INET && family !== AF_INET6)) {
      // not an inet address of a valid shape: the codec says what is wrong
      this.#family = -1;
      return this.#len = encode(family, type, proto, addr, this.buf);
    }
    // One read of each element; everything below uses these values only.
    const a = addr as unknown[];
    const host: unknown = a[0];
    const port: unknown = a[1];
    if (
      family === this.#family && typeof host === "string" && host === this.#host &&
      port === this.#port && n === this.#rest.length + 2
    ) {
      let same = true;
      for (let i = 2; i < n; i++) {
        if (a[i] !== this.#rest[i - 2]) same = false;
      }
      if (same) return this.#len;
    }
    const rest: unknown[] = [];
    for (let i = 2; i < n; i++) rest.push(a[i]);
    const snapshot = [host, port, ...rest];
    this.#family = -1;
    const len = encode(family, type, proto, snapshot, this.buf);
    // Only numeric hosts are cached: a name is resolved again on every call.
    if (typeof host === "string" && (family === AF_INET ? pton4(host) : pton6(host)) !== null) {
      this.#family = family;
      this.#host = host;
      this.#port = port;
      this.#rest = rest;
    }
    return this.#len = len;
  }
}
