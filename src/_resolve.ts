/**
 * The getaddrinfo primitive every resolver-facing function builds on:
 * builds the hints, calls libc, copies each result out of libc's memory and
 * always frees it, and maps failures to {@linkcode gaierror} (EAI_SYSTEM
 * falls back to errno, as CPython does).
 *
 * @module
 */

import { layout } from "../ffi/mod.ts";
import { socketValues as K } from "../constants/mod.ts";
import { gaierror } from "./errors.ts";
import { currentErrno, errorFor, lib, resetErrno } from "./_syscall.ts";

/** One getaddrinfo result, copied out of libc's list. */
export interface RawAddrInfo {
  /** ai_family */
  family: number;
  /** ai_socktype */
  type: number;
  /** ai_protocol */
  proto: number;
  /** ai_canonname, or "" */
  canonname: string;
  /** the ai_addr bytes (ai_addrlen of them) */
  addr: Uint8Array;
}

const AI = layout.addrinfo;
const enc = new TextEncoder();

/** EAI_* value → name, from the constants table. */
const EAI_NAMES: Record<number, string> = {};
for (const [k, v] of Object.entries(K)) if (k.startsWith("EAI_")) EAI_NAMES[v] ??= k;

/** A C string (NUL-terminated UTF-8) for a JS string, or null. */
export function cString(s: string | null): Uint8Array | null {
  if (s === null) return null;
  const b = new Uint8Array(enc.encode(s).length + 1);
  enc.encodeInto(s, b);
  return b;
}

/** Builds a `struct addrinfo` hints buffer. */
export function hints(family: number, type: number, proto: number, flags: number): Uint8Array {
  const h = new Uint8Array(AI.size);
  const dv = new DataView(h.buffer);
  dv.setInt32(AI.ai_flags, flags, true);
  dv.setInt32(AI.ai_family, family, true);
  dv.setInt32(AI.ai_socktype, type, true);
  dv.setInt32(AI.ai_protocol, proto, true);
  return h;
}

/** The gaierror (or, for EAI_SYSTEM, the errno SocketError) for a getaddrinfo failure. */
export function gaiError(code: number, syscall: string, sysErrno?: number): Error {
  if (code === K.EAI_SYSTEM && sysErrno !== undefined && sysErrno !== 0) {
    return errorFor(sysErrno, syscall);
  }
  const p = lib().gai_strerror(code);
  const text = p === null ? `Unknown error ${code}` : Deno.UnsafePointerView.getCString(p);
  return new gaierror(code, text, syscall, EAI_NAMES[code] ?? "");
}

/** Walks a getaddrinfo result list, copying every entry, then frees it. */
export function collect(resCell: BigUint64Array): RawAddrInfo[] {
  const out: RawAddrInfo[] = [];
  const head = Deno.UnsafePointer.create(resCell[0]);
  let p = head;
  try {
    while (p !== null) {
      const v = new Deno.UnsafePointerView(p);
      const addrlen = v.getUint32(AI.ai_addrlen);
      const ap = v.getPointer(AI.ai_addr);
      const cp = v.getPointer(AI.ai_canonname);
      const addr = new Uint8Array(addrlen);
      if (ap !== null && addrlen > 0) {
        Deno.UnsafePointerView.copyInto(ap, addr);
      }
      out.push({
        family: v.getInt32(AI.ai_family),
        type: v.getInt32(AI.ai_socktype),
        proto: v.getInt32(AI.ai_protocol),
        canonname: cp === null ? "" : Deno.UnsafePointerView.getCString(cp),
        addr,
      });
      p = v.getPointer(AI.ai_next);
    }
  } finally {
    if (head !== null) lib().freeaddrinfo(head);
  }
  return out;
}

/**
 * `getaddrinfo(3)` on the JavaScript thread. `host`/`port` may be null.
 *
 * @throws {gaierror} with the EAI_* code and gai_strerror's text
 */
export function getaddrinfoRaw(
  host: string | null,
  port: string | null,
  family: number,
  type: number,
  proto: number,
  flags: number,
): RawAddrInfo[] {
  const L = lib();
  const res = new BigUint64Array(1);
  resetErrno();
  const r = L.getaddrinfo(cString(host), cString(port), hints(family, type, proto, flags), res);
  if (r !== 0) throw gaiError(r, "getaddrinfo", currentErrno());
  return collect(res);
}
