/**
 * Address families and socket types as types: the constants whose value
 * decides the shape of a socket's addresses carry their name in their type
 * (`Family<"AF_INET">`), so that `socket(AF_INET, SOCK_DGRAM)` is a
 * `Socket<Family<"AF_INET">, Kind<"SOCK_DGRAM">>` whose `getsockname()` and
 * `recvfrom()` give `[host, port]` without a cast. At run time they are the
 * plain numbers of the system's headers.
 *
 * @module
 */

import { socketValues as C } from "../constants/mod.ts";
import type { Address, Inet6Address, InetAddress } from "./_types.ts";

/**
 * The type of an address family constant: a number that remembers its name
 * (`AF_INET` is a `Family<"AF_INET">`). Any such value is a `number`; the
 * `__family` property exists in the type only.
 */
export type Family<N extends string> = number & { readonly __family: N };

/**
 * The type of a socket type constant: a number that remembers its name
 * (`SOCK_DGRAM` is a `Kind<"SOCK_DGRAM">`). Any such value is a `number`; the
 * `__kind` property exists in the type only.
 */
export type Kind<N extends string> = number & { readonly __kind: N };

/** IPv4: addresses are `[host, port]`. */
export const AF_INET: Family<"AF_INET"> = C.AF_INET as Family<"AF_INET">;
/** IPv6: addresses are `[host, port, flowinfo, scope_id]`. */
export const AF_INET6: Family<"AF_INET6"> = C.AF_INET6 as Family<"AF_INET6">;
/** Unix domain sockets: addresses are a path (string) or an abstract name (bytes). */
export const AF_UNIX: Family<"AF_UNIX"> = C.AF_UNIX as Family<"AF_UNIX">;
/** Netlink (Linux): addresses are `[pid, groups]`. */
export const AF_NETLINK: Family<"AF_NETLINK"> = C.AF_NETLINK as Family<"AF_NETLINK">;

/** Stream sockets (TCP for AF_INET/AF_INET6). */
export const SOCK_STREAM: Kind<"SOCK_STREAM"> = C.SOCK_STREAM as Kind<"SOCK_STREAM">;
/** Datagram sockets (UDP for AF_INET/AF_INET6). */
export const SOCK_DGRAM: Kind<"SOCK_DGRAM"> = C.SOCK_DGRAM as Kind<"SOCK_DGRAM">;
/** Raw sockets. */
export const SOCK_RAW: Kind<"SOCK_RAW"> = C.SOCK_RAW as Kind<"SOCK_RAW">;
/** Sequenced-packet sockets. */
export const SOCK_SEQPACKET: Kind<"SOCK_SEQPACKET"> = C.SOCK_SEQPACKET as Kind<"SOCK_SEQPACKET">;

/** A netlink address: `[pid, groups]`. */
export type NetlinkAddress = [pid: number, groups: number];

/**
 * The address a socket of family `F` names its ends with (getsockname,
 * getpeername, accept): `[host, port]` for `AF_INET`, `[host, port,
 * flowinfo, scope_id]` for `AF_INET6`, a path or abstract bytes for
 * `AF_UNIX` (`""` when unnamed), `[pid, groups]` for `AF_NETLINK`; for a
 * family not known at compile time, any {@linkcode Address} or `null`.
 */
export type AddressOf<F extends number> = number extends F ? Address | null
  : F extends Family<"AF_INET"> ? InetAddress
  : F extends Family<"AF_INET6"> ? Inet6Address
  : F extends Family<"AF_UNIX"> ? string | Uint8Array
  : F extends Family<"AF_NETLINK"> ? NetlinkAddress
  : Address | null;

/**
 * The sender's address `recvfrom()`/`recvmsg()` give on a socket of family
 * `F` and type `T`: never `null` for IPv4/IPv6 datagram and raw sockets;
 * otherwise possibly `null` (a connected stream reports no address, an
 * unnamed unix datagram sender none either).
 */
export type SenderOf<F extends number, T extends number> = number extends T ? AddressOf<F> | null
  : [T] extends [Kind<"SOCK_DGRAM"> | Kind<"SOCK_RAW">]
    ? [F] extends [Family<"AF_INET"> | Family<"AF_INET6">] ? AddressOf<F> : AddressOf<F> | null
  : AddressOf<F> | null;
