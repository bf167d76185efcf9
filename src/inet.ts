/**
 * Byte order and IP address text: Python's `htons`, `ntohs`, `htonl`,
 * `ntohl`, `inet_aton`, `inet_ntoa`, `inet_pton` and `inet_ntop`, with
 * CPython 3.11's range checks and errors. The conversions run in
 * JavaScript and match glibc to the character (the differential tests
 * compare them with CPython); IPv6 parsing calls libc's `inet_pton`.
 *
 * @module
 */

import { AF_INET, AF_INET6, errnoValues } from "../constants/mod.ts";
import type { Bytes } from "./_types.ts";
import { bytesOf, describe, isBufferSource } from "./_args.ts";
import { ntop4, ntop6, pton4, pton6 } from "./_inet.ts";
import { LITTLE_ENDIAN, plainError } from "./_resolve.ts";
import { errorFor } from "./_syscall.ts";

function intOf(x: unknown, fn: string): number {
  if (typeof x !== "number" || !Number.isInteger(x)) {
    throw new TypeError(`${fn}() argument must be an integer, not ${describe(x)}`);
  }
  return x;
}

function check16(x: unknown, fn: string): number {
  const v = intOf(x, fn);
  if (v < 0) {
    if (v < -0x80000000) throw new RangeError(`${fn}: signed integer is less than minimum`);
    throw new RangeError(`${fn}: can't convert negative Python int to C 16-bit unsigned integer`);
  }
  if (v > 0x7fffffff) throw new RangeError(`${fn}: signed integer is greater than maximum`);
  if (v > 0xffff) {
    throw new RangeError(`${fn}: Python int too large to convert to C 16-bit unsigned integer`);
  }
  return v;
}

function check32(x: unknown, fn: string): number {
  const v = intOf(x, fn);
  if (v < 0) throw new RangeError(`${fn}: can't convert negative value to unsigned int`);
  if (v > 0xffffffff) {
    if (v >= 2 ** 64) {
      throw new RangeError(`${fn}: Python int too large to convert to C unsigned long`);
    }
    throw new RangeError(`${fn}: int larger than 32 bits`);
  }
  return v;
}

function swap16(v: number): number {
  return LITTLE_ENDIAN ? ((v & 0xff) << 8) | (v >>> 8) : v;
}

function swap32(v: number): number {
  if (!LITTLE_ENDIAN) return v;
  return (((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24)) >>> 0;
}

/**
 * Converts a 16-bit integer from host to network byte order (`htons(3)`):
 * swaps its bytes on little-endian machines. Python: `socket.htons()`.
 *
 * @example
 * ```ts
 * import { htons } from "@sockffi/socket";
 * console.log(htons(0x1234).toString(16)); // "3412" on x86_64
 * ```
 *
 * @param x 0-65535
 * @returns the converted value
 * @throws {RangeError} when x is negative or above 65535
 * @throws {TypeError} when x is not an integer
 */
export function htons(x: number): number {
  return swap16(check16(x, "htons"));
}

/**
 * Converts a 16-bit integer from network to host byte order (`ntohs(3)`).
 * Python: `socket.ntohs()`.
 *
 * @example
 * ```ts
 * import { ntohs } from "@sockffi/socket";
 * console.log(ntohs(0x5000)); // 80 on x86_64
 * ```
 *
 * @param x 0-65535
 * @returns the converted value
 * @throws {RangeError} when x is negative or above 65535
 * @throws {TypeError} when x is not an integer
 */
export function ntohs(x: number): number {
  return swap16(check16(x, "ntohs"));
}

/**
 * Converts a 32-bit integer from host to network byte order (`htonl(3)`).
 * Python: `socket.htonl()`.
 *
 * @example
 * ```ts
 * import { htonl } from "@sockffi/socket";
 * console.log(htonl(1)); // 16777216 on x86_64
 * ```
 *
 * @param x 0-4294967295
 * @returns the converted value (unsigned)
 * @throws {RangeError} when x is negative or above 2**32-1
 * @throws {TypeError} when x is not an integer
 */
export function htonl(x: number): number {
  return swap32(check32(x, "htonl"));
}

/**
 * Converts a 32-bit integer from network to host byte order (`ntohl(3)`).
 * Python: `socket.ntohl()`.
 *
 * @example
 * ```ts
 * import { ntohl } from "@sockffi/socket";
 * console.log(ntohl(0x0100007f).toString(16)); // "7f000001" on x86_64
 * ```
 *
 * @param x 0-4294967295
 * @returns the converted value (unsigned)
 * @throws {RangeError} when x is negative or above 2**32-1
 * @throws {TypeError} when x is not an integer
 */
export function ntohl(x: number): number {
  return swap32(check32(x, "ntohl"));
}

/** A `str` argument for C: no NUL (RangeError), no lone surrogate (RangeError). */
function strArg(v: unknown, fn: string, n: number): string {
  if (typeof v !== "string") {
    const hint = isBufferSource(v) ? " (decode bytes to a string first)" : "";
    throw new TypeError(`${fn}() argument ${n} must be a string, not ${describe(v)}${hint}`);
  }
  if (v.includes("\0")) throw new RangeError(`${fn}(): embedded null character`);
  if (!v.isWellFormed()) {
    throw new RangeError(`${fn}(): 'utf-8' codec can't encode a lone surrogate`);
  }
  return v;
}

/** A bytes argument: any BufferSource; a string is a TypeError saying to encode it. */
function bytesArg(v: unknown, fn: string): Uint8Array {
  if (isBufferSource(v)) return bytesOf(v);
  if (typeof v === "string") {
    throw new TypeError(
      `${fn}() needs bytes (a Uint8Array or other BufferSource), not a string: encode it first`,
    );
  }
  throw new TypeError(`${fn}() needs bytes (a BufferSource), not ${describe(v)}`);
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function hexVal(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** C's isspace() for ASCII: space, \t, \n, \v, \f, \r. */
function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/**
 * glibc's `inet_aton`: 1 to 4 parts separated by dots, each a C integer
 * (`0x` hex, leading `0` octal, else decimal, as strtoul with base 0); the
 * last part fills the remaining bytes; the text may end with whitespace
 * followed by anything. Returns the 4 bytes, or null.
 */
function aton(s: string): Uint8Array<ArrayBuffer> | null {
  const n = s.length;
  const parts: number[] = [];
  let i = 0;
  let val = 0;
  for (;;) {
    if (i >= n || !isDigit(s.charCodeAt(i))) return null;
    // strtoul(cp, &end, 0), starting at a digit
    let base = 10;
    let j = i;
    if (s.charCodeAt(j) === 48) {
      const x = s.charCodeAt(j + 1);
      if ((x === 120 || x === 88) && j + 2 < n && hexVal(s.charCodeAt(j + 2)) >= 0) {
        base = 16;
        j += 2;
      } else {
        base = 8;
      }
    }
    val = 0;
    let overflow = false;
    for (; j < n; j++) {
      const c = s.charCodeAt(j);
      const d = base === 16 ? hexVal(c) : isDigit(c) ? c - 48 : -1;
      if (d < 0 || d >= base) break;
      val = val * base + d;
      if (val > 0xffffffff) overflow = true;
    }
    if (overflow) return null;
    i = j;
    if (i < n && s.charCodeAt(i) === 46) {
      if (parts.length > 2 || val > 0xff) return null;
      parts.push(val);
      i++;
    } else {
      break;
    }
  }
  if (i < n && !isSpace(s.charCodeAt(i))) return null;
  const max = [0xffffffff, 0xffffff, 0xffff, 0xff][parts.length];
  if (val > max) return null;
  const out = new Uint8Array(4);
  for (let k = 0; k < parts.length; k++) out[k] = parts[k];
  for (let k = 3; k >= parts.length; k--) {
    out[k] = out[k] | (val & 0xff);
    val = Math.floor(val / 256);
  }
  return out;
}

/**
 * Converts an IPv4 address in any form `inet_aton(3)` accepts (`a.b.c.d`,
 * `a.b.c`, `a.b`, `a`; each part decimal, `0x` hex or `0` octal; trailing
 * whitespace and anything after it ignored, as glibc does) to 4 bytes in
 * network order. Python: `socket.inet_aton()`.
 *
 * @example
 * ```ts
 * import { inet_aton } from "@sockffi/socket";
 * console.log(inet_aton("127.1")); // Uint8Array(4) [127, 0, 0, 1]
 * console.log(inet_aton("0x7f.1")); // Uint8Array(4) [127, 0, 0, 1]
 * ```
 *
 * @param ip_string the address text
 * @returns the packed address (4 bytes)
 * @throws {SocketError} "illegal IP address string passed to inet_aton" (errno null, as CPython's None)
 * @throws {TypeError} when the argument is not a string
 * @throws {RangeError} for an embedded NUL character
 */
export function inet_aton(ip_string: string): Uint8Array<ArrayBuffer> {
  const s = strArg(ip_string, "inet_aton", 1);
  const out = aton(s);
  if (out === null) throw plainError("illegal IP address string passed to inet_aton", "inet_aton");
  return out;
}

/**
 * Converts 4 bytes (an IPv4 address in network order) to dotted-quad text
 * (`inet_ntoa(3)`). Python: `socket.inet_ntoa()`.
 *
 * @example
 * ```ts
 * import { inet_ntoa } from "@sockffi/socket";
 * console.log(inet_ntoa(new Uint8Array([192, 0, 2, 1]))); // "192.0.2.1"
 * ```
 *
 * @param packed_ip exactly 4 bytes
 * @returns the address as text
 * @throws {SocketError} "packed IP wrong length for inet_ntoa" (errno null, as CPython's None): CPython raises
 * OSError here, not ValueError
 * @throws {TypeError} when the argument is not bytes
 */
export function inet_ntoa(packed_ip: Bytes): string {
  const b = bytesArg(packed_ip, "inet_ntoa");
  if (b.length !== 4) throw plainError("packed IP wrong length for inet_ntoa", "inet_ntoa");
  return ntop4(b);
}

/**
 * Converts an IP address from text to packed bytes (`inet_pton(3)`):
 * strict dotted quads for AF_INET, every RFC 4291 text form for AF_INET6.
 * Python: `socket.inet_pton()`.
 *
 * @example
 * ```ts
 * import { AF_INET6, inet_pton } from "@sockffi/socket";
 * console.log(inet_pton(AF_INET6, "::ffff:192.0.2.1").length); // 16
 * ```
 *
 * @param address_family AF_INET or AF_INET6
 * @param ip_string the address text
 * @returns 4 or 16 bytes
 * @throws {SocketError} "illegal IP address string passed to inet_pton" (errno null, as CPython's None); EAFNOSUPPORT
 * for another family
 * @throws {TypeError} when the family is not an integer or the address not a string
 * @throws {RangeError} for an embedded NUL character
 */
export function inet_pton(address_family: number, ip_string: string): Uint8Array<ArrayBuffer> {
  const af = intOf(address_family, "inet_pton");
  if (af > 0x7fffffff || af < -0x80000000) {
    throw new RangeError("inet_pton(): signed integer out of range");
  }
  const s = strArg(ip_string, "inet_pton", 2);
  let out: Uint8Array<ArrayBuffer> | null;
  if (af === AF_INET) out = pton4(s);
  else if (af === AF_INET6) out = pton6(s);
  else throw errorFor(errnoValues.EAFNOSUPPORT, "inet_pton");
  if (out === null) throw plainError("illegal IP address string passed to inet_pton", "inet_pton");
  return out;
}

/**
 * Converts a packed IP address to its text (`inet_ntop(3)`): a dotted quad
 * for AF_INET; for AF_INET6 lowercase hex with the longest run of zero
 * groups as `::`, and `::a.b.c.d` / `::ffff:a.b.c.d` for IPv4-compatible
 * and IPv4-mapped addresses, as glibc. Python: `socket.inet_ntop()`.
 *
 * @example
 * ```ts
 * import { AF_INET6, inet_ntop } from "@sockffi/socket";
 * const b = new Uint8Array(16);
 * b[15] = 1;
 * console.log(inet_ntop(AF_INET6, b)); // "::1"
 * ```
 *
 * @param address_family AF_INET or AF_INET6
 * @param packed_ip 4 or 16 bytes
 * @returns the address as text
 * @throws {RangeError} "invalid length of packed IP address string", or "unknown address family"
 * @throws {TypeError} when the family is not an integer or packed_ip not bytes
 */
export function inet_ntop(address_family: number, packed_ip: Bytes): string {
  const af = intOf(address_family, "inet_ntop");
  if (af > 0x7fffffff || af < -0x80000000) {
    throw new RangeError("inet_ntop(): signed integer out of range");
  }
  const b = bytesArg(packed_ip, "inet_ntop");
  if (af === AF_INET) {
    if (b.length !== 4) throw new RangeError("invalid length of packed IP address string");
    return ntop4(b);
  }
  if (af === AF_INET6) {
    if (b.length !== 16) throw new RangeError("invalid length of packed IP address string");
    return ntop6(b);
  }
  throw new RangeError(`unknown address family ${af}`);
}
