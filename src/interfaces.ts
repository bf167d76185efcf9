/**
 * Network interface names and indexes: Python's `if_nameindex`,
 * `if_nametoindex` and `if_indextoname` over the C functions of the same
 * names (`<net/if.h>`).
 *
 * @module
 */

import { layout } from "../ffi/mod.ts";
import { lastError, lib } from "./_syscall.ts";
import type { Bytes } from "./_types.ts";
import { bytesOf, describe, isBufferSource } from "./_args.ts";
import { plainError } from "./_resolve.ts";
import { utf8z } from "./_resolver_core.ts";

const NI = layout.if_nameindex;
const utf8 = new TextDecoder();

/**
 * Every network interface as `[index, name]`: Python's
 * `socket.if_nameindex()` over `if_nameindex(3)` (the list libc allocates
 * is copied and freed before returning).
 *
 * @example
 * ```ts
 * import { if_nameindex } from "@sockffi/socket";
 * console.log(if_nameindex()); // [[1, "lo"], [2, "eth0"]]
 * ```
 *
 * @returns the interfaces, in the kernel's order
 * @throws {SocketError} if if_nameindex(3) fails (ENOBUFS...)
 */
export function if_nameindex(): [index: number, name: string][] {
  const L = lib();
  const head = L.if_nameindex();
  if (head === null) throw lastError("if_nameindex");
  const out: [number, string][] = [];
  try {
    const v = new Deno.UnsafePointerView(head);
    for (let i = 0;; i++) {
      const index = v.getUint32(i * NI.size + NI.if_index);
      if (index === 0) break;
      const name = v.getPointer(i * NI.size + NI.if_name);
      out.push([index, name === null ? "" : Deno.UnsafePointerView.getCString(name)]);
    }
  } finally {
    L.if_freenameindex(head);
  }
  return out;
}

/**
 * The index of the interface named `if_name`: Python's
 * `socket.if_nametoindex()` over `if_nametoindex(3)`.
 *
 * @example
 * ```ts
 * import { if_nametoindex } from "@sockffi/socket";
 * console.log(if_nametoindex("lo")); // 1
 * ```
 *
 * @param if_name the interface name, a string or bytes
 * @returns its index (1 or more)
 * @throws {SocketError} "no interface with this name" (errno null, as CPython's None)
 * @throws {TypeError} when the name is not a string or bytes
 * @throws {RangeError} for a NUL in the name
 */
export function if_nametoindex(if_name: string | Bytes): number {
  let name: Uint8Array;
  if (typeof if_name === "string") {
    if (if_name.includes("\0")) throw new RangeError("if_nametoindex(): embedded null byte");
    name = utf8z(if_name, "if_nametoindex()");
  } else if (isBufferSource(if_name)) {
    const b = bytesOf(if_name);
    if (b.includes(0)) throw new RangeError("if_nametoindex(): embedded null byte");
    name = new Uint8Array(b.length + 1);
    name.set(b);
  } else {
    throw new TypeError(
      `if_nametoindex() expects a string or bytes, not ${describe(if_name)}`,
    );
  }
  const index = lib().if_nametoindex(name);
  if (index === 0) {
    throw plainError("no interface with this name", "if_nametoindex");
  }
  return index;
}

/**
 * The name of the interface with index `if_index`: Python's
 * `socket.if_indextoname()` over `if_indextoname(3)`.
 *
 * @example
 * ```ts
 * import { if_indextoname } from "@sockffi/socket";
 * console.log(if_indextoname(1)); // "lo"
 * ```
 *
 * @param if_index an interface index
 * @returns the interface name
 * @throws {SocketError} ENXIO when no interface has that index
 * @throws {RangeError} for a negative index or one above 2**32-1
 * @throws {TypeError} when the index is not an integer
 */
export function if_indextoname(if_index: number): string {
  if (typeof if_index !== "number" || !Number.isInteger(if_index)) {
    throw new TypeError(`if_indextoname() index must be an integer, not ${describe(if_index)}`);
  }
  if (if_index < 0) {
    throw new RangeError("if_indextoname(): can't convert negative value to unsigned int");
  }
  if (if_index > 0xffffffff) {
    throw new RangeError("if_indextoname(): index too large to convert to C unsigned int");
  }
  const L = lib();
  const buf = new Uint8Array(layout.IF_NAMESIZE + 1);
  // `+ 0` turns -0 into 0, which Deno's FFI refuses for a u32
  if (L.if_indextoname(if_index + 0, buf) === null) throw lastError("if_indextoname");
  const n = buf.indexOf(0);
  return utf8.decode(buf.subarray(0, n < 0 ? buf.length : n));
}
