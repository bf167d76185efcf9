/**
 * `recvmsg`, `recvmsg_into` and `sendmsg`: scatter/gather I/O with
 * ancillary data over `recvmsg(2)`/`sendmsg(2)`, with CPython's semantics
 * (`sock_recvmsg_guts`, `sock_sendmsg` in Modules/socketmodule.c):
 *
 * - ancillary data are `[cmsg_level, cmsg_type, cmsg_data]` items; sent
 *   items are laid out CMSG_SPACE apart, received ones are copied out;
 * - an item that extends past the control buffer gives a warning on the
 *   console (CPython's RuntimeWarning "received malformed or
 *   improperly-truncated ancillary data") and its part inside the buffer;
 * - descriptors received with SCM_RIGHTS are closed when anything fails
 *   after the syscall returned;
 * - more buffers than IOV_MAX fail with EMSGSIZE, as the kernel says;
 * - timeouts and EINTR go through `call()` in `src/_syscall.ts`.
 *
 * One difference from CPython, on purpose: descriptors arriving with
 * SCM_RIGHTS are made non-inheritable (MSG_CMSG_CLOEXEC on AF_UNIX
 * sockets), as every descriptor this library creates; CPython leaves them
 * inheritable. The returned msg_flags carry MSG_CMSG_CLOEXEC only when the
 * caller passed it.
 *
 * The msghdr, the iovec array, the address and control buffers are
 * module scratch whose addresses are taken once; the caller's buffers go
 * into the iovecs by address (their base address is cached per
 * ArrayBuffer, as `Deno.UnsafePointer.of()` costs about half a microsecond)
 * and stay referenced until the call returns.
 *
 * @module
 */

import { layout, type Libc } from "../ffi/mod.ts";
import { AF_UNIX, errnoValues, sys } from "../constants/mod.ts";
import * as S from "./_syscall.ts";
import { SocketError } from "./errors.ts";
import { decode, encode } from "./_sockaddr.ts";
import type { Address, AddressIn, Bytes } from "./_types.ts";
import {
  bufsizeError,
  cInt,
  copyOf,
  describe,
  flagsArg,
  isBufsize,
  iterableArg,
  type Region,
  regionOf,
  requireInt,
} from "./_args.ts";
import { fdOf, timeoutMsOf } from "./_core.ts";
import type { Socket } from "./socket.ts";
import {
  type CmsgOut,
  controlSpace,
  decodeControl,
  encodeControl,
  getWord,
  LITTLE_ENDIAN,
  putWord,
  rightsIn,
  TRUNCATED_WARNING,
} from "./ancillary.ts";

/** An ancillary data item as received: `[cmsg_level, cmsg_type, cmsg_data]`. */
export type AncData = [cmsg_level: number, cmsg_type: number, cmsg_data: Uint8Array<ArrayBuffer>];
/** An ancillary data item as sent: the data may be any bytes-like object. */
export type AncDataIn = readonly [cmsg_level: number, cmsg_type: number, cmsg_data: Bytes];
/**
 * recvmsg's result: `[data, ancdata, msg_flags, address]`; `A` is the
 * sender's address type (for a socket typed by family, its address).
 */
export type RecvmsgResult<A = Address | null> = [
  data: Uint8Array<ArrayBuffer>,
  ancdata: AncData[],
  msg_flags: number,
  address: A,
];
/** recvmsg_into's result: `[nbytes, ancdata, msg_flags, address]`; `A` as for {@linkcode RecvmsgResult}. */
export type RecvmsgIntoResult<A = Address | null> = [
  nbytes: number,
  ancdata: AncData[],
  msg_flags: number,
  address: A,
];

const M = layout.msghdr;
const IOV = layout.iovec;
const PTR = layout.pointerSize;
const IOV_MAX = layout.IOV_MAX;
/** CPython's SOCKLEN_T_LIMIT: the largest control buffer (INT_MAX). */
const SOCKLEN_T_LIMIT = 0x7fffffff;
const LE = LITTLE_ENDIAN;
const CLOEXEC: number | undefined = sys.MSG_CMSG_CLOEXEC;

// ---- addresses of JS memory ----

const baseCache = new WeakMap<ArrayBufferLike, number>();

/**
 * The address of the first byte of `ab` as a number (user-space addresses
 * fit 2^53), or 0 for an empty buffer. An ArrayBuffer's memory does not
 * move while it is attached, so the address is cached per buffer.
 */
function baseOf(ab: ArrayBufferLike): number {
  const hit = baseCache.get(ab);
  if (hit !== undefined) return hit;
  const p = Deno.UnsafePointer.of(ab as ArrayBuffer);
  if (p === null) return 0;
  const v = Number(Deno.UnsafePointer.value(p));
  baseCache.set(ab, v);
  return v;
}

/** The region of an item already checked by {@linkcode bytesItem}. */
function regionOfBytes(b: Bytes): Region {
  return regionOf(b)!;
}

function addressOf(r: Region): number {
  // An empty region needs no address (and an empty buffer has none).
  return r.len === 0 ? 0 : baseOf(r.buf) + r.off;
}

// ---- module scratch ----

const hdrAB = new ArrayBuffer(M.size);
const hdr = new Uint8Array(hdrAB);
const hdrDV = new DataView(hdrAB);

const nameAB = new ArrayBuffer(layout.sockaddr_storage.size);
const name = new Uint8Array(nameAB);

let iovAB = new ArrayBuffer(IOV.size * 8);
let iovDV = new DataView(iovAB);

let ctlAB = new ArrayBuffer(256);
let ctl = new Uint8Array(ctlAB);

/** recvmsg() receives up to this many bytes in a shared buffer and copies them out. */
const SCRATCH = 65536;
const dataAB = new ArrayBuffer(SCRATCH);
const data = new Uint8Array(dataAB);

let L: Libc | undefined;
function libc(): Libc {
  return L ??= S.lib();
}

function iovCapacity(n: number): void {
  if (n * IOV.size <= iovAB.byteLength) return;
  iovAB = new ArrayBuffer(Math.max(n, 2 * iovAB.byteLength / IOV.size) * IOV.size);
  iovDV = new DataView(iovAB);
}

/** A control buffer of at least `n` bytes: the shared one while it is small. */
function controlBuffer(n: number): Uint8Array {
  if (n <= ctl.length) return ctl;
  if (n <= SCRATCH) {
    ctlAB = new ArrayBuffer(Math.max(n, 2 * ctl.length));
    ctl = new Uint8Array(ctlAB);
    return ctl;
  }
  return new Uint8Array(new ArrayBuffer(n));
}

function putIov(i: number, addr: number, len: number): void {
  const o = i * IOV.size;
  putWord(iovDV, o + IOV.iov_base, PTR, addr);
  putWord(iovDV, o + IOV.iov_len, PTR, len);
}

/** Fills the msghdr; lengths the kernel rewrites are reset before each try. */
function putHeader(
  nameAddr: number,
  iovCount: number,
  controlAddr: number,
): void {
  hdr.fill(0);
  putWord(hdrDV, M.msg_name, PTR, nameAddr);
  putWord(hdrDV, M.msg_iov, PTR, iovCount === 0 ? 0 : baseOf(iovAB));
  putWord(hdrDV, M.msg_iovlen, M.msg_iovlenSize, iovCount);
  putWord(hdrDV, M.msg_control, PTR, controlAddr);
}

function resetLengths(namelen: number, controllen: number): void {
  hdrDV.setUint32(M.msg_namelen, namelen, LE);
  putWord(hdrDV, M.msg_controllen, M.msg_controllenSize, controllen);
  hdrDV.setInt32(M.msg_flags, 0, LE);
}

// ---- argument checks ----

const intArg = requireInt;

function ancbufsizeArg(v: unknown): number {
  const n = intArg(v, "ancbufsize");
  if (n < 0 || n > SOCKLEN_T_LIMIT) {
    throw new RangeError(`invalid ancillary data buffer length: ${n}`);
  }
  return n;
}

function bytesItem(v: unknown, fn: string, what: string): Bytes {
  if (typeof v === "string") {
    throw new TypeError(
      `${fn}() ${what} must be bytes (a Uint8Array or other BufferSource), not a string: ` +
        `encode it first, e.g. new TextEncoder().encode(s)`,
    );
  }
  if (regionOf(v) === null) {
    throw new TypeError(`${fn}() ${what} must be bytes (a BufferSource), not ${describe(v)}`);
  }
  return v as Bytes;
}

function iterate<T>(v: unknown, fn: string, arg: string): Iterable<T> {
  // a string is iterable, but never a list of buffers or items
  if (typeof v === "string") {
    throw new TypeError(`${fn}() argument ${arg} must be an iterable, not string`);
  }
  return iterableArg<T>(v as Iterable<T>, fn, arg);
}

/** The buffers of an iterable, checked (their memory is looked at later, see writeIovs). */
function bufferList(buffers: unknown, fn: string): Bytes[] {
  const out: Bytes[] = [];
  for (const b of iterate<unknown>(buffers, fn, "1")) out.push(bytesItem(b, fn, "buffers"));
  return out;
}

/**
 * Writes one iovec per buffer. Called after the last user code of the call
 * has run (iterators, address encoding), so that the offsets and lengths
 * read here are those of the memory during the syscall.
 */
function writeIovs(bufs: readonly Bytes[]): void {
  iovCapacity(bufs.length);
  for (let i = 0; i < bufs.length; i++) {
    const r = regionOfBytes(bufs[i]);
    putIov(i, addressOf(r), r.len);
  }
}

function ancItems(ancdata: unknown): CmsgOut[] {
  const out: CmsgOut[] = [];
  for (const item of iterate<unknown>(ancdata, "sendmsg", "2")) {
    if (!Array.isArray(item) || item.length !== 3) {
      throw new TypeError(
        `sendmsg() ancillary data items must be [cmsg_level, cmsg_type, cmsg_data] arrays, not ${
          Array.isArray(item) ? `an array of ${item.length}` : describe(item)
        }`,
      );
    }
    const level = cInt(item[0], "cmsg_level");
    const type = cInt(item[1], "cmsg_type");
    // A copy: later user code (the next items) cannot change what is sent.
    out.push({ level, type, data: copyOf(bytesItem(item[2], "sendmsg", "cmsg_data")) });
  }
  return out;
}

function tooManyBuffers(syscall: string): never {
  // What the kernel answers for more than UIO_MAXIOV segments.
  throw S.errorFor(errnoValues.EMSGSIZE, syscall);
}

// ---- receiving ----

/**
 * The syscall and its aftermath shared by recvmsg and recvmsg_into: the
 * iovecs are already written. Returns the byte count and the result's
 * ancillary data, flags and address; closes received descriptors when
 * building those fails.
 */
function receive(
  s: Socket,
  fd: number,
  iovCount: number,
  ancbufsize: number,
  flags: number,
): [n: number, anc: AncData[], msgFlags: number, addr: Address | null] {
  const control = ancbufsize > 0 ? controlBuffer(ancbufsize) : null;
  const tmo = timeoutMsOf(s);
  const L = libc();
  // Only AF_UNIX carries descriptors, and other protocols (AF_PACKET, CAN)
  // reject flags they do not know with EINVAL: add MSG_CMSG_CLOEXEC there only.
  const cloexec = CLOEXEC !== undefined && s.family === AF_UNIX ? CLOEXEC : 0;
  const callFlags = S.dataFlags(tmo, flags | cloexec);
  name.fill(0);
  putHeader(baseOf(nameAB), iovCount, control === null ? 0 : baseOf(control.buffer));
  const n = S.call(fd, tmo, S.READ, "recvmsg", () => {
    resetLengths(name.length, ancbufsize);
    return L.recvmsg(fd, hdr, callFlags);
  });
  const controllen = control === null
    ? 0
    : Math.min(getWord(hdrDV, M.msg_controllen, M.msg_controllenSize), ancbufsize);
  try {
    let msgFlags = hdrDV.getInt32(M.msg_flags, LE);
    if (cloexec !== 0 && (flags & cloexec) === 0) msgFlags &= ~cloexec;
    let anc: AncData[] = [];
    if (control !== null && controllen > 0) {
      const parsed = decodeControl(control, controllen);
      if (parsed.malformed) console.warn(TRUNCATED_WARNING);
      anc = parsed.items;
      if (cloexec === 0 && s.family === AF_UNIX) {
        for (const rfd of rightsIn(control, controllen)) S.setInheritable(rfd, false);
      }
    }
    const namelen = Math.min(hdrDV.getUint32(M.msg_namelen, LE), name.length);
    const addr = decode(name, namelen, s.proto);
    return [n, anc, msgFlags, addr];
  } catch (e) {
    if (control !== null) closeAll(rightsIn(control, controllen));
    throw e;
  }
}

function closeAll(fds: number[]): void {
  for (const rfd of fds) {
    try {
      S.close(rfd);
    } catch {
      // already failing: keep the first error
    }
  }
}

/**
 * Implements `Socket.recvmsg(bufsize, ancbufsize, flags)`: receives up to
 * `bufsize` bytes and up to `ancbufsize` bytes of ancillary data
 * (`recvmsg(2)`).
 *
 * @param s the socket
 * @param bufsize the most bytes of normal data to receive
 * @param ancbufsize the size of the ancillary data buffer (0: none)
 * @param flags MSG_* flags, as for recv()
 * @returns `[data, ancdata, msg_flags, address]`
 * @throws {RangeError} for a negative bufsize or ancbufsize
 * @throws {TypeError} for a non-integer argument
 * @throws {timeout} in timeout mode when nothing arrives in time
 * @throws {SocketError} from recvmsg(2)
 */
export function recvmsg(
  s: Socket,
  bufsize: number,
  ancbufsize: number,
  flags: number,
): RecvmsgResult {
  if (!isBufsize(bufsize)) {
    if (typeof bufsize === "number" && bufsize < 0) {
      throw new RangeError(`negative buffer size in recvmsg(): ${bufsize}`);
    }
    bufsizeError(bufsize, "recvmsg");
  }
  ancbufsize = ancbufsizeArg(ancbufsize);
  flags = flagsArg(flags);
  const fd = fdOf(s, "recvmsg");
  const own = bufsize <= SCRATCH ? data : new Uint8Array(new ArrayBuffer(bufsize));
  iovCapacity(1);
  putIov(0, bufsize === 0 ? 0 : baseOf(own.buffer), bufsize);
  const [n, anc, msgFlags, addr] = receive(s, fd, 1, ancbufsize, flags);
  // With MSG_TRUNC a datagram socket reports the datagram's full length.
  const got = Math.min(n, bufsize);
  let out: Uint8Array<ArrayBuffer>;
  if (own === data) out = data.slice(0, got);
  else out = got === bufsize ? own : own.slice(0, got);
  return [out, anc, msgFlags, addr];
}

/**
 * Implements `Socket.recvmsg_into(buffers, ancbufsize, flags)`: receives
 * normal data scattered into `buffers` in order (each view's offset and
 * length honoured) and ancillary data (`recvmsg(2)`).
 *
 * @param s the socket
 * @param buffers an iterable of writable bytes-like objects
 * @param ancbufsize the size of the ancillary data buffer (0: none)
 * @param flags MSG_* flags, as for recv()
 * @returns `[nbytes, ancdata, msg_flags, address]`
 * @throws {TypeError} when buffers is not an iterable of buffers
 * @throws {RangeError} for a negative ancbufsize
 * @throws {SocketError} EMSGSIZE for more than IOV_MAX buffers; errors of recvmsg(2)
 */
export function recvmsg_into(
  s: Socket,
  buffers: Iterable<Bytes>,
  ancbufsize: number,
  flags: number,
): RecvmsgIntoResult {
  const bufs = bufferList(buffers, "recvmsg_into");
  ancbufsize = ancbufsizeArg(ancbufsize);
  flags = flagsArg(flags);
  const fd = fdOf(s, "recvmsg");
  if (bufs.length > IOV_MAX) tooManyBuffers("recvmsg");
  writeIovs(bufs);
  const r = receive(s, fd, bufs.length, ancbufsize, flags);
  bufs.length = 0; // the buffers stayed referenced until the call returned
  return r;
}

// ---- sending ----

/**
 * Implements `Socket.sendmsg(buffers, ancdata, flags, address)`: sends the
 * concatenation of `buffers` with the ancillary data items `ancdata`
 * (`sendmsg(2)`), to `address` when it is given and not null.
 *
 * @param s the socket
 * @param buffers an iterable of bytes-like objects, gathered in order
 * @param ancdata an iterable of `[cmsg_level, cmsg_type, cmsg_data]` items
 * @param flags MSG_* flags, as for send()
 * @param address the destination, or null/undefined for none
 * @returns the number of bytes of normal data sent
 * @throws {TypeError} for a non-iterable, a non-buffer, or an item of the wrong shape
 * @throws {RangeError} for a level or type that does not fit a C int
 * @throws {SocketError} EMSGSIZE for more than IOV_MAX buffers; errors of sendmsg(2)
 */
export function sendmsg(
  s: Socket,
  buffers: Iterable<Bytes>,
  ancdata: Iterable<AncDataIn>,
  flags: number,
  address: AddressIn | null | undefined,
): number {
  const bufs = bufferList(buffers, "sendmsg");
  const items = ancdata === undefined ? [] : ancItems(ancdata);
  flags = flagsArg(flags);
  let namelen = 0;
  if (address !== null && address !== undefined) {
    namelen = encode(s.family, s.type, s.proto, address, name);
  }
  const fd = fdOf(s, "sendmsg");
  if (bufs.length > IOV_MAX) tooManyBuffers("sendmsg");
  const space = controlSpace(items);
  if (space > SOCKLEN_T_LIMIT) {
    throw new SocketError(errnoValues.EMSGSIZE, "too much ancillary data", "sendmsg");
  }
  const control = space > 0 ? controlBuffer(space) : null;
  if (control !== null) {
    control.fill(0, 0, space);
    encodeControl(items, control);
  }
  writeIovs(bufs);
  putHeader(
    namelen > 0 ? baseOf(nameAB) : 0,
    bufs.length,
    control === null ? 0 : baseOf(control.buffer),
  );
  const L = libc();
  const tmo = timeoutMsOf(s);
  const callFlags = S.dataFlags(tmo, flags);
  const n = S.call(fd, tmo, S.WRITE, "sendmsg", () => {
    resetLengths(namelen, space);
    return L.sendmsg(fd, hdr, callFlags);
  });
  bufs.length = 0; // the buffers stayed referenced until the call returned
  return n;
}
