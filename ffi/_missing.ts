/**
 * Stand-ins for symbols a C library lacks, so every OS presents the whole
 * `Libc` type: a call fails as a missing syscall does in C, -1 with errno
 * ENOSYS. `src/` does not reach them (it asks `readiness` and `features`
 * first); they exist so that nothing is `undefined` at run time.
 *
 * @module
 */

/** A synchronous stand-in: sets errno (through `cell`) to `enosys`, returns -1. */
export function missing(cell: Int32Array, enosys: number): (...args: unknown[]) => number {
  return (): number => {
    cell[0] = enosys;
    return -1;
  };
}

/**
 * A stand-in for a `nonblocking: true` symbol: resolves to -1 (errno is not
 * read after those, as it belongs to a worker thread).
 */
export function missingAsync(): (...args: unknown[]) => Promise<number> {
  return (): Promise<number> => Promise.resolve(-1);
}
