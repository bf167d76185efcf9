/**
 * `Socket.sendfile()`: the Linux `sendfile(2)` syscall, with a read + send
 * fallback where it cannot be used, as CPython's `socket.sendfile()`
 * (`_sendfile_use_sendfile` / `_sendfile_use_send` in Lib/socket.py).
 *
 * @module
 */

import { errnoValues, SOCK_STREAM } from "../constants/mod.ts";
import { timeout } from "./errors.ts";
import { describe } from "./_args.ts";
import { errorFor, waitFd, WRITE } from "./_syscall.ts";
import { fsFileFd, readFd, seekFd, sendfileOnce, tellFd } from "./_fileio.ts";
import { fdOf, timeoutMsOf } from "./_core.ts";
import type { Socket } from "./socket.ts";

const EAGAIN = errnoValues.EAGAIN;
const EWOULDBLOCK = errnoValues.EWOULDBLOCK;
const ESPIPE = errnoValues.ESPIPE;

/** Bytes asked of one sendfile(2) call (CPython caps it at 1 GiB too, bpo-38319). */
export const SENDFILE_BLOCK = 0x40000000;
/** Bytes read per round of the fallback (CPython reads 8 KiB; larger blocks cost fewer syscalls). */
export const SEND_BLOCK = 0x10000;

/** The file argument after checking: a Deno file or a descriptor number. */
type FileArg = Deno.FsFile | number;

/**
 * sendfile()'s argument checks, shared with `s.async.sendfile()` (which
 * alone accepts non-blocking sockets, so that check is the caller's).
 * Returns the file to use: a descriptor of -0 is 0 (Deno's FFI refuses -0).
 */
export function checkSendfileParams(
  s: Socket,
  file: unknown,
  offset: unknown,
  count: unknown,
): FileArg {
  if (typeof file === "number") {
    if (!Number.isInteger(file)) {
      throw new TypeError(`sendfile() file descriptor must be an integer, not ${describe(file)}`);
    }
    if (file < 0 || file > 0x7fffffff) {
      throw new RangeError(`sendfile() file descriptor out of range: ${file}`);
    }
  } else if (!(file instanceof Deno.FsFile)) {
    throw new TypeError(
      `sendfile() needs a Deno.FsFile or a file descriptor number, not ${describe(file)}`,
    );
  }
  if (typeof offset !== "number" || !Number.isSafeInteger(offset)) {
    throw new TypeError(`sendfile() offset must be an integer, not ${describe(offset)}`);
  }
  if (offset < 0) throw new RangeError(`negative seek position ${offset}`);
  if (count !== null) {
    if (typeof count !== "number" || !Number.isSafeInteger(count)) {
      throw new TypeError(`count must be a positive integer (got ${describe(count)})`);
    }
    if (count <= 0) throw new RangeError(`count must be a positive integer (got ${count})`);
  }
  // CPython tests the bit, so SOCK_SEQPACKET (5) passes and SOCK_DGRAM (2) does not.
  if ((s.type & SOCK_STREAM) === 0) {
    throw new RangeError("only SOCK_STREAM type sockets are supported");
  }
  return typeof file === "number" ? file | 0 : file;
}

function checkParams(s: Socket, file: unknown, offset: unknown, count: unknown): FileArg {
  const f = checkSendfileParams(s, file, offset, count);
  if (timeoutMsOf(s) === 0) throw new RangeError("non-blocking sockets are not supported");
  return f;
}

/** Sets the file's position (the FsFile's, or the descriptor's with lseek). */
export function setPosition(file: FileArg, pos: number): void {
  if (typeof file === "number") {
    const e = seekFd(file, pos);
    if (e !== 0 && e !== ESPIPE) throw errorFor(e, "lseek");
  } else {
    file.seekSync(pos, Deno.SeekMode.Start);
  }
}

const offBuf = new BigInt64Array(1);

/**
 * The sendfile(2) path. Returns the bytes sent, or -1 when sendfile cannot
 * be used for this file (its descriptor is unknown, or the first call
 * failed: not a regular file, a socket that refuses it...) and nothing was
 * sent, so the caller falls back to read + send.
 */
function useSendfile(s: Socket, file: FileArg, offset: number, count: number | null): number {
  const sockfd = fdOf(s, "sendfile");
  const inFd = typeof file === "number" ? file : fsFileFd(file);
  if (inFd === null) return -1;
  const tmo = timeoutMsOf(s);
  let total = 0;
  let pos = offset;
  // the current wait's deadline: a fresh one after progress, kept while
  // sendfile(2) keeps failing with EAGAIN though poll said ready
  let deadline = -2;
  offBuf[0] = BigInt(offset);
  try {
    for (;;) {
      let block = SENDFILE_BLOCK;
      if (count !== null) {
        block = count - total;
        if (block <= 0) break;
        if (block > SENDFILE_BLOCK) block = SENDFILE_BLOCK;
      }
      const n = sendfileOnce(sockfd, inFd, offBuf, block);
      if (n > 0) {
        total += n;
        pos += n;
        deadline = -2;
        continue;
      }
      if (n === 0) break; // end of file
      const e = -n;
      if (e === EAGAIN || e === EWOULDBLOCK) {
        // Timeout mode: the descriptor is non-blocking; wait for room, each
        // wait up to the timeout, as CPython's selector.select(timeout) does,
        // but a wait that found the socket ready without progress counts
        // against the same deadline (no endless poll loop). A blocking
        // socket only gets here if O_NONBLOCK was set behind our back: wait
        // without a limit, as CPython does.
        if (tmo > 0) {
          if (deadline === -2) deadline = performance.now() + tmo;
          else if (performance.now() >= deadline) throw new timeout("sendfile");
        }
        if (!waitFd(sockfd, WRITE, tmo > 0 ? deadline : -1)) throw new timeout("sendfile");
        continue;
      }
      if (total === 0) return -1; // EINVAL, ESPIPE...: not for sendfile; try send()
      throw errorFor(e, "sendfile");
    }
    return total;
  } finally {
    if (total > 0) setPosition(file, pos);
  }
}

let sendBuf: Uint8Array | undefined;

/** Reads up to `len` bytes of the file into `buf`; 0 at end of file. */
function readFile(file: FileArg, buf: Uint8Array, len: number): number {
  if (typeof file === "number") return readFd(file, buf, len);
  return file.readSync(len === buf.length ? buf : buf.subarray(0, len)) ?? 0;
}

/**
 * The fallback: `read` + `send`, as CPython's `socket._sendfile_use_send()`,
 * with the same arguments, checks, result and file position as
 * {@linkcode sendfile}. Exported for tests and benchmarks; use
 * `Socket.sendfile()`, which picks the path.
 *
 * A file that cannot seek (a pipe) is read from where it stands when
 * `offset` is 0; another offset throws the seek's error.
 *
 * @param s a SOCK_STREAM socket in blocking or timeout mode
 * @param file a Deno.FsFile or a file descriptor
 * @param offset where to start reading
 * @param count the most bytes to send, or null for all up to end of file
 * @returns the bytes sent
 */
export function sendfileUseSend(
  s: Socket,
  file: Deno.FsFile | number,
  offset = 0,
  count: number | null = null,
): number {
  file = checkParams(s, file, offset, count);
  return useSend(s, file, offset, count);
}

/**
 * Moves `file` to `offset` for the read + send fallback, and returns where
 * it stood, to put it back when nothing is sent (as the sendfile path
 * leaves it): -1 for a file that cannot seek (then only offset 0 works).
 * Shared by the sync and async fallbacks.
 */
export function seekForSend(file: FileArg, offset: number): number {
  if (typeof file === "number") {
    const start = tellFd(file);
    if (start >= 0) {
      const e = seekFd(file, offset);
      if (e !== 0) throw errorFor(e, "lseek");
    } else if (offset !== 0) {
      throw errorFor(ESPIPE, "lseek");
    }
    return start;
  }
  let start: number;
  try {
    start = file.seekSync(0, Deno.SeekMode.Current);
  } catch (e) {
    if (offset !== 0) throw e;
    return -1;
  }
  try {
    file.seekSync(offset, Deno.SeekMode.Start);
  } catch (e) {
    // Deno reports lseek's failure (EINVAL past the largest file) as a bare
    // TypeError "Invalid argument (os error 22)": give the SocketError CPython's OSError is
    const m = /\(os error (\d+)\)/.exec(e instanceof Error ? e.message : "");
    throw m === null ? e : errorFor(Number(m[1]), "lseek");
  }
  return start;
}

function useSend(s: Socket, file: FileArg, offset: number, count: number | null): number {
  fdOf(s, "send");
  const start = seekForSend(file, offset);
  const buf = sendBuf ??= new Uint8Array(SEND_BLOCK);
  let total = 0;
  try {
    for (;;) {
      let want = SEND_BLOCK;
      if (count !== null) {
        want = Math.min(count - total, SEND_BLOCK);
        if (want <= 0) break;
      }
      const got = readFile(file, buf, want);
      if (got === 0) break;
      let off = 0;
      while (off < got) {
        const n = s.send(buf.subarray(off, got));
        off += n;
        total += n;
      }
    }
    return total;
  } finally {
    if (start >= 0) setPosition(file, total > 0 ? offset + total : start);
  }
}

/**
 * Implements `Socket.sendfile(file, offset=0, count=None)`: sends the file
 * from `offset` until end of file, or `count` bytes, with `sendfile(2)`
 * (no copy through user space), and returns the bytes sent. Where
 * sendfile(2) cannot be used (a pipe, a device, an FsFile whose descriptor
 * cannot be found, a first call that fails) it falls back to read + send.
 *
 * Afterwards the file position is `offset` + bytes sent, also when an
 * error interrupts the transfer; it is unchanged when nothing was sent.
 * In timeout mode each wait for the socket to drain may last up to the
 * timeout (CPython's semantics), so a slow but steady reader never times
 * out.
 *
 * @throws {TypeError} for a file that is neither a Deno.FsFile nor a descriptor, or a non-integer offset or count
 * @throws {RangeError} for a socket that is not SOCK_STREAM or is non-blocking, a negative offset, or a count <= 0
 * @throws {timeout} in timeout mode when the socket does not drain in time
 * @throws {SocketError} EPIPE, ECONNRESET... from sendfile(2) or send(2)
 */
export function sendfile(
  s: Socket,
  file: Deno.FsFile | number,
  offset: number,
  count: number | null,
): number {
  if (offset === undefined) offset = 0;
  if (count === undefined) count = null;
  file = checkParams(s, file, offset, count);
  const sent = useSendfile(s, file, offset, count);
  return sent >= 0 ? sent : useSend(s, file, offset, count);
}
