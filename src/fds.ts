/**
 * `send_fds` and `recv_fds` (Python 3.9): descriptor passing over an
 * AF_UNIX socket with SCM_RIGHTS, on top of `sendmsg`/`recvmsg`.
 *
 * @module
 */

import { SCM_RIGHTS, SOL_SOCKET } from "../constants/mod.ts";
import type { Address, AddressIn, Bytes } from "./_types.ts";
import { cInt, describe, iterableArg } from "./_args.ts";
import { CMSG_LEN } from "./cmsg.ts";
import { LITTLE_ENDIAN } from "./ancillary.ts";
import { Socket } from "./socket.ts";
import type { AsyncOptions } from "./async.ts";
import type { RecvmsgResult } from "./msg.ts";

function socketArg(sock: unknown, fn: string): Socket {
  if (!(sock instanceof Socket)) {
    throw new TypeError(`${fn}() sock must be a Socket, not ${describe(sock)}`);
  }
  return sock;
}

/** recv_fds's result: `[data, fds, msg_flags, address]`. */
export type RecvFdsResult = [
  data: Uint8Array<ArrayBuffer>,
  fds: number[],
  msg_flags: number,
  address: Address | null,
];

/**
 * Sends the descriptors `fds` with the data `buffers` over an AF_UNIX
 * socket, as one `sendmsg(2)` carrying a SOL_SOCKET/SCM_RIGHTS message.
 * The descriptors stay open here. Python: `socket.send_fds(sock, buffers,
 * fds[, flags[, address]])`; `flags` and `address` go to sendmsg (CPython
 * 3.11 accepts them but does not pass them on).
 *
 * @param sock an AF_UNIX socket
 * @param buffers the data, an iterable of bytes-like objects (send at least one byte on a stream socket)
 * @param fds the descriptors to pass
 * @param flags MSG_* flags for sendmsg
 * @param address the destination for an unconnected datagram socket
 * @returns the number of bytes of data sent
 * @throws {TypeError} when fds is not an iterable of integers
 * @throws {RangeError} for a descriptor that does not fit a C int
 * @throws {SocketError} EBADF for a descriptor that is not open; other errors of sendmsg(2)
 *
 * @example Pass one end of a socketpair through another
 * ```ts
 * import { recv_fds, send_fds, socketpair } from "@sockffi/socket";
 * const [a, b] = socketpair();
 * const [c, d] = socketpair();
 * send_fds(a, [new Uint8Array([1])], [c.fileno()]);
 * const [data, fds] = recv_fds(b, 16, 4);
 * console.log(data.length, fds.length); // 1 1
 * for (const s of [a, b, c, d]) s.close();
 * ```
 */
export function send_fds(
  sock: Socket,
  buffers: Iterable<Bytes>,
  fds: Iterable<number>,
  flags = 0,
  address: AddressIn | null = null,
): number {
  socketArg(sock, "send_fds");
  return sock.sendmsg(buffers, [rightsOf(fds)], flags, address);
}

/** The SCM_RIGHTS message carrying `fds`, checked. */
function rightsOf(fds: Iterable<number>): [number, number, Int32Array] {
  const list: number[] = [];
  for (const fd of iterableArg(fds, "send_fds", "fds")) {
    list.push(cInt(fd, "send_fds() descriptor"));
  }
  return [SOL_SOCKET, SCM_RIGHTS, new Int32Array(list)];
}

/** recv_fds's ancillary-data room for `maxfds` descriptors, checked. */
function roomFor(maxfds: number): number {
  if (typeof maxfds !== "number" || !Number.isInteger(maxfds)) {
    throw new TypeError(`recv_fds() maxfds must be an integer, not ${describe(maxfds)}`);
  }
  if (maxfds < 0) throw new RangeError(`recv_fds() maxfds must not be negative: ${maxfds}`);
  return CMSG_LEN(maxfds * 4);
}

/** recvmsg's result with the SCM_RIGHTS descriptors taken out of the ancillary data. */
function withFds([data, anc, msgFlags, addr]: RecvmsgResult): RecvFdsResult {
  const fds: number[] = [];
  for (const [level, type, payload] of anc) {
    if (level !== SOL_SOCKET || type !== SCM_RIGHTS) continue;
    const dv = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
    // Whole C ints only, ignoring a truncated one at the end (as CPython does).
    for (let p = 0; p + 4 <= payload.length; p += 4) fds.push(dv.getInt32(p, LITTLE_ENDIAN));
  }
  return [data, fds, msgFlags, addr];
}

/**
 * {@linkcode send_fds} without blocking the event loop: one `sendmsg(2)`
 * through `sock.async.sendmsg`, waiting for buffer space on the reactor.
 * Reached as `async.send_fds(...)`. The options object may stand in place
 * of `flags` or `address`.
 *
 * @param sock an AF_UNIX socket
 * @param buffers the data, an iterable of bytes-like objects
 * @param fds the descriptors to pass
 * @param flags MSG_* flags for sendmsg
 * @param address the destination for an unconnected datagram socket
 * @param options `{ signal }` to abort the wait
 * @returns the number of bytes of data sent
 */
export function sendFdsAsync(
  sock: Socket,
  buffers: Iterable<Bytes>,
  fds: Iterable<number>,
  flags: number | AsyncOptions = 0,
  address: AddressIn | null | AsyncOptions = null,
  options?: AsyncOptions,
): Promise<number> {
  try {
    socketArg(sock, "send_fds");
    return sock.async.sendmsg(buffers, [rightsOf(fds)], flags, address, options);
  } catch (e) {
    return Promise.reject(e);
  }
}

/**
 * {@linkcode recv_fds} without blocking the event loop: one `recvmsg(2)`
 * through `sock.async.recvmsg`, waiting for data on the reactor. Reached as
 * `async.recv_fds(...)`. The options object may stand in place of `flags`.
 *
 * @param sock an AF_UNIX socket
 * @param bufsize the most bytes of data to receive
 * @param maxfds the most descriptors to receive
 * @param flags MSG_* flags for recvmsg
 * @param options `{ signal }` to abort the wait
 * @returns `[data, fds, msg_flags, address]`
 */
export function recvFdsAsync(
  sock: Socket,
  bufsize: number,
  maxfds: number,
  flags: number | AsyncOptions = 0,
  options?: AsyncOptions,
): Promise<RecvFdsResult> {
  try {
    socketArg(sock, "recv_fds");
    return sock.async.recvmsg(bufsize, roomFor(maxfds), flags, options).then(withFds);
  } catch (e) {
    return Promise.reject(e);
  }
}

/**
 * Receives up to `bufsize` bytes and up to `maxfds` descriptors from an
 * AF_UNIX socket: one `recvmsg(2)` with room for `maxfds` descriptors
 * (`CMSG_LEN(maxfds * 4)`). Descriptors beyond that are closed by the
 * kernel and `MSG_CTRUNC` is set in msg_flags. The received descriptors
 * are new and non-inheritable; close them when done. Python:
 * `socket.recv_fds(sock, bufsize, maxfds[, flags])`; `flags` goes to
 * recvmsg (CPython 3.11 accepts it but does not pass it on).
 *
 * @param sock an AF_UNIX socket
 * @param bufsize the most bytes of data to receive
 * @param maxfds the most descriptors to receive
 * @param flags MSG_* flags for recvmsg
 * @returns `[data, fds, msg_flags, address]`
 * @throws {RangeError} for a negative bufsize or maxfds
 * @throws {SocketError} errors of recvmsg(2)
 */
export function recv_fds(
  sock: Socket,
  bufsize: number,
  maxfds: number,
  flags = 0,
): RecvFdsResult {
  socketArg(sock, "recv_fds");
  return withFds(sock.recvmsg(bufsize, roomFor(maxfds), flags));
}
