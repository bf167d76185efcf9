/**
 * The readiness reactor: one per process, shared by every socket that waits
 * in the async API (`s.async.*`, `s.readable`, `s.writable`).
 *
 * A socket call that would block (EAGAIN) registers a {@linkcode Waiter};
 * the reactor keeps exactly one `nonblocking: true` FFI call in flight —
 * `epoll_wait` on Linux, `poll` where ffi/ offers nothing better — and only
 * while at least one waiter exists. That call runs on a worker thread and
 * costs a thread hand-off (12-40 µs measured here) each time it returns, so:
 * - one return serves every descriptor that became ready: the whole ready
 *   list is dispatched, then the descriptors that still have waiters are
 *   re-armed and the wait re-issued once;
 * - before paying for it at all, a zero-timeout `epoll_wait` on the
 *   JavaScript thread (after the woken callers' continuations have run)
 *   collects whatever became ready meanwhile; only when it finds nothing is
 *   the nonblocking call issued. Under load most waits end this way (100
 *   concurrent echo connections: about one `epoll_wait` per 100 round trips);
 * - when the last waiter leaves for another reason than readiness (abort,
 *   timeout, close), the in-flight wait is woken through an eventfd (a pipe
 *   where there is none) and not re-issued, so no pending call keeps the
 *   process alive: a program whose sockets are idle exits by itself.
 *
 * epoll registrations are level-triggered with explicit MOD/DEL, and kept
 * armed lazily: a descriptor's read interest stays registered after its
 * waiter is served, because the reader nearly always comes back (the next
 * `recv`) before the next wait, and then costs no `epoll_ctl` at all; the
 * first event that finds nobody waiting removes it (DEL, or MOD down to the
 * interest still wanted), so lasting readiness or ERR/HUP cannot make every
 * wait return at once. Write interest goes as soon as its waiter is served
 * (a socket is writable most of the time). The alternative the design
 * allows, EPOLLONESHOT (`"epoll-oneshot"`), needs one `epoll_ctl` to re-arm
 * every wait. Measured here (bench/async_bench.ts and 100 concurrent echo
 * connections): one-shot made 0.8 `epoll_ctl` calls per round trip per side,
 * the lazy level-triggered registration 0.01, and in-process echo over 100
 * socketpairs took 13.4 µs per round trip against 16.4 µs (medians of 8);
 * its price is at most one spurious wake-up when a reader leaves and data
 * arrives before it returns. One wait costs 3.2 µs when the data is already
 * there (no wait at all), about 10 µs when the zero-timeout wait finds it,
 * and 22-40 µs when it takes the thread hand-off (epoll and poll alike for
 * one socket).
 *
 * Fairness. Async calls that complete at once (the data is there, the send
 * buffer has room) resolve in microtasks, and so do the reactor's own
 * zero-timeout rounds: a program whose sockets stay busy would never return
 * to the event loop (issue 11: 300 in-process echo clients of 16 KiB, a
 * 10 ms interval timer fired 2 of ~40 times). So one process-wide
 * {@linkcode TurnBudget} (`turnMs`, default 1 ms) bounds every stretch of
 * JavaScript the async machinery drives: a call completing at once, a
 * `connect` (checked before its syscall: on loopback it does the handshake,
 * ~35 µs), a reactor round and each callback of a dispatch ask whether the
 * stretch has used its budget, and if so wait for the event loop's next
 * turn ({@linkcode nextTurn}: a message through a fresh MessageChannel,
 * 14-15 µs a turn on the 2-vCPU VM of 2026-12-01; setTimeout(0) chains are
 * clamped to 2.1 ms a turn, and a kept-open channel, 1.6-3.8 µs, keeps the
 * process alive: Deno 2.9.6 re-refs a port once it has received a message,
 * whatever `unref()` said), released one at a time so their continuations
 * stay within the next budget too. A dispatch that runs out of budget keeps
 * the rest of its ready list for the next round. Measured with
 * `deno task bench:compare --only async1,async1-c,async100,fair` (2 rounds,
 * SOCKFFI_TUNE A/B, quiet machine): on the 300-client load the 10 ms timer
 * fired 85-86% of its ticks with `turnMs` 1 (Deno's built-in networking
 * 63%, Node's `net` 71-74%) and the load took 71-75 ms (Deno 84-88, Node
 * 102-110); a smaller budget bought nothing there, and `turnMs` 0.1 made
 * the in-process async socketpair and UDP loops 8-15% slower (more turns).
 * (Before this budget: 0 ticks of 7-16.)
 *
 * Latency. How a wait ends decides a round trip's cost, and what costs most
 * is putting a CPU to sleep: on the 2-vCPU VM this was measured on
 * (Firecracker, `cpuidle_haltpoll` with `guest_halt_poll_ns=0`: an idle
 * vCPU halts at once) waking one costs 20-30 µs. bench/wait_bench.ts, a
 * 1-byte ping-pong against a blocking C echo peer, 3 interleaved rounds of
 * 1 s (µs per round trip / CPU µs per round trip / context switches per
 * round trip / 5 ms timer ticks):
 * - C's own blocking client: 54.0 / 42.6 / 2.08;
 * - Deno's built-in `Deno.connect`: 60.9 / 33.5 / 1.01 / 98%;
 * - the hand-off alone (the `nonblocking: true` wait on a worker thread):
 *   75.7 / 61.3 / 2.80 / 98%;
 * - a blocking `epoll_wait` of up to 1 ms on the JavaScript thread (the
 *   previous default): 61.5 / 38.1 / 0.99 / 86%;
 * - a Worker blocked in `epoll_wait` waking this thread through
 *   `Atomics.waitAsync`: 68.3 / 45.3 / 2.00 / 97%; through a
 *   `Deno.UnsafeCallback.threadSafe` callback: 69.2 / 51.2 / 2.31 / 98%
 *   (on a machine whose CPUs were kept awake by other work these two were
 *   the fastest, 16-18 µs against Deno's 19: the ranking is the machine's);
 * - raw FFI calls with the same blocking wait and none of sockffi's code:
 *   60.4 / 30.2 / 1.00 (never yields: no ticks);
 * - a busy-poll (`spinUs`) of 25, 50, 100 µs: 33.7, 25.8, 24.3 µs per round
 *   trip, 24-31 CPU µs, 0.1-0.5 context switches, 91-92% of the ticks.
 *
 * So by default the reactor busy-polls: when a zero-timeout `epoll_wait`
 * finds nothing and recent waits ended within 2 x `spinUs` (default
 * 100 µs), it polls in a tight loop for up to `spinUs`. A spin is waiting
 * anyway, so it gives the event loop a turn of its own every 0.25 ms
 * (SPIN_TURN_MS): with turns only when the 1 ms budget was spent, 91% of
 * the 5 ms timer's ticks fired; with them, 94% at 23.9 µs per round trip
 * (every 0.1 ms: 96% at 26.5 µs; a turn after every poll: 96% at 30-33 µs).
 * A spin that finds nothing (a slow or idle peer, or a machine short of
 * CPU, where the spin takes time the peer needs) turns spinning off for the
 * next 32 waits. Then comes the blocking wait on this thread, when recent
 * waits ended within `waitMs` (default 1 ms): `epoll_wait` with that
 * timeout, asleep in the kernel, woken the moment a descriptor is ready,
 * with no hand-off; one that times out turns itself off for 32 waits,
 * doubling with each further timeout. Only then the hand-off, which keeps
 * nothing alive when the waiters go. An idle program spins at most once,
 * then sleeps: no CPU, and it exits by itself (tests/fairness_test.ts).
 * Side by side in bench/compare (2 rounds each, the same hour):
 * - both ends sockffi, 1 connection: 38.5-43.8k round trips/s with the
 *   spin, 13.3k without (Deno 13.9-14.1k, Node 14.1-14.4k, C 17.6-18.1k);
 * - sockffi client, C echo peer: 38.2-40.4k with, 16.0k without (Deno
 *   15.6-16.4k, Node 15.9-16.4k);
 * - 100 connections: 113-123k either way (Deno 121-130k, Node 105-120k):
 *   under load the zero-timeout wait nearly always finds something
 *   (6,800 of 7,000 rounds) and the spin is not reached.
 * All three are adjustable with {@linkcode tuneReactor}.
 *
 * errno is never read after the nonblocking call: it ran on another thread.
 * `epoll_wait`/`poll` with an infinite timeout can only fail there with
 * EINTR, and then the wait is simply issued again.
 *
 * @module
 */

import { errno, type Layout, layout, type Libc, readiness } from "../ffi/mod.ts";
import { errnoValues, sys } from "../constants/mod.ts";
import { big, errorFor, lib } from "./_syscall.ts";
import { describe } from "./_args.ts";
import type { SocketError } from "./errors.ts";

/** Wait for readability (data, a connection to accept, EOF). */
export const READ: number = sys.POLLIN;
/** Wait for writability (send buffer space, a connect that completed). */
export const WRITE: number = sys.POLLOUT;
/** Wait for urgent data (recv with MSG_OOB), together with READ. */
export const PRI: number = sys.POLLPRI;

const ERRHUP = sys.POLLERR | sys.POLLHUP | sys.POLLNVAL;

/**
 * Something waiting for a descriptor: registered with
 * {@linkcode Reactor.add}, called back once.
 */
export interface Waiter {
  /** The descriptor waited on. */
  readonly fd: number;
  /** What it waits for: {@linkcode READ}, {@linkcode WRITE}, or READ | PRI. */
  readonly events: number;
  /**
   * The descriptor is ready (or has an error or hung up: the retried call
   * will tell). The waiter has been removed; it may add itself again.
   */
  ready(): void;
  /** The reactor could not wait for this descriptor (epoll_ctl failed). */
  fail(err: SocketError): void;
}

/** Backend.sync(): the in-flight wait must be restarted to see the change. */
const RESTART = -1;

/** Per-descriptor bookkeeping. */
class FdState {
  readonly fd: number;
  waiters: Waiter[] = [];
  /** Events the kernel (epoll) or the in-flight poll() call is watching for. */
  armed = 0;
  /** Known to the epoll instance. */
  registered = false;
  /** Queued for an interest update at the end of a dispatch. */
  dirty = false;
  /** Level-triggered: an event found no waiter, so lazily kept interest must go. */
  unwanted = false;
  constructor(fd: number) {
    this.fd = fd;
  }
  want(): number {
    let m = 0;
    const ws = this.waiters;
    for (let i = 0; i < ws.length; i++) m |= ws[i].events;
    return m;
  }
}

/** What the reactor needs from a readiness mechanism. */
interface Backend {
  readonly name: string;
  /**
   * Makes the kernel's interest in `st` match its waiters. Returns
   * {@linkcode RESTART} when the in-flight wait (if any) cannot see the
   * change and must be restarted, 0 when done, or an errno when the kernel
   * refused to watch the descriptor.
   */
  sync(st: FdState, inFlight: boolean): number;
  /** The descriptor is going away: drop any registration (before close). */
  forget(st: FdState): void;
  /** Issues the single nonblocking wait; resolves to its result. */
  wait(states: Map<number, FdState>): Promise<number>;
  /**
   * A wait on the JavaScript thread (no hand-off), zero-timeout unless `ms`
   * is given (then it blocks the thread up to `ms`); its result.
   */
  waitNow(states: Map<number, FdState>, ms?: number): number;
  /** Reads the `n` results of the last wait: calls `on(fd, revents)` for each. */
  results(n: number, on: (fd: number, revents: number) => void): void;
  /** Interrupts the in-flight wait. */
  wake(): void;
  /** Whether `fd` is the waker's descriptor (its events are drained, not dispatched). */
  isWaker(fd: number): boolean;
  /** Empties the waker after it fired. */
  drain(): void;
  /** Whether a reported descriptor is disarmed until armed again (one-shot, poll). */
  readonly disarmsOnEvent: boolean;
  /** Closes the backend's own descriptors (only when no wait is in flight). */
  close(): void;
}

// ---- the waker: an eventfd, or a pipe where there is none ----

class Waker {
  readonly readFd: number;
  readonly writeFd: number;
  #L: Libc;
  #buf = new BigUint64Array([1n]);
  #drainBuf = new Uint8Array(64);
  constructor(L: Libc, kind: WakerKind) {
    this.#L = L;
    if (kind === "eventfd") {
      const fd = L.eventfd(0, sys.EFD_CLOEXEC | sys.EFD_NONBLOCK);
      if (fd < 0) throw errorFor(errno(), "eventfd");
      this.readFd = this.writeFd = fd;
    } else {
      const fds = new Int32Array(2);
      if (L.pipe(fds) < 0) throw errorFor(errno(), "pipe");
      for (const fd of fds) {
        L.fcntl(fd, sys.F_SETFD, sys.FD_CLOEXEC);
        L.fcntl(fd, sys.F_SETFL, L.fcntl(fd, sys.F_GETFL, 0) | sys.O_NONBLOCK);
      }
      this.readFd = fds[0];
      this.writeFd = fds[1];
    }
  }
  wake(): void {
    // EAGAIN (a full pipe, a saturated counter) means a wake is pending anyway.
    this.#L.write(this.writeFd, this.#buf, big(8));
  }
  close(): void {
    this.#L.close(this.readFd);
    if (this.writeFd !== this.readFd) this.#L.close(this.writeFd);
  }
  drain(): void {
    // Non-blocking: reads until empty (an eventfd empties in one read).
    while (this.#L.read(this.readFd, this.#drainBuf, big(this.#drainBuf.length)) > 0) {
      if (this.readFd === this.writeFd) break;
    }
  }
}

// ---- epoll ----

// Only epoll systems have the layout; elsewhere the epoll backend is never built.
const EPOLL_EVENT = layout.epoll_event ?? { size: 0, events: 0, data: 0 };
const EV_SIZE = EPOLL_EVENT.size;
const EV_EVENTS = EPOLL_EVENT.events;
const EV_DATA = EPOLL_EVENT.data;
const MAX_EVENTS = 1024;

function toEpoll(m: number): number {
  let e = 0;
  if (m & sys.POLLIN) e |= sys.EPOLLIN;
  if (m & sys.POLLOUT) e |= sys.EPOLLOUT;
  if (m & sys.POLLPRI) e |= sys.EPOLLPRI;
  return e;
}

function fromEpoll(e: number): number {
  let m = 0;
  if (e & sys.EPOLLIN) m |= sys.POLLIN;
  if (e & sys.EPOLLOUT) m |= sys.POLLOUT;
  if (e & sys.EPOLLPRI) m |= sys.POLLPRI;
  if (e & sys.EPOLLERR) m |= sys.POLLERR;
  if (e & sys.EPOLLHUP) m |= sys.POLLHUP;
  if (e & sys.EPOLLRDHUP) m |= sys.POLLIN;
  return m;
}

class EpollBackend implements Backend {
  readonly name: string;
  #L: Libc;
  #oneshot: boolean;
  #epfd: number;
  #waker: Waker;
  // Written by the kernel during the in-flight wait: read only after it returns.
  #events = new ArrayBuffer(EV_SIZE * MAX_EVENTS);
  #ev32 = new Int32Array(this.#events);
  #u32 = new Uint32Array(this.#events);
  #ctl = new ArrayBuffer(EV_SIZE);
  #ctl32 = new Uint32Array(this.#ctl);
  #ctl32i = new Int32Array(this.#ctl);
  #epoll_ctl: Libc["epoll_ctl"];
  #epoll_wait: Libc["epoll_wait"];
  #epoll_wait_nb: Libc["epoll_wait_nb"];

  constructor(L: Libc, oneshot: boolean, waker: WakerKind) {
    this.name = oneshot ? "epoll-oneshot" : "epoll";
    this.#L = L;
    this.#oneshot = oneshot;
    this.#epoll_ctl = L.epoll_ctl;
    this.#epoll_wait = L.epoll_wait;
    this.#epoll_wait_nb = L.epoll_wait_nb;
    const epfd = L.epoll_create1(sys.EPOLL_CLOEXEC);
    if (epfd < 0) throw errorFor(errno(), "epoll_create1");
    this.#epfd = epfd;
    try {
      this.#waker = new Waker(L, waker);
    } catch (e) {
      L.close(epfd);
      throw e;
    }
    // The waker stays registered, level-triggered, for the reactor's life.
    if (this.#ctlCall(sys.EPOLL_CTL_ADD, this.#waker.readFd, sys.EPOLLIN) < 0) {
      const err = errorFor(errno(), "epoll_ctl");
      L.close(epfd);
      throw err;
    }
  }

  #ctlCall(op: number, fd: number, events: number): number {
    this.#ctl32[EV_EVENTS >> 2] = events >>> 0;
    this.#ctl32i[EV_DATA >> 2] = fd;
    this.#ctl32i[(EV_DATA >> 2) + 1] = 0;
    return this.#epoll_ctl(this.#epfd, op, fd, this.#ctl);
  }

  /** ADD or MOD `fd` with `events`, falling back to the other on EEXIST/ENOENT. */
  #arm(st: FdState, events: number): number {
    const fd = st.fd;
    let op = st.registered ? sys.EPOLL_CTL_MOD : sys.EPOLL_CTL_ADD;
    for (let tries = 0; tries < 2; tries++) {
      if (this.#ctlCall(op, fd, events) >= 0) {
        st.registered = true;
        return 0;
      }
      const e = errno();
      // A stale registration (a dup of a closed descriptor still open, or
      // a descriptor closed behind our back and its number reused).
      if (e === errnoValues.EEXIST && op === sys.EPOLL_CTL_ADD) op = sys.EPOLL_CTL_MOD;
      else if (e === errnoValues.ENOENT && op === sys.EPOLL_CTL_MOD) op = sys.EPOLL_CTL_ADD;
      else return e;
    }
    return errnoValues.EINVAL;
  }

  sync(st: FdState): number {
    let want = st.want();
    if (!this.#oneshot) {
      // Level-triggered: read interest stays armed after its waiter left,
      // since a reader usually comes back (the next recv) before the next
      // wait, and then needs no epoll_ctl. It goes (DEL) once an event
      // found nobody waiting: lasting readiness (or ERR/HUP) would otherwise
      // end every wait at once. Write interest goes at once: a socket is
      // writable most of the time.
      if (!st.unwanted) want |= st.armed & (sys.POLLIN | sys.POLLPRI);
      st.unwanted = false;
      if (want === 0) {
        if (st.registered) this.#ctlCall(sys.EPOLL_CTL_DEL, st.fd, 0);
        st.registered = false;
        st.armed = 0;
        return 0;
      }
    }
    // One-shot: a disarmed or armed-but-abandoned registration is harmless
    // (at worst one ignored event).
    if (want === 0) return 0;
    if (st.armed === want && st.registered) return 0;
    const events = toEpoll(want) | (this.#oneshot ? sys.EPOLLONESHOT : 0);
    const e = this.#arm(st, events);
    st.armed = e === 0 ? want : 0;
    return e;
  }

  forget(st: FdState): void {
    if (st.registered) this.#ctlCall(sys.EPOLL_CTL_DEL, st.fd, 0);
    st.registered = false;
    st.armed = 0;
  }

  wait(): Promise<number> {
    return this.#epoll_wait_nb(this.#epfd, this.#events, MAX_EVENTS, -1);
  }

  waitNow(_states: Map<number, FdState>, ms = 0): number {
    return this.#epoll_wait(this.#epfd, this.#events, MAX_EVENTS, ms);
  }

  results(n: number, on: (fd: number, revents: number) => void): void {
    const stride = EV_SIZE >> 2;
    const ev = EV_EVENTS >> 2;
    const data = EV_DATA >> 2;
    for (let i = 0, b = 0; i < n; i++, b += stride) {
      on(this.#ev32[b + data], fromEpoll(this.#u32[b + ev]));
    }
  }

  /** One-shot registrations are disarmed by the kernel once reported. */
  get disarmsOnEvent(): boolean {
    return this.#oneshot;
  }

  close(): void {
    this.#waker.close();
    this.#L.close(this.#epfd);
  }

  wake(): void {
    this.#waker.wake();
  }
  isWaker(fd: number): boolean {
    return fd === this.#waker.readFd;
  }
  drain(): void {
    this.#waker.drain();
  }
}

// ---- kqueue (macOS, the BSDs) ----

/** `struct kevent` as ffi/structs.ts describes it (32 bytes on 64-bit systems). */
type KeventLayout = NonNullable<Layout["kevent"]>;

/** A kqueue constant from the generated table (absent on systems without kqueue). */
function kqConst(name: string): number {
  const v = (sys as Record<string, number | undefined>)[name];
  if (v === undefined) throw new Error(`kqueue reactor: ${name} is missing from constants/`);
  return v;
}

/**
 * kqueue(2), kept as close to the epoll backend as the API allows.
 *
 * - Read and write interest are separate registrations (EVFILT_READ,
 *   EVFILT_WRITE keyed by descriptor), both level-triggered (no EV_CLEAR),
 *   with the same lazy policy: read interest stays registered after its
 *   waiter is served until an event finds nobody waiting; write interest is
 *   deleted once its waiter is served. PRI (MSG_OOB) waits on EVFILT_READ.
 * - Changes go through `kevent()` with EV_RECEIPT, which returns one entry
 *   per change with EV_ERROR set and `data` the change's errno (0 for
 *   success) and drains no pending event; a change that fails is reported
 *   like a failed `epoll_ctl` (EV_DELETE of a registration the kernel
 *   already dropped, ENOENT, is not an error: closing a descriptor removes
 *   its kevents).
 * - Results: EVFILT_READ → POLLIN, EVFILT_WRITE → POLLOUT; EV_EOF (the
 *   peer shut down: readable to EOF; for the write filter, writes will
 *   fail) adds POLLHUP, EV_ERROR (never expected from a wait without
 *   changes) POLLERR, so the retried call reports what happened. One
 *   descriptor may come back twice in a list (one per filter); each is
 *   dispatched.
 * - The waker is a pipe (its read end registered for EVFILT_READ) or an
 *   EVFILT_USER event (ident 0, EV_CLEAR, fired with NOTE_TRIGGER), whose
 *   result is reported with descriptor -1 so that it cannot be taken for a
 *   socket with the same number.
 */
class KqueueBackend implements Backend {
  readonly name = "kqueue";
  readonly disarmsOnEvent = false;
  #L: Libc;
  #kq: number;
  #waker: Waker | null = null;
  #ev: KeventLayout;
  #stride: number;
  #events: ArrayBuffer;
  #eventsView: DataView;
  #changes: ArrayBuffer;
  #changesView: DataView;
  #receipts: ArrayBuffer;
  #receiptsView: DataView;
  #zero = new BigInt64Array(2); // struct timespec { 0, 0 }
  #timeout = new BigInt64Array(2); // struct timespec for a bounded wait
  #READ = kqConst("EVFILT_READ");
  #WRITE = kqConst("EVFILT_WRITE");
  #ADD = kqConst("EV_ADD");
  #DELETE = kqConst("EV_DELETE");
  #RECEIPT = kqConst("EV_RECEIPT");
  #ERROR = kqConst("EV_ERROR");
  #EOF = kqConst("EV_EOF");
  #USER = 0;
  #TRIGGER = 0;

  constructor(L: Libc, waker: WakerKind) {
    this.#L = L;
    const ev = layout.kevent;
    if (ev === undefined) throw new Error("kqueue reactor: ffi/structs.ts has no kevent layout");
    this.#ev = ev;
    this.#stride = ev.size;
    this.#events = new ArrayBuffer(ev.size * MAX_EVENTS);
    this.#eventsView = new DataView(this.#events);
    this.#changes = new ArrayBuffer(ev.size * 2);
    this.#changesView = new DataView(this.#changes);
    this.#receipts = new ArrayBuffer(ev.size * 2);
    this.#receiptsView = new DataView(this.#receipts);
    const kq = this.#L.kqueue();
    if (kq < 0) throw errorFor(errno(), "kqueue");
    // kqueue descriptors are not inherited across fork; close-on-exec too.
    L.fcntl(kq, sys.F_SETFD, sys.FD_CLOEXEC);
    this.#kq = kq;
    try {
      if (waker === "user") {
        this.#waker = null;
        this.#USER = kqConst("EVFILT_USER");
        this.#TRIGGER = kqConst("NOTE_TRIGGER");
        this.#change(0, 0, this.#USER, this.#ADD | kqConst("EV_CLEAR"), 0);
      } else {
        this.#waker = new Waker(L, "pipe");
        this.#change(0, this.#waker.readFd, this.#READ, this.#ADD, 0);
      }
      const e = this.#apply(1);
      if (e !== 0) throw errorFor(e, "kevent");
    } catch (e) {
      this.#waker?.close();
      L.close(kq);
      throw e;
    }
  }

  /** Writes change `i` of the changelist. */
  #change(i: number, ident: number, filter: number, flags: number, fflags: number): void {
    const v = this.#changesView, ev = this.#ev, b = i * this.#stride;
    v.setBigUint64(b + ev.ident, BigInt(ident), true);
    v.setInt16(b + ev.filter, filter, true);
    v.setUint16(b + ev.flags, flags | this.#RECEIPT, true);
    v.setUint32(b + ev.fflags, fflags, true);
    v.setBigInt64(b + ev.data, 0n, true);
    v.setBigUint64(b + ev.udata, 0n, true);
  }

  /**
   * Applies `n` changes; their receipts (EV_RECEIPT) land in #receipts.
   * Returns 0, or the errno of the first change that failed (other than
   * ENOENT for a delete).
   */
  #apply(n: number): number {
    const r = this.#L.kevent(this.#kq, this.#changes, n, this.#receipts, n, this.#zero);
    if (r < 0) return errno();
    const v = this.#receiptsView, ev = this.#ev;
    for (let i = 0; i < r; i++) {
      const b = i * this.#stride;
      if ((v.getUint16(b + ev.flags, true) & this.#ERROR) === 0) continue;
      const e = Number(v.getBigInt64(b + ev.data, true));
      if (e === 0) continue;
      if (e === errnoValues.ENOENT && v.getInt16(b + ev.filter, true) !== this.#USER) continue;
      return e;
    }
    return 0;
  }

  sync(st: FdState): number {
    // The epoll backend's policy (see EpollBackend.sync), per filter.
    let want = st.want();
    if (!st.unwanted) want |= st.armed & (sys.POLLIN | sys.POLLPRI);
    st.unwanted = false;
    const r = (m: number): boolean => (m & (sys.POLLIN | sys.POLLPRI)) !== 0;
    const w = (m: number): boolean => (m & sys.POLLOUT) !== 0;
    let n = 0;
    if (r(want) !== r(st.armed)) {
      this.#change(n++, st.fd, this.#READ, r(want) ? this.#ADD : this.#DELETE, 0);
    }
    if (w(want) !== w(st.armed)) {
      this.#change(n++, st.fd, this.#WRITE, w(want) ? this.#ADD : this.#DELETE, 0);
    }
    if (n === 0) return 0;
    const e = this.#apply(n);
    if (e !== 0) {
      // As epoll: the kernel will not watch it; nothing is counted as armed.
      this.forget(st);
      return e;
    }
    st.armed = want;
    st.registered = want !== 0;
    return 0;
  }

  forget(st: FdState): void {
    let n = 0;
    if (st.armed & (sys.POLLIN | sys.POLLPRI)) {
      this.#change(n++, st.fd, this.#READ, this.#DELETE, 0);
    }
    if (st.armed & sys.POLLOUT) this.#change(n++, st.fd, this.#WRITE, this.#DELETE, 0);
    if (n > 0) this.#apply(n);
    st.registered = false;
    st.armed = 0;
  }

  wait(): Promise<number> {
    return this.#L.kevent_nb(this.#kq, null, 0, this.#events, MAX_EVENTS, null);
  }

  waitNow(_states: Map<number, FdState>, ms = 0): number {
    let ts = this.#zero;
    if (ms > 0) {
      ts = this.#timeout;
      ts[0] = BigInt(Math.floor(ms / 1000));
      ts[1] = BigInt((ms % 1000) * 1_000_000);
    }
    return this.#L.kevent(this.#kq, null, 0, this.#events, MAX_EVENTS, ts);
  }

  results(n: number, on: (fd: number, revents: number) => void): void {
    const v = this.#eventsView, ev = this.#ev;
    for (let i = 0, b = 0; i < n; i++, b += this.#stride) {
      const filter = v.getInt16(b + ev.filter, true);
      const flags = v.getUint16(b + ev.flags, true);
      if (this.#waker === null && filter === this.#USER) {
        on(-1, sys.POLLIN);
        continue;
      }
      let m = filter === this.#READ ? sys.POLLIN : filter === this.#WRITE ? sys.POLLOUT : 0;
      if (flags & this.#EOF) m |= sys.POLLHUP;
      if (flags & this.#ERROR) m |= sys.POLLERR;
      on(Number(v.getBigUint64(b + ev.ident, true)), m);
    }
  }

  wake(): void {
    if (this.#waker !== null) {
      this.#waker.wake();
      return;
    }
    this.#change(0, 0, this.#USER, 0, this.#TRIGGER);
    this.#apply(1);
  }

  isWaker(fd: number): boolean {
    return this.#waker === null ? fd === -1 : fd === this.#waker.readFd;
  }

  drain(): void {
    // EVFILT_USER with EV_CLEAR resets itself once reported.
    this.#waker?.drain();
  }

  close(): void {
    this.#waker?.close();
    this.#L.close(this.#kq);
  }
}

// ---- poll(): the portable fallback ----

const PFD_SIZE = layout.pollfd.size;
const PFD_FD = layout.pollfd.fd >> 2;
const PFD_EVENTS = layout.pollfd.events >> 1;
const PFD_REVENTS = layout.pollfd.revents >> 1;

class PollBackend implements Backend {
  readonly name = "poll";
  #waker: Waker;
  #cap = 0;
  #buf = new ArrayBuffer(0);
  #i32 = new Int32Array(0);
  #i16 = new Int16Array(0);
  #n = 0;
  #poll: Libc["poll"];
  #poll_nb: Libc["poll_nb"];

  constructor(L: Libc, waker: WakerKind) {
    this.#poll = L.poll;
    this.#poll_nb = L.poll_nb;
    this.#waker = new Waker(L, waker);
  }

  sync(st: FdState, inFlight: boolean): number {
    // poll() has no registration: the set is rebuilt for every wait. A wait
    // in flight that does not cover the new interest must be restarted.
    const want = st.want();
    return inFlight && (want & ~st.armed) !== 0 ? RESTART : 0;
  }

  forget(st: FdState): void {
    st.armed = 0;
  }

  #build(states: Map<number, FdState>): number {
    let n = 1;
    for (const st of states.values()) if (st.waiters.length > 0) n++;
    if (n > this.#cap) {
      this.#cap = Math.max(n, this.#cap * 2, 16);
      this.#buf = new ArrayBuffer(this.#cap * PFD_SIZE);
      this.#i32 = new Int32Array(this.#buf);
      this.#i16 = new Int16Array(this.#buf);
    }
    const f32 = this.#i32, f16 = this.#i16;
    const s32 = PFD_SIZE >> 2, s16 = PFD_SIZE >> 1;
    f32[PFD_FD] = this.#waker.readFd;
    f16[PFD_EVENTS] = sys.POLLIN;
    f16[PFD_REVENTS] = 0;
    let i = 1;
    for (const st of states.values()) {
      const want = st.want();
      st.armed = want;
      if (want === 0) continue;
      f32[i * s32 + PFD_FD] = st.fd;
      f16[i * s16 + PFD_EVENTS] = want;
      f16[i * s16 + PFD_REVENTS] = 0;
      i++;
    }
    this.#n = i;
    return i;
  }

  wait(states: Map<number, FdState>): Promise<number> {
    const n = this.#build(states);
    return this.#poll_nb(this.#buf, big(n), -1);
  }

  waitNow(states: Map<number, FdState>, ms = 0): number {
    const n = this.#build(states);
    return this.#poll(this.#buf, big(n), ms);
  }

  results(n: number, on: (fd: number, revents: number) => void): void {
    // `n` counts entries with revents set; scan the set to find them.
    const f32 = this.#i32, f16 = this.#i16;
    const s32 = PFD_SIZE >> 2, s16 = PFD_SIZE >> 1;
    for (let i = 0; i < this.#n && n > 0; i++) {
      const r = f16[i * s16 + PFD_REVENTS];
      if (r === 0) continue;
      n--;
      on(f32[i * s32 + PFD_FD], r & 0xffff);
    }
  }

  /** Every poll() call ends the interest: the next one is rebuilt. */
  get disarmsOnEvent(): boolean {
    return true;
  }

  close(): void {
    this.#waker.close();
  }

  wake(): void {
    this.#waker.wake();
  }
  isWaker(fd: number): boolean {
    return fd === this.#waker.readFd;
  }
  drain(): void {
    this.#waker.drain();
  }
}

/** Microtask hops before a wait starts (see Reactor.#schedule). */
const HOPS = 16;

// ---- fairness: the turn budget ----

/** Default {@linkcode ReactorTuning.turnMs} (see the module doc for the measurements). */
export const DEFAULT_TURN_MS = 1;
/** Default {@linkcode ReactorTuning.spinUs} (see the module doc for the measurements). */
export const DEFAULT_SPIN_US = 100;
/** Default {@linkcode ReactorTuning.waitMs} (see the module doc for the measurements). */
export const DEFAULT_WAIT_MS = 1;
/**
 * While busy-polling, the event loop has a turn at least this often (ms),
 * through a fresh MessageChannel (14-15 µs a turn here). Measured with
 * bench/wait_bench.ts (`default`, 3 rounds against the C echo peer): every
 * 0.1 ms, 26.5 µs per round trip and 96% of a 5 ms timer's ticks; 0.25 ms,
 * 23.9 µs and 94%; 0.5 ms, 23.5 µs and 93%; 1 ms, 23.4 µs and 94%.
 */
const SPIN_TURN_MS = 0.25;
/** Waits without busy-polling after a spin that found nothing. */
const SPIN_BACKOFF = 32;
/** Calls of {@linkcode TurnBudget.spent} between two readings of the clock. */
const CHECK_EVERY = 16;

/**
 * How long JavaScript may run on without giving the event loop its turn.
 *
 * Async socket calls that complete at once (the data is there, the send
 * buffer has room) resolve their Promises in microtasks, and a program
 * whose sockets are always ready would never return to the event loop:
 * timers, Deno's own I/O and other tasks would stall. Every such call and
 * every reactor round asks {@linkcode TurnBudget.spent}; once the current
 * stretch has run `ms` milliseconds, they wait for the next turn of the
 * event loop (see {@linkcode nextTurn}) before going on.
 *
 * A stretch starts when the event loop is known to have had its turn (the
 * reactor's nonblocking wait returned, a {@linkcode nextTurn} ran, see
 * {@linkcode TurnBudget.restart}) or when the calls paused for `ms` or more
 * (the event loop ran meanwhile, or other code did and is not ours to
 * count; once per stretch, since 16 calls that each take `ms`/16 look the
 * same). The clock is read once every 16 calls (performance.now() costs
 * about 100 ns here), so a stretch can exceed the budget by 15 calls, or
 * by 31 slow ones.
 */
export class TurnBudget {
  /** The budget in milliseconds; `Infinity` turns the check off. */
  ms: number;
  #now: () => number;
  #start = -Infinity;
  #last = -Infinity;
  #count = 0;
  #spent = false;
  /** Whether this stretch already took a gap between readings for a pause. */
  #paused = false;

  /**
   * @param ms the budget in milliseconds
   * @param now the clock (milliseconds); `performance.now` unless a test gives its own
   */
  constructor(ms: number, now: () => number = () => performance.now()) {
    this.ms = ms;
    this.#now = now;
  }

  /** Whether the current stretch has used its budget: the caller should yield. */
  spent(): boolean {
    if (this.#spent) return true;
    if (++this.#count < CHECK_EVERY) return false;
    this.#count = 0;
    const t = this.#now();
    // A gap of a whole budget between two readings: a pause (whatever ran
    // meanwhile was not this stretch), or 16 slow calls (a reactor round
    // that retries a ready-but-EAGAIN descriptor and takes 63 us or more
    // with the default budget). The two look alike, so only the first gap
    // of a stretch counts as a pause: the next one is part of the stretch,
    // and a run of slow calls still yields after two readings (issue 9
    // item 4: otherwise it never did, and no timer, its own timeout
    // included, ever fired).
    if (t - this.#last >= this.ms && !this.#paused) {
      this.#start = t;
      this.#paused = true;
    }
    this.#last = t;
    return this.#spent = t - this.#start >= this.ms;
  }

  /** When the current stretch began (the clock's time; -Infinity before the first). */
  since(): number {
    return this.#start;
  }

  /** The event loop has just had its turn: a new stretch starts now. */
  restart(): void {
    this.#start = this.#last = this.#now();
    this.#count = 0;
    this.#spent = false;
    this.#paused = false;
  }
}

/** The tunables of the async machinery; see {@linkcode tuneReactor}. */
export interface ReactorTuning {
  /**
   * Milliseconds of JavaScript the async calls and the reactor run before
   * they let the event loop have its turn (timers, Deno's own I/O).
   * Default 1. Smaller is fairer and costs throughput (one event-loop turn,
   * 14-15 µs measured here, per `turnMs`); `Infinity` never yields. A
   * busy-poll yields every 0.25 ms whatever this says.
   */
  turnMs: number;
  /**
   * Microseconds the reactor may busy-poll on the JavaScript thread (a
   * zero-timeout `epoll_wait` in a loop, with a turn of the event loop every
   * 0.25 ms) before it sleeps, when recent waits ended within 2 x that
   * time. Default 100; 0 turns it off. A spin that finds nothing turns it
   * off for the next 32 waits, so a slow or idle peer costs one spin now
   * and then. Waking a sleeping CPU costs 20-30 µs on a VM: a spin that
   * ends sooner saves that (see the module doc for the measurements).
   */
  spinUs: number;
  /**
   * Milliseconds the reactor may block the JavaScript thread in a wait of
   * its own (`epoll_wait` with this timeout; the kernel wakes it the moment
   * a descriptor is ready) before it hands the wait to a worker thread,
   * when recent waits ended within that time. Default 1; 0 turns it off.
   * A wait that times out turns it off for the next 32 waits, so an idle
   * socket costs one such wait, then none: no CPU either way.
   */
  waitMs: number;
}

/** The process-wide turn budget shared by the async calls and the reactor. */
export const turn: TurnBudget = new TurnBudget(DEFAULT_TURN_MS);
let spinUs = DEFAULT_SPIN_US;
let waitMs = DEFAULT_WAIT_MS;

/**
 * Reads and changes the async machinery's tuning (see
 * {@linkcode ReactorTuning}); returns the values now in force.
 *
 * @example Fairer to timers, never blocking the JavaScript thread in a wait
 * ```ts
 * import { tuneReactor } from "@sockffi/socket";
 * const before = tuneReactor({ turnMs: 1, waitMs: 0 });
 * tuneReactor(before); // back to what it was
 * ```
 *
 * @throws {TypeError} when `t` is not an object, or a value is not a number
 * @throws {RangeError} for a negative or NaN value, `spinUs` above 1,000,000
 *   (busy-polling stays bounded), or `waitMs` not a whole number up to 1,000
 */
export function tuneReactor(t: Partial<ReactorTuning> = {}): ReactorTuning {
  if (typeof t !== "object" || t === null) {
    throw new TypeError(`tuneReactor: expected an options object, not ${describe(t)}`);
  }
  // each value is read once: a getter cannot pass the check and then change
  const want: Partial<ReactorTuning> = {};
  for (const [k, max] of TUNING_LIMITS) {
    const v: unknown = t[k];
    if (v === undefined) continue;
    if (typeof v !== "number") {
      throw new TypeError(`tuneReactor: ${k} must be a number, not ${describe(v)}`);
    }
    if (!(v >= 0 && v <= max) || (k === "waitMs" && !Number.isInteger(v))) {
      throw new RangeError(`tuneReactor: ${k} must be ${TUNING_RANGE[k]}, not ${v}`);
    }
    want[k] = v;
  }
  if (want.turnMs !== undefined) turn.ms = want.turnMs;
  if (want.spinUs !== undefined) spinUs = want.spinUs;
  if (want.waitMs !== undefined) waitMs = want.waitMs;
  return { turnMs: turn.ms, spinUs, waitMs };
}

/** The largest value of each tunable (`turnMs` may be Infinity: never yield). */
const TUNING_LIMITS: ReadonlyArray<readonly [keyof ReactorTuning, number]> = [
  ["turnMs", Infinity],
  ["spinUs", 1_000_000],
  ["waitMs", 1_000],
];
const TUNING_RANGE: Readonly<Record<keyof ReactorTuning, string>> = {
  turnMs: "a number >= 0 (Infinity: never yield)",
  spinUs: "a number from 0 to 1000000",
  waitMs: "a whole number from 0 to 1000",
};

/** Callers waiting for the event loop's turn, released in order from `head`. */
let parked: (() => void)[] = [];
let head = 0;
/** Whether a turn has been asked for and not yet come. */
let posted = false;

/**
 * Calls `then` after a real turn of the event loop, with the turn budget
 * restarted: a message through a fresh MessageChannel, closed once it
 * arrives (see {@linkcode nextTurn} for why this channel and not another).
 */
function afterTurn(then: () => void): void {
  const ch = new MessageChannel();
  ch.port1.onmessage = () => {
    ch.port1.close();
    turn.restart();
    then();
  };
  ch.port2.postMessage(null);
}

function post(): void {
  posted = true;
  afterTurn(onTurn);
}

function onTurn(): void {
  posted = false;
  release();
}

/**
 * Releases the parked callers one at a time, each continuation running
 * before the next is released (a microtask chain), until the new turn's
 * budget is spent; the rest wait for the next turn. Releasing them all at
 * once would run every continuation in one stretch however long.
 */
function release(): void {
  if (head >= parked.length) return;
  if (turn.spent()) {
    if (!posted) post();
    return;
  }
  const next = parked[head++];
  if (head >= parked.length) {
    parked.length = 0;
    head = 0;
  } else if (head >= 1024 && head * 2 >= parked.length) {
    parked = parked.slice(head);
    head = 0;
  }
  next();
  queueMicrotask(release);
}

/**
 * Resolves once the event loop has had a turn (timers due, I/O ready) since
 * the turn budget was last spent, after the callers that asked before (in
 * order, within the turn budget). A caller that asks while a turn's callers
 * are being released, with budget left, is released in that same turn: this
 * waits for the budget, not for a turn of its own (a busy-poll, which needs
 * one, posts its own message).
 *
 * The turn is a message through a fresh MessageChannel, closed once it
 * arrives: 13-15 µs a turn here, where a setTimeout(0) chain is clamped to
 * 2.1 ms a turn; a channel kept open would cost 2-4 µs but keeps the
 * process alive (Deno 2.9.6 re-refs a port once it has received a message).
 */
export function nextTurn(): Promise<void> {
  if (!posted) post();
  return new Promise((resolve) => parked.push(resolve));
}

/**
 * `Promise.resolve(value)`, unless this stretch of JavaScript has used its
 * turn budget: then a Promise that resolves to `value` after the event loop
 * has had its turn. The async calls that complete at once return this.
 */
export function settled<T>(value: T): Promise<T> {
  if (!turn.spent()) return Promise.resolve(value);
  return nextTurn().then(() => value);
}

/** The readiness mechanisms a reactor can use. */
export type BackendKind = "epoll" | "epoll-oneshot" | "kqueue" | "poll";
/**
 * What interrupts a reactor's in-flight wait: an eventfd, a pipe, or (kqueue)
 * an EVFILT_USER event.
 */
export type WakerKind = "eventfd" | "pipe" | "user";

/** Tuning for tests and benchmarks. */
export interface ReactorOptions {
  /**
   * Whether a zero-timeout wait on the JavaScript thread is tried before the
   * nonblocking one (default true). false makes every wait a thread
   * hand-off, which is what bench/async_bench.ts measures.
   */
  quick?: boolean;
}

/** Counters for tests and benchmarks. */
export interface ReactorStats {
  /** The mechanism: "epoll", "epoll-oneshot" or "poll". */
  backend: string;
  /** Waiters registered now. */
  waiting: number;
  /** Whether the nonblocking wait is in flight. */
  inFlight: boolean;
  /** Nonblocking waits issued so far (each one thread hand-off). */
  waits: number;
  /** Zero-timeout waits made on the JavaScript thread that found something. */
  quickWakes: number;
  /** Busy-polls (repeated zero-timeout waits, up to `spinUs`) that found something. */
  spinWakes: number;
  /** Turns of the event loop taken in the middle of a busy-poll (one per 0.25 ms of spinning). */
  spinTurns: number;
  /** Blocking waits on the JavaScript thread (up to `waitMs`) that found something. */
  blockWakes: number;
  /** Rounds that waited for the event loop's turn first (the turn budget was spent). */
  turns: number;
  /** Readiness events dispatched. */
  events: number;
  /** Times the waker interrupted a wait. */
  wakeups: number;
}

/**
 * The reactor: waiters by descriptor, and the single in-flight wait.
 * Use {@linkcode reactor} for the process's one instance.
 */
export class Reactor {
  #b: Backend;
  #disarms: boolean;
  #fds = new Map<number, FdState>();
  #waiting = 0;
  #inFlight = false;
  #scheduled = false;
  #hops = 0;
  #quick: boolean;
  /** When the current wait began (performance.now()), for #lastWait. */
  #waitFrom = 0;
  /** How long the last wait took, in µs: busy-polling is tried while it is short. */
  #lastWait = 0;
  /** Waits left before busy-polling is tried again after a spin found nothing. */
  #spinOff = 0;
  /** While busy-polling: when the spin began and when it gives up (performance.now()); else 0. */
  #spinFrom = 0;
  #spinUntil = 0;
  /** Waits left before a blocking wait on this thread is tried again after one timed out. */
  #blockOff = 0;
  /** The next #blockOff: doubles with every timed-out blocking wait in a row. */
  #blockBackoff = SPIN_BACKOFF;
  #woken = false;
  #dispatching = false;
  #dirty: FdState[] = [];
  /** Waiters found ready, called back in order; those before #next have been. */
  #fired: Waiter[] = [];
  #next = 0;
  #idle: (() => void)[] = [];
  #stats = {
    waits: 0,
    quickWakes: 0,
    spinWakes: 0,
    spinTurns: 0,
    blockWakes: 0,
    turns: 0,
    events: 0,
    wakeups: 0,
  };

  /**
   * @param kind the mechanism; the default is what ffi/ says this system has
   * @param waker how to interrupt the wait; the default is what ffi/ says
   * @param options tuning (`quick`)
   */
  constructor(kind?: BackendKind, waker?: WakerKind, options: ReactorOptions = {}) {
    this.#quick = options.quick !== false;
    const L = lib();
    const mechanism: string = readiness.mechanism;
    const k = kind ??
      (mechanism === "epoll" ? "epoll" : mechanism === "kqueue" ? "kqueue" : "poll");
    // ffi/ may name the kqueue waker by its filter.
    const given: string = readiness.waker;
    const wk = waker ?? (given === "eventfd" || given === "pipe" ? given : "user");
    if (k === "poll") this.#b = new PollBackend(L, wk === "user" ? "pipe" : wk);
    else if (k === "kqueue") this.#b = new KqueueBackend(L, wk === "eventfd" ? "pipe" : wk);
    else this.#b = new EpollBackend(L, k === "epoll-oneshot", wk === "user" ? "pipe" : wk);
    this.#disarms = this.#b.disarmsOnEvent;
  }

  /** Registers `w`; it is called back once when its descriptor is ready. */
  add(w: Waiter): void {
    let st = this.#fds.get(w.fd);
    if (st === undefined) {
      st = new FdState(w.fd);
      this.#fds.set(w.fd, st);
    }
    st.waiters.push(w);
    this.#waiting++;
    if (this.#dispatching) {
      // Re-armed once, after the whole ready list is dispatched.
      if (!st.dirty) {
        st.dirty = true;
        this.#dirty.push(st);
      }
      return;
    }
    if ((st.armed & w.events) !== w.events || !st.registered) this.#sync(st);
    if (!this.#inFlight) this.#schedule();
  }

  /** Removes `w` if it is registered (abort, timeout, close); true if it was. */
  remove(w: Waiter): boolean {
    const st = this.#fds.get(w.fd);
    if (st === undefined) return false;
    const i = st.waiters.indexOf(w);
    if (i < 0) return false;
    st.waiters.splice(i, 1);
    this.#left(1);
    if (!this.#disarms && st.waiters.length === 0 && !this.#dispatching) this.#sync(st);
    return true;
  }

  /**
   * The descriptor `fd` is about to be closed or detached: drops its
   * registration. Its waiters must have been removed by their owner.
   */
  forget(fd: number): void {
    const st = this.#fds.get(fd);
    if (st === undefined) return;
    if (st.waiters.length > 0) {
      this.#left(st.waiters.length);
      st.waiters = [];
    }
    this.#b.forget(st);
    this.#fds.delete(fd);
  }

  /** Counters for tests and benchmarks. */
  stats(): ReactorStats {
    return {
      backend: this.#b.name,
      waiting: this.#waiting,
      inFlight: this.#inFlight,
      ...this.#stats,
    };
  }

  /**
   * Closes the reactor's own descriptors (the epoll instance, the waker).
   * Only while idle; the reactor is unusable afterwards.
   *
   * @throws {Error} when waiters are registered or a wait is in flight
   */
  close(): void {
    if (this.#waiting > 0 || this.#inFlight || this.#backlog()) {
      throw new Error("Reactor.close(): the reactor is busy");
    }
    this.#b.close();
    this.#fds.clear();
  }

  /** Resolves once no wait is in flight (at once if none is). */
  whenIdle(): Promise<void> {
    if (!this.#inFlight) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  #left(n: number): void {
    this.#waiting -= n;
    if (this.#waiting === 0 && this.#inFlight && !this.#woken) {
      // Nobody waits any more: end the in-flight call so it keeps nothing alive.
      this.#woken = true;
      this.#stats.wakeups++;
      this.#b.wake();
    }
  }

  #sync(st: FdState): void {
    const r = this.#b.sync(st, this.#inFlight);
    if (r === 0) return;
    if (r === RESTART) {
      if (!this.#woken) {
        this.#woken = true;
        this.#stats.wakeups++;
        this.#b.wake();
      }
      return;
    }
    // The kernel will not watch this descriptor (EPERM for a regular file,
    // EBADF...): its waiters fail with that error.
    const err = errorFor(r, "epoll_ctl");
    const ws = st.waiters;
    st.waiters = [];
    this.#left(ws.length);
    for (const w of ws) w.fail(err);
  }

  /**
   * Arranges for the wait to start once the current burst of JavaScript has
   * run: a few microtask hops let the callers just woken finish their
   * continuations (send the reply, register their next wait). Then a
   * zero-timeout wait on this thread picks up whatever became ready in the
   * meantime without a thread hand-off; when it finds nothing and recent
   * waits were short, the same call is repeated for up to `spinUs`; only
   * then is the nonblocking wait issued. When the turn budget is spent, the
   * round waits for the event loop's next turn first (see {@linkcode turn}).
   */
  #schedule(): void {
    if (this.#scheduled || this.#inFlight) return;
    this.#scheduled = true;
    this.#hops = HOPS;
    queueMicrotask(this.#hop);
  }

  #hop = (): void => {
    if (--this.#hops > 0) {
      queueMicrotask(this.#hop);
      return;
    }
    if (this.#inFlight || (this.#waiting === 0 && !this.#backlog())) {
      this.#scheduled = false;
      return;
    }
    if (turn.spent()) {
      // Still #scheduled: nothing else starts a round meanwhile.
      this.#stats.turns++;
      nextTurn().then(this.#round);
      return;
    }
    this.#round();
  };

  #round = (): void => {
    this.#scheduled = false;
    if (this.#backlog()) {
      // The last dispatch ran out of turn budget: call back the rest first.
      this.#dispatch(0);
      this.#again();
      return;
    }
    if (this.#inFlight || this.#waiting === 0) {
      this.#spinUntil = 0;
      return;
    }
    if (this.#quick) {
      let n = this.#b.waitNow(this.#fds);
      if (n === 0) {
        if (this.#spinUntil === 0) {
          if (this.#spinOff > 0) {
            this.#spinOff--;
          } else if (spinUs > 0 && this.#lastWait <= 2 * spinUs) {
            // Recent waits ended soon: the answer is likely microseconds
            // away, closer than sleeping (waking an idle CPU costs 20-30 µs
            // here, a thread hand-off more). Busy-poll for up to spinUs.
            this.#spinFrom = performance.now();
            this.#spinUntil = this.#spinFrom + spinUs / 1000;
          }
        }
        if (this.#spinUntil > 0) {
          // Poll in a tight loop until SPIN_TURN_MS (or the turn budget, if
          // smaller) after the event loop's last turn; then it has a turn
          // and the spin goes on after it. Timers that fall due during a
          // ping-pong are late by at most that much.
          const end = Math.min(this.#spinUntil, turn.since() + Math.min(turn.ms, SPIN_TURN_MS));
          while (n === 0 && performance.now() < end) n = this.#b.waitNow(this.#fds);
        }
      }
      if (n > 0) {
        if (this.#spinUntil > 0) {
          this.#stats.spinWakes++;
          this.#lastWait = (performance.now() - this.#spinFrom) * 1000;
          this.#spinUntil = 0;
        } else {
          this.#stats.quickWakes++;
          this.#lastWait = 0;
        }
        this.#dispatch(n);
        this.#again();
        return;
      }
      const t0 = performance.now();
      if (this.#spinUntil > 0) {
        if (t0 < this.#spinUntil) {
          this.#spinTurn();
          return;
        }
        // Spinning did not pay (a slow peer, or a machine short of CPU,
        // where the spin takes time the peer needs): not for a while.
        this.#spinUntil = 0;
        this.#spinOff = SPIN_BACKOFF;
      }
      if (this.#blockOff > 0) this.#blockOff--;
      else if (waitMs > 0 && this.#lastWait <= waitMs * 1000) {
        // Recent waits ended within waitMs: wait here, in the kernel, for
        // up to waitMs. The thread sleeps (no CPU) and wakes the moment a
        // descriptor is ready, with no hand-off to another thread.
        n = this.#b.waitNow(this.#fds, waitMs);
        if (n > 0) {
          this.#stats.blockWakes++;
          this.#blockBackoff = SPIN_BACKOFF;
          this.#lastWait = (performance.now() - t0) * 1000;
          this.#dispatch(n);
          this.#again();
          return;
        }
        // Nothing came (an idle peer, or one this thread itself must
        // answer): not for a while, and twice as long each time in a row.
        this.#blockOff = this.#blockBackoff;
        this.#blockBackoff = Math.min(this.#blockBackoff * 2, 1 << 16);
      }
      this.#waitFrom = t0;
    } else {
      this.#waitFrom = performance.now();
    }
    this.#start();
  };

  /**
   * The next poll of a spin, after a real turn of the event loop (timers,
   * Deno's own I/O) of its own ({@linkcode afterTurn}): {@linkcode nextTurn}
   * would release it at once while the current turn's budget lasts. Stays
   * #scheduled meanwhile, so nothing else starts a round.
   */
  #spinTurn(): void {
    this.#stats.spinTurns++;
    this.#scheduled = true;
    afterTurn(this.#round);
  }

  #start(): void {
    this.#inFlight = true;
    this.#woken = false;
    this.#stats.waits++;
    this.#b.wait(this.#fds).then(this.#onWake);
  }

  #onWake = (n: number): void => {
    this.#inFlight = false;
    this.#woken = false;
    // A nonblocking call's result arrives in a turn of the event loop.
    turn.restart();
    this.#lastWait = (performance.now() - this.#waitFrom) * 1000;
    // n < 0 is EINTR (errno is not ours to read: the call ran on another thread).
    if (n > 0) this.#dispatch(n);
    if (this.#waiting > 0 || this.#backlog()) {
      this.#schedule();
    } else if (this.#idle.length > 0) {
      const idle = this.#idle;
      this.#idle = [];
      for (const f of idle) f();
    }
  };

  /** Whether waiters found ready are still to be called back. */
  #backlog(): boolean {
    return this.#next < this.#fired.length;
  }

  /** After a dispatch: the next round, if anything is left to do. */
  #again(): void {
    if (this.#waiting > 0 || this.#backlog()) this.#schedule();
  }

  /**
   * Collects the `n` results of the last wait and calls back the waiters
   * they made ready, in order, until the turn budget is spent: the rest
   * (the backlog) are called back in the next round, after the event loop's
   * turn. Then every descriptor that still (or again) has waiters is re-armed
   * once.
   */
  #dispatch(n: number): void {
    this.#dispatching = true;
    const fired = this.#fired;
    try {
      if (n > 0) this.#b.results(n, this.#onEvent);
      // Call back outside the scan: a callback may register again.
      let i = this.#next;
      while (i < fired.length) {
        const w = fired[i++];
        try {
          w.ready();
        } catch (e) {
          queueMicrotask(() => {
            throw e;
          });
        }
        if (turn.spent()) break;
      }
      this.#next = i;
    } finally {
      if (this.#next >= fired.length) {
        fired.length = 0;
        this.#next = 0;
      }
      this.#dispatching = false;
    }
    // Re-arm every descriptor that still (or again) has waiters: once each.
    const dirty = this.#dirty;
    for (let i = 0; i < dirty.length; i++) {
      const st = dirty[i];
      st.dirty = false;
      this.#sync(st);
    }
    dirty.length = 0;
  }

  #onEvent = (fd: number, revents: number): void => {
    this.#stats.events++;
    if (this.#b.isWaker(fd)) {
      this.#b.drain();
      return;
    }
    const st = this.#fds.get(fd);
    if (st === undefined) return;
    if (this.#disarms) st.armed = 0;
    const ws = st.waiters;
    let kept = 0;
    for (let i = 0; i < ws.length; i++) {
      const w = ws[i];
      if ((revents & (w.events | ERRHUP)) !== 0) {
        this.#fired.push(w);
        this.#waiting--;
      } else {
        ws[kept++] = w;
      }
    }
    if (kept === ws.length) st.unwanted = true;
    ws.length = kept;
    if (!st.dirty && (kept > 0 || !this.#disarms)) {
      st.dirty = true;
      this.#dirty.push(st);
    }
  };
}

let instance: Reactor | undefined;

/** The process's reactor, created on first use. */
export function reactor(): Reactor {
  return instance ??= new Reactor();
}

/**
 * Drops `fd` from the reactor before it is closed or detached (nothing to
 * do when no reactor exists yet).
 */
export function forget(fd: number): void {
  instance?.forget(fd);
}

/**
 * Replaces the process's reactor with one using `kind` (tests and
 * benchmarks compare the mechanisms). Only while nothing waits.
 *
 * @throws {Error} when waiters are registered
 */
export function useReactor(
  kind?: BackendKind,
  waker?: WakerKind,
  options?: ReactorOptions,
): Reactor {
  if (instance !== undefined) {
    const s = instance.stats();
    if (s.waiting > 0 || s.inFlight) throw new Error("useReactor(): the reactor is busy");
    instance.close();
  }
  return instance = new Reactor(kind, waker, options);
}
