/**
 * Checks of what a caller passes before it reaches C: bytes-like objects
 * measured only through the engine's own accessors, and integers
 * range-checked for the C type they become.
 *
 * Bytes: a caller's object is never asked for its `length`, `byteLength`,
 * `byteOffset` or `buffer`. A subclass can override those getters, and an
 * instance can redefine them as own properties; trusting either would let
 * a "16-byte" array make the kernel read or write 4096 bytes of process
 * memory. The intrinsic getters are taken once, when this module loads,
 * and applied with `.call()`; the brand checks (is this really a typed
 * array, a DataView, an ArrayBuffer, a SharedArrayBuffer?) use them too, so
 * an object that merely inherits from `Uint8Array.prototype` is refused
 * with the library's TypeError rather than V8's or Deno's.
 *
 * Integers: {@linkcode cInt} and friends give a TypeError for anything but
 * an integer number (no coercion: `"1"`, `1.5`, `1n`, `NaN` all refused)
 * and a RangeError (Python's OverflowError) outside the C type, with
 * CPython's wording ("signed integer is greater than maximum") after the
 * argument's name.
 *
 * This module imports nothing but types, so that any other module may use it.
 *
 * @module
 */

import type { Bytes } from "./_types.ts";

/** Describes a value's type for an error message. */
export function describe(v: unknown): string {
  if (v === null) return "null";
  try {
    if (Array.isArray(v)) return "an array";
  } catch {
    return "a revoked Proxy";
  }
  if (typeof v === "number" && !Number.isInteger(v)) return `the non-integer ${v}`;
  if (typeof v !== "object") return typeof v;
  let name: unknown;
  try {
    name = (v as object).constructor?.name;
  } catch {
    // a Proxy or a throwing getter: no name to give
  }
  return typeof name === "string" && name !== "" ? name : "object";
}

// ---- integers ----

/** Throws TypeError unless `v` is an integer number (no coercion). */
export function requireInt(v: unknown, what: string): number {
  if (typeof v !== "number" || !Number.isInteger(v)) {
    throw new TypeError(`${what} must be an integer, not ${describe(v)}`);
  }
  return v;
}

/**
 * A C `int` argument (CPython's format "i"): TypeError unless an integer,
 * RangeError outside -2^31..2^31-1.
 */
export function cInt(v: unknown, what: string): number {
  if (typeof v !== "number" || (v | 0) !== v) {
    requireInt(v, what);
    if ((v as number) > 0x7fffffff) {
      throw new RangeError(`${what}: signed integer is greater than maximum`);
    }
    if ((v as number) < -0x80000000) {
      throw new RangeError(`${what}: signed integer is less than minimum`);
    }
  }
  // `| 0` turns -0 into 0: Deno's FFI refuses -0 for an i32 ("Invalid FFI i32 type")
  return (v as number) | 0;
}

/**
 * A C `unsigned int` argument checked for range (0..2^32-1): TypeError
 * unless an integer, RangeError outside.
 */
export function cUint(v: unknown, what: string): number {
  requireInt(v, what);
  if ((v as number) < 0) {
    throw new RangeError(`${what}: can't convert negative value to unsigned int`);
  }
  if ((v as number) > 0xffffffff) {
    throw new RangeError(`${what}: unsigned integer is greater than maximum`);
  }
  return (v as number) + 0; // -0 is 0
}

/**
 * A file descriptor argument: a C int (as {@linkcode cInt}) that is not
 * negative (RangeError "negative file descriptor", CPython's ValueError).
 */
export function fdArg(v: unknown, what: string): number {
  const fd = cInt(v, what);
  if (fd < 0) throw new RangeError(`${what}: negative file descriptor: ${fd}`);
  return fd;
}

/**
 * Checks a `flags` argument: a C int (as CPython, 2^31 and above are a
 * RangeError, its OverflowError).
 */
export function flagsArg(v: unknown): number {
  if (typeof v === "number" && (v | 0) === v) return v | 0; // -0 is 0 for the FFI
  if (typeof v !== "number" || !Number.isInteger(v)) {
    throw new TypeError(`flags must be a 32-bit integer, not ${describe(v)}`);
  }
  return cInt(v, "flags");
}

/** Whether `v` is a valid `bufsize` (an integer 0..2^31-1); see {@linkcode bufsizeError}. */
export function isBufsize(v: unknown): v is number {
  return typeof v === "number" && (v | 0) === v && v >= 0;
}

/** The error for a bad `bufsize` argument of `fn` (not an int32 integer, or negative). */
export function bufsizeError(bufsize: unknown, fn: string): never {
  if (typeof bufsize !== "number" || !Number.isInteger(bufsize)) {
    throw new TypeError(`${fn}() bufsize must be an integer, not ${describe(bufsize)}`);
  }
  if (bufsize < 0) throw new RangeError(`negative buffersize in ${fn}: ${bufsize}`);
  throw new RangeError(`${fn}() bufsize too large: ${bufsize}`);
}

/**
 * A new zero-filled buffer of `n` bytes for `fn`. V8's own RangeError when
 * the memory cannot be had ("Array buffer allocation failed") becomes the
 * library's, naming the call and the size (CPython raises MemoryError).
 */
export function allocBytes(n: number, fn: string): Uint8Array<ArrayBuffer> {
  try {
    return new Uint8Array(n);
  } catch {
    throw new RangeError(`${fn}: cannot allocate a buffer of ${n} bytes`);
  }
}

/** The largest timeout CPython accepts: 2^63 - 1 nanoseconds, in seconds. */
const MAX_TIMEOUT = 9223372036.854775;

/**
 * A timeout in seconds as `settimeout()` takes it: a non-negative number
 * of seconds, or null (undefined too) for none.
 *
 * @throws {TypeError} for anything but a number or null
 * @throws {RangeError} for NaN, a negative or infinite value, or one past 2^63-1 ns
 */
export function timeoutArg(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== "number") {
    throw new TypeError(`timeout must be a number of seconds or null, not ${describe(value)}`);
  }
  if (Number.isNaN(value)) throw new RangeError("Invalid value NaN (not a number)");
  if (value < 0) throw new RangeError("Timeout value out of range");
  if (!Number.isFinite(value)) throw new RangeError("Timeout value out of range");
  // CPython keeps timeouts as int64 nanoseconds and raises OverflowError past them.
  if (value > MAX_TIMEOUT) throw new RangeError("timestamp out of range for platform time_t");
  return value;
}

// ---- bytes ----

type Getter = (this: unknown) => unknown;
function getter(proto: object, name: PropertyKey): Getter {
  return Object.getOwnPropertyDescriptor(proto, name)!.get as Getter;
}
const TA = Object.getPrototypeOf(Uint8Array.prototype) as object;
const taTag = getter(TA, Symbol.toStringTag);
const taBuffer = getter(TA, "buffer");
const taOffset = getter(TA, "byteOffset");
const taLength = getter(TA, "byteLength");
const dvBuffer = getter(DataView.prototype, "buffer");
const dvOffset = getter(DataView.prototype, "byteOffset");
const dvLength = getter(DataView.prototype, "byteLength");
const abLength = getter(ArrayBuffer.prototype, "byteLength");
const abDetached: Getter | undefined = Object.getOwnPropertyDescriptor(
  ArrayBuffer.prototype,
  "detached",
)?.get as Getter | undefined;
const sabLength: Getter | undefined = typeof SharedArrayBuffer === "undefined"
  ? undefined
  : getter(SharedArrayBuffer.prototype, "byteLength");
const isView = ArrayBuffer.isView;

/** Whether `v` is a real typed array (not merely something inheriting from one). */
function isTypedArray(v: unknown): boolean {
  return taTag.call(v) !== undefined;
}

function arrayBufferLength(v: unknown): number {
  try {
    return abLength.call(v) as number;
  } catch {
    return -1;
  }
}

function sharedLength(v: unknown): number {
  if (sabLength === undefined) return -1;
  try {
    return sabLength.call(v) as number;
  } catch {
    return -1;
  }
}

/**
 * The true byte length of `v` when it is a bytes-like object (a typed
 * array, a DataView, an ArrayBuffer or a SharedArrayBuffer), read through
 * the intrinsic accessors; -1 when it is none of them. Never throws, never
 * runs caller code.
 */
export function lengthOf(v: unknown): number {
  if (isView(v)) {
    return (isTypedArray(v) ? taLength.call(v) : dvLength.call(v)) as number;
  }
  const n = arrayBufferLength(v);
  return n >= 0 ? n : sharedLength(v);
}

/** Whether `v` is a bytes-like object (brand-checked, see {@linkcode lengthOf}). */
export function isBufferSource(v: unknown): v is BufferSource {
  return lengthOf(v) >= 0;
}

/**
 * The true byte length of a bytes-like object, read through the intrinsic
 * accessors (never an overridden `byteLength` or `length`).
 *
 * @throws {TypeError} when `b` is not an ArrayBuffer or a view of one
 */
export function byteLengthOf(b: Bytes): number {
  const n = lengthOf(b);
  if (n < 0) throw new TypeError(`a bytes-like object is required, not ${describe(b)}`);
  return n;
}

/** The ArrayBuffer (or SharedArrayBuffer) holding the bytes of `b`. */
function bufferOf(b: Bytes): ArrayBufferLike {
  if (!isView(b)) return b as ArrayBufferLike;
  return (isTypedArray(b) ? taBuffer.call(b) : dvBuffer.call(b)) as ArrayBufferLike;
}

/** Whether the bytes of `b` live in a detached ArrayBuffer. */
export function isDetached(b: Bytes): boolean {
  if (abDetached === undefined) return false;
  const ab = bufferOf(b);
  try {
    return abDetached.call(ab) === true;
  } catch {
    return false; // a SharedArrayBuffer: never detached
  }
}

/**
 * Checks a bytes argument of `fn` and returns its true length: any
 * ArrayBuffer, SharedArrayBuffer or view of one. A string is a TypeError
 * that says to encode it; a detached buffer a RangeError (CPython's
 * ValueError for a released memoryview).
 */
export function bytesLengthArg(v: unknown, fn: string, what = ""): number {
  const n = lengthOf(v);
  if (n > 0) return n;
  if (n < 0) throw notBytes(v, fn, what);
  if (isDetached(v as Bytes)) {
    throw new RangeError(
      `${fn}()${what && " " + what}: operation forbidden on a detached ArrayBuffer`,
    );
  }
  return 0;
}

/** The TypeError for a bytes argument that is not bytes (a string: says to encode it). */
export function notBytes(v: unknown, fn: string, what = ""): TypeError {
  const arg = what && " " + what;
  if (typeof v === "string") {
    return new TypeError(
      `${fn}()${arg} needs bytes (a Uint8Array or other BufferSource), not a string: ` +
        `encode it first, e.g. new TextEncoder().encode(s)`,
    );
  }
  return new TypeError(`${fn}()${arg} needs a BufferSource, not ${describe(v)}`);
}

/**
 * Checks a bytes argument of `fn` (as {@linkcode bytesLengthArg}) and
 * returns something the FFI layer takes: the object itself, or for a bare
 * SharedArrayBuffer a Uint8Array over it (Deno's "buffer" parameters take
 * views of shared memory but not the buffer itself).
 */
export function bufferArg(v: unknown, fn: string, what = ""): Bytes {
  bytesLengthArg(v, fn, what);
  return ffiBytes(v as Bytes);
}

/**
 * recv_into's length: `nbytes` (0 meaning the whole buffer), checked
 * against the buffer's true size (the buffer checked as {@linkcode bytesLengthArg}).
 */
export function intoLength(buffer: unknown, nbytes: unknown, fn: string): number {
  const size = bytesLengthArg(buffer, fn);
  if (typeof nbytes !== "number" || (nbytes | 0) !== nbytes) {
    requireInt(nbytes, "nbytes");
    throw new RangeError(`nbytes out of range: ${nbytes}`);
  }
  if (nbytes < 0) throw new RangeError(`negative buffersize in ${fn}: ${nbytes}`);
  if (nbytes > size) {
    throw new RangeError(`buffer too small for requested bytes: ${nbytes} > ${size}`);
  }
  return nbytes === 0 ? size : nbytes;
}

/**
 * Checks a bytes argument of `fn` (as {@linkcode bytesLengthArg}: a string
 * or a non-buffer is a TypeError, a detached buffer a RangeError) and
 * returns a plain Uint8Array over its memory (see {@linkcode bytesOf}).
 */
export function viewArg(v: unknown, fn: string, what = ""): Uint8Array {
  bytesLengthArg(v, fn, what);
  return bytesOf(v as Bytes);
}

/** Where the bytes of a bytes-like object lie: its buffer, byte offset and length. */
export interface Region {
  /** the ArrayBuffer or SharedArrayBuffer */
  buf: ArrayBufferLike;
  /** the offset of the first byte in `buf` */
  off: number;
  /** the number of bytes */
  len: number;
}

/**
 * The memory of a bytes-like object, read through the intrinsic accessors,
 * or null when `v` is not one.
 */
export function regionOf(v: unknown): Region | null {
  if (isView(v)) {
    if (isTypedArray(v)) {
      return {
        buf: taBuffer.call(v) as ArrayBufferLike,
        off: taOffset.call(v) as number,
        len: taLength.call(v) as number,
      };
    }
    return {
      buf: dvBuffer.call(v) as ArrayBufferLike,
      off: dvOffset.call(v) as number,
      len: dvLength.call(v) as number,
    };
  }
  let len = arrayBufferLength(v);
  if (len < 0) len = sharedLength(v);
  return len < 0 ? null : { buf: v as ArrayBufferLike, off: 0, len };
}

/**
 * A new plain `Uint8Array` over the bytes of `b` (no copy), built from the
 * intrinsic accessors: its `length`, `subarray`, `slice`... are the
 * engine's, whatever `b` overrides.
 *
 * @throws {TypeError} when `b` is not a bytes-like object
 * @throws {RangeError} when its buffer is detached
 */
export function bytesOf(b: Bytes): Uint8Array {
  const r = regionOf(b);
  if (r === null) throw new TypeError(`a bytes-like object is required, not ${describe(b)}`);
  if (r.len > 0) return new Uint8Array(r.buf, r.off, r.len);
  if (isDetached(b)) throw new RangeError("operation forbidden on a detached ArrayBuffer");
  return new Uint8Array(0);
}

/** A copy of the bytes of `b` in a new ArrayBuffer of their exact size. */
export function copyOf(b: Bytes): Uint8Array<ArrayBuffer> {
  return bytesOf(b).slice() as Uint8Array<ArrayBuffer>;
}

// ---- options of async calls ----

const signalAborted = getter(AbortSignal.prototype, "aborted");

/**
 * The `signal` of an async call's options, read once and brand-checked
 * (an object merely inheriting from `AbortSignal.prototype` is refused);
 * undefined when there is none. Throws the signal's reason when it has
 * already aborted, so that no work starts.
 *
 * @throws {TypeError} when options is not an object or the signal not an AbortSignal
 */
export function signalOf(options: unknown): AbortSignal | undefined {
  if (options === undefined || options === null) return undefined;
  if (typeof options !== "object" && typeof options !== "function") {
    throw new TypeError(`options must be an object like { signal }, not ${describe(options)}`);
  }
  const signal = (options as { signal?: unknown }).signal;
  if (signal === undefined || signal === null) return undefined;
  let aborted: unknown;
  try {
    aborted = signalAborted.call(signal);
  } catch {
    throw new TypeError(`options.signal must be an AbortSignal, not ${describe(signal)}`);
  }
  if (aborted === true) throw (signal as AbortSignal).reason;
  return signal as AbortSignal;
}

/**
 * An options argument: `{}` when omitted (undefined or null), the object
 * itself otherwise. Read each option from it once.
 *
 * @throws {TypeError} for anything but an object
 */
export function optionsArg<T extends object>(options: T | null | undefined, fn: string): T {
  if (options === undefined || options === null) return {} as T;
  if (typeof options !== "object") {
    throw new TypeError(`${fn}() options must be an object, not ${describe(options)}`);
  }
  return options;
}

/**
 * What Deno's FFI "buffer" parameters take for a checked bytes argument:
 * the object itself, or a Uint8Array over a bare SharedArrayBuffer.
 */
export function ffiBytes(v: Bytes): Bytes {
  if (isView(v) || arrayBufferLength(v) >= 0) return v;
  return new Uint8Array(v as SharedArrayBuffer);
}

/**
 * Checks that `v` is iterable (Python's iterable argument), without
 * iterating it.
 *
 * @throws {TypeError} for null, undefined and anything without `[Symbol.iterator]`
 */
export function iterableArg<T>(v: Iterable<T>, fn: string, arg = ""): Iterable<T> {
  if (
    v === null || v === undefined ||
    typeof (v as Iterable<T>)[Symbol.iterator] !== "function"
  ) {
    throw new TypeError(
      `${fn}() argument${arg && " " + arg} must be an iterable, not ${describe(v)}`,
    );
  }
  return v as Iterable<T>;
}

/**
 * The arguments of `create_connection()` (sync and async), checked before
 * any lookup starts: `address` a `[host, port]` array (each element read
 * once), `timeout` as {@linkcode timeoutArg} (undefined kept: the default
 * timeout), `options` as {@linkcode optionsArg}.
 */
export function connectionArgs<H, P, O extends object>(
  address: readonly [H, P],
  timeout: unknown,
  options: O | null | undefined,
): { host: H; port: P; timeout: number | null | undefined; options: O } {
  if (!Array.isArray(address)) {
    throw new TypeError(
      `create_connection() address must be [host, port], not ${describe(address)}`,
    );
  }
  const n = address.length;
  if (n !== 2) {
    throw new RangeError(
      `create_connection() address must have 2 elements [host, port], not ${n}`,
    );
  }
  const [host, port] = address;
  return {
    host,
    port,
    timeout: timeout === undefined ? undefined : timeoutArg(timeout),
    options: optionsArg(options, "create_connection"),
  };
}
