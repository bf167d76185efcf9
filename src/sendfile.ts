/**
 * Socket.sendfile(): the Linux sendfile syscall with a send() fallback.
 * (Placeholder until the messages issue lands.)
 *
 * @module
 */

import type { Socket } from "./socket.ts";

/** Implements `Socket.sendfile()`. */
export function sendfile(
  _s: Socket,
  _file: Deno.FsFile | number,
  _offset: number,
  _count: number | null,
): number {
  throw new Error("Socket.sendfile() is not implemented yet");
}
