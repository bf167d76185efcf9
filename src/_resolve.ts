/**
 * The resolver primitives every name-service function builds on, each on
 * the JavaScript thread (sync) and on a worker thread (`nonblocking: true`,
 * for the module's `async` namespace):
 *
 * - `getaddrinfo(3)`: builds the hints, copies each result out of libc's
 *   list and always frees it; failures are {@linkcode gaierror} (EAI_SYSTEM
 *   falls back to errno on the JavaScript thread, as CPython does; after a
 *   nonblocking call errno is out of reach and the gaierror stays);
 * - `gethostbyname_r(3)`, `gethostbyaddr_r(3)`: the hostent is built in
 *   buffers this module owns, grown on ERANGE, and copied out before they
 *   are dropped;
 * - `getnameinfo(3)`;
 * - `getservbyname_r`, `getservbyport_r`, `getprotobyname_r`,
 *   `gethostname`, `sethostname` (sync only: local files and a syscall).
 *
 * Resolver algorithms are written once as generators that yield
 * {@linkcode ResolverOp}s; {@linkcode runSync} and {@linkcode runAsync}
 * perform them. Buffers handed to a nonblocking call are kept referenced
 * (in `inflight`) until the call has returned.
 *
 * @module
 */

import { layout } from "../ffi/mod.ts";
import { errnoValues, socketValues as K } from "../constants/mod.ts";
import { gaierror, herror, SocketError } from "./errors.ts";
import { big, currentErrno, errorFor, lastError, lib, resetErrno } from "./_syscall.ts";

/** One getaddrinfo result, copied out of libc's list. */
export interface RawAddrInfo {
  /** ai_family */
  family: number;
  /** ai_socktype */
  type: number;
  /** ai_protocol */
  proto: number;
  /** ai_canonname, or "" */
  canonname: string;
  /** the ai_addr bytes (ai_addrlen of them) */
  addr: Uint8Array;
}

/** A `struct hostent`, copied out. */
export interface HostEnt {
  /** h_name */
  name: string;
  /** h_aliases */
  aliases: string[];
  /** h_addrtype */
  addrtype: number;
  /** h_addr_list: the raw addresses, h_length bytes each */
  addrs: Uint8Array[];
}

const AI = layout.addrinfo;
const HE = layout.hostent;
const SE = layout.servent;
const PE = layout.protoent;
const PTR = layout.pointerSize;
const ERANGE = errnoValues.ERANGE;
const utf8 = new TextDecoder("utf-8", { fatal: true });
const utf8Lossy = new TextDecoder("utf-8");
/** Whether this machine stores integers little-endian. */
export const LITTLE_ENDIAN: boolean = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Largest buffer the `_r` functions are given before ERANGE is reported. */
const MAX_BUF = 1 << 24;

/**
 * First buffer sizes of the `_r` calls (each doubles on ERANGE). For
 * tests, which shrink them to exercise the retry; not public API.
 */
export const bufferSizes: { hostent: number; entry: number } = { hostent: 16384, entry: 1024 };

/** EAI_* value → name, from the constants table. */
const EAI_NAMES: Record<number, string> = {};
for (const [k, v] of Object.entries(K)) if (k.startsWith("EAI_")) EAI_NAMES[v] ??= k;

/** A NUL-terminated copy of `b`, cut at its first NUL as C reads it. */
export function cBytes(b: Uint8Array): Uint8Array {
  const i = b.indexOf(0);
  const n = i < 0 ? b.length : i;
  const out = new Uint8Array(n + 1);
  out.set(b.subarray(0, n));
  return out;
}

/** Builds a `struct addrinfo` hints buffer. */
export function hints(family: number, type: number, proto: number, flags: number): Uint8Array {
  const h = new Uint8Array(AI.size);
  const dv = new DataView(h.buffer);
  dv.setInt32(AI.ai_flags, flags, LITTLE_ENDIAN);
  dv.setInt32(AI.ai_family, family, LITTLE_ENDIAN);
  dv.setInt32(AI.ai_socktype, type, LITTLE_ENDIAN);
  dv.setInt32(AI.ai_protocol, proto, LITTLE_ENDIAN);
  return h;
}

/** The text of `gai_strerror(code)`. */
export function gaiStrerror(code: number): string {
  const p = lib().gai_strerror(code);
  return p === null ? `Unknown error ${code}` : Deno.UnsafePointerView.getCString(p);
}

/** The gaierror (or, for EAI_SYSTEM with an errno, the errno SocketError) for a failure. */
export function gaiError(code: number, syscall: string, sysErrno?: number): Error {
  if (code === K.EAI_SYSTEM && sysErrno !== undefined && sysErrno !== 0) {
    return errorFor(sysErrno, syscall);
  }
  return new gaierror(code, gaiStrerror(code), syscall, EAI_NAMES[code] ?? "");
}

/** The herror for an h_errno value, with `hstrerror()`'s text. */
export function hError(hErrno: number, syscall: string): herror {
  const p = lib().hstrerror(hErrno);
  const text = p === null ? `Unknown resolver error` : Deno.UnsafePointerView.getCString(p);
  return new herror(hErrno, text, syscall);
}

/**
 * Python raises a plain `OSError(message)` (errno `None`) in a few places;
 * here it is a SocketError with errno `null` and that message.
 */
export function plainError(message: string, syscall: string): SocketError {
  return new SocketError(null, message, syscall);
}

/** Walks a getaddrinfo result list, copying every entry, then frees it. */
export function collect(resCell: BigUint64Array): RawAddrInfo[] {
  const out: RawAddrInfo[] = [];
  const head = Deno.UnsafePointer.create(resCell[0]);
  let p = head;
  try {
    while (p !== null) {
      const v = new Deno.UnsafePointerView(p);
      const addrlen = v.getUint32(AI.ai_addrlen);
      const ap = v.getPointer(AI.ai_addr);
      const cp = v.getPointer(AI.ai_canonname);
      const addr = new Uint8Array(addrlen);
      if (ap !== null && addrlen > 0) {
        Deno.UnsafePointerView.copyInto(ap, addr);
      }
      out.push({
        family: v.getInt32(AI.ai_family),
        type: v.getInt32(AI.ai_socktype),
        proto: v.getInt32(AI.ai_protocol),
        canonname: cp === null ? "" : Deno.UnsafePointerView.getCString(cp),
        addr,
      });
      p = v.getPointer(AI.ai_next);
    }
  } finally {
    if (head !== null) lib().freeaddrinfo(head);
  }
  return out;
}

function gaiSync(
  host: Uint8Array | null,
  port: Uint8Array | null,
  family: number,
  type: number,
  proto: number,
  flags: number,
): RawAddrInfo[] {
  const L = lib();
  const res = new BigUint64Array(1);
  resetErrno();
  const r = L.getaddrinfo(host, port, hints(family, type, proto, flags), res);
  if (r !== 0) throw gaiError(r, "getaddrinfo", currentErrno());
  return collect(res);
}

/** Buffers lent to nonblocking calls in flight: referenced here until each call returns. */
const inflight = new Set<unknown[]>();

/** Runs `f` with `buffers` referenced from module state, so that no buffer `f` reads through a raw pointer can be collected meanwhile. */
function pinned<T>(buffers: unknown[], f: () => T): T {
  inflight.add(buffers);
  try {
    return f();
  } finally {
    inflight.delete(buffers);
  }
}

async function keepAlive<T>(buffers: unknown[], call: Promise<T>): Promise<T> {
  inflight.add(buffers);
  try {
    return await call;
  } finally {
    inflight.delete(buffers);
  }
}

async function gaiAsync(
  host: Uint8Array | null,
  port: Uint8Array | null,
  family: number,
  type: number,
  proto: number,
  flags: number,
): Promise<RawAddrInfo[]> {
  const L = lib();
  const res = new BigUint64Array(1);
  const h = hints(family, type, proto, flags);
  const r = await keepAlive([host, port, h, res], L.getaddrinfo_nb(host, port, h, res));
  // errno belongs to the worker thread: EAI_SYSTEM stays a gaierror here.
  if (r !== 0) throw gaiError(r, "getaddrinfo");
  return collect(res);
}

// ---- hostent ----

function ptrAt(view: DataView, offset: number): bigint {
  return PTR === 8
    ? view.getBigUint64(offset, LITTLE_ENDIAN)
    : BigInt(view.getUint32(offset, LITTLE_ENDIAN));
}

function ptrIn(p: Deno.PointerValue, index: number): Deno.PointerValue {
  const v = new Deno.UnsafePointerView(p!);
  const raw = PTR === 8 ? v.getBigUint64(index * PTR) : BigInt(v.getUint32(index * PTR));
  return Deno.UnsafePointer.create(raw);
}

function cstrAt(p: Deno.PointerValue): string {
  // Copy the bytes out, then decode strictly as CPython's PyUnicode_FromString.
  const v = new Deno.UnsafePointerView(p!);
  let n = 0;
  while (v.getUint8(n) !== 0) n++;
  const b = new Uint8Array(n);
  if (n > 0) Deno.UnsafePointerView.copyInto(p!, b);
  return utf8.decode(b);
}

/** Reads a `struct hostent` built in `ret` (its strings live in the caller's buffer). */
function readHostent(ret: Uint8Array): HostEnt {
  const dv = new DataView(ret.buffer, ret.byteOffset, ret.byteLength);
  const name = Deno.UnsafePointer.create(ptrAt(dv, HE.h_name));
  const aliasList = Deno.UnsafePointer.create(ptrAt(dv, HE.h_aliases));
  const addrList = Deno.UnsafePointer.create(ptrAt(dv, HE.h_addr_list));
  const addrtype = dv.getInt32(HE.h_addrtype, LITTLE_ENDIAN);
  const length = dv.getInt32(HE.h_length, LITTLE_ENDIAN);
  const aliases: string[] = [];
  if (aliasList !== null) {
    for (let i = 0;; i++) {
      const a = ptrIn(aliasList, i);
      if (a === null) break;
      aliases.push(cstrAt(a));
    }
  }
  const addrs: Uint8Array[] = [];
  if (addrList !== null && length > 0 && length <= 16) {
    for (let i = 0;; i++) {
      const a = ptrIn(addrList, i);
      if (a === null) break;
      const b = new Uint8Array(length);
      Deno.UnsafePointerView.copyInto(a, b);
      addrs.push(b);
    }
  }
  return { name: name === null ? "" : cstrAt(name), aliases, addrtype, addrs };
}

type HostentCall = (
  ret: Uint8Array,
  buf: Uint8Array,
  len: bigint,
  result: BigUint64Array,
  herr: Int32Array,
) => number;

type HostentCallAsync = (
  ret: Uint8Array,
  buf: Uint8Array,
  len: bigint,
  result: BigUint64Array,
  herr: Int32Array,
) => Promise<number>;

/** Runs a `gethostby*_r` call, growing its buffer on ERANGE: the hostent, or the h_errno value. */
function hostentSync(call: HostentCall, syscall: string): HostEnt | number {
  const ret = new Uint8Array(HE.size);
  const result = new BigUint64Array(1);
  const herr = new Int32Array(1);
  for (let size = bufferSizes.hostent;; size *= 2) {
    const buf = new Uint8Array(size);
    result[0] = 0n;
    const r = call(ret, buf, BigInt(size), result, herr);
    if (r === ERANGE && result[0] === 0n) {
      if (size >= MAX_BUF) throw errorFor(ERANGE, syscall);
      continue;
    }
    if (result[0] === 0n) return herr[0];
    return pinned([ret, buf], () => readHostent(ret));
  }
}

async function hostentAsync(call: HostentCallAsync, syscall: string): Promise<HostEnt | number> {
  const ret = new Uint8Array(HE.size);
  const result = new BigUint64Array(1);
  const herr = new Int32Array(1);
  for (let size = bufferSizes.hostent;; size *= 2) {
    const buf = new Uint8Array(size);
    result[0] = 0n;
    const len = BigInt(size);
    const r = await keepAlive([ret, buf, result, herr], call(ret, buf, len, result, herr));
    if (r === ERANGE && result[0] === 0n) {
      if (size >= MAX_BUF) throw errorFor(ERANGE, syscall);
      continue;
    }
    if (result[0] === 0n) return herr[0];
    return pinned([ret, buf], () => readHostent(ret));
  }
}

// ---- getnameinfo ----

const NI_MAXHOST = layout.NI_MAXHOST;
const NI_MAXSERV = layout.NI_MAXSERV;

function cBufString(b: Uint8Array): string {
  const n = b.indexOf(0);
  return utf8.decode(b.subarray(0, n < 0 ? b.length : n));
}

function gniSync(sa: Uint8Array, flags: number): [host: string, port: string] {
  const L = lib();
  const host = new Uint8Array(NI_MAXHOST);
  const serv = new Uint8Array(NI_MAXSERV);
  resetErrno();
  const r = L.getnameinfo(sa, sa.length, host, NI_MAXHOST, serv, NI_MAXSERV, flags);
  if (r !== 0) throw gaiError(r, "getnameinfo", currentErrno());
  return [cBufString(host), cBufString(serv)];
}

async function gniAsync(sa: Uint8Array, flags: number): Promise<[host: string, port: string]> {
  const L = lib();
  const host = new Uint8Array(NI_MAXHOST);
  const serv = new Uint8Array(NI_MAXSERV);
  const r = await keepAlive(
    [sa, host, serv],
    L.getnameinfo_nb(sa, sa.length, host, NI_MAXHOST, serv, NI_MAXSERV, flags),
  );
  if (r !== 0) throw gaiError(r, "getnameinfo");
  return [cBufString(host), cBufString(serv)];
}

// ---- the operations generators yield ----

/** One blocking resolver call, as a resolver generator asks for it. */
export type ResolverOp =
  | {
    readonly op: "getaddrinfo";
    readonly host: Uint8Array | null;
    readonly port: Uint8Array | null;
    readonly family: number;
    readonly type: number;
    readonly proto: number;
    readonly flags: number;
  }
  | { readonly op: "gethostbyname"; readonly name: Uint8Array }
  | { readonly op: "gethostbyaddr"; readonly addr: Uint8Array; readonly af: number }
  | { readonly op: "getnameinfo"; readonly sa: Uint8Array; readonly flags: number };

/** A resolver algorithm: yields operations, receives their results, returns `T`. */
export type ResolverGen<T> = Generator<ResolverOp, T, unknown>;

/** Asks for `getaddrinfo(3)`; `host`/`port` are NUL-terminated C strings or null. */
export function* gai(
  host: Uint8Array | null,
  port: Uint8Array | null,
  family: number,
  type: number,
  proto: number,
  flags: number,
): ResolverGen<RawAddrInfo[]> {
  return (yield { op: "getaddrinfo", host, port, family, type, proto, flags }) as RawAddrInfo[];
}

/** Asks for `gethostbyname_r(3)` on a NUL-terminated name: the hostent or h_errno. */
export function* ghbn(name: Uint8Array): ResolverGen<HostEnt | number> {
  return (yield { op: "gethostbyname", name }) as HostEnt | number;
}

/** Asks for `gethostbyaddr_r(3)`: the hostent or h_errno. */
export function* ghba(addr: Uint8Array, af: number): ResolverGen<HostEnt | number> {
  return (yield { op: "gethostbyaddr", addr, af }) as HostEnt | number;
}

/** Asks for `getnameinfo(3)` of the sockaddr `sa`. */
export function* gni(sa: Uint8Array, flags: number): ResolverGen<[host: string, port: string]> {
  return (yield { op: "getnameinfo", sa, flags }) as [string, string];
}

function execSync(op: ResolverOp): unknown {
  const L = lib();
  switch (op.op) {
    case "getaddrinfo":
      return gaiSync(op.host, op.port, op.family, op.type, op.proto, op.flags);
    case "gethostbyname":
      return hostentSync(
        (ret, buf, len, result, herr) => L.gethostbyname_r(op.name, ret, buf, len, result, herr),
        "gethostbyname_r",
      );
    case "gethostbyaddr":
      return hostentSync(
        (ret, buf, len, result, herr) =>
          L.gethostbyaddr_r(op.addr, op.addr.length, op.af, ret, buf, len, result, herr),
        "gethostbyaddr_r",
      );
    case "getnameinfo":
      return gniSync(op.sa, op.flags);
  }
}

function execAsync(op: ResolverOp): Promise<unknown> {
  const L = lib();
  switch (op.op) {
    case "getaddrinfo":
      return gaiAsync(op.host, op.port, op.family, op.type, op.proto, op.flags);
    case "gethostbyname":
      return hostentAsync(
        (ret, buf, len, result, herr) =>
          keepAlive([op.name], L.gethostbyname_r_nb(op.name, ret, buf, len, result, herr)),
        "gethostbyname_r",
      );
    case "gethostbyaddr":
      return hostentAsync(
        (ret, buf, len, result, herr) =>
          keepAlive(
            [op.addr],
            L.gethostbyaddr_r_nb(op.addr, op.addr.length, op.af, ret, buf, len, result, herr),
          ),
        "gethostbyaddr_r",
      );
    case "getnameinfo":
      return gniAsync(op.sa, op.flags);
  }
}

/** Runs a resolver generator with every call on the JavaScript thread. */
export function runSync<T>(g: ResolverGen<T>): T {
  let r = g.next();
  while (!r.done) {
    let v: unknown;
    try {
      v = execSync(r.value);
    } catch (e) {
      r = g.throw(e);
      continue;
    }
    r = g.next(v);
  }
  return r.value;
}

/**
 * Runs a resolver generator with every blocking call on a worker thread
 * (`nonblocking: true`). With `signal`, the promise rejects with its reason
 * as soon as it aborts; a call already in flight finishes in the background
 * and its results are freed.
 */
export async function runAsync<T>(g: ResolverGen<T>, signal?: AbortSignal): Promise<T> {
  signal?.throwIfAborted();
  let r = g.next();
  while (!r.done) {
    let v: unknown;
    let failed = false;
    let err: unknown;
    try {
      v = await abortable(execAsync(r.value), signal);
    } catch (e) {
      failed = true;
      err = e;
    }
    r = failed ? g.throw(err) : g.next(v);
  }
  return r.value;
}

function abortable<T>(p: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (signal === undefined) return p;
  if (signal.aborted) {
    // the call is already running: its outcome must not become an unhandled rejection
    p.catch(() => {});
    throw signal.reason;
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener("abort", onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener("abort", onAbort);
        reject(e);
      },
    );
  });
}

// ---- services and protocols (sync: they read local files) ----

/** Runs a `get*_r` call with buffer growth on ERANGE; returns whether an entry was found. */
function entSync(
  call: (buf: Uint8Array, len: bigint, result: BigUint64Array) => number,
  syscall: string,
): boolean {
  const result = new BigUint64Array(1);
  for (let size = bufferSizes.entry;; size *= 2) {
    const buf = new Uint8Array(size);
    result[0] = 0n;
    const r = call(buf, BigInt(size), result);
    if (r === ERANGE && result[0] === 0n) {
      if (size >= MAX_BUF) throw errorFor(ERANGE, syscall);
      continue;
    }
    return result[0] !== 0n;
  }
}

function portFromNet(dv: DataView, offset: number): number {
  // s_port holds htons(port) in an int: take its low 16 bits and swap them back.
  const v = dv.getInt32(offset, LITTLE_ENDIAN) & 0xffff;
  return LITTLE_ENDIAN ? ((v & 0xff) << 8) | (v >>> 8) : v;
}

/** `getservbyname_r(3)`: the port (host order), or null when not found. */
export function servByName(name: Uint8Array, proto: Uint8Array | null): number | null {
  const L = lib();
  const ret = new Uint8Array(SE.size);
  const found = entSync(
    (buf, len, result) => L.getservbyname_r(name, proto, ret, buf, len, result),
    "getservbyname_r",
  );
  if (!found) return null;
  return portFromNet(new DataView(ret.buffer), SE.s_port);
}

/** `getservbyport_r(3)` for a port in host order: the service name, or null. */
export function servByPort(port: number, proto: Uint8Array | null): string | null {
  const L = lib();
  const ret = new Uint8Array(SE.size);
  const net = LITTLE_ENDIAN ? ((port & 0xff) << 8) | (port >>> 8) : port;
  let name: string | null = null;
  const found = entSync((buf, len, result) => {
    const r = L.getservbyport_r(net, proto, ret, buf, len, result);
    // Read the name while `buf`, which holds it, is pinned.
    if (result[0] !== 0n) {
      const p = Deno.UnsafePointer.create(ptrAt(new DataView(ret.buffer), SE.s_name));
      name = pinned([buf], () => cstrAt(p));
    }
    return r;
  }, "getservbyport_r");
  return found ? name : null;
}

/** `getprotobyname_r(3)`: the protocol number, or null when not found. */
export function protoByName(name: Uint8Array): number | null {
  const L = lib();
  const ret = new Uint8Array(PE.size);
  const found = entSync(
    (buf, len, result) => L.getprotobyname_r(name, ret, buf, len, result),
    "getprotobyname_r",
  );
  if (!found) return null;
  return new DataView(ret.buffer).getInt32(PE.p_proto, LITTLE_ENDIAN);
}

/** `gethostname(2)`, decoded as CPython does (UTF-8; undecodable bytes replaced). */
export function hostname(): string {
  const L = lib();
  const buf = new Uint8Array(1024);
  if (L.gethostname(buf, big(buf.length - 1)) < 0) throw lastError("gethostname");
  const n = buf.indexOf(0);
  return utf8Lossy.decode(buf.subarray(0, n < 0 ? buf.length - 1 : n));
}

/** `sethostname(2)` with exactly these bytes. */
export function setHostname(name: Uint8Array): void {
  const L = lib();
  if (L.sethostname(name, big(name.length)) < 0) throw lastError("sethostname");
}
