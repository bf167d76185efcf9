/**
 * recvmsg / recvmsg_into / sendmsg: scatter/gather I/O and ancillary data.
 * (Placeholder until the messages issue lands.)
 *
 * @module
 */

import type { Address, AddressIn, Bytes } from "./_sockaddr.ts";
import type { Socket } from "./socket.ts";

/** An ancillary data item as received: `[cmsg_level, cmsg_type, cmsg_data]`. */
export type AncData = [cmsg_level: number, cmsg_type: number, cmsg_data: Uint8Array];
/** An ancillary data item as sent: the data may be any BufferSource. */
export type AncDataIn = readonly [cmsg_level: number, cmsg_type: number, cmsg_data: Bytes];
/** recvmsg's result: `[data, ancdata, msg_flags, address]`. */
export type RecvmsgResult = [
  data: Uint8Array,
  ancdata: AncData[],
  msg_flags: number,
  address: Address | null,
];
/** recvmsg_into's result: `[nbytes, ancdata, msg_flags, address]`. */
export type RecvmsgIntoResult = [
  nbytes: number,
  ancdata: AncData[],
  msg_flags: number,
  address: Address | null,
];

function notYet(name: string): never {
  throw new Error(`Socket.${name}() is not implemented yet`);
}

/** Implements `Socket.recvmsg()`. */
export function recvmsg(
  _s: Socket,
  _bufsize: number,
  _ancbufsize: number,
  _flags: number,
): RecvmsgResult {
  return notYet("recvmsg");
}

/** Implements `Socket.recvmsg_into()`. */
export function recvmsg_into(
  _s: Socket,
  _buffers: Iterable<Bytes>,
  _ancbufsize: number,
  _flags: number,
): RecvmsgIntoResult {
  return notYet("recvmsg_into");
}

/** Implements `Socket.sendmsg()`. */
export function sendmsg(
  _s: Socket,
  _buffers: Iterable<Bytes>,
  _ancdata: Iterable<AncDataIn>,
  _flags: number,
  _address: AddressIn | null | undefined,
): number {
  return notYet("sendmsg");
}
