/**
 * The only code that calls libc. It compares results with -1, reads errno
 * right after the failing call, retries EINTR (PEP 475), waits out timeouts
 * on a monotonic clock, and turns errno into a {@linkcode SocketError}.
 *
 * Every operation takes `tmo`, the socket's timeout in milliseconds:
 * `-1` blocking (the descriptor is blocking), `0` non-blocking (EAGAIN is
 * thrown), `> 0` timeout mode (the descriptor is non-blocking; on EAGAIN the
 * call polls for the time left, then throws {@linkcode timeout}).
 *
 * Hot paths (send, recv, recv_into, sendto, recvfrom) try the syscall first
 * and keep their fast branch tiny; everything after a failure lives in
 * out-of-line helpers.
 *
 * @module
 */

import { clearErrno, errno, layout, type Libc, libc } from "../ffi/mod.ts";
import { errnoValues, sys } from "../constants/mod.ts";
import { errorFromErrno, type SocketError, timeout } from "./errors.ts";
import type { Bytes } from "./_types.ts";

const EINTR = errnoValues.EINTR;
const EAGAIN = errnoValues.EAGAIN;
const EWOULDBLOCK = errnoValues.EWOULDBLOCK;
const EINPROGRESS = errnoValues.EINPROGRESS;
const EBADF = errnoValues.EBADF;
const ECONNRESET = errnoValues.ECONNRESET;

const MSG_DONTWAIT = sys.MSG_DONTWAIT;
const POLLIN = sys.POLLIN;
const POLLOUT = sys.POLLOUT;
const POLLPRI = sys.POLLPRI;
const ADDR_MAX = layout.sockaddr_storage.size;

// Symbol functions, taken out of `lib.symbols` once (V8 optimizes such calls best).
let L: Libc;
// Typed over `Bytes` (any ArrayBuffer or view), which Deno's "buffer"
// parameters accept at run time; its declared type is the narrower BufferSource.
type Buf = Bytes | null;
/** `send`/`recv` as called here: (fd, buf, len, flags). */
export type SendRecvFn = (fd: number, buf: Buf, len: bigint, flags: number) => number;
/** `sendto` as called here: (fd, buf, len, flags, addr, addrlen). */
export type SendtoFn = (
  fd: number,
  buf: Buf,
  len: bigint,
  flags: number,
  addr: Buf,
  addrlen: number,
) => number;
/** `recvfrom` as called here: (fd, buf, len, flags, addr, addrlen*). */
export type RecvfromFn = (
  fd: number,
  buf: Buf,
  len: bigint,
  flags: number,
  addr: Buf,
  addrlen: Buf,
) => number;
/** `connect`/`bind` as called here: (fd, addr, addrlen). */
export type AddrFn = (fd: number, addr: Buf, len: number) => number;
let s_send: SendRecvFn;
let s_recv: SendRecvFn;
let s_sendto: SendtoFn;
let s_recvfrom: RecvfromFn;
let s_getsockopt: (fd: number, level: number, name: number, val: Buf, len: Buf) => number;
let s_setsockopt: (fd: number, level: number, name: number, val: Buf, len: number) => number;
let s_bind: AddrFn;
let s_connect: AddrFn;
let loaded = false;

/**
 * Opens libc (once) and binds the hot symbols. Called by every entry point
 * that can be reached before a socket exists; a `Socket` calls it in its
 * constructor, so its methods need no check.
 */
export function load(): void {
  if (loaded) return;
  L = libc();
  s_send = L.send as typeof s_send;
  s_recv = L.recv as typeof s_recv;
  s_sendto = L.sendto as typeof s_sendto;
  s_recvfrom = L.recvfrom as typeof s_recvfrom;
  s_getsockopt = L.getsockopt as typeof s_getsockopt;
  s_setsockopt = L.setsockopt as typeof s_setsockopt;
  s_bind = L.bind as typeof s_bind;
  s_connect = L.connect as typeof s_connect;
  loaded = true;
}

/** The opened library, for modules (resolver, messages) that build on the primitives here. */
export function lib(): Libc {
  load();
  return L;
}

// ---- BigInt lengths without per-call allocation in the common case ----

// BigInts are allocated once per length up to 64 KiB (a lazily filled
// table) and once per call above: a miss in a one-entry cache, as a send of 1
// byte followed by a recv of 64, cost ~100 ns per call.
const BIG_TABLE = 65536;
const bigs: bigint[] = [];
/** `BigInt(n)` for a `usize` parameter, without an allocation for common lengths. */
export function big(n: number): bigint {
  if (n <= BIG_TABLE) return bigs[n] ?? (bigs[n] = BigInt(n));
  return BigInt(n);
}

// ---- errors ----

const strerrBuf = new Uint8Array(256);
/** The C library's text for an errno value (`strerror_r`). */
export function strerror(e: number): string {
  load();
  const p = L.strerror_r(e, strerrBuf, big(strerrBuf.length));
  return p === null ? `Unknown error ${e}` : Deno.UnsafePointerView.getCString(p);
}

/**
 * The error for errno value `e` raised by `syscall`: a SocketError of the
 * subclass CPython picks for that errno (ConnectionRefusedError, ...).
 */
export function errorFor(e: number, syscall: string): SocketError {
  return errorFromErrno(e, strerror(e), syscall);
}

/** Reads errno now and returns the matching SocketError. */
export function lastError(syscall: string): SocketError {
  return errorFor(errno(), syscall);
}

/** The error for an operation on a closed or detached socket (EBADF, as CPython). */
export function closedError(syscall: string): SocketError {
  return errorFor(EBADF, syscall);
}

// ---- readiness with a deadline ----

const pollBuf = new ArrayBuffer(layout.pollfd.size);
const pollFd = new Int32Array(pollBuf);
const pollEv = new Int16Array(pollBuf);
const PFD = layout.pollfd.fd / 4;
const PEV = layout.pollfd.events / 2;
const PREV = layout.pollfd.revents / 2;

/**
 * Waits until `fd` is ready for `events` or `deadline` (a
 * `performance.now()` time) passes; `deadline < 0` waits forever.
 * Returns true when ready, false on timeout.
 */
export function waitFd(fd: number, events: number, deadline: number): boolean {
  load();
  for (;;) {
    let ms = -1;
    if (deadline >= 0) {
      const left = deadline - performance.now();
      if (left <= 0) ms = 0;
      else ms = Math.min(Math.ceil(left), 0x7fffffff);
    }
    pollFd[PFD] = fd;
    pollEv[PEV] = events;
    pollEv[PREV] = 0;
    const r = L.poll(pollBuf, 1n, ms);
    if (r > 0) return true;
    if (r === 0) {
      if (ms === 0 || performance.now() >= deadline) return false;
      continue;
    }
    const e = errno();
    if (e === EINTR) continue;
    throw errorFor(e, "poll");
  }
}

/**
 * `poll(2)` over the `n` pollfd entries in `buf` until one is ready or `ms`
 * milliseconds pass (-1: forever; longer than poll's int is waited in
 * steps). EINTR is retried with the time left (PEP 475). The revents are
 * left in `buf`.
 */
export function pollArray(buf: ArrayBuffer, n: number, ms: number): void {
  load();
  const deadline = ms < 0 ? -1 : performance.now() + ms;
  let wait = ms;
  for (;;) {
    // `| 0`: a timeout of -0 s is 0 ms (Deno's FFI refuses -0 for an int)
    const r = L.poll(buf, big(n), Math.min(wait, 0x7fffffff) | 0);
    if (r > 0 || (r === 0 && wait <= 0x7fffffff)) return;
    if (r < 0) {
      const e = errno();
      if (e !== EINTR) throw errorFor(e, "poll");
    }
    if (deadline >= 0) wait = Math.max(0, Math.ceil(deadline - performance.now()));
  }
}

/** Read readiness events: POLLIN (and POLLPRI for MSG_OOB reads). */
export const READ = POLLIN;
/** Write readiness events. */
export const WRITE = POLLOUT;
/** Read readiness including urgent data. */
export const READ_OOB = POLLIN | POLLPRI;

/**
 * One step of the retry loop after a failed call with errno `e`: returns
 * (after EINTR at once, after EAGAIN in timeout mode once the descriptor is
 * ready) the deadline to keep, or throws the error or {@linkcode timeout}.
 * `deadline` is -2 until the first wait sets it. Every wait counts against
 * the deadline: when poll says ready but the call keeps failing with EAGAIN
 * (MSG_ERRQUEUE with ordinary data queued, a datagram socket shut down for
 * reading), the call times out at the deadline as CPython's does, instead of
 * polling forever.
 */
function retry(
  fd: number,
  tmo: number,
  events: number,
  syscall: string,
  e: number,
  deadline: number,
): number {
  if (e === EINTR) return deadline; // PEP 475
  if ((e === EAGAIN || e === EWOULDBLOCK) && tmo > 0) {
    if (deadline === -2) deadline = performance.now() + tmo;
    else if (performance.now() >= deadline) throw new timeout(syscall);
    if (!waitFd(fd, events, deadline)) throw new timeout(syscall);
    return deadline;
  }
  throw errorFor(e, syscall);
}

/**
 * The slow path of the generic form: `first` is the failed result's errno.
 * Retries `op` until it succeeds or fails otherwise.
 */
function slow(
  fd: number,
  tmo: number,
  events: number,
  syscall: string,
  first: number,
  op: () => number,
  deadline: number,
): number {
  deadline = retry(fd, tmo, events, syscall, first, deadline);
  for (;;) {
    const r = op();
    if (r >= 0) return r;
    deadline = retry(fd, tmo, events, syscall, errno(), deadline);
  }
}

/**
 * Runs `op` (a syscall returning -1 on failure) under the socket's timeout
 * with EINTR retried: the generic form for calls off the hot path.
 * `deadline` is the timeout-mode deadline when a wait already began it.
 */
export function call(
  fd: number,
  tmo: number,
  events: number,
  syscall: string,
  op: () => number,
  deadline = -2,
): number {
  const r = op();
  if (r >= 0) return r;
  return slow(fd, tmo, events, syscall, errno(), op, deadline);
}

/**
 * Runs a call that is not subject to timeouts (bind, listen, setsockopt...):
 * EINTR retried, -1 thrown as SocketError.
 */
export function check(syscall: string, op: () => number): number {
  for (;;) {
    const r = op();
    if (r >= 0) return r;
    const e = errno();
    if (e !== EINTR) throw errorFor(e, syscall);
  }
}

// ---- data transfer: the hot paths ----

/**
 * The flags for a data call: in timeout mode MSG_DONTWAIT is added, so the
 * call never blocks even when the descriptor was made blocking behind the
 * socket's back (a `dup()` sharing its O_NONBLOCK turned blocking): it gets
 * EAGAIN and waits with the deadline, and the timeout still holds, as in
 * CPython, which polls before every call in timeout mode (issue 9, item 5).
 * Blocking (-1) and non-blocking (0) mode call as given, as CPython does.
 */
export function dataFlags(tmo: number, flags: number): number {
  return tmo > 0 ? flags | MSG_DONTWAIT : flags;
}

// The hot paths keep their fast branch tiny and capture nothing: a closure
// over their parameters would make V8 allocate a context on every call.

/** `send(2)` of `len` bytes from `buf` (length already checked by the caller). */
export function send(fd: number, tmo: number, buf: Bytes, len: number, flags: number): number {
  flags = dataFlags(tmo, flags);
  const r = s_send(fd, buf, big(len), flags);
  if (r >= 0) return r;
  return sendSlow(fd, tmo, buf, len, flags, errno());
}

function sendSlow(
  fd: number,
  tmo: number,
  buf: Bytes,
  len: number,
  flags: number,
  e: number,
): number {
  let deadline = -2;
  for (;;) {
    deadline = retry(fd, tmo, POLLOUT, "send", e, deadline);
    const r = s_send(fd, buf, big(len), flags);
    if (r >= 0) return r;
    e = errno();
  }
}

/** `recv(2)` of at most `len` bytes into `buf`. */
export function recv(fd: number, tmo: number, buf: Bytes, len: number, flags: number): number {
  flags = dataFlags(tmo, flags);
  const r = s_recv(fd, buf, big(len), flags);
  if (r >= 0) return r;
  return recvSlow(fd, tmo, buf, len, flags, errno());
}

function recvSlow(
  fd: number,
  tmo: number,
  buf: Bytes,
  len: number,
  flags: number,
  e: number,
): number {
  let deadline = -2;
  for (;;) {
    deadline = retry(fd, tmo, POLLIN, "recv", e, deadline);
    const r = s_recv(fd, buf, big(len), flags);
    if (r >= 0) return r;
    e = errno();
  }
}

/** `sendto(2)` to the encoded address `addr` of `addrlen` bytes. */
export function sendto(
  fd: number,
  tmo: number,
  buf: Bytes,
  len: number,
  flags: number,
  addr: Bytes,
  addrlen: number,
): number {
  flags = dataFlags(tmo, flags);
  const r = s_sendto(fd, buf, big(len), flags, addr, addrlen);
  if (r >= 0) return r;
  return sendtoSlow(fd, tmo, buf, len, flags, addr, addrlen, errno());
}

function sendtoSlow(
  fd: number,
  tmo: number,
  buf: Bytes,
  len: number,
  flags: number,
  addr: Bytes,
  addrlen: number,
  e: number,
): number {
  let deadline = -2;
  for (;;) {
    deadline = retry(fd, tmo, POLLOUT, "sendto", e, deadline);
    const r = s_sendto(fd, buf, big(len), flags, addr, addrlen);
    if (r >= 0) return r;
    e = errno();
  }
}

/** Scratch space for addresses the kernel writes: a sockaddr_storage and its length. */
export const addrBuf: Uint8Array<ArrayBuffer> = new Uint8Array(layout.sockaddr_storage.size);
/** The socklen_t that goes with {@linkcode addrBuf}. */
export const addrLen: Uint32Array = new Uint32Array(1);

/** `recvfrom(2)`; the sender's address is left in {@linkcode addrBuf}/{@linkcode addrLen}. */
export function recvfrom(
  fd: number,
  tmo: number,
  buf: Bytes,
  len: number,
  flags: number,
): number {
  flags = dataFlags(tmo, flags);
  addrLen[0] = ADDR_MAX;
  const r = s_recvfrom(fd, buf, big(len), flags, addrBuf, addrLen);
  if (r >= 0) return r;
  return recvfromSlow(fd, tmo, buf, len, flags, errno());
}

function recvfromSlow(
  fd: number,
  tmo: number,
  buf: Bytes,
  len: number,
  flags: number,
  e: number,
): number {
  let deadline = -2;
  for (;;) {
    deadline = retry(fd, tmo, POLLIN, "recvfrom", e, deadline);
    addrLen[0] = ADDR_MAX;
    const r = s_recvfrom(fd, buf, big(len), flags, addrBuf, addrLen);
    if (r >= 0) return r;
    e = errno();
  }
}

/**
 * `sendall`: sends every byte of `buf[0, len)`, all against one deadline in
 * timeout mode (CPython's semantics).
 */
export function sendall(
  fd: number,
  tmo: number,
  buf: Uint8Array,
  flags: number,
): void {
  flags = dataFlags(tmo, flags);
  const total = buf.length;
  let off = 0;
  let deadline = -2;
  while (off < total) {
    const view = off === 0 ? buf : buf.subarray(off);
    const n = s_send(fd, view, big(total - off), flags);
    if (n >= 0) {
      off += n;
      continue;
    }
    deadline = retry(fd, tmo, POLLOUT, "send", errno(), deadline);
  }
}

// ---- socket options ----

const optInt = new Int32Array(1);
const optLen = new Uint32Array(1);

/** `getsockopt(2)` of a C int option. */
export function getsockoptInt(fd: number, level: number, name: number): number {
  optLen[0] = 4;
  optInt[0] = 0;
  const r = s_getsockopt(fd, level, name, optInt, optLen);
  if (r < 0) throw lastError("getsockopt");
  return optInt[0];
}

/** `getsockopt(2)` into `out`; returns the length the kernel wrote. */
export function getsockoptBuf(fd: number, level: number, name: number, out: Uint8Array): number {
  optLen[0] = out.length;
  const r = s_getsockopt(fd, level, name, out, optLen);
  if (r < 0) throw lastError("getsockopt");
  return optLen[0];
}

/** `setsockopt(2)` of a C int option. */
export function setsockoptInt(fd: number, level: number, name: number, value: number): void {
  optInt[0] = value;
  const r = s_setsockopt(fd, level, name, optInt, 4);
  if (r < 0) throw lastError("setsockopt");
}

/** `setsockopt(2)` with a buffer (or NULL with `len`). */
export function setsockoptBuf(
  fd: number,
  level: number,
  name: number,
  value: Bytes | null,
  len: number,
): void {
  const r = s_setsockopt(fd, level, name, value, len);
  if (r < 0) throw lastError("setsockopt");
}

// ---- descriptors ----

/** `socket(2)` with SOCK_CLOEXEC. */
export function socket(family: number, type: number, proto: number): number {
  load();
  return check("socket", () => L.socket(family, type | sys.SOCK_CLOEXEC, proto));
}

const pairBuf = new Int32Array(2);
/** `socketpair(2)` with SOCK_CLOEXEC. */
export function socketpair(family: number, type: number, proto: number): [number, number] {
  load();
  check("socketpair", () => L.socketpair(family, type | sys.SOCK_CLOEXEC, proto, pairBuf));
  return [pairBuf[0], pairBuf[1]];
}

/**
 * `close(2)`. Not retried on EINTR (the descriptor is gone either way on
 * Linux); ECONNRESET is ignored, as CPython does.
 */
export function close(fd: number): void {
  load();
  if (L.close(fd) < 0) {
    const e = errno();
    if (e !== EINTR && e !== ECONNRESET) throw errorFor(e, "close");
  }
}

/** `fcntl(fd, F_DUPFD_CLOEXEC, 0)`: a non-inheritable duplicate. */
export function dup(fd: number): number {
  load();
  return check("dup", () => L.fcntl(fd, sys.F_DUPFD_CLOEXEC, 0));
}

/** Sets or clears O_NONBLOCK. */
export function setNonblocking(fd: number, on: boolean): void {
  load();
  const flags = check("fcntl", () => L.fcntl(fd, sys.F_GETFL, 0));
  const next = on ? flags | sys.O_NONBLOCK : flags & ~sys.O_NONBLOCK;
  if (next !== flags) check("fcntl", () => L.fcntl(fd, sys.F_SETFL, next));
}

/** Whether O_NONBLOCK is set. */
export function isNonblocking(fd: number): boolean {
  load();
  return (check("fcntl", () => L.fcntl(fd, sys.F_GETFL, 0)) & sys.O_NONBLOCK) !== 0;
}

/** Whether FD_CLOEXEC is clear. */
export function getInheritable(fd: number): boolean {
  load();
  return (check("fcntl", () => L.fcntl(fd, sys.F_GETFD, 0)) & sys.FD_CLOEXEC) === 0;
}

/** Sets or clears FD_CLOEXEC. */
export function setInheritable(fd: number, inheritable: boolean): void {
  load();
  const flags = check("fcntl", () => L.fcntl(fd, sys.F_GETFD, 0));
  const next = inheritable ? flags & ~sys.FD_CLOEXEC : flags | sys.FD_CLOEXEC;
  if (next !== flags) check("fcntl", () => L.fcntl(fd, sys.F_SETFD, next));
}

// ---- connection setup ----

/** `bind(2)`. */
export function bind(fd: number, addr: Bytes, len: number): void {
  check("bind", () => s_bind(fd, addr, len));
}

/** `listen(2)`. */
export function listen(fd: number, backlog: number): void {
  check("listen", () => L.listen(fd, backlog));
}

/** `shutdown(2)`. */
export function shutdown(fd: number, how: number): void {
  check("shutdown", () => L.shutdown(fd, how));
}

/**
 * `accept4(2)` with SOCK_CLOEXEC; the peer's address is left in
 * {@linkcode addrBuf}/{@linkcode addrLen}.
 */
export function accept(fd: number, tmo: number): number {
  // Timeout mode polls first, as CPython does: accept4(2) has no
  // MSG_DONTWAIT, and the descriptor may have been made blocking through a
  // dup() (issue 9, item 5).
  let deadline = -2;
  if (tmo > 0) {
    deadline = performance.now() + tmo;
    if (!waitFd(fd, POLLIN, deadline)) throw new timeout("accept");
  }
  return call(fd, tmo, POLLIN, "accept", () => {
    addrLen[0] = addrBuf.length;
    return L.accept4(fd, addrBuf, addrLen, sys.SOCK_CLOEXEC);
  }, deadline);
}

/**
 * `connect(2)` with CPython's semantics: in timeout mode (or after EINTR in
 * blocking mode) waits for writability and reads SO_ERROR. Returns 0 or,
 * when `raise` is false, the errno (connect_ex); EAGAIN's value when the
 * timeout expires in connect_ex.
 */
export function connect(
  fd: number,
  tmo: number,
  addr: Bytes,
  len: number,
  raise: boolean,
): number {
  load();
  let e = 0;
  if (s_connect(fd, addr, len) < 0) e = errno();
  if (e === 0) return 0;
  const waitable = (e === EINTR) || (e === EINPROGRESS && tmo > 0);
  if (waitable) {
    const deadline = tmo > 0 ? performance.now() + tmo : -1;
    if (!waitFd(fd, POLLOUT, deadline)) {
      if (raise) throw new timeout("connect");
      return EWOULDBLOCK;
    }
    e = getsockoptInt(fd, sys.SOL_SOCKET, sys.SO_ERROR);
    if (e === 0) return 0;
  }
  if (raise) throw errorFor(e, "connect");
  return e;
}

/** `getsockname(2)`; the address is left in {@linkcode addrBuf}, its length returned. */
export function getsockname(fd: number): number {
  load();
  addrLen[0] = addrBuf.length;
  if (L.getsockname(fd, addrBuf, addrLen) < 0) throw lastError("getsockname");
  return addrLen[0];
}

/** `getpeername(2)`; the address is left in {@linkcode addrBuf}, its length returned. */
export function getpeername(fd: number): number {
  load();
  addrLen[0] = addrBuf.length;
  if (L.getpeername(fd, addrBuf, addrLen) < 0) throw lastError("getpeername");
  return addrLen[0];
}

/** Sets errno to 0 (for calls that signal failure only through errno). */
export function resetErrno(): void {
  load();
  clearErrno();
}

/** The current errno (right after a failed call on this thread). */
export function currentErrno(): number {
  return errno();
}
