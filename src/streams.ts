/**
 * Web streams over a stream socket: `s.readable` and `s.writable`.
 * (Placeholder until the async issue lands.)
 *
 * @module
 */

import type { Socket } from "./socket.ts";

/** Implements `Socket.readable`. */
export function readableOf(_s: Socket): ReadableStream<Uint8Array> {
  throw new Error("Socket.readable is not implemented yet");
}

/** Implements `Socket.writable`. */
export function writableOf(_s: Socket): WritableStream<Uint8Array> {
  throw new Error("Socket.writable is not implemented yet");
}
