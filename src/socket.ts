/**
 * The socket object: Python's `socket.socket`, as the class {@linkcode Socket}.
 *
 * @module
 */

import {
  AF_ALG,
  AF_INET,
  AF_UNIX,
  errnoValues,
  SO_DOMAIN,
  SO_PROTOCOL,
  SO_TYPE,
  SOCK_CLOEXEC,
  SOCK_NONBLOCK,
  SOCK_STREAM,
  SOL_SOCKET,
  SOMAXCONN,
} from "../constants/mod.ts";
import { osName } from "../ffi/mod.ts";
import { SocketError } from "./errors.ts";
import * as S from "./_syscall.ts";
import { AddressCache, decode, encode, getFamily } from "./_sockaddr.ts";
import type { Address, AddressIn, Bytes, InetAddress } from "./_types.ts";
import {
  bufferArg,
  bufsizeError,
  byteLengthOf,
  bytesLengthArg,
  cInt,
  cUint,
  describe,
  fdArg,
  ffiBytes,
  flagsArg,
  intoLength,
  isBufsize,
  timeoutArg,
  viewArg,
} from "./_args.ts";
import { attach, closeNow, fdOf, release, setSocketFactory, SocketState } from "./_core.ts";
import "./_resolver_core.ts"; // installs host-name resolution into the address encoder
import { received, recvBuffer } from "./_pool.ts";
import "./_families.ts"; // registers the address codecs of the other families
import * as msg from "./msg.ts";
import type { AncDataIn, RecvmsgIntoResult, RecvmsgResult } from "./msg.ts";
import { sendfile as sendfileImpl } from "./sendfile.ts";
import {
  type BinaryMode,
  type BufferedSocketFile,
  makefile as makefileImpl,
  type MakefileOptions,
  type SocketFile,
  type SocketIO,
  type TextMode,
  type TextSocketFile,
} from "./file.ts";
import { SocketAsync } from "./async.ts";
import { readableOf, writableOf } from "./streams.ts";
import { AddressFamily, SocketKind } from "./enums.ts";
import { afalgControl, type AfalgOptions } from "./afalg.ts";
import type { AddressOf, Kind, SenderOf } from "./typed.ts";
import { pyStr } from "./_repr.ts";

// The type flags, 0 where the system has none (macOS): there ffi/ makes
// every descriptor close-on-exec itself (features.sockCloexec).
const TYPE_NONBLOCK = SOCK_NONBLOCK ?? 0;
const TYPE_CLOEXEC = SOCK_CLOEXEC ?? 0;

// ---- module state: the default timeout ----

let defaultTimeout: number | null = null;

/**
 * Returns the default timeout in seconds (a number) for new socket
 * objects, or `null` when new sockets are blocking (the initial setting).
 * Python: `socket.getdefaulttimeout()`.
 *
 * @example
 * ```ts
 * import { getdefaulttimeout } from "@sockffi/socket";
 * console.log(getdefaulttimeout()); // null
 * ```
 */
export function getdefaulttimeout(): number | null {
  return defaultTimeout;
}

/**
 * Sets the default timeout in seconds for new socket objects; `null`
 * makes new sockets blocking. Python: `socket.setdefaulttimeout()`.
 *
 * @param timeout seconds (a non-negative number) or null
 * @throws {RangeError} for a negative or non-finite value
 * @throws {TypeError} for a value that is not a number or null
 */
export function setdefaulttimeout(timeout: number | null): void {
  defaultTimeout = timeoutArg(timeout);
}

function toMs(timeout: number | null): number {
  if (timeout === null) return -1;
  if (timeout === 0) return 0;
  return timeout * 1000;
}

// ---- argument checks ----

/**
 * A socket: Python's `socket.socket`. Create one with {@linkcode socket},
 * `new Socket(...)`, {@linkcode socketpair}, {@linkcode fromfd} or
 * `accept()`.
 *
 * Every method keeps the name, arguments and results of Python's: bytes are
 * any BufferSource going in and a `Uint8Array` coming out; tuples are arrays
 * (`[host, port]`); `None` is `null`. Errors are {@linkcode SocketError}
 * (Python's `OSError`) and its subclasses, `TypeError` for a wrong type and
 * `RangeError` for a value out of range.
 *
 * The descriptor is created non-inheritable (SOCK_CLOEXEC). `using s = ...`
 * closes it at the end of the scope, like Python's `with`; a socket that is
 * garbage-collected while still open is closed as a last resort.
 *
 * @example An echo round trip over a unix socketpair
 * ```ts
 * import { socketpair } from "@sockffi/socket";
 * const [a, b] = socketpair();
 * a.sendall(new TextEncoder().encode("ping"));
 * console.log(new TextDecoder().decode(b.recv(16))); // "ping"
 * a.close();
 * b.close();
 * ```
 */
export class Socket<
  A extends Address | null = Address | null,
  R extends Address | null = A | null,
> {
  #st: SocketState;
  #addrCache: AddressCache | undefined;
  #async: SocketAsync | undefined;
  #family: number;
  #type: number;
  #proto: number;

  /**
   * Creates a socket (`socket(2)`), or adopts the descriptor `fileno` as is
   * (no dup; family, type and proto are read from it with getsockopt when
   * omitted or -1). Python: `socket.socket(family=AF_INET,
   * type=SOCK_STREAM, proto=0, fileno=None)`.
   *
   * `SOCK_NONBLOCK` in `type` makes the socket non-blocking; otherwise it
   * takes the default timeout (see {@linkcode setdefaulttimeout}).
   *
   * @param family address family, default `AF_INET`
   * @param type socket type, default `SOCK_STREAM`
   * @param proto protocol, default 0
   * @param fileno an existing socket descriptor to adopt
   * @throws {SocketError} EAFNOSUPPORT, EPROTONOSUPPORT, EMFILE... from socket(2)
   */
  constructor(family?: number, type?: number, proto?: number, fileno?: number | null) {
    // A socket the library made from a descriptor it owns (accept, dup,
    // socketpair, fromfd: see adopt()): family, type and proto are known.
    const adopted = adopting;
    adopting = false;
    S.load();
    let fam: number, typ: number, pro: number;
    if (fileno !== undefined && fileno !== null) {
      const fd = fdArg(fileno, "fileno");
      if (adopted) {
        fam = family!;
        typ = type!;
        pro = proto!;
      } else {
        // CPython: SO_DOMAIN where it exists, else the family getsockname() gives.
        fam = family !== undefined && family !== -1
          ? cInt(family, "family")
          : SO_DOMAIN !== undefined
          ? S.getsockoptInt(fd, SOL_SOCKET, SO_DOMAIN)
          : (S.getsockname(fd), getFamily(S.addrBuf));
        typ = type === undefined || type === -1
          ? S.getsockoptInt(fd, SOL_SOCKET, SO_TYPE)
          : cInt(type, "type");
        // CPython: SO_PROTOCOL where it exists, else 0.
        pro = proto !== undefined && proto !== -1
          ? cInt(proto, "proto")
          : SO_PROTOCOL !== undefined
          ? S.getsockoptInt(fd, SOL_SOCKET, SO_PROTOCOL)
          : 0;
      }
      this.#st = new SocketState(fd);
    } else {
      fam = family === undefined || family === -1 ? AF_INET : cInt(family, "family");
      typ = type === undefined || type === -1 ? SOCK_STREAM : cInt(type, "type");
      pro = proto === undefined || proto === -1 ? 0 : cInt(proto, "proto");
      this.#st = new SocketState(S.socket(fam, typ, pro));
    }
    this.#family = fam;
    this.#type = typ & ~(TYPE_NONBLOCK | TYPE_CLOEXEC);
    this.#proto = pro;
    const st = this.#st;
    attach(this, st);
    if ((typ & TYPE_NONBLOCK) !== 0) {
      st.timeout = 0;
      st.tmo = 0;
      if (fileno !== undefined && fileno !== null) this.#applyBlocking();
    } else {
      st.timeout = defaultTimeout;
      st.tmo = toMs(defaultTimeout);
      if (defaultTimeout !== null) {
        try {
          S.setNonblocking(this.#st.fd, true);
        } catch (e) {
          this.#forget();
          throw e;
        }
      }
    }
  }

  #forget(): void {
    const fd = release(this, this.#st);
    if (fd >= 0) S.close(fd);
  }

  #applyBlocking(): void {
    S.setNonblocking(this.#st.fd, this.#st.tmo >= 0);
  }

  /**
   * The address family, such as `AF_INET` (read-only, as Python's
   * `socket.family`).
   */
  get family(): number {
    return this.#family;
  }

  /**
   * The socket type, such as `SOCK_STREAM`, without SOCK_NONBLOCK and
   * SOCK_CLOEXEC (read-only, as Python's `socket.type`).
   */
  get type(): number {
    return this.#type;
  }

  /** The protocol number (read-only, as Python's `socket.proto`). */
  get proto(): number {
    return this.#proto;
  }

  /**
   * The timeout in seconds, 0 when non-blocking, `null` when blocking: the
   * same as {@linkcode Socket.gettimeout} (read-only, as Python's
   * `socket.timeout` attribute; set it with {@linkcode Socket.settimeout}).
   */
  get timeout(): number | null {
    return this.#st.timeout;
  }

  /** Implements `using s = socket(...)`: closes the socket. */
  [Symbol.dispose](): void {
    this.close();
  }

  // ---- lifecycle ----

  /**
   * Accepts a connection (`accept4(2)` with SOCK_CLOEXEC). The socket must
   * be bound and listening. Returns `[conn, address]`: a new socket for the
   * connection and the peer's address. Python: `socket.accept()`.
   *
   * The new socket takes the default timeout if one is set; otherwise it is
   * blocking when this socket is blocking or in timeout mode, as the
   * specification's "Timeouts and the accept method" says.
   *
   * @throws {timeout} in timeout mode when no connection arrives in time
   * @throws {SocketError} EAGAIN when non-blocking and none is pending; EINVAL when not listening
   */
  accept(): [conn: Socket<A, R>, address: A] {
    const fd = S.accept(this.#st.fd, this.#st.tmo);
    const addr = decode(S.addrBuf, S.addrLen[0], this.proto);
    // accept4() without SOCK_NONBLOCK gives a blocking descriptor, so with no
    // default timeout the new socket is in blocking mode whatever this one's
    // mode (CPython's rule); with a default timeout the constructor applies it.
    return [adopt<A, R>(this.#family, this.#type, this.#proto, fd), addr as A];
  }

  /**
   * Binds the socket to `address` (`bind(2)`); its shape depends on the
   * family: `[host, port]` for AF_INET, `[host, port, flowinfo?, scope_id?]`
   * for AF_INET6, a path (string or bytes; bytes starting with a zero byte
   * for Linux's abstract namespace) for AF_UNIX. Port 0 asks for an
   * ephemeral port; `getsockname()` tells which. Python: `socket.bind()`.
   *
   * @throws {TypeError} for a wrong address shape
   * @throws {RangeError} for a port outside 0-65535
   * @throws {gaierror} when the host does not resolve
   * @throws {SocketError} EADDRINUSE, EACCES... from bind(2)
   */
  bind(address: AddressIn): void {
    const len = encode(this.#family, this.#type, this.#proto, address, S.addrBuf);
    S.bind(this.#st.fd, S.addrBuf, len);
  }

  /**
   * Marks the socket closed and closes its descriptor (`close(2)`), unless
   * files made by `makefile()` are still open, in which case the
   * descriptor closes with the last of them. Closing twice is a no-op.
   * Python: `socket.close()`.
   *
   * @throws {SocketError} when close(2) fails other than with ECONNRESET
   */
  close(): void {
    const st = this.#st;
    st.closed = true;
    if (st.ioRefs <= 0) closeNow(this, st);
  }

  /**
   * Connects to the remote socket at `address` (`connect(2)`). In timeout
   * mode it waits up to the timeout; a signal does not abort it.
   * Python: `socket.connect()`.
   *
   * @throws {timeout} when the timeout expires
   * @throws {SocketError} ECONNREFUSED, ENOENT, EINPROGRESS (non-blocking)...
   */
  connect(address: AddressIn): void {
    const len = encode(this.#family, this.#type, this.#proto, address, S.addrBuf);
    S.connect(this.#st.fd, this.#st.tmo, S.addrBuf, len, true);
  }

  /**
   * Like {@linkcode Socket.connect}, but returns the error number instead
   * of throwing for errors of the connect call itself (0 on success; EAGAIN's
   * value when the timeout expires). Errors in the address still throw.
   * Python: `socket.connect_ex()`.
   */
  connect_ex(address: AddressIn): number {
    const len = encode(this.#family, this.#type, this.#proto, address, S.addrBuf);
    return S.connect(this.#st.fd, this.#st.tmo, S.addrBuf, len, false);
  }

  /**
   * Puts the socket into the closed state without closing the descriptor,
   * and returns the descriptor (-1 if already closed). Python:
   * `socket.detach()`.
   */
  detach(): number {
    return release(this, this.#st);
  }

  /**
   * Duplicates the socket (`fcntl(F_DUPFD_CLOEXEC)`): a new socket object
   * for the same endpoint, non-inheritable, with the same timeout.
   * Python: `socket.dup()`.
   */
  dup(): Socket<A, R> {
    const fd = S.dup(this.#st.fd);
    const s = adopt<A, R>(this.#family, this.#type, this.#proto, fd);
    s.settimeout(this.#st.timeout);
    return s;
  }

  /** The descriptor, or -1 when closed or detached. Python: `socket.fileno()`. */
  fileno(): number {
    return this.#st.fd;
  }

  /** Whether the descriptor is inheritable (FD_CLOEXEC clear). Python: `socket.get_inheritable()`. */
  get_inheritable(): boolean {
    return S.getInheritable(fdOf(this, "fcntl"));
  }

  /**
   * Sets the descriptor's inheritable flag (clears or sets FD_CLOEXEC).
   * Python: `socket.set_inheritable()`.
   */
  set_inheritable(inheritable: boolean): void {
    if (typeof inheritable !== "boolean") {
      throw new TypeError(`inheritable must be a boolean, not ${describe(inheritable)}`);
    }
    S.setInheritable(fdOf(this, "fcntl"), inheritable);
  }

  /**
   * The remote address the socket is connected to (`getpeername(2)`).
   * Python: `socket.getpeername()`.
   *
   * @throws {SocketError} ENOTCONN when not connected
   */
  getpeername(): A {
    const len = S.getpeername(this.#st.fd);
    return decode(S.addrBuf, len, this.#proto) as A;
  }

  /**
   * The socket's own address (`getsockname(2)`): after `bind(["", 0])` it
   * tells the ephemeral port. Python: `socket.getsockname()`.
   */
  getsockname(): A {
    const len = S.getsockname(this.#st.fd);
    return decode(S.addrBuf, len, this.#proto) as A;
  }

  /**
   * Reads a socket option (`getsockopt(2)`). Without `buflen`, the option
   * is a C int and its value is returned (as with `buflen` 0, CPython's
   * default); with `buflen` 1-1024, up to that many bytes are returned as a
   * `Uint8Array`, to be decoded by the caller (a `struct linger`, a
   * `struct ucred`...). Python: `socket.getsockopt()`.
   *
   * @example
   * ```ts
   * import { socket, SOL_SOCKET, SO_TYPE, SOCK_STREAM } from "@sockffi/socket";
   * using s = socket();
   * console.log(s.getsockopt(SOL_SOCKET, SO_TYPE) === SOCK_STREAM); // true
   * ```
   * @throws {RangeError} when buflen is negative or above 1024
   * @throws {SocketError} ENOPROTOOPT for an unknown option
   */
  getsockopt(level: number, optname: number, buflen?: 0): number;
  /** The buffer form: up to `buflen` bytes of the option's value (`getsockopt(2)`). */
  getsockopt(level: number, optname: number, buflen: number): Uint8Array<ArrayBuffer>;
  getsockopt(level: number, optname: number, buflen?: number): number | Uint8Array<ArrayBuffer> {
    level = cInt(level, "level");
    optname = cInt(optname, "optname");
    if (buflen === undefined || buflen === 0) return S.getsockoptInt(this.#st.fd, level, optname);
    buflen = cInt(buflen, "buflen");
    if (buflen < 0 || buflen > 1024) {
      throw new RangeError(`getsockopt buflen out of range: ${buflen} (0-1024)`);
    }
    const out = new Uint8Array(buflen);
    const n = S.getsockoptBuf(this.#st.fd, level, optname, out);
    return n === buflen ? out : out.slice(0, n);
  }

  /**
   * Sets a socket option (`setsockopt(2)`). `value` is an integer (or a
   * boolean) for C int options, or bytes for structures; with `value` null,
   * `optlen` is required and the option gets a NULL pointer with that length
   * (AF_ALG's ALG_SET_AEAD_AUTHSIZE). Python: `socket.setsockopt()`.
   *
   * @example
   * ```ts
   * import { socket, SOL_SOCKET, SO_REUSEADDR } from "@sockffi/socket";
   * using s = socket();
   * s.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1);
   * ```
   * @throws {TypeError} for a value that is not an integer, boolean, bytes or null
   * @throws {SocketError} ENOPROTOOPT, EINVAL... from setsockopt(2)
   */
  setsockopt(level: number, optname: number, value: number | boolean | Bytes): void;
  /** The `None` form: a NULL option value with length `optlen` (`setsockopt(2)`). */
  setsockopt(level: number, optname: number, value: null, optlen: number): void;
  setsockopt(
    level: number,
    optname: number,
    value: number | boolean | Bytes | null,
    optlen?: number,
  ): void {
    level = cInt(level, "level");
    optname = cInt(optname, "optname");
    if (value === null) {
      if (optlen === undefined) {
        throw new TypeError("setsockopt() with a null value needs optlen (the 4th argument)");
      }
      optlen = cUint(optlen, "optlen");
      S.setsockoptBuf(this.#st.fd, level, optname, null, optlen);
      return;
    }
    if (optlen !== undefined) {
      throw new TypeError("setsockopt() takes optlen only with a null value");
    }
    if (typeof value === "boolean") value = value ? 1 : 0;
    if (typeof value === "number") {
      value = cInt(value, "setsockopt value");
      S.setsockoptInt(this.#st.fd, level, optname, value);
      return;
    }
    const b = bufferArg(value, "setsockopt");
    S.setsockoptBuf(this.#st.fd, level, optname, b, byteLengthOf(b));
  }

  // ---- timeouts ----

  /**
   * The timeout in seconds, 0 when non-blocking, `null` when blocking.
   * Python: `socket.gettimeout()`.
   */
  gettimeout(): number | null {
    return this.#st.timeout;
  }

  /**
   * Sets the mode: `null` blocking, `0` non-blocking, a positive number of
   * seconds timeout mode (the descriptor is non-blocking underneath and
   * every operation polls for the time left). Python: `socket.settimeout()`.
   *
   * @throws {RangeError} for a negative or NaN value
   */
  settimeout(value: number | null): void {
    const t = timeoutArg(value);
    const st = this.#st;
    st.timeout = t;
    st.tmo = toMs(t);
    // CPython: on a closed socket the fcntl() fails with EBADF.
    if (this.#st.fd < 0) throw S.closedError("fcntl");
    this.#applyBlocking();
  }

  /**
   * `setblocking(true)` is `settimeout(null)`, `setblocking(false)` is
   * `settimeout(0)`. Python: `socket.setblocking()`.
   */
  setblocking(flag: boolean): void {
    this.settimeout(flag ? null : 0);
  }

  /**
   * True when the socket is in blocking mode or timeout mode, false when
   * non-blocking (Python 3.7's `socket.getblocking()`).
   */
  getblocking(): boolean {
    return this.#st.timeout !== 0;
  }

  // ---- connection state ----

  /**
   * Enables a server to accept connections (`listen(2)`). `backlog`
   * defaults to min(SOMAXCONN, 128); a negative one counts as 0.
   * Python: `socket.listen()`.
   */
  listen(backlog?: number): void {
    let b = backlog === undefined ? Math.min(SOMAXCONN, 128) : cInt(backlog, "backlog");
    if (b < 0) b = 0;
    S.listen(this.#st.fd, b);
  }

  /**
   * Shuts down one or both halves of the connection (`shutdown(2)`):
   * `SHUT_RD`, `SHUT_WR` or `SHUT_RDWR`. Python: `socket.shutdown()`.
   */
  shutdown(how: number): void {
    S.shutdown(this.#st.fd, cInt(how, "how"));
  }

  // ---- receiving ----

  /**
   * Receives up to `bufsize` bytes (`recv(2)`); an empty array means the
   * peer closed the connection. Python: `socket.recv()`.
   *
   * @param bufsize the most bytes to receive
   * @param flags MSG_PEEK, MSG_WAITALL, MSG_DONTWAIT...
   * @returns a Uint8Array of exactly the received length, in an ArrayBuffer
   *   of its own (one allocation per call: {@linkcode Socket.recv_into}
   *   into a buffer you reuse allocates nothing)
   * @throws {RangeError} for a negative bufsize
   * @throws {timeout} in timeout mode when nothing arrives in time
   * @throws {SocketError} EAGAIN when non-blocking and nothing is there
   */
  recv(bufsize: number, flags?: number): Uint8Array<ArrayBuffer>;
  recv(bufsize: number, flags = 0): Uint8Array<ArrayBuffer> {
    if (!isBufsize(bufsize)) bufsizeError(bufsize, "recv");
    flags = flagsArg(flags);
    // CPython returns b'' for recv(0) without calling recv(2), which would block.
    if (bufsize === 0) return new Uint8Array(0);
    const buf = recvBuffer(bufsize);
    return received(buf, S.recv(this.#st.fd, this.#st.tmo, buf, bufsize, flags), bufsize);
  }

  /**
   * Receives up to `bufsize` bytes and the sender's address
   * (`recvfrom(2)`). The address is `null` when the kernel gives none (a
   * connected stream socket). The data is in an ArrayBuffer of its own, as
   * recv()'s. Python: `socket.recvfrom()`.
   */
  recvfrom(bufsize: number, flags?: number): [data: Uint8Array<ArrayBuffer>, address: R];
  recvfrom(bufsize: number, flags = 0): [data: Uint8Array<ArrayBuffer>, address: R] {
    if (!isBufsize(bufsize)) bufsizeError(bufsize, "recvfrom");
    flags = flagsArg(flags);
    const buf = recvBuffer(bufsize);
    const data = received(buf, S.recvfrom(this.#st.fd, this.#st.tmo, buf, bufsize, flags), bufsize);
    return [data, decode(S.addrBuf, S.addrLen[0], this.#proto) as R];
  }

  /**
   * Receives up to `nbytes` bytes (default: the buffer's length) into
   * `buffer` (`recv(2)`), honouring a view's offset, and returns how many
   * arrived. The zero-allocation way to receive: reuse one buffer, where
   * recv() allocates an ArrayBuffer for every result. Python:
   * `socket.recv_into()`.
   *
   * @throws {RangeError} when nbytes is negative or larger than the buffer
   */
  recv_into(buffer: Bytes, nbytes?: number, flags?: number): number;
  recv_into(buffer: Bytes, nbytes = 0, flags = 0): number {
    const len = intoLength(buffer, nbytes, "recv_into");
    flags = flagsArg(flags);
    // CPython returns 0 for an empty buffer without calling recv(2), which would block.
    if (len === 0) return 0;
    return S.recv(this.#st.fd, this.#st.tmo, ffiBytes(buffer), len, flags);
  }

  /**
   * Like {@linkcode Socket.recv_into}, also returning the sender's address
   * (`recvfrom(2)`): `[nbytes, address]`. Like recv_into(), it allocates no
   * result buffer. Python: `socket.recvfrom_into()`.
   */
  recvfrom_into(buffer: Bytes, nbytes?: number, flags?: number): [nbytes: number, address: R];
  recvfrom_into(
    buffer: Bytes,
    nbytes = 0,
    flags = 0,
  ): [nbytes: number, address: R] {
    const len = intoLength(buffer, nbytes, "recvfrom_into");
    flags = flagsArg(flags);
    const n = S.recvfrom(this.#st.fd, this.#st.tmo, ffiBytes(buffer), len, flags);
    return [n, decode(S.addrBuf, S.addrLen[0], this.#proto) as R];
  }

  /**
   * Receives data and ancillary data (`recvmsg(2)`): `[data, ancdata,
   * msg_flags, address]`. Python: `socket.recvmsg()`.
   */
  recvmsg(bufsize: number, ancbufsize?: number, flags?: number): RecvmsgResult<R>;
  recvmsg(bufsize: number, ancbufsize = 0, flags = 0): RecvmsgResult<R> {
    return msg.recvmsg(this, bufsize, ancbufsize, flags) as RecvmsgResult<R>;
  }

  /**
   * Scatter-receive into `buffers` with ancillary data (`recvmsg(2)`):
   * `[nbytes, ancdata, msg_flags, address]`. Python: `socket.recvmsg_into()`.
   */
  recvmsg_into(
    buffers: Iterable<Bytes>,
    ancbufsize?: number,
    flags?: number,
  ): RecvmsgIntoResult<R>;
  recvmsg_into(
    buffers: Iterable<Bytes>,
    ancbufsize = 0,
    flags = 0,
  ): RecvmsgIntoResult<R> {
    return msg.recvmsg_into(this, buffers, ancbufsize, flags) as RecvmsgIntoResult<R>;
  }

  // ---- sending ----

  /**
   * Sends `data` (`send(2)`) and returns how many bytes went out, which may
   * be fewer than given: see {@linkcode Socket.sendall}. Python:
   * `socket.send()`.
   *
   * @throws {TypeError} for a string (encode it first) or another non-buffer
   */
  send(data: Bytes, flags?: number): number;
  send(data: Bytes, flags = 0): number {
    const len = bytesLengthArg(data, "send");
    flags = flagsArg(flags);
    return S.send(this.#st.fd, this.#st.tmo, ffiBytes(data), len, flags);
  }

  /**
   * Sends all of `data`, calling send(2) until every byte is out. In
   * timeout mode the whole call has one deadline. On error some data may
   * have been sent. Python: `socket.sendall()`.
   */
  sendall(data: Bytes, flags?: number): void;
  sendall(data: Bytes, flags = 0): void {
    const b = viewArg(data, "sendall");
    flags = flagsArg(flags);
    S.sendall(this.#st.fd, this.#st.tmo, b, flags);
  }

  /**
   * Sends `data` to `address` (`sendto(2)`): `sendto(data, address)` or
   * `sendto(data, flags, address)`. Returns the bytes sent. Python:
   * `socket.sendto()`.
   */
  sendto(data: Bytes, address: AddressIn): number;
  /** The three-argument form: `sendto(data, flags, address)` (`sendto(2)`). */
  sendto(data: Bytes, flags: number, address: AddressIn): number;
  sendto(data: Bytes, flagsOrAddress: number | AddressIn, address?: AddressIn): number {
    let flags = 0;
    let addr: unknown = flagsOrAddress;
    if (address !== undefined) {
      flags = flagsArg(flagsOrAddress);
      addr = address;
    } else if (arguments.length > 2) {
      throw new TypeError("sendto() address must not be undefined");
    }
    data = bufferArg(data, "sendto");
    const cache = this.#addrCache ??= new AddressCache();
    const alen = cache.encode(this.#family, this.#type, this.#proto, addr);
    // the length is read after the address's user code (getters) has run
    return S.sendto(this.#st.fd, this.#st.tmo, data, byteLengthOf(data), flags, cache.buf, alen);
  }

  /**
   * Gather-send `buffers` with ancillary data (`sendmsg(2)`), optionally to
   * `address`. Python: `socket.sendmsg()`.
   */
  sendmsg(
    buffers: Iterable<Bytes>,
    ancdata?: Iterable<AncDataIn>,
    flags?: number,
    address?: AddressIn | null,
  ): number;
  sendmsg(
    buffers: Iterable<Bytes>,
    ancdata: Iterable<AncDataIn> = [],
    flags = 0,
    address?: AddressIn | null,
  ): number {
    return msg.sendmsg(this, buffers, ancdata, flags, address);
  }

  /**
   * Sends a file from `offset` to its end, or `count` bytes, and returns
   * the bytes sent: `sendfile(2)` (no copy through user space) for a
   * regular file, read + send where sendfile cannot be used (a pipe, a
   * device, a socket). `file` is a `Deno.FsFile` or a descriptor number.
   * Afterwards the file position is `offset` + bytes sent (also after an
   * error); unchanged when nothing was sent. In timeout mode each wait
   * for the socket to drain may last up to the timeout, as in CPython.
   * Python: `socket.sendfile(file, offset=0, count=None)`.
   *
   * @param file a Deno.FsFile or a file descriptor
   * @param offset where to start reading, default 0 (not the current position)
   * @param count the most bytes to send; null (default) for all up to end of file
   * @returns the bytes sent
   * @throws {RangeError} for a socket that is not SOCK_STREAM or is non-blocking, a negative offset, count <= 0
   * @throws {TypeError} for a file that is neither, a non-integer offset or count
   * @throws {timeout} in timeout mode when the peer stops reading
   * @throws {SocketError} EPIPE, ECONNRESET... from sendfile(2)/send(2)
   *
   * @example Send part of a file over a socketpair
   * ```ts
   * import { socketpair } from "@sockffi/socket";
   * const path = Deno.makeTempFileSync();
   * Deno.writeTextFileSync(path, "hello, world");
   * using file = Deno.openSync(path);
   * const [a, b] = socketpair();
   * console.log(a.sendfile(file, 7, 5)); // 5
   * console.log(new TextDecoder().decode(b.recv(100))); // "world"
   * console.log(file.seekSync(0, Deno.SeekMode.Current)); // 12
   * a.close();
   * b.close();
   * Deno.removeSync(path);
   * ```
   */
  sendfile(file: Deno.FsFile | number, offset?: number, count?: number | null): number;
  sendfile(file: Deno.FsFile | number, offset = 0, count: number | null = null): number {
    return sendfileImpl(this, file, offset, count);
  }

  /**
   * A raw binary file over the socket (`buffering` 0): one recv/send per
   * call. Python: `socket.makefile(mode, 0)`, a `socket.SocketIO`.
   */
  makefile(mode: BinaryMode, buffering: 0, options?: MakefileOptions): SocketIO;
  /**
   * A buffered binary file over the socket. Python: `socket.makefile("rb")`,
   * an `io.BufferedReader`, `BufferedWriter` or `BufferedRWPair`.
   */
  makefile(
    mode: BinaryMode,
    buffering?: null | -1 | 1,
    options?: MakefileOptions,
  ): BufferedSocketFile;
  /**
   * A binary file over the socket: raw when `buffering` is 0, else
   * buffered with that buffer size. Python: `socket.makefile("rb", n)`.
   */
  makefile(
    mode: BinaryMode,
    buffering: number | null,
    options?: MakefileOptions,
  ): BufferedSocketFile | SocketIO;
  /**
   * A text file over the socket (`"r"`, `"w"`, `"rw"`), decoding and
   * encoding with `options.encoding`. Python: `socket.makefile()`, an
   * `io.TextIOWrapper`. The descriptor stays open until the socket and
   * every file made from it are closed.
   *
   * @example A line protocol
   * ```ts
   * import { socketpair } from "@sockffi/socket";
   * const [a, b] = socketpair();
   * using out = a.makefile("w");
   * using lines = b.makefile("r");
   * out.write("HELLO\nBYE\n");
   * out.flush();
   * console.log(lines.readline()); // "HELLO\n"
   * console.log(lines.readline()); // "BYE\n"
   * a.close();
   * b.close();
   * ```
   */
  makefile(mode?: TextMode, buffering?: number | null, options?: MakefileOptions): TextSocketFile;
  /**
   * A file object over the socket, as the mode says (see src/file.ts).
   * Python: `socket.makefile(mode='r', buffering=None, *, encoding=None,
   * errors=None, newline=None)`.
   */
  makefile(mode?: string, buffering?: number | null, options?: MakefileOptions): SocketFile;
  makefile(
    mode = "r",
    buffering: number | null = null,
    options: MakefileOptions = {},
  ): SocketFile {
    return makefileImpl(this, mode, buffering, options);
  }

  // ---- Windows-only ----

  /**
   * Windows-only in Python (`WSAIoctl`): throws on other systems.
   *
   * @throws {SocketError} always here: "not supported on linux"
   */
  ioctl(_control: number, _option: unknown): never {
    throw notSupported("ioctl");
  }

  /**
   * Windows-only in Python (`WSADuplicateSocket`): throws on other systems.
   *
   * @throws {SocketError} always here: "not supported on linux"
   */
  share(_process_id: number): never {
    throw notSupported("share");
  }

  // ---- extensions ----

  /**
   * The async face of this socket: the same methods returning Promises,
   * waiting on one shared reactor instead of blocking the event loop.
   */
  get async(): SocketAsync {
    return this.#async ??= this.#st.hook = new SocketAsync(this);
  }

  /**
   * A ReadableStream of the bytes arriving on a stream socket, built on
   * first access (a byte stream: `getReader({ mode: "byob" })` reads into
   * your buffers). It reads through the async reactor, so the event loop
   * keeps running; an idle stream does not keep the process alive. The
   * stream ends at end of file; closing the socket errors it with EBADF.
   *
   * @example Read a response with the Fetch API's helpers
   * ```ts
   * import { socketpair } from "@sockffi/socket";
   * const [a, b] = socketpair();
   * a.sendall(new TextEncoder().encode("hello"));
   * a.shutdown(1); // SHUT_WR: end of stream for b
   * console.log(await new Response(b.readable).text()); // "hello"
   * a.close();
   * b.close();
   * ```
   */
  get readable(): ReadableStream<Uint8Array> {
    return readableOf(this);
  }

  /**
   * A WritableStream that sends every chunk written (all of it, as
   * `sendall`) to a stream socket, through the async reactor; closing the
   * stream shuts down the write half (`shutdown(SHUT_WR)`), aborting it
   * leaves the socket open. Built on first access.
   *
   * @example Pipe text into a socket
   * ```ts
   * import { socketpair } from "@sockffi/socket";
   * const [a, b] = socketpair();
   * await ReadableStream.from(["po", "ng"]).pipeThrough(new TextEncoderStream()).pipeTo(a.writable);
   * console.log(new TextDecoder().decode(b.recv(16))); // "pong"
   * a.close();
   * b.close();
   * ```
   */
  get writable(): WritableStream<Uint8Array> {
    return writableOf(this);
  }

  /**
   * Python's `repr(s)`: `<socket.socket fd=3, family=2, type=1, proto=6,
   * laddr=('127.0.0.1', 5000), raddr=('127.0.0.1', 41234)>`, or
   * `<socket.socket [closed] fd=-1, family=2, type=1, proto=0>`, exactly as
   * CPython 3.11 prints it (family and type as numbers; `console.log(s)`
   * shows their names).
   */
  toString(): string {
    return describeSocket(this, this.#st.fd, this.#st.closed, false);
  }

  /** What `console.log(s)` and `Deno.inspect(s)` show: Python's repr with the constants' names. */
  [Symbol.for("Deno.customInspect")](): string {
    return describeSocket(this, this.#st.fd, this.#st.closed, true);
  }

  /**
   * Sends data to an AF_ALG (kernel crypto) socket with the operation, IV
   * and AEAD associated-data length as control messages (`sendmsg(2)`).
   * Python: `socket.sendmsg_afalg([msg, ]*, op[, iv[, assoclen[, flags]]])`,
   * its keyword-only arguments in an options object.
   *
   * @param msg the buffers to send (default none)
   * @param options `{ op, iv?, assoclen?, flags? }`
   * @returns the bytes sent
   * @throws {SocketError} "algset is only supported for AF_ALG" on other sockets
   * @throws {TypeError} "Invalid or missing argument 'op'", "assoclen must be positive"
   */
  sendmsg_afalg(msg: Iterable<Bytes>, options: AfalgOptions): number;
  /** The form without data: only the control messages (`sendmsg(2)`). */
  sendmsg_afalg(options: AfalgOptions): number;
  sendmsg_afalg(msgOrOptions: Iterable<Bytes> | AfalgOptions, options?: AfalgOptions): number {
    const [buffers, opts] = options === undefined
      ? [[], msgOrOptions as AfalgOptions]
      : [msgOrOptions as Iterable<Bytes>, options];
    if (this.#family !== AF_ALG) throw new SocketError(null, "algset is only supported for AF_ALG");
    const control = afalgControl(opts);
    return this.sendmsg(buffers, control, opts.flags ?? 0);
  }
}

/** Python's `repr()` of a socket (Lib/socket.py's `socket.__repr__`). */
function describeSocket(s: Socket, fd: number, closed: boolean, names: boolean): string {
  const fam = names ? (AddressFamily[s.family] ?? String(s.family)) : String(s.family);
  const typ = names ? (SocketKind[s.type] ?? String(s.type)) : String(s.type);
  let out = `<socket.socket${closed ? " [closed]" : ""} fd=${fd}, family=${fam}, type=${typ}, ` +
    `proto=${s.proto}`;
  if (!closed) {
    // CPython leaves out an address that is empty or cannot be read (EBADF, ENOTCONN...).
    const laddr = addressOrNull(() => s.getsockname());
    if (truthy(laddr)) out += `, laddr=${pyStr(laddr)}`;
    const raddr = addressOrNull(() => s.getpeername());
    if (truthy(raddr)) out += `, raddr=${pyStr(raddr)}`;
  }
  return out + ">";
}

function addressOrNull(get: () => unknown): unknown {
  try {
    return get();
  } catch (e) {
    if (e instanceof SocketError) return null;
    throw e;
  }
}

/** Python's truthiness of an address: None, '' and b'' are false. */
function truthy(v: unknown): boolean {
  if (v === null || v === undefined || v === "") return false;
  return !(v instanceof Uint8Array && v.length === 0);
}

function notSupported(what: string): SocketError {
  return new SocketError(
    errnoValues.EOPNOTSUPP,
    `${what}() is Windows-only: not supported on ${osName}`,
    what,
  );
}

/**
 * Creates a socket: Python's `socket.socket(family=AF_INET,
 * type=SOCK_STREAM, proto=0, fileno=None)` (`socket(2)` with
 * SOCK_CLOEXEC). The same as `new Socket(...)`.
 *
 * @example A UDP socket on an ephemeral port
 * ```ts
 * import { AF_INET, SOCK_DGRAM, socket } from "@sockffi/socket";
 * using s = socket(AF_INET, SOCK_DGRAM);
 * s.bind(["127.0.0.1", 0]);
 * console.log(s.getsockname()); // ["127.0.0.1", 54321]
 * ```
 */
export function socket(): Socket<InetAddress, InetAddress | null>;
/**
 * A socket of `family` and `type` (default SOCK_STREAM), its addresses
 * typed by them: `socket(AF_INET, SOCK_DGRAM)` is a `Socket<InetAddress,
 * InetAddress>` whose `getsockname()` and `recvfrom()` give `[host, port]`
 * (`socket(2)`).
 */
export function socket<F extends number, T extends number = Kind<"SOCK_STREAM">>(
  family: F,
  type?: T,
  proto?: number,
  fileno?: number | null,
): Socket<AddressOf<F>, SenderOf<F, T>>;
/** Any other call, such as `socket(-1, -1, -1, fd)` adopting a descriptor: an untyped Socket. */
export function socket(
  family?: number,
  type?: number,
  proto?: number,
  fileno?: number | null,
): Socket;
export function socket(
  family?: number,
  type?: number,
  proto?: number,
  fileno?: number | null,
): Socket {
  return new Socket(family, type, proto, fileno);
}

/**
 * Creates a pair of connected sockets (`socketpair(2)` with SOCK_CLOEXEC);
 * the family defaults to AF_UNIX. Python: `socket.socketpair()`.
 *
 * @example
 * ```ts
 * import { socketpair } from "@sockffi/socket";
 * const [a, b] = socketpair();
 * a.send(new Uint8Array([1, 2, 3]));
 * console.log(b.recv(3)); // Uint8Array(3) [1, 2, 3]
 * a.close();
 * b.close();
 * ```
 */
export function socketpair(): [
  Socket<string | Uint8Array, string | Uint8Array | null>,
  Socket<string | Uint8Array, string | Uint8Array | null>,
];
/** A pair of `family` and `type` (default SOCK_STREAM), typed by them (`socketpair(2)`). */
export function socketpair<F extends number, T extends number = Kind<"SOCK_STREAM">>(
  family: F,
  type?: T,
  proto?: number,
): [Socket<AddressOf<F>, SenderOf<F, T>>, Socket<AddressOf<F>, SenderOf<F, T>>];
export function socketpair(
  family: number = AF_UNIX,
  type: number = SOCK_STREAM,
  proto = 0,
): [Socket, Socket] {
  family = cInt(family, "family");
  type = cInt(type, "type");
  proto = cInt(proto, "proto");
  const [a, b] = S.socketpair(family, type, proto);
  let sa: Socket;
  try {
    sa = adopt(family, type, proto, a);
  } catch (e) {
    S.close(a);
    S.close(b);
    throw e;
  }
  try {
    return [sa, adopt(family, type, proto, b)];
  } catch (e) {
    sa.close();
    S.close(b);
    throw e;
  }
}

/**
 * Duplicates the descriptor `fd` (`fcntl(F_DUPFD_CLOEXEC)`) and builds a
 * socket around the copy; `fd` itself stays open. Python: `socket.fromfd()`.
 */
export function fromfd<F extends number, T extends number>(
  fd: number,
  family: F,
  type: T,
  proto?: number,
): Socket<AddressOf<F>, SenderOf<F, T>>;
export function fromfd<F extends number, T extends number>(
  fd: number,
  family: F,
  type: T,
  proto = 0,
): Socket<AddressOf<F>, SenderOf<F, T>> {
  fd = fdArg(fd, "fd");
  const fam = cInt(family, "family");
  const typ = cInt(type, "type");
  proto = cInt(proto, "proto");
  S.load();
  const nfd = S.dup(fd);
  try {
    return adopt(fam, typ, proto, nfd);
  } catch (e) {
    S.close(nfd);
    throw e;
  }
}

/**
 * Windows-only in Python (`socket.fromshare()`): throws on other systems.
 *
 * @throws {SocketError} always here: "not supported on linux"
 */
export function fromshare(_data: Bytes): never {
  throw notSupported("fromshare");
}

/**
 * Closes a socket file descriptor (`close(2)`), as Python 3.7's
 * `socket.close(fd)`.
 */
export function close(fd: number): void {
  fd = cInt(fd, "fd");
  S.close(fd);
}

/**
 * Duplicates a socket descriptor (`fcntl(F_DUPFD_CLOEXEC)`): the copy is
 * non-inheritable, as Python's `socket.dup(fd)`.
 *
 * @param fd the descriptor to duplicate
 * @returns the new descriptor
 * @throws {SocketError} EBADF when `fd` is not open
 *
 * @example
 * ```ts
 * import { close, dup, socket } from "@sockffi/socket";
 * using s = socket();
 * const fd = dup(s.fileno());
 * console.log(fd !== s.fileno()); // true
 * close(fd);
 * ```
 */
export function dup(fd: number): number {
  fd = fdArg(fd, "fd");
  S.load();
  return S.dup(fd);
}

/** True while {@linkcode adopt} constructs a socket: the constructor then trusts its arguments. */
let adopting = false;

/** A socket around descriptor `fd` the library owns, with known family, type and proto. */
function adopt<A extends Address | null, R extends Address | null>(
  family: number,
  type: number,
  proto: number,
  fd: number,
): Socket<A, R> {
  adopting = true;
  try {
    return new Socket<A, R>(family, type, proto, fd);
  } finally {
    adopting = false;
  }
}

setSocketFactory((family, type, proto, fd) =>
  fd === null ? new Socket(family, type, proto) : adopt(family, type, proto, fd)
);

/** Python's `socket.SocketType`: the socket class. */
export const SocketType: typeof Socket = Socket;
