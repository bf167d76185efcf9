/**
 * Web streams over a stream socket: `s.readable` and `s.writable`, built on
 * `s.async`, so they wait on the shared reactor and never block the event
 * loop. They plug into `pipeTo`, `pipeThrough(new TextDecoderStream())`,
 * `new Response(s.readable)`.
 *
 * @module
 */

import { SHUT_RD, SHUT_WR, SOCK_STREAM } from "../constants/mod.ts";
import { SocketError } from "./errors.ts";
import type { Socket } from "./socket.ts";

// Each getter returns the same stream every time.
const readables = new WeakMap<Socket, ReadableStream<Uint8Array>>();
const writables = new WeakMap<Socket, WritableStream<Uint8Array>>();

/** Bytes asked of the kernel per read when the reader brings no buffer. */
const CHUNK = 65536;

function requireStream(s: Socket, what: string): void {
  if (s.type !== SOCK_STREAM) {
    throw new TypeError(
      `Socket.${what} needs a SOCK_STREAM socket (this one's type is ${s.type}): ` +
        `use s.async.recv()/send() for message-based sockets`,
    );
  }
}

/** shutdown(2) that tolerates a socket already closed or never connected. */
function shutdownQuietly(s: Socket, how: number): void {
  try {
    if (s.fileno() >= 0) s.shutdown(how);
  } catch (e) {
    if (!(e instanceof SocketError)) throw e;
  }
}

/**
 * Implements `Socket.readable`: a `ReadableStream<Uint8Array>` of type
 * `"bytes"` over the socket's incoming data.
 *
 * - Reads happen only when the consumer asks (high-water mark 0), so a slow
 *   consumer leaves the data in the kernel and TCP flow control pushes back
 *   on the sender.
 * - BYOB readers (`getReader({ mode: "byob" })`) receive straight into
 *   their buffer (`recv_into`); default readers get a fresh Uint8Array of
 *   exactly the received length per chunk (up to 64 KiB).
 * - The stream closes when the peer closes its side (recv returns 0), and
 *   errors with the socket's error (ECONNRESET, a `timeout` in timeout
 *   mode, EBADF when the socket is closed under it).
 * - `cancel()` aborts the pending read and shuts down the read half
 *   (`shutdown(SHUT_RD)`); the socket stays open.
 *
 * @param s a SOCK_STREAM socket
 * @returns the same stream on every call for that socket
 * @throws {TypeError} for a socket that is not SOCK_STREAM
 */
export function readableOf(s: Socket): ReadableStream<Uint8Array> {
  let r = readables.get(s);
  if (r !== undefined) return r;
  requireStream(s, "readable");
  const cancelled = new AbortController();
  const options = { signal: cancelled.signal };
  let own: Uint8Array | undefined;
  const source: UnderlyingByteSource = {
    type: "bytes",
    async pull(controller: ReadableByteStreamController): Promise<void> {
      const req = controller.byobRequest;
      if (req !== null && req.view !== null) {
        const n = await s.async.recv_into(req.view, 0, 0, options);
        if (n === 0) {
          controller.close();
          req.respond(0);
        } else {
          req.respond(n);
        }
        return;
      }
      // A default reader: receive into our own buffer and enqueue an exact
      // copy (enqueue transfers the chunk's whole ArrayBuffer).
      own ??= new Uint8Array(CHUNK);
      const n = await s.async.recv_into(own, 0, 0, options);
      if (n === 0) controller.close();
      else controller.enqueue(own.slice(0, n));
    },
    cancel(): void {
      cancelled.abort(new DOMException("the readable was cancelled", "AbortError"));
      shutdownQuietly(s, SHUT_RD);
    },
  };
  r = new ReadableStream(source, { highWaterMark: 0 });
  readables.set(s, r);
  return r;
}

/**
 * Implements `Socket.writable`: a `WritableStream<Uint8Array>` that sends
 * each chunk with `s.async.sendall()`.
 *
 * - A write completes when the kernel has taken all of its bytes, so the
 *   stream's backpressure (`writer.ready`, `pipeTo`) follows the socket's
 *   send buffer.
 * - `close()` waits for pending writes, then half-closes the connection
 *   (`shutdown(SHUT_WR)`): the peer reads end-of-file while this side can
 *   still read. The socket itself stays open: close it when done.
 * - `abort()` rejects the pending write at once (part of it may have been
 *   sent) and leaves the socket as it is — no FIN is sent, since end-of-file
 *   would tell the peer the data was complete; close the socket to end the
 *   connection.
 * - Chunks are any bytes-like object; a string is a TypeError (encode it,
 *   or pipe through a `TextEncoderStream`).
 *
 * @param s a SOCK_STREAM socket
 * @returns the same stream on every call for that socket
 * @throws {TypeError} for a socket that is not SOCK_STREAM
 */
export function writableOf(s: Socket): WritableStream<Uint8Array> {
  let w = writables.get(s);
  if (w !== undefined) return w;
  requireStream(s, "writable");
  let options: { signal: AbortSignal } | undefined;
  w = new WritableStream<Uint8Array>({
    start(controller: WritableStreamDefaultController): void {
      // Aborted when the stream is: ends the pending sendall at once.
      options = { signal: controller.signal };
    },
    write(chunk: Uint8Array): Promise<void> {
      return s.async.sendall(chunk, 0, options);
    },
    close(): void {
      s.shutdown(SHUT_WR);
    },
  });
  writables.set(s, w);
  return w;
}
