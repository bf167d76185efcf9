/**
 * Ancillary data (control messages): the `[cmsg_level, cmsg_type,
 * cmsg_data]` items of sendmsg()/recvmsg() to and from the bytes of a
 * `msg_control` buffer, with the walk CPython's `sock_recvmsg_guts` makes
 * (`CMSG_FIRSTHDR`/`CMSG_NXTHDR`, and `get_cmsg_data_len` to detect an item
 * that extends past the buffer). Offsets and sizes come from
 * `layout.cmsghdr`; CMSG_ALIGN from `src/cmsg.ts`.
 *
 * Internal to the message code (`src/msg.ts`, `src/fds.ts`).
 *
 * @module
 */

import { layout } from "../ffi/mod.ts";
import { SCM_RIGHTS, SOL_SOCKET } from "../constants/mod.ts";
import { cmsgAlign } from "./cmsg.ts";

const C = layout.cmsghdr;
/** `sizeof(struct cmsghdr)` */
const HDR = C.size;
/** `CMSG_LEN(0)`: the offset of CMSG_DATA from the header. */
export const CMSG_DATA_OFFSET: number = cmsgAlign(C.size);
/** Where the `cmsg_len` member ends (CPython's `cmsg_len_end`). */
const LEN_END = C.cmsg_len + C.cmsg_lenSize;
/** The platform's byte order for host-order C integers. */
export const LITTLE_ENDIAN: boolean = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const LE = LITTLE_ENDIAN;
const TWO32 = 2 ** 32;

/** A control message about to be sent: level, type and the bytes of its data. */
export interface CmsgOut {
  /** `cmsg_level` */
  level: number;
  /** `cmsg_type` */
  type: number;
  /** the data (CMSG_DATA) */
  data: Uint8Array;
}

/** A control message as received: `[cmsg_level, cmsg_type, cmsg_data]`. */
export type CmsgIn = [cmsg_level: number, cmsg_type: number, cmsg_data: Uint8Array<ArrayBuffer>];

/** Reads an unsigned C integer of 4 or 8 bytes (a `size_t`, `socklen_t`...). */
export function getWord(dv: DataView, off: number, size: number): number {
  if (size === 4) return dv.getUint32(off, LE);
  const lo = dv.getUint32(off + (LE ? 0 : 4), LE);
  const hi = dv.getUint32(off + (LE ? 4 : 0), LE);
  return hi * TWO32 + lo;
}

/** Writes an unsigned C integer of 4 or 8 bytes; `v` is a non-negative safe integer. */
export function putWord(dv: DataView, off: number, size: number, v: number): void {
  if (size === 4) {
    dv.setUint32(off, v, LE);
    return;
  }
  const lo = v % TWO32;
  const hi = (v - lo) / TWO32;
  dv.setUint32(off + (LE ? 0 : 4), lo, LE);
  dv.setUint32(off + (LE ? 4 : 0), hi, LE);
}

/**
 * The `msg_controllen` that sendmsg needs for `items`: the sum of their
 * CMSG_SPACE, as CPython computes it (the last item's padding included).
 */
export function controlSpace(items: readonly CmsgOut[]): number {
  let total = 0;
  for (const it of items) total += CMSG_DATA_OFFSET + cmsgAlign(it.data.length);
  return total;
}

/**
 * Writes `items` as consecutive control messages into `out` (at least
 * {@linkcode controlSpace} bytes, already zeroed): each header has
 * `cmsg_len = CMSG_LEN(len)`, the next starts CMSG_SPACE(len) later.
 */
export function encodeControl(items: readonly CmsgOut[], out: Uint8Array): void {
  const dv = new DataView(out.buffer, out.byteOffset, out.byteLength);
  let off = 0;
  for (const it of items) {
    const len = it.data.length;
    putWord(dv, off + C.cmsg_len, C.cmsg_lenSize, CMSG_DATA_OFFSET + len);
    dv.setInt32(off + C.cmsg_level, it.level, LE);
    dv.setInt32(off + C.cmsg_type, it.type, LE);
    out.set(it.data, off + CMSG_DATA_OFFSET);
    off += CMSG_DATA_OFFSET + cmsgAlign(len);
  }
}

/**
 * Visits the control messages in the first `controllen` bytes of `buf` as
 * CPython does: `visit(level, type, dataOffset, dataLength)` for each item
 * whose header lies inside the buffer, with the data cut at the buffer's
 * end. Returns true when an item was malformed or extended past the end
 * (CPython's cue for its RuntimeWarning); the walk stops there.
 *
 * The next header follows at CMSG_ALIGN(cmsg_len) when a whole header fits
 * before the end (CMSG_NXTHDR).
 */
export function walkControl(
  buf: Uint8Array,
  controllen: number,
  visit: (level: number, type: number, dataOff: number, dataLen: number) => void,
): boolean {
  const end = Math.min(controllen, buf.length);
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  // CMSG_FIRSTHDR: a first header only when a whole one fits.
  let off = end >= HDR ? 0 : -1;
  while (off >= 0) {
    // get_cmsg_data_len(): -1 when the header is not usable, 1 when the data is cut.
    if (off + Math.max(CMSG_DATA_OFFSET, LEN_END) > end) return true;
    const len = getWord(dv, off + C.cmsg_len, C.cmsg_lenSize);
    if (len < CMSG_DATA_OFFSET) return true;
    const dataOff = off + CMSG_DATA_OFFSET;
    const space = end - dataOff;
    const want = len - CMSG_DATA_OFFSET;
    const cut = want > space;
    visit(
      dv.getInt32(off + C.cmsg_level, LE),
      dv.getInt32(off + C.cmsg_type, LE),
      dataOff,
      cut ? space : want,
    );
    if (cut) return true;
    // CMSG_NXTHDR
    const next = off + cmsgAlign(len);
    off = next + HDR <= end ? next : -1;
  }
  return false;
}

/**
 * Decodes the control messages of a received `msg_control` buffer into
 * `[cmsg_level, cmsg_type, cmsg_data]` items (the data copied out).
 * `malformed` is true when an item was truncated or malformed.
 */
export function decodeControl(
  buf: Uint8Array,
  controllen: number,
): { items: CmsgIn[]; malformed: boolean } {
  const items: CmsgIn[] = [];
  const malformed = walkControl(buf, controllen, (level, type, off, len) => {
    items.push([level, type, buf.slice(off, off + len)]);
  });
  return { items, malformed };
}

/**
 * The descriptors carried by SOL_SOCKET/SCM_RIGHTS messages in a received
 * control buffer (whole C ints only), in order.
 */
export function rightsIn(buf: Uint8Array, controllen: number): number[] {
  const fds: number[] = [];
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  walkControl(buf, controllen, (level, type, off, len) => {
    if (level !== SOL_SOCKET || type !== SCM_RIGHTS) return;
    for (let p = off; p + 4 <= off + len; p += 4) fds.push(dv.getInt32(p, LE));
  });
  return fds;
}

/** The text of CPython's RuntimeWarning for a truncated or malformed item. */
export const TRUNCATED_WARNING =
  "RuntimeWarning: received malformed or improperly-truncated ancillary data";
