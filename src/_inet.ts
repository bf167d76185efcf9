/**
 * IP address text ⇄ bytes, in JavaScript where that is exact and cheaper
 * than an FFI call plus string marshalling: IPv4 dotted quads and IPv6
 * formatting follow glibc's `inet_pton`/`inet_ntop` to the character (the
 * differential tests compare them with CPython). IPv6 parsing goes through
 * libc's `inet_pton`.
 *
 * @module
 */

import { AF_INET6 } from "../constants/mod.ts";
import { lib } from "./_syscall.ts";

/**
 * Parses a strict dotted-quad IPv4 address as glibc's `inet_pton(AF_INET)`
 * does: four decimal parts 0-255, no leading zeros, nothing else. Returns
 * the 4 bytes, or null when `s` is not one.
 */
export function pton4(s: string): Uint8Array<ArrayBuffer> | null {
  const out = new Uint8Array(4);
  return pton4Into(s, out, 0) ? out : null;
}

/**
 * {@linkcode pton4} into `out` at `off`, without allocating: returns false
 * (and may have written partial bytes) when `s` is not a dotted quad.
 */
export function pton4Into(s: string, out: Uint8Array, off: number): boolean {
  const n = s.length;
  if (n < 7 || n > 15) return false;
  let part = 0;
  let val = 0;
  let digits = 0;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (digits > 0 && val === 0) return false; // leading zero
      val = val * 10 + (c - 48);
      if (val > 255) return false;
      digits++;
    } else if (c === 46) {
      if (digits === 0 || part === 3) return false;
      out[off + part++] = val;
      val = 0;
      digits = 0;
    } else {
      return false;
    }
  }
  if (digits === 0 || part !== 3) return false;
  out[off + 3] = val;
  return true;
}

const enc = new TextEncoder();

/**
 * Parses an IPv6 address with libc's `inet_pton(AF_INET6)`. Returns the 16
 * bytes, or null when `s` is not one (a zone suffix such as `%eth0` is not
 * part of the address: inet_pton refuses it, as in C).
 */
export function pton6(s: string): Uint8Array<ArrayBuffer> | null {
  if (s.length === 0 || s.length > 63 || s.indexOf(":") < 0) return null;
  const src = new Uint8Array(s.length * 3 + 1);
  const { written } = enc.encodeInto(s, src);
  if (src.subarray(0, written).includes(0)) return null;
  const out = new Uint8Array(16);
  return lib().inet_pton(AF_INET6, src, out) === 1 ? out : null;
}

/** Formats 4 bytes as a dotted quad. */
export function ntop4(b: Uint8Array): string {
  return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
}

/**
 * Formats 16 bytes as glibc's `inet_ntop(AF_INET6)` does: lowercase hex,
 * the first longest run of two or more zero groups as `::`, and the
 * embedded-IPv4 forms `::a.b.c.d` and `::ffff:a.b.c.d`.
 */
export function ntop6(b: Uint8Array): string {
  const w = new Array<number>(8);
  for (let i = 0; i < 8; i++) w[i] = (b[2 * i] << 8) | b[2 * i + 1];
  let bestBase = -1;
  let bestLen = 0;
  let curBase = -1;
  let curLen = 0;
  for (let i = 0; i < 8; i++) {
    if (w[i] === 0) {
      if (curBase === -1) {
        curBase = i;
        curLen = 1;
      } else curLen++;
    } else if (curBase !== -1) {
      if (bestBase === -1 || curLen > bestLen) {
        bestBase = curBase;
        bestLen = curLen;
      }
      curBase = -1;
    }
  }
  if (curBase !== -1 && (bestBase === -1 || curLen > bestLen)) {
    bestBase = curBase;
    bestLen = curLen;
  }
  if (bestBase !== -1 && bestLen < 2) bestBase = -1;
  let out = "";
  for (let i = 0; i < 8; i++) {
    if (bestBase !== -1 && i >= bestBase && i < bestBase + bestLen) {
      if (i === bestBase) out += ":";
      continue;
    }
    if (i !== 0) out += ":";
    if (
      i === 6 && bestBase === 0 && (bestLen === 6 || (bestLen === 5 && w[5] === 0xffff))
    ) {
      out += `${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
      return out;
    }
    out += w[i].toString(16);
  }
  if (bestBase !== -1 && bestBase + bestLen === 8) out += ":";
  return out;
}
