/**
 * The control messages of `Socket.sendmsg_afalg()` (AF_ALG, the kernel's
 * crypto API): the operation, the IV and the AEAD associated-data length,
 * as CPython's `sock_sendmsg_afalg` builds them.
 *
 * @module
 */

import { socketValues as C } from "../constants/mod.ts";
import type { Bytes } from "./_types.ts";
import { bufferArg, copyOf } from "./_args.ts";

/** Keyword-only arguments of `sendmsg_afalg()` (Python: `op`, `iv`, `assoclen`, `flags`). */
export interface AfalgOptions {
  /** The operation: `ALG_OP_ENCRYPT` or `ALG_OP_DECRYPT` (required, 0 or more). */
  op: number;
  /** The initialization vector (sent as `struct af_alg_iv`), if any. */
  iv?: Bytes | null;
  /** The length of the associated data for AEAD ciphers (0 or more), if any. */
  assoclen?: number | null;
  /** `send` flags, as `sendmsg()`'s. */
  flags?: number;
}

/** One control message as `sendmsg()` takes it: `[level, type, data]`. */
type Cmsg = [cmsg_level: number, cmsg_type: number, cmsg_data: Uint8Array];

const U32_MAX = 0xffffffff;
const INT_MAX = 0x7fffffff;

function u32(v: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, v, true); // native order (little-endian on x86_64/aarch64)
  return out;
}

function intOption(v: unknown, name: string): number {
  if (typeof v !== "number" || !Number.isInteger(v)) {
    throw new TypeError(`sendmsg_afalg() argument '${name}' must be int, not ${typeof v}`);
  }
  return v;
}

/**
 * The control messages for `op`, `iv` and `assoclen`, in CPython's order:
 * `ALG_SET_OP` (u32), `ALG_SET_IV` (`struct af_alg_iv { u32 ivlen; u8 iv[]; }`)
 * when an IV is given, `ALG_SET_AEAD_ASSOCLEN` (u32) when assoclen is given.
 *
 * @param options the keyword-only arguments of `sendmsg_afalg()`
 * @returns the ancillary data for `sendmsg()`
 * @throws {TypeError} "Invalid or missing argument 'op'" for a missing or
 * negative op, "assoclen must be positive" for a negative assoclen, as CPython
 * @throws {RangeError} for values beyond a C int
 */
export function afalgControl(options: AfalgOptions): Cmsg[] {
  if (options === null || typeof options !== "object") {
    throw new TypeError("Invalid or missing argument 'op'");
  }
  const SOL_ALG = C.SOL_ALG, SET_OP = C.ALG_SET_OP;
  const SET_IV = C.ALG_SET_IV, SET_ASSOCLEN = C.ALG_SET_AEAD_ASSOCLEN;
  // each option read once: a getter may answer differently the next time
  const { op: opArg, iv: ivArg, assoclen: assoclenArg } = options;
  if (opArg === undefined || opArg === null) {
    throw new TypeError("Invalid or missing argument 'op'");
  }
  const op = intOption(opArg, "op");
  if (op < 0 || op > INT_MAX) throw new TypeError("Invalid or missing argument 'op'");
  const out: Cmsg[] = [[SOL_ALG, SET_OP, u32(op)]];
  if (ivArg !== undefined && ivArg !== null) {
    const iv = copyOf(bufferArg(ivArg, "sendmsg_afalg"));
    if (iv.length > U32_MAX) throw new RangeError("sendmsg_afalg(): iv too long");
    const data = new Uint8Array(4 + iv.length);
    data.set(u32(iv.length));
    data.set(iv, 4);
    out.push([SOL_ALG, SET_IV, data]);
  }
  if (assoclenArg !== undefined && assoclenArg !== null) {
    const assoclen = intOption(assoclenArg, "assoclen");
    if (assoclen < 0) throw new TypeError("assoclen must be positive");
    if (assoclen > INT_MAX) throw new RangeError("signed integer is greater than maximum");
    out.push([SOL_ALG, SET_ASSOCLEN, u32(assoclen)]);
  }
  return out;
}
