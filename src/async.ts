/**
 * `s.async`: the socket's methods returning Promises, driven by the
 * process's one readiness reactor (src/reactor.ts) instead of blocking the
 * event loop.
 *
 * Every call first makes its syscall once, non-blocking, on the JavaScript
 * thread; only when the kernel answers EAGAIN does it register a waiter with
 * the reactor and retry when the descriptor is ready. Data that is already
 * there costs the syscall and one Promise, no thread hand-off.
 *
 * How a call is kept from blocking: recv/send-family calls pass
 * MSG_DONTWAIT; accept, connect and sendfile, which take no such flag, set
 * O_NONBLOCK for the one syscall when the socket is in blocking mode and
 * restore it at once (see src/_nonblock.ts), so the socket's mode as the
 * sync API sees it never changes.
 *
 * @module
 */

import {
  AF_INET,
  AF_INET6,
  errnoValues,
  MSG_OOB,
  SO_ERROR,
  SOCK_STREAM,
  SOL_SOCKET,
} from "../constants/mod.ts";
import { SocketError, timeout } from "./errors.ts";
import * as S from "./_syscall.ts";
import * as NB from "./_nonblock.ts";
import { AddressCache, decode, encode } from "./_sockaddr.ts";
import {
  bufferArg,
  bufsizeError,
  byteLengthOf,
  connectionArgs,
  ffiBytes,
  flagsArg,
  intoLength,
  isBufsize,
  iterableArg,
  signalOf,
  viewArg,
} from "./_args.ts";
import { adopt, create, fdOf, kOnClose, timeoutMsOf } from "./_core.ts";
import { received, recvBuffer } from "./_pool.ts";
import {
  forget as reactorForget,
  nextTurn,
  PRI,
  reactor,
  READ,
  settled,
  turn,
  type Waiter,
  WRITE,
} from "./reactor.ts";
import type { Socket } from "./socket.ts";
import type { Address, AddressIn, Bytes, Inet6Address, InetAddress } from "./_types.ts";
import { pton4, pton6 } from "./_inet.ts";
import { plainError, runAsync } from "./_resolve.ts";
import { getaddrinfoGen } from "./_resolver_core.ts";
import { fsFileFd, readFd, sendfileOnce } from "./_fileio.ts";
import * as msg from "./msg.ts";
import {
  checkSendfileParams,
  seekForSend,
  SEND_BLOCK,
  SENDFILE_BLOCK,
  setPosition,
} from "./sendfile.ts";
import type { AncDataIn, RecvmsgIntoResult, RecvmsgResult } from "./msg.ts";

const EAGAIN = errnoValues.EAGAIN;
const EWOULDBLOCK = errnoValues.EWOULDBLOCK;
const EINPROGRESS = errnoValues.EINPROGRESS;

/**
 * Options every async call takes as its last argument.
 *
 * @example Give up on a read after a second
 * ```ts ignore
 * const data = await s.async.recv(4096, 0, { signal: AbortSignal.timeout(1000) });
 * ```
 */
export interface AsyncOptions {
  /**
   * Aborts the call: its Promise rejects with `signal.reason`, and the
   * socket stays usable. A call that had sent part of its data (sendall)
   * has sent it.
   */
  signal?: AbortSignal;
}

// ---- argument checks (the sync API's, with the same messages) ----

function stillFits(buffer: Bytes, len: number, fn: string): void {
  if (byteLengthOf(buffer) < len) {
    throw new RangeError(`${fn}(): the buffer was detached or shrank while the call waited`);
  }
}

/**
 * Whether `v`, found where an optional positional argument goes, is the
 * options object given in its place (`s.async.recv(10, { signal })`): a
 * plain object, which no positional argument of these methods is.
 */
function isOptions(v: unknown): v is AsyncOptions {
  if (typeof v !== "object" || v === null) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * The options object `v` given in place of a positional argument, checked
 * that nothing follows it (`after`, then `options`; null and undefined
 * count as absent).
 */
function optionsIn(
  v: AsyncOptions,
  options: AsyncOptions | undefined,
  name: string,
  ...after: unknown[]
): AsyncOptions {
  for (const x of [...after, options]) {
    if (x !== undefined && x !== null) {
      throw new TypeError(`${name}() takes no positional arguments after the options object`);
    }
  }
  return v;
}

// ---- pending operations ----

/** Returned by an attempt that met EAGAIN: wait for readiness and try again. */
const AGAIN: unique symbol = Symbol("again");
type Attempt<T> = () => T | typeof AGAIN;

/**
 * A call waiting on the reactor: retries `attempt` whenever the descriptor
 * is ready, until it settles; carries the timeout timer and abort listener.
 * With `events === 0` it is retried on a backoff timer instead (1 ms
 * doubling to 50 ms), for the one case no readiness event announces.
 */
class Op<T> implements Waiter {
  readonly fd: number;
  readonly events: number;
  readonly syscall: string;
  /**
   * The socket this call acts on, held so that a pending call keeps it
   * alive: the reactor holds the Op, so the socket cannot be collected (and
   * its descriptor closed and reused) while the call waits (issue 9, item 1).
   */
  readonly owner: object;
  #pending: Set<Op<unknown>>;
  #attempt: Attempt<T>;
  #resolve!: (v: T) => void;
  #reject!: (e: unknown) => void;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #retry: ReturnType<typeof setTimeout> | undefined;
  #delay = 1;
  #signal: AbortSignal | undefined;
  #onAbort: (() => void) | undefined;
  #done = false;
  readonly promise: Promise<T>;

  constructor(
    owner: object,
    pending: Set<Op<unknown>>,
    fd: number,
    events: number,
    syscall: string,
    tmo: number,
    signal: AbortSignal | undefined,
    attempt: Attempt<T>,
  ) {
    this.owner = owner;
    this.fd = fd;
    this.events = events;
    this.syscall = syscall;
    this.#pending = pending;
    this.#attempt = attempt;
    this.promise = new Promise<T>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    pending.add(this as Op<unknown>);
    // Timeout mode: the socket's timeout bounds the whole call. Non-blocking
    // mode (0) waits without limit, as asyncio's loop.sock_*() do.
    // setTimeout fires at once for delays past 2^31 - 1 ms: a timeout that
    // long (24.8 days) is left to the caller's patience.
    if (tmo > 0 && tmo <= 0x7fffffff) {
      this.#timer = setTimeout(() => this.cancel(new timeout(syscall)), tmo);
    }
    if (signal !== undefined) {
      this.#signal = signal;
      this.#onAbort = () => this.cancel(signal.reason);
      signal.addEventListener("abort", this.#onAbort, { once: true });
    }
    this.#arm();
  }

  #arm(): void {
    if (this.events !== 0) {
      reactor().add(this);
      return;
    }
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      this.ready();
    }, this.#delay);
    this.#delay = Math.min(this.#delay * 2, 50);
  }

  ready(): void {
    if (this.#done) return;
    let r: T | typeof AGAIN;
    try {
      r = this.#attempt();
    } catch (e) {
      this.#settle(false, e);
      return;
    }
    if (r === AGAIN) this.#arm();
    else this.#settle(true, r);
  }

  fail(err: SocketError): void {
    this.#settle(false, err);
  }

  /** Ends the call with `reason` (abort, timeout, close), unregistering it. */
  cancel(reason: unknown): void {
    if (this.#done) return;
    if (this.#retry !== undefined) clearTimeout(this.#retry);
    else if (this.events !== 0) reactor().remove(this);
    this.#settle(false, reason);
  }

  #settle(ok: boolean, v: unknown): void {
    if (this.#done) return;
    this.#done = true;
    this.#pending.delete(this as Op<unknown>);
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    if (this.#signal !== undefined) this.#signal.removeEventListener("abort", this.#onAbort!);
    if (ok) this.#resolve(v as T);
    else this.#reject(v);
  }
}

/** The error for a failed attempt: -errno → SocketError, AGAIN on EAGAIN. */
function again(r: number, syscall: string): typeof AGAIN {
  const e = -r;
  if (e === EAGAIN || e === EWOULDBLOCK) return AGAIN;
  throw S.errorFor(e, syscall);
}

function isAgain(e: unknown): boolean {
  return e instanceof SocketError && !(e instanceof timeout) &&
    (e.errno === EAGAIN || e.errno === EWOULDBLOCK);
}

/** Consecutive recv attempts that met EAGAIN before a socket's recvs wait at once. */
const SKIP_AFTER = 4;

/**
 * The async face of a socket (`s.async`): the same method names, arguments
 * and results as the sync methods, returning Promises. Each takes an
 * optional last argument `{ signal }` (an AbortSignal), which may also
 * stand in place of the trailing optional positional arguments
 * (`s.async.recv(10, { signal })` is `s.async.recv(10, 0, { signal })`).
 *
 * - Each call tries its syscall at once; it waits on the shared reactor
 *   only when the kernel says EAGAIN, so the event loop keeps running.
 *   (recv and recv_into on a socket whose last four tries all had to wait
 *   go to the reactor at once, skipping the doomed syscall; its
 *   zero-timeout poll still returns data that is already there. This
 *   measured +8-21% round trips at 100 connections.)
 * - Timeout mode (`settimeout(t)`, t > 0): a call that has not completed
 *   after `t` seconds rejects with {@linkcode timeout}; for `sendall` the
 *   whole call has one deadline. Blocking (`null`) and non-blocking (`0`)
 *   sockets wait without limit, as asyncio's `loop.sock_*()` do.
 * - `close()` (or `detach()`) rejects every pending call with an EBADF
 *   {@linkcode SocketError}.
 * - Errors are the sync API's: {@linkcode SocketError} and subclasses,
 *   `TypeError`, `RangeError`; argument errors reject rather than throw.
 *
 * @example An echo round trip over a socketpair
 * ```ts
 * import { socketpair } from "@sockffi/socket";
 * const [a, b] = socketpair();
 * const reply = b.async.recv(1024);           // waits on the reactor
 * await a.async.sendall(new TextEncoder().encode("ping"));
 * console.log(new TextDecoder().decode(await reply)); // "ping"
 * a.close();
 * b.close();
 * ```
 */
export class SocketAsync {
  #sock: Socket;
  #pending = new Set<Op<unknown>>();
  #addrCache: AddressCache | undefined;
  // Consecutive recv attempts that found nothing. A socket whose reads keep
  // waiting (a request/response peer) stops paying a doomed recv(2) before
  // every wait: it goes to the reactor at once, whose zero-timeout poll
  // still finds data that is already there; every 32nd call tries again.
  #misses = 0;
  #skips = 0;

  /** Whether a recv should try the syscall before waiting (see #misses). */
  #tryRecv(): boolean {
    return this.#misses < SKIP_AFTER || (++this.#skips & 31) === 0;
  }

  /**
   * Wraps `sock`; normally reached as `sock.async`, which makes one per socket.
   *
   * @param sock the socket these methods act on
   */
  constructor(sock: Socket) {
    this.#sock = sock;
    NB.load();
  }

  /** The socket these methods act on. */
  get socket(): Socket {
    return this.#sock;
  }

  /**
   * Called by `Socket.close()` and `detach()` before the descriptor goes
   * away: rejects every pending call with EBADF and drops the descriptor
   * from the reactor.
   */
  [kOnClose](): void {
    const fd = this.#sock.fileno();
    for (const op of [...this.#pending]) op.cancel(S.closedError(op.syscall));
    if (fd >= 0) reactorForget(fd);
  }

  #wait<T>(
    fd: number,
    events: number,
    syscall: string,
    signal: AbortSignal | undefined,
    attempt: Attempt<T>,
  ): Promise<T> {
    return new Op<T>(
      this.#sock,
      this.#pending,
      fd,
      events,
      syscall,
      timeoutMsOf(this.#sock),
      signal,
      attempt,
    ).promise;
  }

  // ---- connections ----

  /**
   * Accepts a connection (`accept4(2)`), waiting for one without blocking
   * the event loop. Resolves to `[conn, address]`; the new socket's mode
   * follows the sync `accept()` rule (blocking unless a default timeout is
   * set). Python: `socket.accept()` / asyncio's `loop.sock_accept()`.
   *
   * @param options `{ signal }` to abort the wait
   * @returns `[conn, address]`
   * @throws {timeout} in timeout mode when no connection arrives in time
   * @throws {SocketError} EINVAL when not listening; EBADF when closed meanwhile
   */
  accept(options?: AsyncOptions): Promise<[conn: Socket, address: Address | null]> {
    try {
      const signal = signalOf(options);
      const s = this.#sock;
      const fd = fdOf(s, "accept");
      // Blocking mode, and timeout mode too: its descriptor is non-blocking
      // unless a dup() sharing O_NONBLOCK turned blocking (issue 9, item 5).
      const blocking = timeoutMsOf(s) !== 0;
      const attempt = (): [Socket, Address | null] | typeof AGAIN => {
        const r = NB.accept(fd, blocking);
        if (r < 0) return again(r, "accept");
        const addr = decode(S.addrBuf, S.addrLen[0], s.proto);
        return [adopt<Socket>(r, s.family, s.type, s.proto), addr];
      };
      const r = attempt();
      if (r !== AGAIN) return settled(r);
      return this.#wait(fd, READ, "accept", signal, attempt);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /**
   * Connects to `address` (`connect(2)`), waiting for the connection
   * without blocking the event loop; then reads SO_ERROR, as CPython does.
   * Python: `socket.connect()` / asyncio's `loop.sock_connect()`.
   *
   * A host name in an AF_INET/AF_INET6 address is resolved first with
   * `getaddrinfo(3)` on a worker thread (the first address of the socket's
   * family is used, as the sync connect does), so a lookup does not stall
   * the event loop either.
   *
   * @param address the peer's address, in the family's shape
   * @param options `{ signal }` to abort the wait (the connection attempt is
   *   left to the kernel; close the socket to end it)
   * @throws {timeout} in timeout mode when the connection is not made in time
   * @throws {SocketError} ECONNREFUSED, ENETUNREACH...
   */
  connect(address: AddressIn, options?: AsyncOptions): Promise<void> {
    // connect(2) on loopback completes the handshake in the call (~35 µs):
    // a loop of them is itself a long stretch, so the turn budget is
    // checked before the call, not only after.
    if (turn.spent()) return nextTurn().then(() => this.connect(address, options));
    try {
      const signal = signalOf(options);
      const s = this.#sock;
      const fd = fdOf(s, "connect");
      if (needsLookup(s.family, address)) return this.#connectByName(address as unknown[], signal);
      const len = encode(s.family, s.type, s.proto, address, S.addrBuf);
      const blocking = timeoutMsOf(s) !== 0;
      const r = NB.connect(fd, blocking, S.addrBuf, len);
      if (r === 0) return settled(undefined);
      const e = -r;
      if (e === EINPROGRESS) {
        return this.#wait(fd, WRITE, "connect", signal, () => {
          // Ready for writing means connected or failed; a stray wake-up
          // (a reused descriptor number) is told apart by a zero-time poll.
          if (!S.waitFd(fd, S.WRITE, 0)) return AGAIN;
          const err = S.getsockoptInt(fd, SOL_SOCKET, SO_ERROR);
          if (err !== 0) throw S.errorFor(err, "connect");
          return undefined;
        });
      }
      if (e === EAGAIN) {
        // A unix socket whose listener's backlog is full: connect() itself
        // must be retried, and no readiness event says when (events 0: a
        // backoff timer).
        const addr = S.addrBuf.slice(0, len);
        return this.#wait(fd, 0, "connect", signal, () => {
          const r2 = NB.connect(fd, timeoutMsOf(s) !== 0, addr, len);
          if (r2 === 0) return undefined;
          return again(r2, "connect");
        });
      }
      throw S.errorFor(e, "connect");
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** connect() to `[name, port, ...]`: resolves the name off the JavaScript thread first. */
  async #connectByName(address: unknown[], signal: AbortSignal | undefined): Promise<void> {
    const s = this.#sock;
    const infos = await runAsync(
      getaddrinfoGen(address[0], null, s.family, s.type, s.proto, 0),
      signal,
    );
    const sa = infos.find((ai) => ai[0] === s.family)?.[4] as unknown[] | undefined;
    if (sa === undefined) throw plainError("getaddrinfo returns an empty list", "connect");
    // The port and any flowinfo/scope_id given win; the lookup's scope_id
    // (from a "%iface" suffix) fills in otherwise.
    const rest = address.length > 2 ? address.slice(2) : sa.slice(2);
    await this.connect([sa[0], address[1], ...rest] as AddressIn, signal && { signal });
  }

  // ---- receiving ----

  /**
   * Receives up to `bufsize` bytes (`recv(2)` with MSG_DONTWAIT), waiting
   * for data without blocking the event loop; an empty array means the peer
   * closed the connection. Python: `socket.recv()` / `loop.sock_recv()`.
   *
   * @param bufsize the most bytes to receive
   * @param flags MSG_PEEK, MSG_OOB, MSG_WAITALL... (MSG_WAITALL still
   *   returns what is there: the call never blocks the thread)
   * @param options `{ signal }` to abort the wait
   * @returns a Uint8Array of exactly the received length, in an ArrayBuffer
   *   of its own (recv_into() into a reused buffer allocates nothing)
   * @throws {RangeError} for a negative bufsize
   * @throws {timeout} in timeout mode when nothing arrives in time
   * @throws {SocketError} ECONNRESET...; EBADF when closed meanwhile
   */
  recv(
    bufsize: number,
    flags: number | AsyncOptions = 0,
    options?: AsyncOptions,
  ): Promise<Uint8Array<ArrayBuffer>> {
    try {
      if (isOptions(flags)) {
        options = optionsIn(flags, options, "recv");
        flags = 0;
      }
      const signal = signalOf(options);
      if (!isBufsize(bufsize)) bufsizeError(bufsize, "recv");
      flags = flagsArg(flags);
      const fd = fdOf(this.#sock, "recv");
      // CPython returns b'' for recv(0) without calling recv(2), which could
      // consume a datagram.
      if (bufsize === 0) return settled(new Uint8Array(0));
      const buf = recvBuffer(bufsize);
      if (this.#tryRecv()) {
        const r = NB.recv(fd, buf, bufsize, flags);
        if (r >= 0) {
          this.#misses = 0;
          return settled(received(buf, r, bufsize));
        }
        again(r, "recv");
        this.#misses++;
      }
      return this.#wait(fd, readEvents(flags), "recv", signal, () => {
        const r2 = NB.recv(fd, buf, bufsize, flags as number);
        return r2 >= 0 ? received(buf, r2, bufsize) : again(r2, "recv");
      });
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /**
   * Receives up to `nbytes` bytes (default: the buffer's length) into
   * `buffer` (`recv(2)`), honouring a view's offset; resolves to the count.
   * Python: `socket.recv_into()` / `loop.sock_recv_into()`.
   *
   * @param buffer where the bytes go (not to be touched until the call settles)
   * @param nbytes the most bytes to receive; 0 means the buffer's length
   * @param flags MSG_* flags
   * @param options `{ signal }` to abort the wait
   * @returns the number of bytes received (0: the peer closed)
   * @throws {RangeError} when nbytes is negative or larger than the buffer
   * @throws {timeout} in timeout mode when nothing arrives in time
   * @throws {SocketError} from recv(2)
   */
  recv_into(
    buffer: Bytes,
    nbytes: number | AsyncOptions = 0,
    flags: number | AsyncOptions = 0,
    options?: AsyncOptions,
  ): Promise<number> {
    try {
      if (isOptions(nbytes)) {
        options = optionsIn(nbytes, options, "recv_into", flags === 0 ? undefined : flags);
        nbytes = 0;
        flags = 0;
      } else if (isOptions(flags)) {
        options = optionsIn(flags, options, "recv_into");
        flags = 0;
      }
      // options first: a getter there must not change the buffer after it is measured
      const signal = signalOf(options);
      const len = intoLength(buffer, nbytes, "recv_into");
      flags = flagsArg(flags);
      buffer = ffiBytes(buffer);
      const fd = fdOf(this.#sock, "recv");
      if (this.#tryRecv()) {
        const r = NB.recv(fd, buffer, len, flags);
        if (r >= 0) {
          this.#misses = 0;
          return settled(r);
        }
        again(r, "recv");
        this.#misses++;
      }
      return this.#wait(fd, readEvents(flags), "recv", signal, () => {
        stillFits(buffer, len, "recv_into");
        const r2 = NB.recv(fd, buffer, len, flags as number);
        return r2 >= 0 ? r2 : again(r2, "recv");
      });
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /**
   * Receives up to `bufsize` bytes and the sender's address
   * (`recvfrom(2)`): `[data, address]`, the address `null` when the kernel
   * gives none. Python: `socket.recvfrom()` / `loop.sock_recvfrom()`.
   *
   * @param bufsize the most bytes to receive
   * @param flags MSG_* flags
   * @param options `{ signal }` to abort the wait
   * @returns `[data, address]`
   * @throws {RangeError} for a negative bufsize
   * @throws {timeout} in timeout mode when nothing arrives in time
   * @throws {SocketError} from recvfrom(2)
   */
  recvfrom(
    bufsize: number,
    flags: number | AsyncOptions = 0,
    options?: AsyncOptions,
  ): Promise<[data: Uint8Array<ArrayBuffer>, address: Address | null]> {
    try {
      if (isOptions(flags)) {
        options = optionsIn(flags, options, "recvfrom");
        flags = 0;
      }
      const signal = signalOf(options);
      if (!isBufsize(bufsize)) bufsizeError(bufsize, "recvfrom");
      flags = flagsArg(flags);
      const s = this.#sock;
      const fd = fdOf(s, "recvfrom");
      const buf = recvBuffer(bufsize);
      const r = NB.recvfrom(fd, buf, bufsize, flags);
      if (r >= 0) return settled(recvfromResult(buf, r, bufsize, s.proto));
      again(r, "recvfrom");
      return this.#wait(fd, readEvents(flags), "recvfrom", signal, () => {
        const r2 = NB.recvfrom(fd, buf, bufsize, flags as number);
        return r2 >= 0 ? recvfromResult(buf, r2, bufsize, s.proto) : again(r2, "recvfrom");
      });
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /**
   * Like {@linkcode SocketAsync.recv_into}, also giving the sender's address
   * (`recvfrom(2)`): `[nbytes, address]`. Python: `socket.recvfrom_into()`
   * / `loop.sock_recvfrom_into()`.
   *
   * @param buffer where the bytes go
   * @param nbytes the most bytes to receive; 0 means the buffer's length
   * @param flags MSG_* flags
   * @param options `{ signal }` to abort the wait
   * @returns `[nbytes, address]`
   * @throws {RangeError} when nbytes is negative or larger than the buffer
   * @throws {timeout} in timeout mode when nothing arrives in time
   * @throws {SocketError} from recvfrom(2)
   */
  recvfrom_into(
    buffer: Bytes,
    nbytes: number | AsyncOptions = 0,
    flags: number | AsyncOptions = 0,
    options?: AsyncOptions,
  ): Promise<[nbytes: number, address: Address | null]> {
    try {
      if (isOptions(nbytes)) {
        options = optionsIn(nbytes, options, "recvfrom_into", flags === 0 ? undefined : flags);
        nbytes = 0;
        flags = 0;
      } else if (isOptions(flags)) {
        options = optionsIn(flags, options, "recvfrom_into");
        flags = 0;
      }
      const signal = signalOf(options);
      const len = intoLength(buffer, nbytes, "recvfrom_into");
      flags = flagsArg(flags);
      buffer = ffiBytes(buffer);
      const s = this.#sock;
      const fd = fdOf(s, "recvfrom");
      const r = NB.recvfrom(fd, buffer, len, flags);
      if (r >= 0) return settled([r, decode(S.addrBuf, S.addrLen[0], s.proto)]);
      again(r, "recvfrom");
      return this.#wait(fd, readEvents(flags), "recvfrom", signal, () => {
        stillFits(buffer, len, "recvfrom_into");
        const r2 = NB.recvfrom(fd, buffer, len, flags as number);
        return r2 >= 0 ? [r2, decode(S.addrBuf, S.addrLen[0], s.proto)] : again(r2, "recvfrom");
      });
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /**
   * Receives data and ancillary data (`recvmsg(2)`): `[data, ancdata,
   * msg_flags, address]`, as the sync `recvmsg()`. Python:
   * `socket.recvmsg()`.
   *
   * @param bufsize the most bytes of normal data to receive
   * @param ancbufsize the size of the ancillary data buffer (0: none)
   * @param flags MSG_* flags
   * @param options `{ signal }` to abort the wait
   * @returns `[data, ancdata, msg_flags, address]`
   * @throws {RangeError} for a negative bufsize or ancbufsize
   * @throws {timeout} in timeout mode when nothing arrives in time
   * @throws {SocketError} from recvmsg(2)
   */
  recvmsg(
    bufsize: number,
    ancbufsize: number | AsyncOptions = 0,
    flags: number | AsyncOptions = 0,
    options?: AsyncOptions,
  ): Promise<RecvmsgResult> {
    try {
      if (isOptions(ancbufsize)) {
        options = optionsIn(ancbufsize, options, "recvmsg", flags === 0 ? undefined : flags);
        ancbufsize = 0;
        flags = 0;
      } else if (isOptions(flags)) {
        options = optionsIn(flags, options, "recvmsg");
        flags = 0;
      }
      const signal = signalOf(options);
      flags = flagsArg(flags);
      const s = this.#sock;
      const fd = fdOf(s, "recvmsg");
      const attempt = () =>
        this.#viaSync(() =>
          msg.recvmsg(s, bufsize, ancbufsize as number, (flags as number) | NB.DONTWAIT)
        );
      const r = attempt();
      if (r !== AGAIN) return settled(r);
      return this.#wait(fd, readEvents(flags), "recvmsg", signal, attempt);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /**
   * Scatter-receive into `buffers` with ancillary data (`recvmsg(2)`):
   * `[nbytes, ancdata, msg_flags, address]`, as the sync `recvmsg_into()`.
   * Python: `socket.recvmsg_into()`.
   *
   * @param buffers writable bytes-like objects, filled in order
   * @param ancbufsize the size of the ancillary data buffer (0: none)
   * @param flags MSG_* flags
   * @param options `{ signal }` to abort the wait
   * @returns `[nbytes, ancdata, msg_flags, address]`
   * @throws {TypeError} when buffers is not an iterable of buffers
   * @throws {timeout} in timeout mode when nothing arrives in time
   * @throws {SocketError} from recvmsg(2)
   */
  recvmsg_into(
    buffers: Iterable<Bytes>,
    ancbufsize: number | AsyncOptions = 0,
    flags: number | AsyncOptions = 0,
    options?: AsyncOptions,
  ): Promise<RecvmsgIntoResult> {
    try {
      if (isOptions(ancbufsize)) {
        options = optionsIn(ancbufsize, options, "recvmsg_into", flags === 0 ? undefined : flags);
        ancbufsize = 0;
        flags = 0;
      } else if (isOptions(flags)) {
        options = optionsIn(flags, options, "recvmsg_into");
        flags = 0;
      }
      const signal = signalOf(options);
      flags = flagsArg(flags);
      const s = this.#sock;
      const fd = fdOf(s, "recvmsg");
      const bufs = materialize(buffers, "recvmsg_into");
      const attempt = () =>
        this.#viaSync(() =>
          msg.recvmsg_into(s, bufs, ancbufsize as number, (flags as number) | NB.DONTWAIT)
        );
      const r = attempt();
      if (r !== AGAIN) return settled(r);
      return this.#wait(fd, readEvents(flags), "recvmsg", signal, attempt);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  // ---- sending ----

  /**
   * Sends `data` (`send(2)` with MSG_DONTWAIT), waiting for buffer space
   * without blocking the event loop; resolves to the bytes sent, which may
   * be fewer than given (see {@linkcode SocketAsync.sendall}).
   * Python: `socket.send()`.
   *
   * @param data the bytes to send (not to be changed until the call settles)
   * @param flags MSG_* flags
   * @param options `{ signal }` to abort the wait
   * @returns the number of bytes sent
   * @throws {TypeError} for a string (encode it first) or another non-buffer
   * @throws {timeout} in timeout mode when no space frees up in time
   * @throws {SocketError} EPIPE, ECONNRESET...
   */
  send(data: Bytes, flags: number | AsyncOptions = 0, options?: AsyncOptions): Promise<number> {
    try {
      if (isOptions(flags)) {
        options = optionsIn(flags, options, "send");
        flags = 0;
      }
      const signal = signalOf(options);
      data = bufferArg(data, "send");
      flags = flagsArg(flags);
      const fd = fdOf(this.#sock, "send");
      const len = byteLengthOf(data);
      const r = NB.send(fd, data, len, flags);
      if (r >= 0) return settled(r);
      again(r, "send");
      const d = data;
      return this.#wait(fd, WRITE, "send", signal, () => {
        stillFits(d, len, "send");
        const r2 = NB.send(fd, d, len, flags as number);
        return r2 >= 0 ? r2 : again(r2, "send");
      });
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /**
   * Sends all of `data`, waiting for buffer space as often as needed
   * without blocking the event loop. In timeout mode the whole call has one
   * deadline. On error or abort some data may have been sent.
   * Python: `socket.sendall()` / `loop.sock_sendall()`.
   *
   * @param data the bytes to send (not to be changed until the call settles)
   * @param flags MSG_* flags
   * @param options `{ signal }` to abort the wait
   * @throws {TypeError} for a string (encode it first) or another non-buffer
   * @throws {timeout} in timeout mode when not all is sent in time
   * @throws {SocketError} EPIPE, ECONNRESET...
   */
  sendall(data: Bytes, flags: number | AsyncOptions = 0, options?: AsyncOptions): Promise<void> {
    try {
      if (isOptions(flags)) {
        options = optionsIn(flags, options, "sendall");
        flags = 0;
      }
      const signal = signalOf(options);
      const b = viewArg(data, "sendall");
      flags = flagsArg(flags);
      const fd = fdOf(this.#sock, "send");
      const total = byteLengthOf(b);
      let off = 0;
      while (off < total) {
        const r = NB.send(fd, off === 0 ? b : b.subarray(off), total - off, flags);
        if (r < 0) {
          again(r, "send");
          break;
        }
        off += r;
      }
      if (off >= total) return settled(undefined);
      return this.#wait(fd, WRITE, "send", signal, () => {
        stillFits(b, total, "sendall");
        while (off < total) {
          const r = NB.send(fd, b.subarray(off), total - off, flags as number);
          if (r < 0) return again(r, "send");
          off += r;
        }
        return undefined;
      });
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /**
   * Sends `data` to `address` (`sendto(2)`): `sendto(data, address,
   * options?)` or `sendto(data, flags, address, options?)`. Resolves to the
   * bytes sent. Python: `socket.sendto()` / `loop.sock_sendto()`.
   *
   * @param data the bytes to send
   * @param flagsOrAddress MSG_* flags, or the address when flags are omitted
   * @param address the destination (when flags are given), or the options
   * @param options `{ signal }` to abort the wait
   * @returns the number of bytes sent
   * @throws {TypeError} for a non-buffer or a wrong address shape
   * @throws {timeout} in timeout mode when no space frees up in time
   * @throws {SocketError} from sendto(2)
   */
  sendto(data: Bytes, address: AddressIn, options?: AsyncOptions): Promise<number>;
  /**
   * Sends `data` with `flags` to `address` (`sendto(2)`).
   *
   * @param data the bytes to send
   * @param flags MSG_* flags
   * @param address the destination
   * @param options `{ signal }` to abort the wait
   * @returns the number of bytes sent
   */
  sendto(data: Bytes, flags: number, address: AddressIn, options?: AsyncOptions): Promise<number>;
  sendto(
    data: Bytes,
    flagsOrAddress: number | AddressIn,
    address?: AddressIn | AsyncOptions,
    options?: AsyncOptions,
  ): Promise<number> {
    try {
      let flags = 0;
      let addr: unknown;
      if (typeof flagsOrAddress === "number") {
        flags = flagsArg(flagsOrAddress);
        if (address === undefined) throw new TypeError("sendto() missing the address argument");
        addr = address;
      } else {
        addr = flagsOrAddress;
        if (options === undefined) options = address as AsyncOptions | undefined;
      }
      const signal = signalOf(options);
      data = bufferArg(data, "sendto");
      const s = this.#sock;
      const fd = fdOf(s, "sendto");
      const cache = this.#addrCache ??= new AddressCache();
      const alen = cache.encode(s.family, s.type, s.proto, addr);
      const len = byteLengthOf(data);
      const r = NB.sendto(fd, data, len, flags, cache.buf, alen);
      if (r >= 0) return settled(r);
      again(r, "sendto");
      // The cache may be reused by another call while this one waits.
      const a = cache.buf.slice(0, alen);
      const d = data;
      return this.#wait(fd, WRITE, "sendto", signal, () => {
        stillFits(d, len, "sendto");
        const r2 = NB.sendto(fd, d, len, flags, a, alen);
        return r2 >= 0 ? r2 : again(r2, "sendto");
      });
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /**
   * Gather-sends `buffers` with ancillary data (`sendmsg(2)`), optionally to
   * `address`, as the sync `sendmsg()`. Resolves to the bytes sent.
   * Python: `socket.sendmsg()`.
   *
   * @param buffers bytes-like objects, gathered in order
   * @param ancdata `[cmsg_level, cmsg_type, cmsg_data]` items
   * @param flags MSG_* flags
   * @param address the destination, or null/undefined for none
   * @param options `{ signal }` to abort the wait
   * @returns the number of bytes of normal data sent
   * @throws {TypeError} for a non-iterable, a non-buffer, or an item of the wrong shape
   * @throws {timeout} in timeout mode when no space frees up in time
   * @throws {SocketError} from sendmsg(2)
   */
  sendmsg(
    buffers: Iterable<Bytes>,
    ancdata: Iterable<AncDataIn> | AsyncOptions = [],
    flags: number | AsyncOptions = 0,
    address?: AddressIn | null | AsyncOptions,
    options?: AsyncOptions,
  ): Promise<number> {
    try {
      if (isOptions(ancdata)) {
        options = optionsIn(ancdata, options, "sendmsg", flags === 0 ? undefined : flags, address);
        ancdata = [];
        flags = 0;
        address = undefined;
      } else if (isOptions(flags)) {
        options = optionsIn(flags, options, "sendmsg", address);
        flags = 0;
        address = undefined;
      } else if (isOptions(address)) {
        options = optionsIn(address, options, "sendmsg");
        address = undefined;
      }
      const signal = signalOf(options);
      flags = flagsArg(flags);
      const s = this.#sock;
      const fd = fdOf(s, "sendmsg");
      const bufs = materialize(buffers, "sendmsg");
      const anc = ancdata === undefined || ancdata === null ? [] : materialize(ancdata, "sendmsg");
      const attempt = () =>
        this.#viaSync(() =>
          msg.sendmsg(
            s,
            bufs,
            anc,
            (flags as number) | NB.DONTWAIT,
            address as AddressIn | null | undefined,
          )
        );
      const r = attempt();
      if (r !== AGAIN) return settled(r);
      return this.#wait(fd, WRITE, "sendmsg", signal, attempt);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /**
   * Sends a file (`sendfile(2)`, no copy through user space) without
   * blocking the event loop, and resolves to the bytes sent: the sync
   * `sendfile()`'s arguments, result, fallback and file position, as
   * asyncio's `loop.sock_sendfile()`. Where sendfile(2) cannot be used (a
   * pipe, a device, a first call that fails) it falls back to read +
   * `sendall`. Unlike the sync method it accepts non-blocking sockets.
   *
   * Afterwards the file position is `offset` + bytes sent, also when an
   * error or abort interrupts the transfer; unchanged when nothing was
   * sent. In timeout mode each wait for the socket to drain may last up to
   * the timeout, as in the sync method. A file given as a descriptor number
   * is read with read(2) in the fallback, which may block if it is a pipe
   * with no data.
   *
   * @param file a Deno.FsFile or a file descriptor number
   * @param offset where to start reading (default 0)
   * @param count the most bytes to send, or null (default) for all up to end of file
   * @param options `{ signal }` to abort the transfer
   * @returns the bytes sent
   * @throws {TypeError} for a file that is neither a Deno.FsFile nor a descriptor, or a non-integer offset or count
   * @throws {RangeError} for a socket that is not SOCK_STREAM, a negative offset, or a count <= 0
   * @throws {timeout} in timeout mode when the socket does not drain in time
   * @throws {SocketError} EPIPE, ECONNRESET... from sendfile(2) or send(2)
   */
  async sendfile(
    file: Deno.FsFile | number,
    offset: number | AsyncOptions = 0,
    count: number | null | AsyncOptions = null,
    options?: AsyncOptions,
  ): Promise<number> {
    if (isOptions(offset)) {
      options = optionsIn(offset, options, "sendfile", count);
      offset = 0;
      count = null;
    } else if (isOptions(count)) {
      options = optionsIn(count, options, "sendfile");
      count = null;
    }
    if (offset === undefined) offset = 0;
    if (count === undefined) count = null;
    file = checkSendfileParams(this.#sock, file, offset, count);
    const signal = signalOf(options);
    const sockfd = fdOf(this.#sock, "sendfile");
    const inFd = typeof file === "number" ? file : fsFileFd(file);
    if (inFd !== null) {
      const sent = await this.#useSendfile(sockfd, file, inFd, offset, count, signal);
      if (sent >= 0) return sent;
    }
    return this.#useSend(file, offset, count, options);
  }

  /** The sendfile(2) loop; -1 when sendfile cannot be used and nothing was sent. */
  async #useSendfile(
    sockfd: number,
    file: Deno.FsFile | number,
    inFd: number,
    offset: number,
    count: number | null,
    signal: AbortSignal | undefined,
  ): Promise<number> {
    const s = this.#sock;
    const off = new BigInt64Array([BigInt(offset)]);
    let total = 0;
    let block = 0;
    const once = (): number | typeof AGAIN => {
      const n = NB.withNonblock(
        sockfd,
        timeoutMsOf(s) !== 0,
        () => sendfileOnce(sockfd, inFd, off, block),
      );
      if (n >= 0) return n;
      if (total === 0 && -n !== EAGAIN && -n !== EWOULDBLOCK) return -1;
      return again(n, "sendfile");
    };
    try {
      for (;;) {
        block = SENDFILE_BLOCK;
        if (count !== null) {
          block = Math.min(count - total, SENDFILE_BLOCK);
          if (block <= 0) break;
        }
        let n = once();
        if (n === AGAIN) n = await this.#wait(sockfd, WRITE, "sendfile", signal, once);
        if (n === 0) break;
        if (n < 0) return -1; // EINVAL, ESPIPE...: not for sendfile; use send()
        total += n;
      }
      return total;
    } finally {
      if (total > 0) setPosition(file, offset + total);
    }
  }

  /** The fallback: read + sendall, as CPython's `_sendfile_use_send`. */
  async #useSend(
    file: Deno.FsFile | number,
    offset: number,
    count: number | null,
    options: AsyncOptions | undefined,
  ): Promise<number> {
    fdOf(this.#sock, "send");
    const start = seekForSend(file, offset);
    const buf = new Uint8Array(SEND_BLOCK);
    let total = 0;
    try {
      for (;;) {
        let want = SEND_BLOCK;
        if (count !== null) {
          want = Math.min(count - total, SEND_BLOCK);
          if (want <= 0) break;
        }
        const view = want === buf.length ? buf : buf.subarray(0, want);
        const got = typeof file === "number"
          ? readFd(file, buf, want)
          : (await file.read(view)) ?? 0;
        if (got === 0) break;
        await this.sendall(buf.subarray(0, got), 0, options);
        total += got;
      }
      return total;
    } finally {
      if (start >= 0) setPosition(file, total > 0 ? offset + total : start);
    }
  }

  /**
   * Runs a sync implementation (msg.ts) once without waiting: with
   * MSG_DONTWAIT in its flags (passed by the caller), and, in timeout mode,
   * with the socket's timeout set to 0 for the call, so that its EAGAIN
   * comes back at once instead of being polled for on this thread. Returns
   * AGAIN for EAGAIN.
   */
  #viaSync<T>(call: () => T): T | typeof AGAIN {
    const s = this.#sock;
    const t = timeoutMsOf(s) > 0 ? s.gettimeout() : null;
    if (t !== null) s.settimeout(0);
    try {
      return call();
    } catch (e) {
      if (isAgain(e)) return AGAIN;
      throw e;
    } finally {
      if (t !== null) s.settimeout(t);
    }
  }

  /** Number of calls of this socket waiting now (for tests). */
  get pending(): number {
    return this.#pending.size;
  }
}

// ---- sendfile ----

/** recvfrom()'s result after `r` bytes arrived in `buf` (the scratch buffer or its own). */
function recvfromResult(
  buf: Uint8Array<ArrayBuffer>,
  r: number,
  bufsize: number,
  proto: number,
): [Uint8Array<ArrayBuffer>, Address | null] {
  return [received(buf, r, bufsize), decode(S.addrBuf, S.addrLen[0], proto)];
}

/** Whether `address` names an AF_INET/AF_INET6 host that needs a lookup. */
function needsLookup(family: number, address: unknown): boolean {
  if (family !== AF_INET && family !== AF_INET6) return false;
  if (!Array.isArray(address) || typeof address[0] !== "string") return false;
  const host = address[0];
  if (host === "" || host === "<broadcast>") return false;
  return (family === AF_INET ? pton4(host) : pton6(host)) === null;
}

function readEvents(flags: number): number {
  return (flags & MSG_OOB) !== 0 ? READ | PRI : READ;
}

/** An iterable as an array, so that a retried call sees the same items. */
function materialize<T>(items: Iterable<T>, fn: string): T[] {
  if (Array.isArray(items)) return items;
  return Array.from(iterableArg<T>(items, fn));
}

/** Options of `async.create_connection()`: Python 3.11's `all_errors`, and a signal. */
export interface AsyncCreateConnectionOptions extends AsyncOptions {
  /**
   * When every address fails: false (the default) rejects with the last
   * error; true with an `AggregateError` of all of them (Python 3.11's
   * `ExceptionGroup`).
   */
  all_errors?: boolean;
}

/** What create_connection() returns: an IPv4 or IPv6 stream socket. */
type InetSocket = Socket<InetAddress | Inet6Address, InetAddress | Inet6Address | null>;

/**
 * Implements `async.create_connection()`: `socket.create_connection()`
 * with the lookup on a worker thread and each connect waiting on the
 * reactor. See src/async_module.ts for the documentation.
 */
export async function createConnection(
  address: readonly [host: string | null, port: number | string | null],
  timeout?: number | null,
  source_address?: AddressIn | null,
  options: AsyncCreateConnectionOptions = {},
): Promise<InetSocket> {
  // everything checked before the lookup starts
  const { host, port, timeout: tmo, options: o } = connectionArgs(address, timeout, options);
  const signal = signalOf(o);
  const allErrors = o.all_errors === true;
  const infos = await runAsync(getaddrinfoGen(host, port, 0, SOCK_STREAM, 0, 0), signal);
  const errors: SocketError[] = [];
  const connectOptions = signal === undefined ? undefined : { signal };
  for (const [af, socktype, proto, , sa] of infos) {
    let sock: InetSocket | null = null;
    try {
      // getaddrinfo(3) gives AF_INET and AF_INET6 only: the socket's addresses are theirs.
      sock = create<InetSocket>(af, socktype, proto);
      if (tmo !== undefined) sock.settimeout(tmo);
      // Python's truthiness: None and an empty tuple mean "no source address".
      if (
        source_address !== null && source_address !== undefined &&
        !(Array.isArray(source_address) && (source_address as unknown[]).length === 0)
      ) {
        sock.bind(source_address);
      }
      await sock.async.connect(sa as AddressIn, connectOptions);
      return sock;
    } catch (e) {
      sock?.close();
      if (!(e instanceof SocketError)) throw e;
      if (!allErrors) errors.length = 0;
      errors.push(e);
    }
  }
  if (errors.length > 0) {
    if (allErrors) throw new AggregateError(errors, "create_connection failed");
    throw errors[0];
  }
  throw plainError("getaddrinfo returns an empty list", "create_connection");
}
