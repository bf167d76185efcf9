/**
 * Enum-style views of the constants, as Python's `socket.AddressFamily`,
 * `SocketKind`, `MsgFlag` and `AddressInfo`: look a constant up by name
 * (`AddressFamily.AF_INET === 2`) or a number up by its canonical name
 * (`AddressFamily[2] === "AF_INET"`), like a TypeScript numeric enum.
 *
 * Built from the running system's constants table. Where names share a
 * value, the canonical one is the one CPython's enum shows: its `_convert_`
 * sorts members by (value, name) and keeps the first, over the names its
 * module defines; names CPython's module lacks and that would otherwise
 * win (`AF_FILE`, `AF_LOCAL`) stay lookups by name only.
 *
 * @module
 */

import { socketValues } from "../constants/mod.ts";

/**
 * A two-way map between the names of a family of constants and their
 * values: `E.NAME` is the number, `E[number]` the canonical name
 * (`undefined` when no member has that value).
 */
export type IntEnum<P extends string> =
  & { readonly [K in `${P}${string}`]: number }
  & { readonly [value: number]: string | undefined };

/** Whether a name passes Python's `str.isupper()` (`AF_DECnet` does not). */
function isUpper(name: string): boolean {
  return name === name.toUpperCase() && name !== name.toLowerCase();
}

function build<P extends string>(
  prefix: P,
  accept: (name: string) => boolean,
  notCanonical: readonly string[] = [],
): IntEnum<P> {
  const members = Object.entries(socketValues)
    .filter(([name]) => name.startsWith(prefix) && isUpper(name) && accept(name))
    .sort(([an, av], [bn, bv]) => av - bv || (an < bn ? -1 : an > bn ? 1 : 0));
  const e: Record<string | number, string | number> = {};
  for (const [name, value] of members) {
    e[name] = value;
    if (e[value] === undefined && !notCanonical.includes(name)) e[value] = name;
  }
  for (const [name, value] of members) if (e[value] === undefined) e[value] = name;
  return Object.freeze(e) as unknown as IntEnum<P>;
}

/**
 * Address families by name and number: Python's `socket.AddressFamily`.
 *
 * @example
 * ```ts
 * import { AddressFamily, socket } from "@sockffi/socket";
 * using s = socket();
 * console.log(AddressFamily[s.family]); // "AF_INET"
 * console.log(AddressFamily.AF_INET6); // 10
 * ```
 */
export const AddressFamily: IntEnum<"AF_"> = build(
  "AF_",
  (n) => n !== "AF_MAX",
  ["AF_FILE", "AF_LOCAL"],
);

/** The socket types of {@linkcode SocketKind}: kinds and the SOCK_NONBLOCK/SOCK_CLOEXEC flags. */
const KINDS = new Set([
  "SOCK_STREAM",
  "SOCK_DGRAM",
  "SOCK_RAW",
  "SOCK_RDM",
  "SOCK_SEQPACKET",
  "SOCK_DCCP",
  "SOCK_PACKET",
  "SOCK_NONBLOCK",
  "SOCK_CLOEXEC",
]);

/**
 * Socket types by name and number: Python's `socket.SocketKind` (the
 * SOCK_* kinds, plus SOCK_NONBLOCK and SOCK_CLOEXEC as in Python; not the
 * unrelated SOCK_*_LOCK and SOCK_TXREHASH_* option values).
 *
 * @example
 * ```ts
 * import { SOCK_DGRAM, SocketKind } from "@sockffi/socket";
 * console.log(SocketKind[SOCK_DGRAM]); // "SOCK_DGRAM"
 * ```
 */
export const SocketKind: IntEnum<"SOCK_"> = build("SOCK_", (n) => KINDS.has(n));

/**
 * `send`/`recv` flags by name and number: Python's `socket.MsgFlag`. A
 * combination of flags has no entry; test bits with `&`.
 *
 * @example
 * ```ts
 * import { MsgFlag } from "@sockffi/socket";
 * console.log(MsgFlag[MsgFlag.MSG_PEEK]); // "MSG_PEEK"
 * ```
 */
export const MsgFlag: IntEnum<"MSG_"> = build("MSG_", () => true);

/**
 * getaddrinfo flags by name and number: Python's `socket.AddressInfo`.
 *
 * @example
 * ```ts
 * import { AddressInfo } from "@sockffi/socket";
 * console.log(AddressInfo[4]); // "AI_NUMERICHOST"
 * ```
 */
export const AddressInfo: IntEnum<"AI_"> = build("AI_", () => true);
