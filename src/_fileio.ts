/**
 * libc calls on plain file descriptors for `Socket.sendfile()`: `sendfile(2)`,
 * `read(2)`, `lseek(2)`, and finding the descriptor behind a `Deno.FsFile`.
 *
 * Same rules as `_syscall.ts`: errno is read right after the failing call,
 * on this thread; EINTR is retried (PEP 475).
 *
 * @module
 */

import { errno } from "../ffi/mod.ts";
import { errnoValues, sys } from "../constants/mod.ts";
import { big, errorFor, lib, READ, waitFd } from "./_syscall.ts";

const EINTR = errnoValues.EINTR;
const EAGAIN = errnoValues.EAGAIN;
const EWOULDBLOCK = errnoValues.EWOULDBLOCK;
const SEEK_SET = sys.SEEK_SET;
const SEEK_CUR = sys.SEEK_CUR;

/**
 * One `sendfile(2)` from `inFd` at `*off` to the socket `outFd`, EINTR
 * retried. Returns the bytes sent (0 at end of file; the kernel advances
 * `off[0]`), or `-errno` on failure, so that callers can choose between
 * waiting (EAGAIN), falling back (nothing sent yet) and throwing.
 */
export function sendfileOnce(
  outFd: number,
  inFd: number,
  off: BigInt64Array,
  count: number,
): number {
  const L = lib();
  for (;;) {
    const n = L.sendfile(outFd, inFd, off, big(count));
    if (n >= 0) return n;
    const e = errno();
    if (e !== EINTR) return -e;
  }
}

/**
 * `read(2)` of at most `len` bytes into `buf` (length checked by the caller),
 * EINTR retried; on EAGAIN (a non-blocking descriptor) waits until readable.
 * Returns the bytes read, 0 at end of file.
 *
 * @throws {SocketError} for any other failure
 */
export function readFd(fd: number, buf: Uint8Array, len: number): number {
  if (len > buf.length) {
    throw new RangeError(`read of ${len} bytes into a ${buf.length}-byte buffer`);
  }
  const L = lib();
  for (;;) {
    const n = L.read(fd, buf, big(len));
    if (n >= 0) return n;
    const e = errno();
    if (e === EINTR) continue;
    if (e === EAGAIN || e === EWOULDBLOCK) {
      waitFd(fd, READ, -1);
      continue;
    }
    throw errorFor(e, "read");
  }
}

/**
 * `lseek(fd, pos, SEEK_SET)`. Returns 0, or the errno (ESPIPE for a pipe or
 * socket) without throwing.
 */
export function seekFd(fd: number, pos: number): number {
  const r = lib().lseek(fd, BigInt(pos), SEEK_SET);
  return r < 0n ? errno() : 0;
}

/** `lseek(fd, 0, SEEK_CUR)`: the descriptor's file position, or -1 when it has none. */
export function tellFd(fd: number): number {
  const r = lib().lseek(fd, 0n, SEEK_CUR);
  return r < 0n ? -1 : Number(r);
}

// ---- the descriptor behind a Deno.FsFile ----

// Deno 2 gives an FsFile no public descriptor (only an internal resource id,
// which is not an fd). Its position, though, lives in the kernel's open file
// description, which every descriptor of that description shares: moving the
// FsFile to an unlikely position and asking each of our descriptors where it
// stands (lseek(fd, 0, SEEK_CUR) moves nothing) tells which one it is. Two
// rounds with random positions rule out a coincidence. An FsFile keeps its
// descriptor for its whole life, so the answer is cached until it closes.
const fdCache = new WeakMap<Deno.FsFile, number>();

function candidateFds(): number[] {
  let listable = false;
  try {
    listable = Deno.permissions.querySync({ name: "read", path: "/proc/self/fd" }).state ===
      "granted";
  } catch {
    // permissions API unavailable: scan instead
  }
  if (listable) {
    try {
      const fds: number[] = [];
      for (const e of Deno.readDirSync("/proc/self/fd")) {
        const fd = Number(e.name);
        if (Number.isInteger(fd)) fds.push(fd);
      }
      return fds;
    } catch {
      // no /proc: scan instead
    }
  }
  // Without /proc: the low descriptors (a Deno process rarely goes past a
  // few dozen); a file beyond them is sent with the read+send fallback.
  return Array.from({ length: 1024 }, (_, i) => i);
}

/**
 * The descriptor of `file`, or null when it cannot be found (a device or
 * pipe whose position cannot be set, or a descriptor past the scan). The
 * file's position is left where it was.
 *
 * @throws whatever `file.seekSync()` throws for a closed file (Deno.errors.BadResource)
 */
export function fsFileFd(file: Deno.FsFile): number | null {
  let orig: number;
  try {
    orig = file.seekSync(0, Deno.SeekMode.Current);
  } catch {
    return null; // closed, or not seekable (a pipe): no sendfile for it
  }
  const known = fdCache.get(file);
  if (known !== undefined) return known;
  let fds = candidateFds();
  try {
    for (let round = 0; round < 2 && fds.length > 0; round++) {
      // in [2^30, 2^31): within every filesystem's largest file, and far from
      // where real files usually stand
      const mark = 0x40000000 + Math.floor(Math.random() * 0x3fffffff);
      if (file.seekSync(mark, Deno.SeekMode.Start) !== mark) return null; // /dev/zero and co.
      fds = fds.filter((fd) => tellFd(fd) === mark);
    }
  } catch {
    return null;
  } finally {
    file.seekSync(orig, Deno.SeekMode.Start);
  }
  if (fds.length === 0) return null;
  // More than one left: duplicates of the same open file description, any will do.
  fdCache.set(file, fds[0]);
  return fds[0];
}
