/**
 * `Socket.makefile()`: synchronous file objects over a socket, as CPython's
 * `socket.makefile()` builds them from `socket.SocketIO` (raw),
 * `io.BufferedReader` / `io.BufferedWriter` / `io.BufferedRWPair` (binary)
 * and `io.TextIOWrapper` (text).
 *
 * | mode, buffering               | Python                   | here                          |
 * | ----------------------------- | ------------------------ | ----------------------------- |
 * | `"rb"`, `"wb"`, `"rwb"`, 0    | `SocketIO`               | {@linkcode SocketIO}          |
 * | `"rb"`, `"wb"`, `"rwb"`       | `BufferedReader`/...     | {@linkcode BufferedSocketFile}|
 * | `"r"`, `"w"`, `"rw"`          | `TextIOWrapper`          | {@linkcode TextSocketFile}    |
 *
 * @module
 */

import { errnoValues } from "../constants/mod.ts";
import { SocketError, timeout } from "./errors.ts";
import {
  decodeReplacement,
  encodeReplacement,
  ERROR_HANDLERS,
  Utf8HandlerDecoder,
} from "./_text_errors.ts";
import type { Bytes } from "./_types.ts";
import { allocBytes, describe, iterableArg, viewArg } from "./_args.ts";
import { strerror } from "./_syscall.ts";
import { ioRef } from "./_core.ts";
import type { Socket } from "./socket.ts";

const EAGAIN = errnoValues.EAGAIN;
const EWOULDBLOCK = errnoValues.EWOULDBLOCK;

/** Python's `io.DEFAULT_BUFFER_SIZE`. */
const DEFAULT_BUFFER_SIZE = 8192;
/** Bytes a text file asks of its buffer per read (TextIOWrapper's `_CHUNK_SIZE`). */
const CHUNK_SIZE = 8192;
/** Bytes asked of one recv when reading to end of stream. */
const READALL_CHUNK = 65536;

/** Keyword-only arguments of `makefile()` (used in text modes, ignored in binary ones, as CPython). */
export interface MakefileOptions {
  /**
   * Text encoding; default (null) `"UTF-8"`. Reading and writing:
   * `utf-8` (`utf8`, `u8`), `utf-8-sig`, `ascii`, `latin-1` (`latin1`,
   * `iso-8859-1`, `l1`), `utf-16-le`, `utf-16-be`. Reading only: any
   * other label `TextDecoder` knows (WHATWG decoding rules).
   */
  encoding?: string | null;
  /**
   * Encoding error handling, Python's handlers: `"strict"` (the default:
   * a decoding or encoding error throws a `RangeError`, Python's
   * UnicodeError), `"replace"` (U+FFFD when decoding, `?` when encoding),
   * `"ignore"` (drop what cannot be decoded or encoded),
   * `"surrogateescape"` (undecodable bytes become U+DC80..U+DCFF and go back
   * to the same bytes when written, as Python's `os.fsdecode`) or
   * `"backslashreplace"` (`\xNN`, `\uNNNN` escapes). The last three with
   * utf-8, ascii and latin-1; other encodings take strict and replace.
   */
  errors?: string | null;
  /**
   * Newline translation, as Python's `io.TextIOWrapper`: `null` (universal
   * newlines: `\r\n` and `\r` read as `\n`; `\n` written as `\n`, Linux's
   * `os.linesep`), `""` (lines end at any of them, untranslated), `"\n"`,
   * `"\r"` or `"\r\n"` (lines end there; `\n` is written as it).
   */
  newline?: string | null;
}

/** The file object `makefile()` returns: raw (buffering 0), buffered binary, or text. */
export type SocketFile = SocketIO | BufferedSocketFile | TextSocketFile;

/** The binary modes of `makefile()`, spelled every way CPython accepts (its typeshed list). */
export type BinaryMode =
  | "b"
  | "rb"
  | "br"
  | "wb"
  | "bw"
  | "rwb"
  | "rbw"
  | "wrb"
  | "wbr"
  | "brw"
  | "bwr";

/** The text modes of `makefile()` (its typeshed list). */
export type TextMode = "r" | "w" | "rw" | "wr" | "";

// ---- shared helpers ----

function closedError(): RangeError {
  return new RangeError("I/O operation on closed file.");
}

function eagain(syscall: string): SocketError {
  return new SocketError(EAGAIN, strerror(EAGAIN), syscall);
}

function isBlocking(e: unknown): boolean {
  return e instanceof SocketError && !(e instanceof timeout) &&
    (e.errno === EAGAIN || e.errno === EWOULDBLOCK);
}

/** A size argument: null/undefined → -1 (everything); a non-integer throws. */
function sizeArg(v: unknown, what = "size"): number {
  if (v === undefined || v === null) return -1;
  if (typeof v !== "number" || !Number.isSafeInteger(v)) {
    throw new TypeError(`${what} must be an integer or null, not ${describe(v)}`);
  }
  return v;
}

function bytesArg(v: unknown, fn: string): Uint8Array {
  if (typeof v === "string") {
    throw new TypeError(
      `${fn}() needs bytes (a Uint8Array or other BufferSource) in binary mode, not a string: ` +
        `encode it first, e.g. new TextEncoder().encode(s)`,
    );
  }
  return viewArg(v, fn);
}

function concat(chunks: Uint8Array<ArrayBuffer>[], total: number): Uint8Array<ArrayBuffer> {
  if (chunks.length === 1 && chunks[0].length === total) return chunks[0];
  const out = new Uint8Array(total);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}

// ---- raw: socket.SocketIO ----

/**
 * The raw file over a socket that `makefile(mode, 0)` returns in a binary
 * mode: Python's `socket.SocketIO`. Every read is one `recv(2)` into the
 * caller's buffer, every write one `send(2)`; nothing is buffered, so
 * `readline()` reads one byte per call (never past the newline).
 *
 * On a non-blocking socket, reads and writes that would block return
 * `null`, as in Python. After a timeout the file refuses further reads
 * (Python's "cannot read from timed out object").
 */
export class SocketIO {
  #sock: Socket | null;
  #mode: string;
  #reading: boolean;
  #writing: boolean;
  #timedOut = false;

  /**
   * Wraps `sock` (counted in its makefile references until closed).
   * Use `Socket.makefile(mode, 0)` rather than this constructor.
   *
   * @param sock the socket
   * @param mode `"r"`, `"w"` or `"rw"`, with or without `"b"`
   */
  constructor(sock: Socket, mode: string) {
    if (!["r", "w", "rw", "rb", "wb", "rwb"].includes(mode)) {
      throw new RangeError(`invalid mode: '${mode}'`);
    }
    this.#sock = sock;
    this.#mode = mode.includes("b") ? mode : mode + "b";
    this.#reading = mode.includes("r");
    this.#writing = mode.includes("w");
    ioRef(sock, +1);
  }

  /** Whether the file is closed. */
  get closed(): boolean {
    return this.#sock === null;
  }

  /** The mode: `"rb"`, `"wb"` or `"rwb"`. */
  get mode(): string {
    return this.#mode;
  }

  /** The socket's descriptor, or -1 once the file is closed (Python's `name`). */
  get name(): number {
    return this.#sock === null ? -1 : this.#sock.fileno();
  }

  /**
   * The socket's descriptor.
   *
   * @throws {RangeError} when the file is closed
   */
  fileno(): number {
    return this.#open().fileno();
  }

  /** Whether the file was opened for reading. @throws {RangeError} when closed */
  readable(): boolean {
    this.#open();
    return this.#reading;
  }

  /** Whether the file was opened for writing. @throws {RangeError} when closed */
  writable(): boolean {
    this.#open();
    return this.#writing;
  }

  /** Always false: a socket cannot seek. @throws {RangeError} when closed */
  seekable(): boolean {
    this.#open();
    return false;
  }

  /** Always false. @throws {RangeError} when closed */
  isatty(): boolean {
    this.#open();
    return false;
  }

  #open(): Socket {
    if (this.#sock === null) throw closedError();
    return this.#sock;
  }

  #reader(): Socket {
    const s = this.#open();
    if (!this.#reading) throw new RangeError("File or stream is not readable.");
    return s;
  }

  /**
   * Receives up to `b.byteLength` bytes into `b` (one `recv(2)`) and
   * returns how many arrived: 0 when the peer has shut down its side (and
   * `b` is not empty), `null` when the socket is non-blocking and nothing
   * is there. Python: `SocketIO.readinto()`.
   *
   * @throws {timeout} when the socket's timeout expires (the file then refuses further reads)
   * @throws {SocketError} "cannot read from timed out object" after a timeout; ECONNRESET...
   * @throws {RangeError} when the file is closed or not readable
   */
  readinto(b: Bytes): number | null {
    const s = this.#reader();
    const buf = bytesArg(b, "readinto");
    if (this.#timedOut) {
      const e = new SocketError(0, "cannot read from timed out object", "recv", "");
      e.message = "cannot read from timed out object";
      throw e;
    }
    try {
      return s.recv_into(buf, buf.length);
    } catch (e) {
      if (e instanceof timeout) {
        this.#timedOut = true;
        throw e;
      }
      if (isBlocking(e)) return null;
      throw e;
    }
  }

  /**
   * Reads up to `size` bytes with one `recv(2)`, or (size negative or
   * null) everything up to end of stream. `null` when non-blocking and
   * nothing is there. Python: `RawIOBase.read()`.
   */
  read(size: number | null = -1): Uint8Array<ArrayBuffer> | null {
    const n = sizeArg(size);
    if (n < 0) return this.readall();
    const b = allocBytes(n, "read");
    const got = this.readinto(b);
    if (got === null) return null;
    return got === n ? b : b.slice(0, got);
  }

  /**
   * Reads until end of stream. `null` when non-blocking and nothing was
   * there; what arrived so far when the socket would block later.
   * Python: `RawIOBase.readall()`.
   */
  readall(): Uint8Array<ArrayBuffer> | null {
    const chunks: Uint8Array<ArrayBuffer>[] = [];
    let total = 0;
    for (;;) {
      const b = new Uint8Array(READALL_CHUNK);
      const got = this.readinto(b);
      if (got === null) {
        if (total === 0) return null;
        break;
      }
      if (got === 0) break;
      chunks.push(got === b.length ? b : b.subarray(0, got));
      total += got;
    }
    return concat(chunks, total);
  }

  /**
   * Reads one line (up to and including `\n`), at most `size` bytes, one
   * byte per `recv(2)` so that nothing past the line is consumed. Empty at
   * end of stream. Python: `IOBase.readline()`.
   */
  readline(size: number | null = -1): Uint8Array<ArrayBuffer> {
    const limit = sizeArg(size);
    const out: number[] = [];
    const one = new Uint8Array(1);
    while (limit < 0 || out.length < limit) {
      const got = this.readinto(one);
      if (!got) break;
      out.push(one[0]);
      if (one[0] === 0x0a) break;
    }
    return new Uint8Array(out);
  }

  /**
   * Reads lines until end of stream, or until their total size reaches
   * `hint` when it is positive. Python: `IOBase.readlines()`.
   */
  readlines(hint: number | null = -1): Uint8Array<ArrayBuffer>[] {
    return readLines(this, sizeArg(hint, "hint"));
  }

  /**
   * Sends `b` with one `send(2)` and returns the bytes sent, which may be
   * fewer than given; `null` when non-blocking and nothing could be sent.
   * Python: `SocketIO.write()`.
   *
   * @throws {TypeError} for a string (encode it first) or another non-buffer
   * @throws {RangeError} when the file is closed or not writable
   */
  write(b: Bytes): number | null {
    const s = this.#open();
    if (!this.#writing) throw new RangeError("File or stream is not writable.");
    const buf = bytesArg(b, "write");
    try {
      return s.send(buf);
    } catch (e) {
      if (isBlocking(e)) return null;
      throw e;
    }
  }

  /** Writes each item of `lines` with {@linkcode SocketIO.write}. */
  writelines(lines: Iterable<Bytes>): void {
    for (const line of iterableArg(lines, "writelines")) this.write(line);
  }

  /** Nothing to flush: checks only that the file is open. */
  flush(): void {
    this.#open();
  }

  /**
   * Closes the file; the socket's descriptor closes too when the socket
   * was closed and this was its last file. Closing twice is a no-op.
   */
  close(): void {
    const s = this.#sock;
    if (s === null) return;
    this.#sock = null;
    ioRef(s, -1);
  }

  /** `using f = s.makefile(...)` closes the file at the end of the scope. */
  [Symbol.dispose](): void {
    this.close();
  }

  /** Iterates over lines until end of stream. */
  [Symbol.iterator](): IterableIterator<Uint8Array<ArrayBuffer>> {
    return lines(this);
  }
}

function* lines<T extends { length: number }>(f: { readline(): T }): IterableIterator<T> {
  for (;;) {
    const line = f.readline();
    if (line.length === 0) return;
    yield line;
  }
}

function readLines<T extends { length: number }>(f: { readline(): T }, hint: number): T[] {
  const out: T[] = [];
  let n = 0;
  for (const line of lines(f)) {
    out.push(line);
    n += line.length;
    if (hint > 0 && n >= hint) break;
  }
  return out;
}

// ---- buffered binary: io.BufferedReader / BufferedWriter / BufferedRWPair ----

/**
 * The buffered binary file that `makefile("rb" | "wb" | "rwb")` returns:
 * Python's `io.BufferedReader`, `io.BufferedWriter` or `io.BufferedRWPair`
 * over a {@linkcode SocketIO}.
 *
 * `read(n)` waits for `n` bytes (or end of stream); `read1(n)` returns what
 * one `recv` gives. Writes collect in a buffer of `buffering` bytes (8192 by
 * default) sent when it fills, on `flush()` and on `close()`; in `"rwb"`
 * mode a read does not flush pending writes (as BufferedRWPair): flush
 * before waiting for an answer.
 *
 * The socket must be in blocking or timeout mode, as the specification
 * says. On a non-blocking socket, reads return what is there and throw a
 * `SocketError` EAGAIN when nothing is (where Python returns None), and a
 * write that cannot complete keeps the unsent bytes buffered and throws
 * EAGAIN.
 */
export class BufferedSocketFile {
  /** The raw file underneath (Python's `raw`). */
  readonly raw: SocketIO;
  /** The buffer size in bytes. */
  readonly buffer_size: number;
  #rbuf: Uint8Array<ArrayBuffer> | null = null;
  #rpos = 0;
  #rend = 0;
  #wbuf: Uint8Array | null = null;
  #wlen = 0;

  /**
   * Buffers `raw`. Use `Socket.makefile()` rather than this constructor.
   *
   * @param raw the raw file
   * @param bufferSize the buffer size in bytes (> 0)
   */
  constructor(raw: SocketIO, bufferSize: number = DEFAULT_BUFFER_SIZE) {
    if (!Number.isSafeInteger(bufferSize) || bufferSize <= 0) {
      throw new RangeError("buffer size must be strictly positive");
    }
    this.raw = raw;
    this.buffer_size = bufferSize;
    if (raw.mode.includes("r")) this.#rbuf = allocBytes(bufferSize, "makefile buffering");
    if (raw.mode.includes("w")) this.#wbuf = allocBytes(bufferSize, "makefile buffering");
  }

  /** Whether the file is closed. */
  get closed(): boolean {
    return this.raw.closed;
  }

  /** The mode: `"rb"`, `"wb"` or `"rwb"`. */
  get mode(): string {
    return this.raw.mode;
  }

  /** The socket's descriptor, or -1 once closed. */
  get name(): number {
    return this.raw.name;
  }

  /** The socket's descriptor. @throws {RangeError} when closed */
  fileno(): number {
    return this.raw.fileno();
  }

  /** Whether the file reads. @throws {RangeError} when closed */
  readable(): boolean {
    return this.raw.readable();
  }

  /** Whether the file writes. @throws {RangeError} when closed */
  writable(): boolean {
    return this.raw.writable();
  }

  /** Always false. @throws {RangeError} when closed */
  seekable(): boolean {
    return this.raw.seekable();
  }

  /** Always false. @throws {RangeError} when closed */
  isatty(): boolean {
    return this.raw.isatty();
  }

  #reader(): Uint8Array<ArrayBuffer> {
    if (this.raw.closed) throw closedError();
    if (this.#rbuf === null) throw new RangeError("File or stream is not readable.");
    return this.#rbuf;
  }

  /** Refills the empty read buffer with one recv: the bytes read, 0 at end, null if it would block. */
  #fill(rbuf: Uint8Array): number | null {
    this.#rpos = 0;
    this.#rend = 0;
    const n = this.raw.readinto(rbuf);
    if (n !== null) this.#rend = n;
    return n;
  }

  /** Takes up to `n` buffered bytes. */
  #take(n: number): Uint8Array<ArrayBuffer> {
    const end = Math.min(this.#rend, this.#rpos + n);
    const out = this.#rbuf!.slice(this.#rpos, end);
    this.#rpos = end;
    return out;
  }

  /**
   * Reads `size` bytes, waiting until they have all arrived or the stream
   * ends; with `size` negative or null, everything up to end of stream.
   * Python: `BufferedReader.read()`.
   *
   * @throws {timeout} when the socket's timeout expires
   * @throws {SocketError} EAGAIN on a non-blocking socket with nothing to read
   * @throws {RangeError} when closed or not readable
   */
  read(size: number | null = -1): Uint8Array<ArrayBuffer> {
    const rbuf = this.#reader();
    const n = sizeArg(size);
    if (n < 0) return this.#readall();
    const have = this.#rend - this.#rpos;
    if (have >= n) return this.#take(n);
    const out = allocBytes(n, "read");
    out.set(rbuf.subarray(this.#rpos, this.#rend));
    this.#rpos = this.#rend = 0;
    let got = have;
    while (got < n) {
      const left = n - got;
      let r: number | null;
      if (left >= this.buffer_size) {
        r = this.raw.readinto(out.subarray(got));
        if (r !== null) got += r;
      } else {
        r = this.#fill(rbuf);
        if (r !== null) {
          const k = Math.min(r, left);
          out.set(rbuf.subarray(0, k), got);
          this.#rpos = k;
          got += k;
        }
      }
      if (r === null) {
        if (got === 0) throw eagain("recv");
        break;
      }
      if (r === 0) break;
    }
    return got === n ? out : out.slice(0, got);
  }

  #readall(): Uint8Array<ArrayBuffer> {
    const rbuf = this.#rbuf!;
    let cap = Math.max(READALL_CHUNK, 2 * (this.#rend - this.#rpos));
    let out = new Uint8Array(cap);
    out.set(rbuf.subarray(this.#rpos, this.#rend));
    let len = this.#rend - this.#rpos;
    this.#rpos = this.#rend = 0;
    for (;;) {
      if (cap - len < READALL_CHUNK / 2) {
        cap *= 2;
        const bigger = new Uint8Array(cap);
        bigger.set(out.subarray(0, len));
        out = bigger;
      }
      const r = this.raw.readinto(out.subarray(len));
      if (r === null) {
        if (len === 0) throw eagain("recv");
        break;
      }
      if (r === 0) break;
      len += r;
    }
    return len === cap ? out : out.slice(0, len);
  }

  /**
   * Returns up to `size` bytes with at most one `recv(2)`: the buffered
   * bytes if there are any, else what one recv gives. Empty at end of
   * stream. Python: `BufferedReader.read1()`.
   *
   * @throws {SocketError} EAGAIN on a non-blocking socket with nothing to read
   */
  read1(size: number | null = -1): Uint8Array<ArrayBuffer> {
    const rbuf = this.#reader();
    let n = sizeArg(size);
    if (n < 0) n = this.buffer_size;
    if (n === 0) return new Uint8Array(0);
    if (this.#rend > this.#rpos) return this.#take(n);
    if (n > this.buffer_size) {
      const out = allocBytes(n, "read1");
      const r = this.raw.readinto(out);
      if (r === null) throw eagain("recv");
      return r === n ? out : out.slice(0, r);
    }
    const r = this.#fill(rbuf);
    if (r === null) throw eagain("recv");
    return this.#take(n);
  }

  /**
   * Returns the buffered bytes without consuming them, reading once if
   * none are buffered. Python: `BufferedReader.peek()`.
   */
  peek(_size = 0): Uint8Array<ArrayBuffer> {
    const rbuf = this.#reader();
    if (this.#rend === this.#rpos && this.#fill(rbuf) === null) throw eagain("recv");
    return rbuf.slice(this.#rpos, this.#rend);
  }

  /**
   * Reads into `b` until it is full or the stream ends, and returns the
   * bytes read. Python: `BufferedReader.readinto()`.
   */
  readinto(b: Bytes): number {
    return this.#readinto(bytesArg(b, "readinto"), false);
  }

  /**
   * Reads into `b` with at most one `recv(2)`, and returns the bytes read.
   * Python: `BufferedReader.readinto1()`.
   */
  readinto1(b: Bytes): number {
    return this.#readinto(bytesArg(b, "readinto1"), true);
  }

  #readinto(buf: Uint8Array, once: boolean): number {
    const rbuf = this.#reader();
    const have = Math.min(this.#rend - this.#rpos, buf.length);
    buf.set(rbuf.subarray(this.#rpos, this.#rpos + have));
    this.#rpos += have;
    let got = have;
    if (once && got > 0) return got;
    while (got < buf.length) {
      const r = this.raw.readinto(buf.subarray(got));
      if (r === null) {
        if (got === 0) throw eagain("recv");
        break;
      }
      if (r === 0) break;
      got += r;
      if (once) break;
    }
    return got;
  }

  /**
   * Reads one line, up to and including `\n` (at most `size` bytes when
   * `size` is not negative). Empty at end of stream. Python:
   * `BufferedReader.readline()`.
   */
  readline(size: number | null = -1): Uint8Array<ArrayBuffer> {
    const rbuf = this.#reader();
    const limit = sizeArg(size);
    const chunks: Uint8Array<ArrayBuffer>[] = [];
    let total = 0;
    for (;;) {
      let take = this.#rend - this.#rpos;
      let done = false;
      const nl = rbuf.subarray(this.#rpos, this.#rend).indexOf(0x0a);
      if (nl >= 0) {
        take = nl + 1;
        done = true;
      }
      if (limit >= 0 && total + take >= limit) {
        take = limit - total;
        done = true;
      }
      if (take > 0) {
        chunks.push(rbuf.slice(this.#rpos, this.#rpos + take));
        this.#rpos += take;
        total += take;
      }
      if (done) break;
      const r = this.#fill(rbuf);
      if (r === null) {
        if (total === 0) throw eagain("recv");
        break;
      }
      if (r === 0) break;
    }
    return concat(chunks, total);
  }

  /**
   * Reads lines until end of stream, or until their total size reaches
   * `hint` when it is positive. Python: `IOBase.readlines()`.
   */
  readlines(hint: number | null = -1): Uint8Array<ArrayBuffer>[] {
    return readLines(this, sizeArg(hint, "hint"));
  }

  /**
   * Buffers `b` (sending the buffer when it fills; data as large as the
   * buffer goes straight out) and returns its length. Python:
   * `BufferedWriter.write()`.
   *
   * @throws {TypeError} for a string (encode it first) or another non-buffer
   * @throws {RangeError} when closed or not writable
   * @throws {timeout} when the socket's timeout expires while sending
   * @throws {SocketError} EPIPE...; EAGAIN on a non-blocking socket (the unsent bytes stay buffered)
   */
  write(b: Bytes): number {
    if (this.raw.closed) throw closedError();
    const wbuf = this.#wbuf;
    if (wbuf === null) throw new RangeError("File or stream is not writable.");
    const data = bytesArg(b, "write");
    const n = data.length;
    if (this.#wlen + n <= wbuf.length) {
      wbuf.set(data, this.#wlen);
      this.#wlen += n;
      return n;
    }
    this.#flushBuffer();
    if (n < this.buffer_size) {
      this.#wbuf!.set(data, 0);
      this.#wlen = n;
      return n;
    }
    let off = 0;
    while (off < n) {
      const r = this.raw.write(data.subarray(off));
      if (r === null) {
        this.#stash(data.subarray(off));
        throw eagain("send");
      }
      off += r;
    }
    return n;
  }

  /** Keeps bytes that could not be sent at the end of the (possibly grown) write buffer. */
  #stash(rest: Uint8Array): void {
    const need = this.#wlen + rest.length;
    if (need > this.#wbuf!.length) {
      const bigger = new Uint8Array(need);
      bigger.set(this.#wbuf!.subarray(0, this.#wlen));
      this.#wbuf = bigger;
    }
    this.#wbuf!.set(rest, this.#wlen);
    this.#wlen = need;
  }

  /** Sends the whole write buffer; on failure keeps what is unsent and throws. */
  #flushBuffer(): void {
    const wbuf = this.#wbuf;
    if (wbuf === null) return;
    let off = 0;
    try {
      while (off < this.#wlen) {
        const r = this.raw.write(wbuf.subarray(off, this.#wlen));
        if (r === null) throw eagain("send");
        off += r;
      }
    } finally {
      if (off > 0) {
        wbuf.copyWithin(0, off, this.#wlen);
        this.#wlen -= off;
      }
    }
    // a buffer grown by #stash goes back to its size once empty
    if (wbuf.length > this.buffer_size) this.#wbuf = new Uint8Array(this.buffer_size);
  }

  /** Writes each item of `lines`. */
  writelines(lines: Iterable<Bytes>): void {
    for (const line of iterableArg(lines, "writelines")) this.write(line);
  }

  /**
   * Sends every buffered byte. Python: `BufferedWriter.flush()`.
   *
   * @throws {RangeError} when closed
   * @throws {timeout} / {SocketError} as write (the unsent bytes stay buffered)
   */
  flush(): void {
    if (this.raw.closed) throw closedError();
    this.#flushBuffer();
  }

  /**
   * Flushes, then closes the file (also when the flush fails, whose error
   * is then thrown); the socket's descriptor closes too when the socket was
   * closed and this was its last file. Closing twice is a no-op.
   */
  close(): void {
    if (this.raw.closed) return;
    try {
      this.#flushBuffer();
    } finally {
      this.raw.close();
      this.#rbuf = null;
    }
  }

  /** `using f = s.makefile("rb")` closes the file at the end of the scope. */
  [Symbol.dispose](): void {
    this.close();
  }

  /** Iterates over lines until end of stream. */
  [Symbol.iterator](): IterableIterator<Uint8Array<ArrayBuffer>> {
    return lines(this);
  }
}

// ---- codecs ----

interface StreamDecoder {
  decode(b: Uint8Array, final: boolean): string;
}

interface Codec {
  /** A decoder applying the error handler `errors` ("strict", "replace", ...). */
  decoder(errors: string): StreamDecoder;
  /** An encoder applying the error handler `errors`; null for a read-only codec. */
  encoder: ((errors: string) => (s: string) => Uint8Array) | null;
  /** Whether the codec takes ignore, surrogateescape and backslashreplace besides strict and replace. */
  allHandlers: boolean;
}

function decodeError(encoding: string, cause: unknown): RangeError {
  return new RangeError(
    `'${encoding}' codec can't decode the bytes received: invalid data ` +
      `(UnicodeDecodeError; use errors: "replace" to substitute U+FFFD)`,
    { cause },
  );
}

function encodeError(encoding: string, s: string, i: number, why: string): RangeError {
  const cp = s.codePointAt(i)!;
  return new RangeError(
    `'${encoding}' codec can't encode character '\\u${
      cp.toString(16).padStart(4, "0")
    }' in position ${i}: ${why} (UnicodeEncodeError)`,
  );
}

function textDecoderCodec(
  label: string,
  ignoreBOM: boolean,
  name: string,
): (errors: string) => StreamDecoder {
  return (errors) => {
    if (errors !== "strict" && errors !== "replace") {
      // UTF-8 only (the codec says so): Python's handlers on each ill-formed subpart.
      const d = new Utf8HandlerDecoder(errors, (bad, at) => {
        throw new RangeError(
          `'${name}' codec can't decode byte 0x${bad[0].toString(16)} in position ${at}: ` +
            `invalid data (UnicodeDecodeError)`,
        );
      });
      let bom = !ignoreBOM;
      return {
        decode(b, final): string {
          let out = d.decode(b, final);
          if (bom && out.length > 0) {
            if (out.charCodeAt(0) === 0xfeff) out = out.slice(1);
            bom = false;
          }
          return out;
        },
      };
    }
    const strict = errors === "strict";
    const d = new TextDecoder(label, { fatal: strict, ignoreBOM });
    return {
      decode(b, final): string {
        try {
          return d.decode(b, { stream: !final });
        } catch (e) {
          throw decodeError(name, e);
        }
      },
    };
  };
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Checks or replaces (with `?`) lone surrogates, which no UTF encoding can carry. */
function wellFormed(s: string, strict: boolean, name: string): string {
  if (s.isWellFormed()) return s;
  if (strict) {
    LONE_SURROGATE.lastIndex = 0;
    const m = LONE_SURROGATE.exec(s)!;
    throw encodeError(name, s, m.index, "surrogates not allowed");
  }
  return s.replace(LONE_SURROGATE, "?");
}

const utf8Encoder = new TextEncoder();

/** UTF-8 with Python's error handler `errors` applied to lone surrogates. */
function utf8Encode(s: string, errors: string, name: string): Uint8Array {
  if (s.isWellFormed()) return utf8Encoder.encode(s);
  if (errors === "strict" || errors === "replace") {
    return utf8Encoder.encode(wellFormed(s, errors === "strict", name));
  }
  const parts: number[] = [];
  let last = 0;
  LONE_SURROGATE.lastIndex = 0;
  for (let m = LONE_SURROGATE.exec(s); m !== null; m = LONE_SURROGATE.exec(s)) {
    parts.push(...utf8Encoder.encode(s.slice(last, m.index)));
    const bytes = encodeReplacement(errors, s.charCodeAt(m.index));
    if (bytes === null) throw encodeError(name, s, m.index, "surrogates not allowed");
    parts.push(...bytes);
    last = m.index + 1;
  }
  parts.push(...utf8Encoder.encode(s.slice(last)));
  return new Uint8Array(parts);
}

function utf8Codec(sig: boolean, name: string): Codec {
  return {
    allHandlers: true,
    decoder: textDecoderCodec("utf-8", !sig, name),
    encoder: (errors) => {
      let bom = sig;
      return (s) => {
        const b = utf8Encode(s, errors, name);
        if (!bom) return b;
        bom = false;
        const out = new Uint8Array(b.length + 3);
        out.set([0xef, 0xbb, 0xbf]);
        out.set(b, 3);
        return out;
      };
    },
  };
}

/** ASCII (limit 0x7f) or Latin-1 (limit 0xff): one byte per character. */
function byteCodec(limit: number, name: string): Codec {
  return {
    allHandlers: true,
    decoder: (errors) => ({
      decode(b): string {
        let s = "";
        for (let i = 0; i < b.length; i += 4096) {
          const part = b.subarray(i, i + 4096);
          if (limit < 0xff) {
            const bad = part.findIndex((x) => x > limit);
            if (bad >= 0) {
              for (let k = 0; k < part.length; k++) {
                const x = part[k];
                if (x <= limit) {
                  s += String.fromCharCode(x);
                  continue;
                }
                const text = decodeReplacement(errors, part.subarray(k, k + 1));
                if (text === null) {
                  throw new RangeError(
                    `'${name}' codec can't decode byte 0x${x.toString(16)} in position ` +
                      `${i + k}: ordinal not in range(128) (UnicodeDecodeError)`,
                  );
                }
                s += text;
              }
              continue;
            }
          }
          s += String.fromCharCode(...part);
        }
        return s;
      },
    }),
    encoder: (errors) => (s) => {
      const out: number[] = [];
      for (let i = 0; i < s.length; i++) {
        const c = s.charCodeAt(i);
        if (c <= limit) {
          out.push(c);
          continue;
        }
        const cp = s.codePointAt(i)!;
        const bytes = encodeReplacement(errors, cp);
        if (bytes === null) throw encodeError(name, s, i, `ordinal not in range(${limit + 1})`);
        out.push(...bytes);
        if (cp > 0xffff) i++; // one replacement per code point
      }
      return new Uint8Array(out);
    },
  };
}

function utf16Codec(littleEndian: boolean, name: string): Codec {
  return {
    allHandlers: false,
    decoder: textDecoderCodec(littleEndian ? "utf-16le" : "utf-16be", true, name),
    encoder: (errors) => (s) => {
      s = wellFormed(s, errors === "strict", name);
      const out = new Uint8Array(s.length * 2);
      const view = new DataView(out.buffer);
      for (let i = 0; i < s.length; i++) view.setUint16(2 * i, s.charCodeAt(i), littleEndian);
      return out;
    },
  };
}

function lookupCodec(encoding: string): Codec {
  const key = encoding.toLowerCase().replace(/[-_ ]/g, "");
  switch (key) {
    case "utf8":
    case "u8":
    case "utf":
    case "cp65001":
      return utf8Codec(false, "utf-8");
    case "utf8sig":
      return utf8Codec(true, "utf-8-sig");
    case "ascii":
    case "usascii":
    case "646":
    case "us":
      return byteCodec(0x7f, "ascii");
    case "latin1":
    case "latin":
    case "l1":
    case "iso88591":
    case "8859":
    case "cp819":
    case "ibm819":
      return byteCodec(0xff, "latin-1");
    case "utf16le":
      return utf16Codec(true, "utf-16-le");
    case "utf16be":
      return utf16Codec(false, "utf-16-be");
  }
  try {
    new TextDecoder(encoding);
  } catch {
    throw new RangeError(`unknown encoding: ${encoding} (LookupError)`);
  }
  return { decoder: textDecoderCodec(encoding, true, encoding), encoder: null, allHandlers: false };
}

// ---- text: io.TextIOWrapper ----

/** Index just past `n` code points of `s` from `start`, or -1 when it has fewer. */
function cpIndex(s: string, start: number, n: number): number {
  const end = start + n;
  if (end > s.length) return -1; // fewer code units, so fewer code points
  let i = start;
  let c = 0;
  // fast path: no surrogates in the window
  let surrogate = false;
  for (let k = start; k < end; k++) {
    const u = s.charCodeAt(k);
    if (u >= 0xd800 && u <= 0xdfff) {
      surrogate = true;
      break;
    }
  }
  if (!surrogate) return end;
  while (c < n) {
    if (i >= s.length) return -1;
    const u = s.charCodeAt(i);
    i += u >= 0xd800 && u <= 0xdbff && i + 1 < s.length &&
        (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00
      ? 2
      : 1;
    c++;
  }
  return i;
}

/** Code points in `s`. */
function cpLength(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length - 1; i++) {
    const u = s.charCodeAt(i);
    if (u >= 0xd800 && u <= 0xdbff && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n--;
      i++;
    }
  }
  return n;
}

const SEEN_LF = 1;
const SEEN_CR = 2;
const SEEN_CRLF = 4;
const NEWLINES: (string | string[] | null)[] = [
  null,
  "\n",
  "\r",
  ["\r", "\n"],
  "\r\n",
  ["\n", "\r\n"],
  ["\r", "\r\n"],
  ["\r", "\n", "\r\n"],
];

/**
 * The text file that `makefile("r" | "w" | "rw")` returns: Python's
 * `io.TextIOWrapper` over a {@linkcode BufferedSocketFile}.
 *
 * Reading decodes incrementally, so a multi-byte character split across
 * two `recv` calls decodes whole; sizes (`read(n)`, `readline(n)`, the
 * result of `write`) count code points, as Python's `str` does. Newlines
 * are translated as `newline` says (see {@linkcode MakefileOptions}); in
 * the universal modes a trailing `\r` is held back until the next byte
 * shows whether `\n` follows, as in Python.
 *
 * Differences from CPython's makefile: `buffering: 1` turns on line
 * buffering (as `open()` does and the specification says; CPython's
 * makefile ignores it), and a write in `"rw"` mode does not drop text
 * already received and decoded (TextIOWrapper resets its decoder on write,
 * which suits seekable files, not sockets).
 */
export class TextSocketFile {
  /** The binary file underneath (Python's `buffer`). */
  readonly buffer: BufferedSocketFile;
  /** The encoding name as given (`"UTF-8"` by default). */
  readonly encoding: string;
  /** The error handling: `"strict"`, `"replace"`, `"ignore"`, `"surrogateescape"` or `"backslashreplace"`. */
  readonly errors: string;
  /** Whether a write containing `\n` or `\r` flushes (buffering 1). */
  readonly line_buffering: boolean;
  #mode: string;
  #decoder: StreamDecoder | null = null;
  #encode: ((s: string) => Uint8Array) | null = null;
  #codec: Codec;
  #readUniversal: boolean;
  #readTranslate: boolean;
  #readnl: string;
  #writeTranslate: boolean;
  #writenl: string;
  #pendingCR = false;
  #seennl = 0;
  #decoded = "";
  #dpos = 0;

  /**
   * Wraps `buffer`. Use `Socket.makefile()` rather than this constructor.
   *
   * @param buffer the binary file
   * @param mode the mode reported by `mode`
   * @param encoding the encoding (null: UTF-8)
   * @param errors `"strict"` (null) or `"replace"`
   * @param newline see {@linkcode MakefileOptions}
   * @param lineBuffering flush after writing a line end
   * @throws {TypeError} for options of the wrong type
   * @throws {RangeError} for an unknown encoding, errors or newline value
   */
  constructor(
    buffer: BufferedSocketFile,
    mode: string,
    encoding: string | null = null,
    errors: string | null = null,
    newline: string | null = null,
    lineBuffering = false,
  ) {
    const t = textOptions(encoding, errors, newline);
    if (buffer.raw.mode.includes("w") && t.codec.encoder === null) {
      throw new RangeError(
        `encoding ${t.encoding} is supported for reading only here (TextDecoder); ` +
          `writing needs utf-8, utf-8-sig, ascii, latin-1, utf-16-le or utf-16-be`,
      );
    }
    this.buffer = buffer;
    this.#mode = mode;
    this.encoding = t.encoding;
    this.errors = t.errors;
    this.#codec = t.codec;
    this.line_buffering = lineBuffering;
    this.#readUniversal = newline === null || newline === "";
    this.#readTranslate = newline === null;
    this.#readnl = newline ?? "\n";
    this.#writeTranslate = newline !== "";
    this.#writenl = newline || "\n"; // os.linesep on Linux
  }

  /** Whether the file is closed. */
  get closed(): boolean {
    return this.buffer.closed;
  }

  /** The mode string given to makefile(). */
  get mode(): string {
    return this.#mode;
  }

  /** The socket's descriptor, or -1 once closed. */
  get name(): number {
    return this.buffer.name;
  }

  /**
   * The kinds of line end read so far in the universal modes (`null`,
   * one string, or an array of them), as Python's `newlines`; null in the
   * other modes.
   */
  get newlines(): string | string[] | null {
    return this.#readUniversal ? NEWLINES[this.#seennl] : null;
  }

  /** The socket's descriptor. @throws {RangeError} when closed */
  fileno(): number {
    return this.buffer.fileno();
  }

  /** Whether the file reads. @throws {RangeError} when closed */
  readable(): boolean {
    return this.buffer.readable();
  }

  /** Whether the file writes. @throws {RangeError} when closed */
  writable(): boolean {
    return this.buffer.writable();
  }

  /** Always false. @throws {RangeError} when closed */
  seekable(): boolean {
    return this.buffer.seekable();
  }

  /** Always false. @throws {RangeError} when closed */
  isatty(): boolean {
    return this.buffer.isatty();
  }

  #checkReadable(): void {
    if (this.buffer.closed) throw closedError();
    if (!this.buffer.raw.mode.includes("r")) throw new RangeError("not readable");
  }

  /** Decodes `b` through the newline decoder (IncrementalNewlineDecoder). */
  #decode(b: Uint8Array, final: boolean): string {
    const dec = this.#decoder ??= this.#codec.decoder(this.errors);
    let out = dec.decode(b, final);
    if (!this.#readUniversal) return out;
    if (this.#pendingCR && (out.length > 0 || final)) {
      out = "\r" + out;
      this.#pendingCR = false;
    }
    if (!final && out.endsWith("\r")) {
      out = out.slice(0, -1);
      this.#pendingCR = true;
    }
    if (this.#seennl !== 7 && (out.includes("\r") || out.includes("\n"))) {
      const crlf = out.includes("\r\n");
      if (crlf) this.#seennl |= SEEN_CRLF;
      if (/\r(?!\n)/.test(out)) this.#seennl |= SEEN_CR;
      if (/(?<!\r)\n/.test(out)) this.#seennl |= SEEN_LF;
    }
    if (this.#readTranslate) out = out.replace(/\r\n?/g, "\n");
    return out;
  }

  /** Reads one chunk into the decoded text; false at end of stream. */
  #readChunk(): boolean {
    const b = this.buffer.read1(CHUNK_SIZE);
    const eof = b.length === 0;
    const text = this.#decode(b, eof);
    if (text.length > 0) {
      this.#decoded = this.#decoded.slice(this.#dpos) + text;
      this.#dpos = 0;
    }
    return !eof;
  }

  #available(): number {
    return this.#decoded.length - this.#dpos;
  }

  /** Takes up to `n` code points (all when n < 0) of the decoded text. */
  #takeDecoded(n: number): string {
    const end = n < 0 ? -1 : cpIndex(this.#decoded, this.#dpos, n);
    const stop = end < 0 ? this.#decoded.length : end;
    const out = this.#decoded.slice(this.#dpos, stop);
    this.#dpos = stop;
    if (this.#dpos === this.#decoded.length) {
      this.#decoded = "";
      this.#dpos = 0;
    }
    return out;
  }

  /**
   * Reads `size` code points, waiting until they have arrived or the
   * stream ends; with `size` negative or null, everything up to end of
   * stream. Python: `TextIOWrapper.read()`.
   *
   * @throws {RangeError} for undecodable bytes with errors "strict"; when closed or not readable
   * @throws {timeout} when the socket's timeout expires
   */
  read(size: number | null = -1): string {
    this.#checkReadable();
    const n = sizeArg(size);
    if (n < 0) {
      const rest = this.buffer.read();
      const text = this.#takeDecoded(-1) + this.#decode(rest, true);
      return text;
    }
    let result = this.#takeDecoded(n);
    let got = cpLength(result);
    while (got < n) {
      if (!this.#readChunk()) {
        result += this.#takeDecoded(n - got); // what the final decode gave
        break;
      }
      const more = this.#takeDecoded(n - got);
      result += more;
      got += cpLength(more);
    }
    return result;
  }

  /** Where the first line ends in `line` from `start`, or -1. */
  #lineEnd(line: string, start: number): number {
    if (this.#readTranslate) {
      const p = line.indexOf("\n", start);
      return p < 0 ? -1 : p + 1;
    }
    if (this.#readUniversal) {
      const lf = line.indexOf("\n", start);
      const cr = line.indexOf("\r", start);
      if (cr < 0) return lf < 0 ? -1 : lf + 1;
      if (lf < 0 || lf > cr + 1) return cr + 1;
      if (lf < cr) return lf + 1;
      return cr + 2; // \r\n (never split: the decoder holds a trailing \r back)
    }
    const p = line.indexOf(this.#readnl, start);
    return p < 0 ? -1 : p + this.#readnl.length;
  }

  /**
   * Reads one line, its end included (as `newline` defines it), at most
   * `size` code points when `size` is not negative. Empty at end of
   * stream. Python: `TextIOWrapper.readline()`.
   */
  readline(size: number | null = -1): string {
    this.#checkReadable();
    const limit = sizeArg(size);
    let line = this.#takeDecoded(-1);
    let start = 0;
    let end: number;
    for (;;) {
      end = this.#lineEnd(line, start);
      if (end >= 0) break;
      if (limit >= 0) {
        const cut = cpIndex(line, 0, limit);
        if (cut >= 0) {
          end = cut;
          break;
        }
      }
      // a multi-character line end may straddle what is there and what comes
      start = this.#readUniversal
        ? line.length
        : Math.max(0, line.length - this.#readnl.length + 1);
      let more = false;
      while (this.#readChunk()) {
        if (this.#available() > 0) {
          more = true;
          break;
        }
      }
      if (!more && this.#available() === 0) return line; // end of stream
      line += this.#takeDecoded(-1);
    }
    if (limit >= 0) {
      const cut = cpIndex(line, 0, limit);
      if (cut >= 0 && end > cut) end = cut;
    }
    if (end < line.length) {
      this.#decoded = line.slice(end) + this.#decoded.slice(this.#dpos);
      this.#dpos = 0;
    }
    return line.slice(0, end);
  }

  /**
   * Reads lines until end of stream, or until their total length reaches
   * `hint` when it is positive. Python: `IOBase.readlines()`.
   */
  readlines(hint: number | null = -1): string[] {
    return readLines(this, sizeArg(hint, "hint"));
  }

  /**
   * Encodes `s` (translating `\n` as `newline` says) into the buffer and
   * returns its length in code points; flushes when line buffering sees a
   * line end. Python: `TextIOWrapper.write()`.
   *
   * @throws {TypeError} for anything but a string
   * @throws {RangeError} for characters the encoding cannot encode with errors "strict"; when closed or not writable
   */
  write(s: string): number {
    if (this.buffer.closed) throw closedError();
    if (!this.buffer.raw.mode.includes("w")) throw new RangeError("not writable");
    if (typeof s !== "string") {
      throw new TypeError(`write() argument must be a string, not ${describe(s)}`);
    }
    const length = cpLength(s);
    const haslf = (this.#writeTranslate || this.line_buffering) && s.includes("\n");
    if (haslf && this.#writeTranslate && this.#writenl !== "\n") {
      s = s.replaceAll("\n", this.#writenl);
    }
    const enc = this.#encode ??= this.#codec.encoder!(this.errors);
    this.buffer.write(enc(s));
    if (this.line_buffering && (haslf || s.includes("\r"))) this.buffer.flush();
    return length;
  }

  /** Writes each string of `lines`. */
  writelines(lines: Iterable<string>): void {
    for (const line of iterableArg(lines, "writelines")) this.write(line);
  }

  /** Sends everything buffered. @throws {RangeError} when closed */
  flush(): void {
    this.buffer.flush();
  }

  /**
   * Flushes, then closes the file; the socket's descriptor closes too when
   * the socket was closed and this was its last file. Closing twice is a
   * no-op.
   */
  close(): void {
    this.buffer.close();
  }

  /** `using f = s.makefile()` closes the file at the end of the scope. */
  [Symbol.dispose](): void {
    this.close();
  }

  /** Iterates over lines until end of stream. */
  [Symbol.iterator](): IterableIterator<string> {
    return lines(this);
  }
}

function textOptions(
  encoding: unknown,
  errors: unknown,
  newline: unknown,
): { encoding: string; errors: string; codec: Codec } {
  if (encoding !== null && encoding !== undefined && typeof encoding !== "string") {
    throw new TypeError(`encoding must be a string or null, not ${describe(encoding)}`);
  }
  if (errors !== null && errors !== undefined && typeof errors !== "string") {
    throw new TypeError(`errors must be a string or null, not ${describe(errors)}`);
  }
  if (newline !== null && newline !== undefined && typeof newline !== "string") {
    throw new TypeError(`newline must be a string or null, not ${describe(newline)}`);
  }
  if (
    newline !== null && newline !== undefined &&
    !["", "\n", "\r", "\r\n"].includes(newline as string)
  ) {
    throw new RangeError(`illegal newline value: ${JSON.stringify(newline)}`);
  }
  const err = (errors as string | null | undefined) ?? "strict";
  if (!ERROR_HANDLERS.includes(err)) {
    throw new RangeError(
      `unknown error handler name ${JSON.stringify(err)}: one of ${ERROR_HANDLERS.join(", ")} ` +
        `(LookupError)`,
    );
  }
  const enc = (encoding as string | null | undefined) ?? "UTF-8";
  const codec = lookupCodec(enc);
  if (!codec.allHandlers && err !== "strict" && err !== "replace") {
    throw new RangeError(
      `errors ${JSON.stringify(err)} is supported with utf-8, ascii and latin-1 here, ` +
        `not ${enc} (use "strict" or "replace")`,
    );
  }
  return { encoding: enc, errors: err, codec };
}

/**
 * Implements `Socket.makefile(mode='r', buffering=None, *, encoding=None,
 * errors=None, newline=None)`.
 *
 * `mode` is made of the letters r, w and b, as in CPython ("r", "w", "b",
 * "rb", "wb", "rw", "rwb", and their reorderings); without "w" the file
 * reads, without "b" it is a text file. `buffering`: null or negative for
 * the default buffer (8192 bytes), 0 for a raw unbuffered binary file, 1
 * for line buffering in text mode, more for that buffer size.
 *
 * @throws {RangeError} for an invalid mode, buffering 0 in text mode, or a bad encoding/errors/newline
 * @throws {TypeError} for arguments of the wrong type
 */
export function makefile(
  s: Socket,
  mode: string,
  buffering: number | null,
  options: MakefileOptions,
): SocketFile {
  if (mode === undefined) mode = "r";
  if (typeof mode !== "string") {
    throw new TypeError(`mode must be a string, not ${describe(mode)}`);
  }
  if (![...mode].every((c) => c === "r" || c === "w" || c === "b")) {
    throw new RangeError(`invalid mode '${mode}' (only r, w, b allowed)`);
  }
  if (buffering === undefined) buffering = null;
  if (buffering !== null && (typeof buffering !== "number" || !Number.isSafeInteger(buffering))) {
    throw new TypeError(`buffering must be an integer or null, not ${describe(buffering)}`);
  }
  if (options === undefined || options === null) options = {};
  if (typeof options !== "object") {
    throw new TypeError(`options must be an object, not ${describe(options)}`);
  }
  const writing = mode.includes("w");
  const reading = mode.includes("r") || !writing;
  const binary = mode.includes("b");
  const rawmode = (reading ? "r" : "") + (writing ? "w" : "");
  let size = buffering === null || buffering < 0 ? DEFAULT_BUFFER_SIZE : buffering;
  let lineBuffering = false;
  if (size === 0 && !binary) throw new RangeError("unbuffered streams must be binary");
  if (size === 1) {
    // open()'s rule: line buffering in text mode; the default buffer in binary mode
    lineBuffering = !binary;
    size = DEFAULT_BUFFER_SIZE;
  }
  // Read each option once (a getter may answer differently the next time)
  // and check them before taking a reference on the socket, so that a bad
  // option leaks nothing.
  const encoding = binary ? null : options.encoding ?? null;
  const errors = binary ? null : options.errors ?? null;
  const newline = binary ? null : options.newline ?? null;
  if (!binary) {
    const t = textOptions(encoding, errors, newline);
    if (writing && t.codec.encoder === null) {
      throw new RangeError(
        `encoding ${t.encoding} is supported for reading only here (TextDecoder); ` +
          `writing needs utf-8, utf-8-sig, ascii, latin-1, utf-16-le or utf-16-be`,
      );
    }
  }
  const raw = new SocketIO(s, rawmode);
  if (size === 0) return raw;
  try {
    const buffer = new BufferedSocketFile(raw, size);
    if (binary) return buffer;
    return new TextSocketFile(buffer, mode, encoding, errors, newline, lineBuffering);
  } catch (e) {
    // give back the reference the raw file took, or close() never closes the descriptor
    raw.close();
    throw e;
  }
}
