/**
 * `s.async`: the socket's methods returning Promises, driven by the reactor.
 * (Placeholder until the async issue lands.)
 *
 * @module
 */

import type { Socket } from "./socket.ts";
import { kOnClose } from "./_internal.ts";

/** The async face of a socket: the same method names, returning Promises. */
export class SocketAsync {
  #sock: Socket;
  /** @param sock the socket these methods act on */
  constructor(sock: Socket) {
    this.#sock = sock;
  }
  /** The socket these methods act on. */
  get socket(): Socket {
    return this.#sock;
  }
  /** Rejects pending calls when the socket closes. */
  [kOnClose](): void {}
}
