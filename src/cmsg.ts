/**
 * Ancillary-data sizes: `CMSG_LEN` and `CMSG_SPACE` with CPython's values
 * and range checks, and the alignment helper the message code shares.
 *
 * @module
 */

import { layout } from "../ffi/mod.ts";

const ALIGN = layout.cmsghdr.align;
const HDR = layout.cmsghdr.size;
/** Largest value a socklen_t-sized length may take, as CPython bounds it. */
const SOCKLEN_T_LIMIT = 0x7fffffff;

/** Rounds `n` up to the cmsg alignment (CMSG_ALIGN). */
export function cmsgAlign(n: number): number {
  return (n + ALIGN - 1) & ~(ALIGN - 1);
}

function lengthArg(length: unknown, fn: string): number {
  if (typeof length !== "number" || !Number.isInteger(length)) {
    throw new TypeError(`${fn}() argument must be an integer, not ${typeof length}`);
  }
  return length;
}

/**
 * The total length, without trailing padding, of an ancillary data item
 * carrying `length` bytes: the value for its `cmsg_len` field
 * (`CMSG_LEN(3)`). Python: `socket.CMSG_LEN()`.
 *
 * @example
 * ```ts
 * import { CMSG_LEN } from "@sockffi/socket";
 * console.log(CMSG_LEN(4)); // 20 on 64-bit Linux
 * ```
 * @throws {RangeError} when the result would not fit a socklen_t
 */
export function CMSG_LEN(length: number): number {
  lengthArg(length, "CMSG_LEN");
  if (length < 0 || length > SOCKLEN_T_LIMIT - cmsgAlign(HDR)) {
    throw new RangeError("CMSG_LEN() argument out of range");
  }
  return cmsgAlign(HDR) + length;
}

/**
 * The buffer size needed to receive an ancillary data item carrying
 * `length` bytes, trailing padding included (`CMSG_SPACE(3)`); sum them for
 * several items. Python: `socket.CMSG_SPACE()`.
 *
 * @example
 * ```ts
 * import { CMSG_SPACE } from "@sockffi/socket";
 * console.log(CMSG_SPACE(4)); // 24 on 64-bit Linux
 * ```
 * @throws {RangeError} when the result would not fit a socklen_t
 */
export function CMSG_SPACE(length: number): number {
  lengthArg(length, "CMSG_SPACE");
  // CPython's get_CMSG_SPACE: CMSG_SPACE(1) bounds the padding before *and* after the data.
  if (length < 0 || length > SOCKLEN_T_LIMIT - (cmsgAlign(HDR) + cmsgAlign(1))) {
    throw new RangeError("CMSG_SPACE() argument out of range");
  }
  return cmsgAlign(HDR) + cmsgAlign(length);
}
