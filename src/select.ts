/**
 * Python's `select` and `selectors` modules for synchronous code: wait until
 * sockets, `makefile()` file objects or descriptor numbers are ready.
 *
 * - {@linkcode select}: `select.select(rlist, wlist, xlist, timeout)`;
 * - {@linkcode poll}: `select.poll()` objects (`register`, `modify`,
 *   `unregister`, `poll(timeout_ms)`) and the `POLL*` constants;
 * - {@linkcode DefaultSelector}: `selectors.DefaultSelector` with
 *   {@linkcode SelectorKey}, {@linkcode EVENT_READ} and {@linkcode EVENT_WRITE}.
 *
 * All of them are built on `poll(2)` and block the calling thread (and so
 * Deno's event loop) while they wait, as the synchronous socket calls do; in
 * async code, await `s.async` calls instead.
 *
 * @example Wait for the first of two sockets to become readable
 * ```ts
 * import { socketpair } from "@sockffi/socket";
 * import { select } from "@sockffi/socket/select";
 *
 * const [a, b] = socketpair();
 * const [c, d] = socketpair();
 * d.send(new Uint8Array([1]));
 * const [readable] = select([a, c], [], [], 1.0);
 * console.log(readable.length, readable[0] === c); // 1 true
 * for (const s of [a, b, c, d]) s.close();
 * ```
 *
 * @module
 */

import { layout } from "../ffi/mod.ts";
import { errnoValues, sys } from "../constants/mod.ts";
import { errorFor, pollArray } from "./_syscall.ts";

// ---- constants ----

/** There is data to read (`POLLIN`). */
export const POLLIN: number = sys.POLLIN;
/** There is urgent data to read (`POLLPRI`). */
export const POLLPRI: number = sys.POLLPRI;
/** Ready for output: writing will not block (`POLLOUT`). */
export const POLLOUT: number = sys.POLLOUT;
/** Error condition (`POLLERR`; output only). */
export const POLLERR: number = sys.POLLERR;
/** Hung up (`POLLHUP`; output only). */
export const POLLHUP: number = sys.POLLHUP;
/** Invalid request: the descriptor is not open (`POLLNVAL`; output only). */
export const POLLNVAL: number = sys.POLLNVAL;
/** Normal data may be read (`POLLRDNORM`). */
export const POLLRDNORM: number = sys.POLLRDNORM;
/** Priority data may be read (`POLLRDBAND`). */
export const POLLRDBAND: number = sys.POLLRDBAND;
/** Normal data may be written (`POLLWRNORM`). */
export const POLLWRNORM: number = sys.POLLWRNORM;
/** Priority data may be written (`POLLWRBAND`). */
export const POLLWRBAND: number = sys.POLLWRBAND;
/** Linux `POLLMSG` (unused by the kernel). */
export const POLLMSG: number = sys.POLLMSG;
/** The peer closed its end or shut down writing (`POLLRDHUP`, Linux 2.6.17+). */
export const POLLRDHUP: number = sys.POLLRDHUP;

/** Python's `selectors.EVENT_READ`: wait for the object to be readable. */
export const EVENT_READ = 1;
/** Python's `selectors.EVENT_WRITE`: wait for the object to be writable. */
export const EVENT_WRITE = 2;

// ---- descriptors and timeouts ----

/**
 * What the readiness calls accept, as Python's `select` module: a descriptor
 * number, or an object with a `fileno()` method (a `Socket`, a file object
 * from `makefile()`, a `Deno.FsFile`-like wrapper of your own).
 */
export type FileDescriptorLike = number | { fileno(): number };

const INT_MAX = 0x7fffffff;

/** Python's `PyObject_AsFileDescriptor`: the descriptor behind `obj`. */
function fdOf(obj: unknown): number {
  let fd: unknown;
  if (typeof obj === "number") {
    if (!Number.isInteger(obj)) {
      throw new TypeError("argument must be an int, or have a fileno() method.");
    }
    fd = obj;
  } else if (
    obj !== null && (typeof obj === "object" || typeof obj === "function") &&
    typeof (obj as { fileno?: unknown }).fileno === "function"
  ) {
    fd = (obj as { fileno(): unknown }).fileno();
    if (typeof fd !== "number" || !Number.isInteger(fd)) {
      throw new TypeError("fileno() returned a non-integer");
    }
  } else {
    throw new TypeError("argument must be an int, or have a fileno() method.");
  }
  const n = fd as number;
  if (n < 0) throw new RangeError(`file descriptor cannot be a negative integer (${n})`);
  if (n > INT_MAX) throw new RangeError("Python int too large to convert to C int");
  return n;
}

/** A timeout in seconds (`null`/`undefined`: none) as milliseconds, -1 for none; CPython's checks. */
function secondsToMs(timeout: unknown, negative: "error" | "block"): number {
  if (timeout === null || timeout === undefined) return -1;
  if (typeof timeout !== "number") throw new TypeError("timeout must be a float or None");
  if (Number.isNaN(timeout)) throw new RangeError("Invalid value NaN (not a number)");
  if (timeout < 0) {
    if (negative === "block") return -1;
    throw new RangeError("timeout must be non-negative");
  }
  // CPython rounds a timeout up (_PyTime_ROUND_TIMEOUT), here to milliseconds.
  const ms = Math.ceil(timeout * 1000);
  if (ms > Number.MAX_SAFE_INTEGER) {
    throw new RangeError("timestamp out of range for platform time_t");
  }
  return ms;
}

const PFD_SIZE = layout.pollfd.size;
// struct pollfd's members as indexes into Int32Array/Int16Array views of an array of them
const PFD_I32 = PFD_SIZE / 4, PFD_I16 = PFD_SIZE / 2;
const FD = layout.pollfd.fd / 4, EV = layout.pollfd.events / 2, REV = layout.pollfd.revents / 2;

/**
 * `poll(2)` over `fds`/`events` until one is ready or `ms` (-1: forever)
 * passes, EINTR retried with the time left (PEP 475). Returns the revents.
 */
function pollFds(fds: readonly number[], events: readonly number[], ms: number): Int16Array {
  const n = fds.length;
  const buf = new ArrayBuffer(Math.max(n, 1) * PFD_SIZE);
  const i32 = new Int32Array(buf);
  const i16 = new Int16Array(buf);
  for (let i = 0; i < n; i++) {
    i32[i * PFD_I32 + FD] = fds[i];
    i16[i * PFD_I16 + EV] = events[i];
  }
  pollArray(buf, n, ms);
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) out[i] = i16[i * PFD_I16 + REV];
  return out;
}

// ---- select.select ----

// The kernel's select() readiness sets (fs/select.c), over poll(2)'s revents.
const IN_SET = POLLIN | POLLRDNORM | POLLRDBAND | POLLHUP | POLLERR;
const OUT_SET = POLLOUT | POLLWRNORM | POLLWRBAND | POLLERR;
const EX_SET = POLLPRI;

function listOf<T>(v: Iterable<T>): T[] {
  if (v === null || typeof v !== "object" || typeof v[Symbol.iterator] !== "function") {
    throw new TypeError("arguments 1-3 must be sequences");
  }
  return [...v];
}

/**
 * Waits until some of the objects are ready: Python's `select.select(rlist,
 * wlist, xlist, timeout=None)`. Returns the objects of each list that are
 * ready for reading, for writing, and with an exceptional condition (urgent
 * data), in the order given; all three empty when `timeout` seconds pass.
 * `timeout` `null` or omitted waits forever, `0` polls.
 *
 * Built on `poll(2)` with the kernel's select() rules (end of file and errors
 * count as readable), so it is not limited to descriptors below
 * `FD_SETSIZE` (1024) as CPython's is. Interrupted waits resume with the time
 * left (PEP 475).
 *
 * @param rlist objects to wait on until they are readable
 * @param wlist objects to wait on until they are writable
 * @param xlist objects to wait on for an exceptional condition
 * @param timeout the longest wait in seconds; `null` waits forever
 * @returns `[readable, writable, exceptional]`
 * @throws {TypeError} for a list that is not iterable, or an element that is
 * neither a descriptor nor has `fileno()`
 * @throws {RangeError} for a negative descriptor (a closed socket's fileno()
 * is -1) or a negative or NaN timeout
 * @throws {SocketError} EBADF (`[Errno 9] Bad file descriptor`) for a
 * descriptor that is not open
 *
 * @example Wait for a listener's connection for up to a second
 * ```ts
 * import { AF_INET, socket } from "@sockffi/socket";
 * import { select } from "@sockffi/socket/select";
 *
 * using srv = socket(AF_INET);
 * srv.bind(["127.0.0.1", 0]);
 * srv.listen();
 * const [r] = select([srv], [], [], 0.05);
 * console.log(r.length); // 0: no client came
 * ```
 */
export function select<
  R extends FileDescriptorLike,
  W extends FileDescriptorLike,
  X extends FileDescriptorLike,
>(
  rlist: Iterable<R>,
  wlist: Iterable<W>,
  xlist: Iterable<X>,
  timeout: number | null = null,
): [R[], W[], X[]] {
  const lists = [listOf(rlist), listOf(wlist), listOf(xlist)] as const;
  const ms = secondsToMs(timeout, "error");
  const masks = [POLLIN, POLLOUT, POLLPRI];
  const index = new Map<number, number>();
  const fds: number[] = [];
  const events: number[] = [];
  const where: number[][] = [[], [], []];
  for (let k = 0; k < 3; k++) {
    for (const obj of lists[k]) {
      const fd = fdOf(obj);
      let i = index.get(fd);
      if (i === undefined) {
        i = fds.length;
        index.set(fd, i);
        fds.push(fd);
        events.push(0);
      }
      events[i] |= masks[k];
      where[k].push(i);
    }
  }
  const rev = pollFds(fds, events, ms);
  for (const r of rev) {
    if (r & POLLNVAL) {
      throw errorFor(errnoValues.EBADF, "select");
    }
  }
  const sets = [IN_SET, OUT_SET, EX_SET];
  const pick = <T>(list: T[], k: number): T[] => {
    const out: T[] = [];
    where[k].forEach((i, j) => {
      if (rev[i] & sets[k]) out.push(list[j]);
    });
    return out;
  };
  return [pick(lists[0], 0), pick(lists[1], 1), pick(lists[2], 2)];
}

// ---- select.poll ----

/**
 * Python's `KeyError` as the `select` and `selectors` modules raise it: an
 * object that is not registered (or, for `register()` of a selector, one that
 * already is). `key` is the object or descriptor looked up.
 */
export class KeyError extends Error {
  /** The object or descriptor that was looked up. */
  readonly key: unknown;
  /**
   * Builds the error.
   *
   * @param key what was looked up
   * @param message the text (Python's `str(e)` without the quotes)
   */
  constructor(key: unknown, message: string) {
    super(message);
    this.name = "KeyError";
    this.key = key;
  }
}

const DEFAULT_POLL_MASK = POLLIN | POLLPRI | POLLOUT;

function eventMask(v: unknown): number {
  if (typeof v !== "number" || !Number.isInteger(v)) throw new TypeError("an integer is required");
  if (v < 0) throw new RangeError("value must be positive");
  if (v > 0xffff) throw new RangeError("Python int too large for C unsigned short");
  return v;
}

/**
 * A `select.poll()` object: a set of registered descriptors with the events
 * to wait for, polled with `poll(2)`. Create it with {@linkcode poll}.
 */
export class Poll {
  #map = new Map<number, number>();

  /**
   * Registers (or re-registers) a descriptor: Python's
   * `poll.register(fd, eventmask=POLLIN | POLLPRI | POLLOUT)`.
   *
   * @param fd a descriptor number or an object with `fileno()`
   * @param eventmask the `POLL*` events to wait for (0 to 65535)
   */
  register(fd: FileDescriptorLike, eventmask: number = DEFAULT_POLL_MASK): void {
    const n = fdOf(fd);
    this.#map.set(n, eventMask(eventmask));
  }

  /**
   * Changes the events of a registered descriptor: Python's `poll.modify()`.
   *
   * @param fd a descriptor number or an object with `fileno()`
   * @param eventmask the new `POLL*` events
   * @throws {FileNotFoundError} (ENOENT) when `fd` is not registered, as CPython
   */
  modify(fd: FileDescriptorLike, eventmask: number): void {
    const n = fdOf(fd);
    const mask = eventMask(eventmask);
    if (!this.#map.has(n)) {
      throw errorFor(errnoValues.ENOENT, "poll.modify");
    }
    this.#map.set(n, mask);
  }

  /**
   * Removes a descriptor: Python's `poll.unregister()`.
   *
   * @param fd a descriptor number or an object with `fileno()`
   * @throws {KeyError} when `fd` is not registered
   */
  unregister(fd: FileDescriptorLike): void {
    const n = fdOf(fd);
    if (!this.#map.delete(n)) throw new KeyError(n, String(n));
  }

  /**
   * Waits for events: Python's `poll.poll(timeout=None)` (`poll(2)`). Returns
   * `[fd, revents]` for every registered descriptor with an event (including
   * `POLLHUP`, `POLLERR`, and `POLLNVAL` for a descriptor that is not open),
   * in registration order; an empty list when `timeout` passes.
   *
   * @param timeout the longest wait in **milliseconds** (rounded up);
   * `null`, omitted or negative waits forever
   * @returns the ready descriptors and their events
   */
  poll(timeout: number | null = null): Array<[number, number]> {
    if (timeout !== null && timeout !== undefined && typeof timeout !== "number") {
      throw new TypeError("timeout must be an integer or None");
    }
    const ms = secondsToMs(
      timeout === null || timeout === undefined ? null : timeout / 1000,
      "block",
    );
    if (ms > INT_MAX) throw new RangeError("timeout is too large");
    const fds = [...this.#map.keys()];
    const rev = pollFds(fds, [...this.#map.values()], ms);
    const out: Array<[number, number]> = [];
    for (let i = 0; i < fds.length; i++) {
      if (rev[i] !== 0) out.push([fds[i], rev[i] & 0xffff]);
    }
    return out;
  }
}

/**
 * Creates a polling object: Python's `select.poll()`.
 *
 * @returns an empty {@linkcode Poll}
 *
 * @example
 * ```ts
 * import { socketpair } from "@sockffi/socket";
 * import { poll, POLLIN, POLLOUT } from "@sockffi/socket/select";
 *
 * const [a, b] = socketpair();
 * const p = poll();
 * p.register(a, POLLIN | POLLOUT);
 * console.log(p.poll(0)); // [[a.fileno(), POLLOUT]]
 * a.close();
 * b.close();
 * ```
 */
export function poll(): Poll {
  return new Poll();
}

// ---- selectors ----

/**
 * Python's `selectors.SelectorKey`: a registered object, its descriptor, the
 * events waited for and the data attached to it.
 */
export interface SelectorKey<T = unknown, F extends FileDescriptorLike = FileDescriptorLike> {
  /** The object registered. */
  readonly fileobj: F;
  /** Its descriptor. */
  readonly fd: number;
  /** {@linkcode EVENT_READ} and/or {@linkcode EVENT_WRITE}. */
  readonly events: number;
  /** The data given to `register()` or `modify()` (`null` by default). */
  readonly data: T;
}

/** A value as Python's `repr` shows it in a selector's messages (strings quoted). */
function describe(v: unknown): string {
  return typeof v === "string" ? JSON.stringify(v) : String(v);
}

/** Checks a selector's `events` (EVENT_READ and/or EVENT_WRITE): else Python's ValueError. */
function selectorEvents(events: number): number {
  if (!Number.isInteger(events) || events === 0 || (events & ~(EVENT_READ | EVENT_WRITE)) !== 0) {
    throw new RangeError(`Invalid events: ${describe(events)}`);
  }
  return events;
}

/**
 * The `data` argument of `register()`/`modify()`: optional (`null` by default,
 * Python's `None`) when `T` admits `null`, required otherwise.
 */
export type DataArg<T> = null extends T ? [data?: T] : [data: T];

function dataOf<T>(data: DataArg<T>): T {
  return (data.length === 0 ? null : data[0]) as T;
}

/** Python's `selectors._fileobj_to_fd`: errors are ValueErrors (RangeError). */
function selectorFd(fileobj: unknown): number {
  let fd: unknown = fileobj;
  if (typeof fileobj !== "number") {
    try {
      fd = (fileobj as { fileno(): unknown }).fileno();
    } catch (e) {
      if (!(e instanceof TypeError || e instanceof RangeError)) throw e;
    }
    if (typeof fd !== "number" || !Number.isInteger(fd)) {
      throw new RangeError(`Invalid file object: ${describe(fileobj)}`);
    }
  } else if (!Number.isInteger(fd)) {
    throw new RangeError(`Invalid file object: ${describe(fileobj)}`);
  }
  const n = fd as number;
  if (n < 0) throw new RangeError(`Invalid file descriptor: ${n}`);
  if (n > INT_MAX) throw new RangeError("Python int too large to convert to C int");
  return n;
}

/**
 * Python's `selectors.PollSelector`, which is also this package's
 * {@linkcode DefaultSelector}: an I/O multiplexer over `poll(2)` with
 * `register`, `unregister`, `modify`, `select`, `get_key`, `get_map` and
 * `close`, and `Symbol.dispose` for `using` (Python's `with`).
 *
 * `T` is the type of the data attached to the keys, `F` the type of the
 * objects registered (`Socket`, or the default: anything with a descriptor).
 */
export class PollSelector<T = unknown, F extends FileDescriptorLike = FileDescriptorLike> {
  #byFd = new Map<number, SelectorKey<T, F>>();
  #closed = false;

  /** The descriptor of `fileobj`, or (for a closed object) the one it was registered under. */
  #lookup(fileobj: F): number {
    try {
      return selectorFd(fileobj);
    } catch (e) {
      for (const key of this.#byFd.values()) if (key.fileobj === fileobj) return key.fd;
      throw e;
    }
  }

  /** The key of `fileobj`; a KeyError when it is not registered. */
  #registered(fileobj: F): SelectorKey<T, F> {
    const key = this.#byFd.get(this.#lookup(fileobj));
    if (key === undefined) throw new KeyError(fileobj, `${describe(fileobj)} is not registered`);
    return key;
  }

  #open(): void {
    if (this.#closed) throw new RangeError("I/O operation on closed selector");
  }

  /**
   * Registers an object for events: Python's `selector.register(fileobj,
   * events, data=None)`.
   *
   * @param fileobj a socket, file object or descriptor number
   * @param events {@linkcode EVENT_READ} and/or {@linkcode EVENT_WRITE}
   * @param data anything to keep with the key
   * @returns the new key
   * @throws {RangeError} for invalid events or a bad file object (Python's ValueError)
   * @throws {KeyError} when the object (or its descriptor) is already registered
   */
  register(fileobj: F, events: number, ...data: DataArg<T>): SelectorKey<T, F> {
    this.#open();
    selectorEvents(events);
    const fd = this.#lookup(fileobj);
    if (this.#byFd.has(fd)) {
      throw new KeyError(fileobj, `${describe(fileobj)} (FD ${fd}) is already registered`);
    }
    const key: SelectorKey<T, F> = Object.freeze({ fileobj, fd, events, data: dataOf(data) });
    this.#byFd.set(fd, key);
    return key;
  }

  /**
   * Unregisters an object (also one closed since): Python's
   * `selector.unregister(fileobj)`. Unregister a socket before closing it.
   *
   * @param fileobj the object registered
   * @returns its key
   * @throws {KeyError} when it is not registered
   */
  unregister(fileobj: F): SelectorKey<T, F> {
    this.#open();
    const key = this.#registered(fileobj);
    this.#byFd.delete(key.fd);
    return key;
  }

  /**
   * Changes the events or data of a registered object: Python's
   * `selector.modify(fileobj, events, data=None)`.
   *
   * @param fileobj the object registered
   * @param events the new events
   * @param data the new data
   * @returns the new key
   * @throws {KeyError} when it is not registered
   */
  modify(fileobj: F, events: number, ...data: DataArg<T>): SelectorKey<T, F> {
    this.#open();
    const old = this.#registered(fileobj);
    selectorEvents(events);
    const key: SelectorKey<T, F> = Object.freeze({
      fileobj: old.fileobj,
      fd: old.fd,
      events,
      data: dataOf(data),
    });
    this.#byFd.set(old.fd, key);
    return key;
  }

  /**
   * Waits until some registered objects are ready: Python's
   * `selector.select(timeout=None)`. Returns `[key, events]` pairs, where
   * `events` is the ready subset of the key's events (end of file and errors
   * count as both readable and writable, as Python's). `timeout` in seconds:
   * `null` or omitted waits forever, 0 or less polls. An interrupted wait
   * returns an empty list, as Python's.
   *
   * @param timeout the longest wait in seconds
   * @returns the ready keys with their events
   */
  select(timeout: number | null = null): Array<[SelectorKey<T, F>, number]> {
    this.#open();
    let ms = -1;
    if (timeout !== null && timeout !== undefined) {
      ms = timeout <= 0 ? 0 : secondsToMs(timeout, "error");
    }
    const keys = [...this.#byFd.values()];
    const events = keys.map((k) =>
      ((k.events & EVENT_READ) ? POLLIN : 0) | ((k.events & EVENT_WRITE) ? POLLOUT : 0)
    );
    const rev = pollFds(keys.map((k) => k.fd), events, ms);
    const out: Array<[SelectorKey<T, F>, number]> = [];
    for (let i = 0; i < keys.length; i++) {
      const r = rev[i];
      if (r === 0) continue;
      let ev = 0;
      if (r & ~POLLIN) ev |= EVENT_WRITE;
      if (r & ~POLLOUT) ev |= EVENT_READ;
      out.push([keys[i], ev & keys[i].events]);
    }
    return out;
  }

  /**
   * The key of a registered object: Python's `selector.get_key(fileobj)`.
   *
   * @param fileobj the object registered
   * @returns its key
   * @throws {KeyError} when it is not registered
   */
  get_key(fileobj: F): SelectorKey<T, F> {
    this.#open();
    return this.#registered(fileobj);
  }

  /**
   * The registered objects and their keys: Python's `selector.get_map()`, a
   * read-only mapping keyed by the object (or descriptor number) registered;
   * `null` after `close()`, as Python's `None`.
   *
   * @returns a snapshot of the registrations
   */
  get_map(): ReadonlyMap<F, SelectorKey<T, F>> | null {
    if (this.#closed) return null;
    return new Map([...this.#byFd.values()].map((k) => [k.fileobj, k]));
  }

  /** Forgets every registration: Python's `selector.close()`. The objects stay open. */
  close(): void {
    this.#byFd.clear();
    this.#closed = true;
  }

  /** Closes the selector at the end of a `using` block (Python's `with`). */
  [Symbol.dispose](): void {
    this.close();
  }
}

/**
 * Python's `selectors.DefaultSelector`: here the `poll(2)`-based
 * {@linkcode PollSelector} (CPython uses epoll on Linux; the ready set and
 * events are the same, the order of the returned keys may differ).
 *
 * @example The echo server of Python's `selectors` documentation
 * ```ts ignore
 * import { AF_INET, socket, type Socket } from "@sockffi/socket";
 * import { DefaultSelector, EVENT_READ } from "@sockffi/socket/select";
 *
 * const sel = new DefaultSelector<(s: Socket) => void, Socket>();
 * const sock = socket(AF_INET);
 * sock.bind(["localhost", 1234]);
 * sock.listen(100);
 * sock.setblocking(false);
 * sel.register(sock, EVENT_READ, accept);
 * function accept(sock: Socket): void {
 *   const [conn] = sock.accept();
 *   conn.setblocking(false);
 *   sel.register(conn, EVENT_READ, read);
 * }
 * function read(conn: Socket): void {
 *   const data = conn.recv(1000);
 *   if (data.length > 0) conn.send(data);
 *   else {
 *     sel.unregister(conn);
 *     conn.close();
 *   }
 * }
 * for (;;) {
 *   for (const [key] of sel.select()) key.data(key.fileobj);
 * }
 * ```
 */
export const DefaultSelector: typeof PollSelector = PollSelector;
/** The type of {@linkcode DefaultSelector} objects. */
export type DefaultSelector<T = unknown, F extends FileDescriptorLike = FileDescriptorLike> =
  PollSelector<T, F>;
