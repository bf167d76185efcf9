/**
 * Socket.makefile(): a synchronous file object over a socket.
 * (Placeholder until the messages issue lands.)
 *
 * @module
 */

import type { Socket } from "./socket.ts";

/** Keyword-only arguments of `makefile()`. */
export interface MakefileOptions {
  /** Text encoding (text modes); default "utf-8". */
  encoding?: string | null;
  /** Decoding error handling: "strict" or "replace". */
  errors?: string | null;
  /** Newline translation, as Python's io.TextIOWrapper. */
  newline?: string | null;
}

/** The file object `makefile()` returns. */
export interface SocketFile {
  /** The mode it was opened with. */
  readonly mode: string;
  /** Whether it is closed. */
  readonly closed: boolean;
  /** Closes the file (the socket stays open). */
  close(): void;
}

/** Implements `Socket.makefile()`. */
export function makefile(
  _s: Socket,
  _mode: string,
  _buffering: number | null,
  _options: MakefileOptions,
): SocketFile {
  throw new Error("Socket.makefile() is not implemented yet");
}
