/**
 * Where received bytes land before they become results: one 64 KiB scratch
 * buffer for recv()/recvfrom() (sync and async), and slabs that small
 * results are carved out of.
 *
 * Allocating an ArrayBuffer measured ~600 ns per recv() here (Deno 2.9.6),
 * more than the syscall's own cost, while a view on a slab costs ~30 ns; so
 * small results are views on a shared slab, as Node's Buffer pool does. Each
 * result is a Uint8Array of exactly its length; only its `.buffer` is shared.
 * Every caller copies out of the scratch buffer in the same synchronous
 * section as the syscall that filled it, so sharing it is safe.
 *
 * @module
 */

/** The scratch buffer's size: bufsizes up to this receive into it. */
export const SCRATCH = 65536;
/** The shared receive scratch buffer. */
export const scratch: Uint8Array<ArrayBuffer> = new Uint8Array(SCRATCH);

const SLAB = 16384;
const POOLED = 2048;
let slab = new Uint8Array(SLAB);
let slabOff = 0;

/** Copies the first `n` bytes of the scratch buffer into a fresh result. */
function fromScratch(n: number): Uint8Array {
  if (n > POOLED || n === 0) return scratch.slice(0, n);
  // `slab.length` rather than SLAB: a caller who transferred a result's
  // buffer (postMessage, structuredClone, a byte stream's enqueue) detached
  // the slab, whose length is then 0, so a new one is started instead of
  // throwing after the data was read.
  if (slabOff + n > slab.length) {
    slab = new Uint8Array(SLAB);
    slabOff = 0;
  }
  const out = slab.subarray(slabOff, slabOff + n);
  slabOff = (slabOff + n + 7) & ~7;
  if (n <= 32) { for (let i = 0; i < n; i++) out[i] = scratch[i]; }
  else out.set(scratch.subarray(0, n));
  return out;
}

/**
 * With MSG_TRUNC a datagram socket's recv(2) returns the datagram's full
 * length `n`, more than the `max` bytes written to `src`. CPython then
 * returns `n` bytes whose tail is uninitialized memory; here the tail is
 * zeros (never stale bytes of an earlier call on the shared scratch buffer).
 */
function truncated(src: Uint8Array, max: number, n: number): Uint8Array {
  const out = new Uint8Array(n);
  out.set(src.subarray(0, max));
  return out;
}

/** The buffer to receive `bufsize` bytes into: the scratch buffer, or a new one when larger. */
export function recvBuffer(bufsize: number): Uint8Array<ArrayBuffer> {
  return bufsize <= SCRATCH ? scratch : new Uint8Array(bufsize);
}

/**
 * recv()'s result after recv(2) returned `n` for `bufsize` asked into
 * `buf` (from {@linkcode recvBuffer}): exactly the bytes received.
 */
export function received(buf: Uint8Array, n: number, bufsize: number): Uint8Array {
  if (n > bufsize) return truncated(buf, bufsize, n);
  if (buf === scratch) return fromScratch(n);
  return n === bufsize ? buf : buf.slice(0, n);
}
