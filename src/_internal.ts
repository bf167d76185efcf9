/**
 * Symbols shared between `socket.ts` and the modules that extend a socket
 * (async, streams, files), so that those hooks stay off the public surface.
 *
 * @module
 */

/** Called by `Socket.close()` (and detach) before the descriptor goes away. */
export const kOnClose: unique symbol = Symbol("sockffi.onClose");
