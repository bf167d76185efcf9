/**
 * Where received bytes land before they become results: one 64 KiB scratch
 * buffer for recv()/recvfrom() (sync and async).
 *
 * Every result is copied out into an ArrayBuffer of its own with nothing
 * else in it (`r.buffer.byteLength === r.byteLength`, offset 0), so that
 * transferring or detaching one result's buffer never touches another's
 * bytes (issue 9, item 3). An earlier version carved small results out of
 * shared slabs, as Node's Buffer pool does, to save the ArrayBuffer
 * allocation; bench/recv_result_bench.ts measures what owning costs. The
 * zero-allocation path is recv_into()/recvfrom_into() with the caller's
 * buffer. Every caller copies out of the scratch buffer in the same
 * synchronous section as the syscall that filled it, so sharing the scratch
 * buffer itself is safe.
 *
 * @module
 */

/** The scratch buffer's size: bufsizes up to this receive into it. */
export const SCRATCH = 65536;
/** The shared receive scratch buffer. */
export const scratch: Uint8Array<ArrayBuffer> = new Uint8Array(SCRATCH);

/**
 * With MSG_TRUNC a datagram socket's recv(2) returns the datagram's full
 * length `n`, more than the `max` bytes written to `src`. CPython then
 * returns `n` bytes whose tail is uninitialized memory; here the tail is
 * zeros (never stale bytes of an earlier call on the shared scratch buffer).
 */
function truncated(src: Uint8Array, max: number, n: number): Uint8Array<ArrayBuffer> {
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
 * `buf` (from {@linkcode recvBuffer}): exactly the bytes received, in an
 * ArrayBuffer of their own.
 */
export function received(
  buf: Uint8Array<ArrayBuffer>,
  n: number,
  bufsize: number,
): Uint8Array<ArrayBuffer> {
  if (n > bufsize) return truncated(buf, bufsize, n);
  // `buf` is the shared scratch buffer or one made for this call alone
  return buf !== scratch && n === bufsize ? buf : buf.slice(0, n);
}
