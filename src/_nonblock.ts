/**
 * Single non-blocking attempts of the socket calls, for the async API: each
 * makes the syscall once on the JavaScript thread (EINTR retried, PEP 475)
 * and returns its result, or `-errno` on failure, so that the caller can
 * tell EAGAIN (wait on the reactor) from a real error without an exception
 * or an allocation. errno is read right after the failing call.
 *
 * How a call is kept from blocking whatever the socket's mode:
 * - recv/recvfrom/send/sendto pass `MSG_DONTWAIT`, which makes that one call
 *   non-blocking without touching the descriptor;
 * - accept and connect have no such flag: when the socket is in blocking
 *   mode (its descriptor lacks O_NONBLOCK), {@linkcode withNonblock} sets
 *   O_NONBLOCK for the one call and restores the flags right after, in the
 *   same synchronous turn, so the sync API never sees the change. A socket
 *   in timeout or non-blocking mode is O_NONBLOCK already and is not touched.
 *   (Only another process sharing the open file description could observe
 *   the flag during the call.)
 *
 * @module
 */

import { errno, type Libc } from "../ffi/mod.ts";
import { errnoValues, MSG_DONTWAIT, SOCK_CLOEXEC, sys } from "../constants/mod.ts";
import {
  addrBuf,
  type AddrFn,
  addrLen,
  big,
  lib,
  type RecvfromFn,
  type SendRecvFn,
  type SendtoFn,
} from "./_syscall.ts";
import type { Bytes } from "./_types.ts";

const EINTR = errnoValues.EINTR;
/** MSG_DONTWAIT: makes one recv/send-family call non-blocking. */
export const DONTWAIT: number = MSG_DONTWAIT;
const F_GETFL = sys.F_GETFL;
const F_SETFL = sys.F_SETFL;
const O_NONBLOCK = sys.O_NONBLOCK;

let s_recv: SendRecvFn;
let s_send: SendRecvFn;
let s_recvfrom: RecvfromFn;
let s_sendto: SendtoFn;
let s_accept4: Libc["accept4"];
let s_connect: AddrFn;
let s_fcntl: Libc["fcntl"];
let loaded = false;

/** Binds the symbols once (a Socket exists before any call here, so libc is open). */
export function load(): void {
  if (loaded) return;
  const L = lib();
  s_recv = L.recv as typeof s_recv;
  s_send = L.send as typeof s_send;
  s_recvfrom = L.recvfrom as typeof s_recvfrom;
  s_sendto = L.sendto as typeof s_sendto;
  s_accept4 = L.accept4;
  s_connect = L.connect as typeof s_connect;
  s_fcntl = L.fcntl;
  loaded = true;
}

/** `recv(2)` with MSG_DONTWAIT: bytes received, or -errno. */
export function recv(fd: number, buf: Bytes, len: number, flags: number): number {
  for (;;) {
    const r = s_recv(fd, buf, big(len), flags | DONTWAIT);
    if (r >= 0) return r;
    const e = errno();
    if (e !== EINTR) return -e;
  }
}

/** `send(2)` with MSG_DONTWAIT: bytes sent, or -errno. */
export function send(fd: number, buf: Bytes, len: number, flags: number): number {
  for (;;) {
    const r = s_send(fd, buf, big(len), flags | DONTWAIT);
    if (r >= 0) return r;
    const e = errno();
    if (e !== EINTR) return -e;
  }
}

/**
 * `recvfrom(2)` with MSG_DONTWAIT: bytes received, or -errno; the sender's
 * address is left in `addrBuf`/`addrLen` of `_syscall.ts`.
 */
export function recvfrom(fd: number, buf: Bytes, len: number, flags: number): number {
  for (;;) {
    addrLen[0] = addrBuf.length;
    const r = s_recvfrom(fd, buf, big(len), flags | DONTWAIT, addrBuf, addrLen);
    if (r >= 0) return r;
    const e = errno();
    if (e !== EINTR) return -e;
  }
}

/** `sendto(2)` with MSG_DONTWAIT to the encoded address `addr`: bytes sent, or -errno. */
export function sendto(
  fd: number,
  buf: Bytes,
  len: number,
  flags: number,
  addr: Bytes,
  alen: number,
): number {
  for (;;) {
    const r = s_sendto(fd, buf, big(len), flags | DONTWAIT, addr, alen);
    if (r >= 0) return r;
    const e = errno();
    if (e !== EINTR) return -e;
  }
}

/**
 * Runs `op` (which returns a result >= 0 or -errno) with O_NONBLOCK set on
 * `fd` when `blocking` says the descriptor is in blocking mode, restoring
 * its flags afterwards. Returns -errno if reading or setting the flags fails.
 */
export function withNonblock(fd: number, blocking: boolean, op: () => number): number {
  if (!blocking) return op();
  const flags = s_fcntl(fd, F_GETFL, 0);
  if (flags < 0) return -errno();
  if ((flags & O_NONBLOCK) !== 0) return op();
  if (s_fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) return -errno();
  try {
    return op();
  } finally {
    // Cannot fail for a descriptor that F_SETFL just accepted.
    s_fcntl(fd, F_SETFL, flags);
  }
}

/**
 * `accept4(2)` with SOCK_CLOEXEC, never blocking (see {@linkcode withNonblock}):
 * the new descriptor, or -errno; the peer's address is left in
 * `addrBuf`/`addrLen`. The new descriptor is blocking, as with the sync
 * `accept()`.
 */
export function accept(fd: number, blocking: boolean): number {
  return withNonblock(fd, blocking, () => {
    for (;;) {
      addrLen[0] = addrBuf.length;
      const r = s_accept4(fd, addrBuf, addrLen, SOCK_CLOEXEC ?? 0);
      if (r >= 0) return r;
      const e = errno();
      if (e !== EINTR) return -e;
    }
  });
}

/**
 * `connect(2)`, never blocking (see {@linkcode withNonblock}): 0 when
 * connected at once, or -errno — `-EINPROGRESS` (EINTR counts as that: the
 * connection continues in the kernel) means wait for writability, then read
 * SO_ERROR.
 */
export function connect(fd: number, blocking: boolean, addr: Bytes, alen: number): number {
  return withNonblock(fd, blocking, () => {
    if (s_connect(fd, addr, alen) >= 0) return 0;
    const e = errno();
    return e === EINTR ? -errnoValues.EINPROGRESS : -e;
  });
}
