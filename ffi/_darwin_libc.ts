/**
 * The portable `Libc` over macOS's C library: the raw symbols of
 * ffi/darwin.ts where their C prototype is the Linux one, and an adapter
 * with the Linux function's signature and meaning where it is not, so that
 * `src/` calls one function on every OS:
 * - `__errno_location` is `__error`;
 * - `socket`, `socketpair`, `accept4`: the descriptors come back
 *   close-on-exec, as `SOCK_CLOEXEC` (which `src/` passes wherever it
 *   exists) makes them on Linux: FD_CLOEXEC is set by a second call, so not
 *   atomically against a fork in another thread (no macOS API does better).
 *   `accept4` is `accept` + FD_CLOEXEC + clearing the O_NONBLOCK that a BSD
 *   `accept` inherits from the listener (Linux's `accept4` never inherits
 *   it); the flags argument has nothing to carry here (no SOCK_* flags);
 * - `fcntl(fd, cmd, arg)`: the variadic call for this architecture (see
 *   ffi/darwin.ts);
 * - `strerror_r` returns the buffer, as the GNU form does;
 * - `sendfile(out_fd, in_fd, *offset, count)` with Linux's meaning (bytes
 *   sent, `*offset` advanced; a partial send before EAGAIN or EINTR counts)
 *   over `sendfile(fd, s, offset, *len, NULL, 0)`;
 * - `poll`'s `nfds_t` and `sethostname`'s length are 32-bit here;
 * - `gethostbyname_r`, `gethostbyname2_r`, `gethostbyaddr_r` (and their
 *   `_nb` twins) call `getipnodebyname`/`getipnodebyaddr`, whose result is
 *   the caller's (malloc'd; no shared static storage, so they are safe on a
 *   worker thread), copy it into the caller's `ret`/`buf` as glibc does and
 *   free it; ERANGE when `buf` is too small, 0 with `*result` NULL and
 *   `*h_errnop` set when nothing is found;
 * - `getservbyname_r`, `getservbyport_r`, `getprotobyname_r` call the
 *   plain functions (thread-specific storage on macOS) on the JavaScript
 *   thread and copy the entry out at once;
 * - `dup3`, `epoll_*`, `eventfd` do not exist: -1 with ENOSYS (src/ does
 *   not call them here: the reactor uses kqueue).
 *
 * The entry copying (`copyHostent`, `copyServent`, `copyProtoent`) and
 * the close-on-exec wrappers are exported so that tests on Linux can run
 * them over glibc's own functions of the same prototype.
 *
 * @module
 */

import { errnoValues, sys } from "../constants/mod.ts";
import type { DarwinCommon } from "./darwin.ts";
import type { Libc } from "./_libc_type.ts";
import { missing, missingAsync } from "./_missing.ts";
import type { Layout } from "./structs.ts";

type Buf = AllowSharedBufferSource | null;

/** A DataView over a `buffer` argument (its offset honoured). */
function viewOf(b: Buf): DataView {
  if (b === null) throw new TypeError("sockffi: NULL where a buffer is due");
  return ArrayBuffer.isView(b)
    ? new DataView(b.buffer, b.byteOffset, b.byteLength)
    : new DataView(b as ArrayBuffer);
}

/** The address of the first byte of a `buffer` argument. */
function addressOf(b: Buf): bigint {
  const p = b === null ? null : Deno.UnsafePointer.of(b as BufferSource);
  return p === null ? 0n : BigInt(Deno.UnsafePointer.value(p));
}

/** The bytes of a NUL-terminated C string at `p` (without the NUL). */
function cBytesAt(p: Deno.PointerObject): Uint8Array {
  const v = new Deno.UnsafePointerView(p);
  let n = 0;
  while (v.getUint8(n) !== 0) n++;
  const out = new Uint8Array(n);
  if (n > 0) v.copyInto(out);
  return out;
}

/** The C strings of a NULL-terminated `char **` list. */
function cListAt(p: Deno.PointerValue, ptrSize: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  if (p === null) return out;
  const v = new Deno.UnsafePointerView(p);
  for (let i = 0;; i++) {
    const e = v.getPointer(i * ptrSize);
    if (e === null) return out;
    out.push(cBytesAt(e));
  }
}

/** A field of a C struct at `p`: a pointer. */
function ptrField(p: Deno.PointerObject, offset: number): Deno.PointerValue {
  return new Deno.UnsafePointerView(p).getPointer(offset);
}

/**
 * Lays out pointer arrays and bytes inside the caller's `buf` as glibc's
 * `*_r` functions do; `fits` turns false when `buf` is too small.
 */
class Packer {
  readonly #dv: DataView;
  readonly #bytes: Uint8Array;
  readonly #base: bigint;
  readonly #ptr: number;
  #pos = 0;
  fits = true;

  constructor(buf: Buf, ptrSize: number) {
    this.#dv = viewOf(buf);
    this.#bytes = new Uint8Array(this.#dv.buffer, this.#dv.byteOffset, this.#dv.byteLength);
    this.#base = addressOf(buf);
    this.#ptr = ptrSize;
  }

  #take(n: number, align: number): number {
    const at = Math.ceil(this.#pos / align) * align;
    if (at + n > this.#bytes.length) {
      this.fits = false;
      return -1;
    }
    this.#pos = at + n;
    return at;
  }

  /** Copies `b` (plus a NUL when `nul`) into the buffer; its address, or 0n. */
  bytes(b: Uint8Array, nul: boolean): bigint {
    const at = this.#take(b.length + (nul ? 1 : 0), 1);
    if (at < 0) return 0n;
    this.#bytes.set(b, at);
    if (nul) this.#bytes[at + b.length] = 0;
    return this.#base + BigInt(at);
  }

  /** A NULL-terminated pointer array to copies of `items`; its address, or 0n. */
  list(items: Uint8Array[], nul: boolean): bigint {
    const at = this.#take((items.length + 1) * this.#ptr, this.#ptr);
    if (at < 0) return 0n;
    items.forEach((item, i) => this.#putPtr(at + i * this.#ptr, this.bytes(item, nul)));
    this.#putPtr(at + items.length * this.#ptr, 0n);
    return this.#base + BigInt(at);
  }

  /** A copy of the C string at `p` (NULL: no copy); its address, or 0n. */
  cString(p: Deno.PointerValue): bigint {
    return p === null ? 0n : this.bytes(cBytesAt(p), true);
  }

  #putPtr(at: number, v: bigint): void {
    if (at >= 0) putPtr(this.#dv, at, v, this.#ptr);
  }
}

function putPtr(dv: DataView, offset: number, v: bigint, ptrSize: number): void {
  if (ptrSize === 8) dv.setBigUint64(offset, v, true);
  else dv.setUint32(offset, Number(v), true);
}

const ERANGE = errnoValues.ERANGE;

/**
 * Copies the `struct hostent` at `hp` into `ret` and `buf` (pointers into
 * `buf`), as `gethostbyname_r` fills them. Returns 0, or ERANGE when `buf`
 * is too small.
 */
export function copyHostent(hp: Deno.PointerObject, ret: Buf, buf: Buf, L: Layout): number {
  const H = L.hostent;
  const P = L.pointerSize;
  const src = new Deno.UnsafePointerView(hp);
  const length = src.getInt32(H.h_length);
  const addrtype = src.getInt32(H.h_addrtype);
  const namePtr = ptrField(hp, H.h_name);
  const name = namePtr === null ? new Uint8Array(0) : cBytesAt(namePtr);
  const aliases = cListAt(ptrField(hp, H.h_aliases), P);
  const addrs: Uint8Array[] = [];
  const addrList = ptrField(hp, H.h_addr_list);
  if (addrList !== null && length > 0) {
    const v = new Deno.UnsafePointerView(addrList);
    for (let i = 0;; i++) {
      const a = v.getPointer(i * P);
      if (a === null) break;
      const b = new Uint8Array(length);
      Deno.UnsafePointerView.copyInto(a, b);
      addrs.push(b);
    }
  }
  const pk = new Packer(buf, P);
  const addrListAt = pk.list(addrs, false);
  const aliasesAt = pk.list(aliases, true);
  const nameAt = pk.bytes(name, true);
  if (!pk.fits) return ERANGE;
  const dv = viewOf(ret);
  putPtr(dv, H.h_name, nameAt, P);
  putPtr(dv, H.h_aliases, aliasesAt, P);
  dv.setInt32(H.h_addrtype, addrtype, true);
  dv.setInt32(H.h_length, length, true);
  putPtr(dv, H.h_addr_list, addrListAt, P);
  return 0;
}

/** Copies the `struct servent` at `sp` into `ret` and `buf`; 0, or ERANGE. */
export function copyServent(sp: Deno.PointerObject, ret: Buf, buf: Buf, L: Layout): number {
  const S = L.servent;
  const P = L.pointerSize;
  const port = new Deno.UnsafePointerView(sp).getInt32(S.s_port);
  const pk = new Packer(buf, P);
  const aliasesAt = pk.list(cListAt(ptrField(sp, S.s_aliases), P), true);
  const nameAt = pk.cString(ptrField(sp, S.s_name));
  const protoAt = pk.cString(ptrField(sp, S.s_proto));
  if (!pk.fits) return ERANGE;
  const dv = viewOf(ret);
  putPtr(dv, S.s_name, nameAt, P);
  putPtr(dv, S.s_aliases, aliasesAt, P);
  dv.setInt32(S.s_port, port, true);
  putPtr(dv, S.s_proto, protoAt, P);
  return 0;
}

/** Copies the `struct protoent` at `pp` into `ret` and `buf`; 0, or ERANGE. */
export function copyProtoent(pp: Deno.PointerObject, ret: Buf, buf: Buf, L: Layout): number {
  const E = L.protoent;
  const P = L.pointerSize;
  const proto = new Deno.UnsafePointerView(pp).getInt32(E.p_proto);
  const pk = new Packer(buf, P);
  const aliasesAt = pk.list(cListAt(ptrField(pp, E.p_aliases), P), true);
  const nameAt = pk.cString(ptrField(pp, E.p_name));
  if (!pk.fits) return ERANGE;
  const dv = viewOf(ret);
  putPtr(dv, E.p_name, nameAt, P);
  putPtr(dv, E.p_aliases, aliasesAt, P);
  dv.setInt32(E.p_proto, proto, true);
  return 0;
}

/**
 * A `*_r` call's ending: when `p` is an entry, copy it (`copy`) and point
 * `*result` at `ret`; when it is NULL, `*result` stays NULL. Returns 0 or
 * ERANGE, as the `*_r` function would.
 */
function finishEntry(
  p: Deno.PointerValue,
  ret: Buf,
  result: Buf,
  L: Layout,
  copy: (p: Deno.PointerObject) => number,
): number {
  const out = viewOf(result);
  putPtr(out, 0, 0n, L.pointerSize);
  if (p === null) return 0;
  const r = copy(p);
  if (r === 0) putPtr(out, 0, addressOf(ret), L.pointerSize);
  return r;
}

/** `fcntl(fd, cmd, arg)` as one three-int function, whatever the ABI underneath. */
export type Fcntl3 = (fd: number, cmd: number, arg: number) => number;

/**
 * Makes `fd` close-on-exec and, when `clearNonblock`, blocking (the state
 * Linux's `SOCK_CLOEXEC` calls give). On failure closes `fd` and returns -1
 * with the failing call's errno (through `errnoCell`); otherwise `fd`.
 */
export function cloexecAfter(
  fd: number,
  clearNonblock: boolean,
  fcntl: Fcntl3,
  close: (fd: number) => number,
  errnoCell: Int32Array,
): number {
  if (fd < 0) return fd;
  let ok = fcntl(fd, sys.F_SETFD, sys.FD_CLOEXEC) >= 0;
  if (ok && clearNonblock) {
    const fl = fcntl(fd, sys.F_GETFL, 0);
    ok = fl >= 0 &&
      ((fl & sys.O_NONBLOCK) === 0 || fcntl(fd, sys.F_SETFL, fl & ~sys.O_NONBLOCK) >= 0);
  }
  if (ok) return fd;
  const e = errnoCell[0];
  close(fd);
  errnoCell[0] = e;
  return -1;
}

/**
 * Builds the portable `Libc` from macOS's raw symbols.
 *
 * @param raw the symbols both macOS tables share
 * @param fcntl the architecture's `fcntl`, as a three-int function
 * @param errnoCell a view of the JavaScript thread's errno (`*__error()`)
 * @param L this system's struct layouts
 */
export function portableDarwin(
  raw: DarwinCommon,
  fcntl: Fcntl3,
  errnoCell: Int32Array,
  L: Layout,
): Libc {
  const enosys = missing(errnoCell, errnoValues.ENOSYS);
  const enosysAsync = missingAsync();
  const close = raw.close;
  const lenCell = new BigInt64Array(1);
  const AF_INET = sys.AF_INET;

  // One error cell per call: the _nb calls may run at once on worker threads.
  function hostentFrom(
    p: Deno.PointerValue,
    err: Int32Array,
    ret: Buf,
    buf: Buf,
    result: Buf,
    herr: Buf,
  ): number {
    viewOf(herr).setInt32(0, p === null ? err[0] : 0, true);
    try {
      return finishEntry(p, ret, result, L, (hp) => copyHostent(hp, ret, buf, L));
    } finally {
      if (p !== null) raw.freehostent(p);
    }
  }

  return {
    ...raw,
    __errno_location: raw.__error,
    strerror_r: (errnum, buf, buflen) => {
      raw.strerror_r(errnum, buf, buflen);
      return buf === null ? null : Deno.UnsafePointer.of(buf as BufferSource);
    },
    socket: (domain, type, protocol) =>
      cloexecAfter(raw.socket(domain, type, protocol), false, fcntl, close, errnoCell),
    socketpair: (domain, type, protocol, sv) => {
      if (raw.socketpair(domain, type, protocol, sv) < 0) return -1;
      const dv = viewOf(sv);
      const a = dv.getInt32(0, true);
      const b = dv.getInt32(4, true);
      // cloexecAfter closes the descriptor it fails on; the other one goes too, errno kept
      for (const [fd, other] of [[a, b], [b, a]]) {
        if (cloexecAfter(fd, false, fcntl, close, errnoCell) < 0) {
          const e = errnoCell[0];
          close(other);
          errnoCell[0] = e;
          return -1;
        }
      }
      return 0;
    },
    accept4: (fd, addr, addrlen, _flags) =>
      cloexecAfter(raw.accept(fd, addr, addrlen), true, fcntl, close, errnoCell),
    fcntl,
    dup3: enosys,
    sendfile: (outFd, inFd, offset, count) => {
      const dv = viewOf(offset);
      const off = dv.getBigInt64(0, true);
      const want = BigInt(count);
      if (want === 0n) return 0; // 0 means "to the end" to macOS, "nothing" to Linux
      lenCell[0] = want;
      const r = raw.sendfile(inFd, outFd, off, lenCell, null, 0);
      const sent = lenCell[0];
      if (sent > 0n) {
        dv.setBigInt64(0, off + sent, true);
        return Number(sent);
      }
      return r;
    },
    poll: (fds, nfds, timeout) => raw.poll(fds, Number(nfds), timeout),
    poll_nb: (fds, nfds, timeout) => raw.poll_nb(fds, Number(nfds), timeout),
    epoll_create1: enosys,
    epoll_ctl: enosys,
    epoll_wait: enosys,
    epoll_wait_nb: enosysAsync,
    eventfd: enosys,
    gethostbyname_r: (name, ret, buf, _len, result, herr) => {
      const err = new Int32Array(1);
      return hostentFrom(raw.getipnodebyname(name, AF_INET, 0, err), err, ret, buf, result, herr);
    },
    gethostbyname_r_nb: async (name, ret, buf, _len, result, herr) => {
      const err = new Int32Array(1);
      const p = await raw.getipnodebyname_nb(name, AF_INET, 0, err);
      return hostentFrom(p, err, ret, buf, result, herr);
    },
    gethostbyname2_r: (name, af, ret, buf, _len, result, herr) => {
      const err = new Int32Array(1);
      return hostentFrom(raw.getipnodebyname(name, af, 0, err), err, ret, buf, result, herr);
    },
    gethostbyaddr_r: (addr, len, af, ret, buf, _buflen, result, herr) => {
      const err = new Int32Array(1);
      const p = raw.getipnodebyaddr(addr, BigInt(len), af, err);
      return hostentFrom(p, err, ret, buf, result, herr);
    },
    gethostbyaddr_r_nb: async (addr, len, af, ret, buf, _buflen, result, herr) => {
      const err = new Int32Array(1);
      const p = await raw.getipnodebyaddr_nb(addr, BigInt(len), af, err);
      return hostentFrom(p, err, ret, buf, result, herr);
    },
    getservbyname_r: (name, proto, ret, buf, _len, result) =>
      finishEntry(
        raw.getservbyname(name, proto),
        ret,
        result,
        L,
        (p) => copyServent(p, ret, buf, L),
      ),
    getservbyport_r: (port, proto, ret, buf, _len, result) =>
      finishEntry(
        raw.getservbyport(port, proto),
        ret,
        result,
        L,
        (p) => copyServent(p, ret, buf, L),
      ),
    getprotobyname_r: (name, ret, buf, _len, result) =>
      finishEntry(raw.getprotobyname(name), ret, result, L, (p) => copyProtoent(p, ret, buf, L)),
    sethostname: (name, len) => raw.sethostname(name, Number(len)),
  };
}
