/**
 * The control messages of `Socket.sendmsg_afalg()` (AF_ALG, the kernel's
 * crypto API): the operation, the IV and the AEAD associated-data length,
 * as CPython's `sock_sendmsg_afalg` builds them.
 *
 * @module
 */

import { socketValues as C } from "../constants/mod.ts";
import { bufferArg, type Bytes } from "./_sockaddr.ts";

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

// The engine's own accessors, so an overridden `byteLength` or `buffer` cannot
// make the IV's length field disagree with the bytes copied.
type Getter = (this: unknown) => unknown;
const TA = Object.getPrototypeOf(Uint8Array.prototype) as object;
const get = (proto: object, name: string): Getter =>
  Object.getOwnPropertyDescriptor(proto, name)!.get as Getter;
const taBuffer = get(TA, "buffer"),
  taOffset = get(TA, "byteOffset"),
  taLength = get(TA, "byteLength");
const dvBuffer = get(DataView.prototype, "buffer");
const dvOffset = get(DataView.prototype, "byteOffset");
const dvLength = get(DataView.prototype, "byteLength");

/** A copy of the bytes of `b` (checked by bufferArg), read through the intrinsic accessors. */
function copyOf(b: Bytes): Uint8Array {
  if (b instanceof DataView) {
    const view = new Uint8Array(
      dvBuffer.call(b) as ArrayBuffer,
      dvOffset.call(b) as number,
      dvLength.call(b) as number,
    );
    return view.slice();
  }
  if (ArrayBuffer.isView(b)) {
    const view = new Uint8Array(
      taBuffer.call(b) as ArrayBuffer,
      taOffset.call(b) as number,
      taLength.call(b) as number,
    );
    return view.slice();
  }
  return new Uint8Array(b).slice();
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
  if (options.op === undefined || options.op === null) {
    throw new TypeError("Invalid or missing argument 'op'");
  }
  const op = intOption(options.op, "op");
  if (op < 0 || op > INT_MAX) throw new TypeError("Invalid or missing argument 'op'");
  const out: Cmsg[] = [[SOL_ALG, SET_OP, u32(op)]];
  if (options.iv !== undefined && options.iv !== null) {
    const iv = copyOf(bufferArg(options.iv, "sendmsg_afalg"));
    if (iv.length > U32_MAX) throw new RangeError("sendmsg_afalg(): iv too long");
    const data = new Uint8Array(4 + iv.length);
    data.set(u32(iv.length));
    data.set(iv, 4);
    out.push([SOL_ALG, SET_IV, data]);
  }
  if (options.assoclen !== undefined && options.assoclen !== null) {
    const assoclen = intOption(options.assoclen, "assoclen");
    if (assoclen < 0) throw new TypeError("assoclen must be positive");
    if (assoclen > INT_MAX) throw new RangeError("signed integer is greater than maximum");
    out.push([SOL_ALG, SET_ASSOCLEN, u32(assoclen)]);
  }
  return out;
}
