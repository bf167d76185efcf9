/**
 * The socket core: a socket's descriptor, mode and open-file count, and the
 * lifecycle that goes with them (closing, the last-resort finalizer).
 * `socket.ts` builds the public class on top of it; the modules that add a
 * socket's methods (async, msg, sendfile, file, streams) read the state
 * here, so none of them imports `socket.ts` for it.
 *
 * @module
 */

import * as S from "./_syscall.ts";
import { forget as reactorForget } from "./reactor.ts";

/** Called by `Socket.close()` (and detach) on the async face before the descriptor goes away. */
export const kOnClose: unique symbol = Symbol("sockffi.onClose");

/** What the core tells before a descriptor goes away (the async face). */
export interface CloseHook {
  /** Cancels the operations pending on the descriptor. */
  [kOnClose](): void;
}

/** A socket's mutable state. One object per socket; internal to src/. */
export class SocketState {
  /** The descriptor, -1 once closed or detached. */
  fd: number;
  /** The timeout in seconds: null blocking, 0 non-blocking. */
  timeout: number | null = null;
  /** The timeout in milliseconds: -1 blocking, 0 non-blocking. */
  tmo = -1;
  /** close() was called (the descriptor may stay open for makefile() objects). */
  closed = false;
  /** How many makefile() objects are open. */
  ioRefs = 0;
  /** Told before the descriptor closes. */
  hook: CloseHook | undefined = undefined;

  constructor(fd: number) {
    this.fd = fd;
  }
}

const states = new WeakMap<object, SocketState>();

const finalizer = new FinalizationRegistry<number>((fd) => {
  // A socket that was never closed: close its descriptor (last resort; close
  // explicitly or with `using`). No call can be pending on it (a pending
  // call keeps its socket alive), but the reactor may still have the number
  // registered: drop it first, or the next socket given the number would
  // wait on a registration the kernel no longer has.
  try {
    reactorForget(fd);
    S.close(fd);
  } catch {
    // nothing to report to
  }
});

/** Ties `st` to the socket object `sock`; its descriptor closes if `sock` is collected open. */
export function attach(sock: object, st: SocketState): void {
  states.set(sock, st);
  finalizer.register(sock, st.fd, sock);
}

/** The state of the socket `s`. */
export function stateOf(s: object): SocketState {
  const st = states.get(s);
  if (st === undefined) throw new TypeError("not a socket object");
  return st;
}

/** The descriptor of `s`; EBADF as `syscall` when it is closed. */
export function fdOf(s: object, syscall: string): number {
  const fd = stateOf(s).fd;
  if (fd < 0) throw S.closedError(syscall);
  return fd;
}

/** The socket's timeout in milliseconds (-1 blocking, 0 non-blocking). */
export function timeoutMsOf(s: object): number {
  return stateOf(s).tmo;
}

/** Closes the descriptor now (telling the async face first); a no-op when already closed. */
export function closeNow(sock: object, st: SocketState): void {
  const fd = st.fd;
  if (fd < 0) return;
  st.hook?.[kOnClose]();
  finalizer.unregister(sock);
  st.fd = -1;
  S.close(fd);
}

/** Forgets the descriptor without closing it (detach); returns it, or -1. */
export function release(sock: object, st: SocketState): number {
  const fd = st.fd;
  if (fd >= 0) st.hook?.[kOnClose]();
  finalizer.unregister(sock);
  st.fd = -1;
  st.closed = true;
  return fd;
}

/** Adds `delta` to the count of open makefile() objects; closes when it drops to 0 after close(). */
export function ioRef(s: object, delta: number): void {
  const st = stateOf(s);
  st.ioRefs += delta;
  if (st.ioRefs <= 0 && st.closed) closeNow(s, st);
}

/** Builds a socket object: a new one (`fd` null) or one around a descriptor as is. */
type Factory = (family: number, type: number, proto: number, fd: number | null) => object;
let factory: Factory | undefined;

/** Installs how sockets are built for the method modules (`socket.ts` does, when it loads). */
export function setSocketFactory(fn: Factory): void {
  factory = fn;
}

/** Builds a socket object around an accepted or received descriptor without querying it. */
export function adopt<T extends object>(
  fd: number,
  family: number,
  type: number,
  proto: number,
): T {
  return factory!(family, type, proto, fd) as T;
}

/** Creates a socket (`socket(2)`), as `new Socket(family, type, proto)`. */
export function create<T extends object>(family: number, type: number, proto: number): T {
  return factory!(family, type, proto, null) as T;
}
