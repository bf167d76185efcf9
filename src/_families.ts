/**
 * Address codecs for the Linux families beyond AF_INET/AF_INET6/AF_UNIX,
 * registered with `registerFamily` when this module is imported (src/socket.ts
 * imports it for that). Each takes and gives the representation CPython 3.11
 * uses on Linux (`getsockaddrarg`/`makesockaddr` in Modules/socketmodule.c)
 * and writes the exact `struct sockaddr_*` bytes the kernel headers define
 * (offsets from `ffi/structs.ts`):
 *
 * | family | address |
 * | --- | --- |
 * | AF_NETLINK | `[pid, groups]` |
 * | AF_PACKET | `[ifname, proto, pkttype?, hatype?, addr?]`; received: all five |
 * | AF_CAN (CAN_RAW, CAN_BCM) | `[interface]`, `""` for any interface |
 * | AF_CAN (CAN_ISOTP) | `[interface, rx_addr, tx_addr]` |
 * | AF_CAN (CAN_J1939) | `[interface, name, pgn, addr]` (`name` a 64-bit bigint; a number is accepted) |
 * | AF_TIPC | `[addr_type, v1, v2, v3, scope?]` for TIPC_ADDR_NAMESEQ, TIPC_ADDR_NAME, TIPC_ADDR_ID |
 * | AF_VSOCK | `[cid, port]` |
 * | AF_RDS | `[host, port]` (a sockaddr_in, as in CPython) |
 * | AF_BLUETOOTH (BTPROTO_L2CAP) | `[bdaddr, psm]`, or `[bdaddr, psm, cid, bdaddr_type]` for LE |
 * | AF_BLUETOOTH (BTPROTO_RFCOMM) | `[bdaddr, channel]` |
 * | AF_BLUETOOTH (BTPROTO_HCI) | `[device_id]` or `[device_id, channel]` (a bare number is accepted) |
 * | AF_BLUETOOTH (BTPROTO_SCO) | bdaddr as bytes (`b"12:23:34:45:56:67"`; a string is accepted); received as a string |
 * | AF_ALG | `[type, name, feat?, mask?]` |
 *
 * Interface names become indexes with `if_nametoindex(3)` (an unknown one is
 * a SocketError, ENODEV, as CPython's SIOCGIFINDEX ioctl gives) and come
 * back with `if_indextoname(3)` (`""` when the index has no name).
 * Bluetooth addresses are `"XX:XX:XX:XX:XX:XX"` strings stored
 * byte-reversed, as `bdaddr_t` is.
 *
 * Differences from CPython, on purpose: a wrong shape or type is a
 * TypeError (CPython raises OSError "wrong format" for Bluetooth), and an
 * integer outside its C field's range is a RangeError where CPython's
 * unchecked conversions (format units I, H, B, k, K) would wrap it
 * silently. A received HCI address is `[device_id]` (CPython gives a bare
 * int) so that it is an array like every other address.
 *
 * PF_SYSTEM/SYSPROTO_CONTROL and AF_LINK are macOS/BSD families: Linux
 * defines no such constants (they are absent here, as in CPython on Linux),
 * and an address for a family without a codec throws SocketError
 * EAFNOSUPPORT "... not supported on linux".
 *
 * @module
 */

import { layout } from "../ffi/mod.ts";
import {
  AF_ALG,
  AF_BLUETOOTH,
  AF_CAN,
  AF_INET,
  AF_NETLINK,
  AF_PACKET,
  AF_RDS,
  AF_TIPC,
  AF_VSOCK,
  errnoValues,
  socketValues,
} from "../constants/mod.ts";
import { SocketError } from "./errors.ts";
import * as S from "./_syscall.ts";
import {
  decode,
  decodeUtf8,
  encode,
  type FamilyCodec,
  putFamily,
  registerFamily,
} from "./_sockaddr.ts";
import type { Address } from "./_types.ts";
import { bytesOf, describe, isBufferSource } from "./_args.ts";

const LE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const IF_NAMESIZE = layout.IF_NAMESIZE;
const utf8 = new TextEncoder();
const latin1 = new TextDecoder("latin1");

// Protocol numbers that select a representation (absent constants never match).
const CAN_RAW = socketValues.CAN_RAW;
const CAN_BCM = socketValues.CAN_BCM;
const CAN_ISOTP = socketValues.CAN_ISOTP;
const CAN_J1939 = socketValues.CAN_J1939;
const BTPROTO_L2CAP = socketValues.BTPROTO_L2CAP;
const BTPROTO_RFCOMM = socketValues.BTPROTO_RFCOMM;
const BTPROTO_HCI = socketValues.BTPROTO_HCI;
const BTPROTO_SCO = socketValues.BTPROTO_SCO;
const BDADDR_BREDR = socketValues.BDADDR_BREDR ?? 0;
const HCI_CHANNEL_RAW = socketValues.HCI_CHANNEL_RAW ?? 0;
const TIPC_ADDR_NAMESEQ = socketValues.TIPC_ADDR_NAMESEQ;
const TIPC_ADDR_NAME = socketValues.TIPC_ADDR_NAME;
const TIPC_ADDR_ID = socketValues.TIPC_ADDR_ID;
const TIPC_CLUSTER_SCOPE = socketValues.TIPC_CLUSTER_SCOPE;
const PACKET_HOST = socketValues.PACKET_HOST ?? 0;

// ---- argument helpers ----

function dv(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

function tuple(addr: unknown, fam: string, shape: string, min: number, max: number): unknown[] {
  if (!Array.isArray(addr)) {
    throw new TypeError(`${fam} address must be an array ${shape}, not ${describe(addr)}`);
  }
  if (addr.length < min || addr.length > max) {
    throw new TypeError(
      `${fam} address must be an array ${shape}, not an array of ${addr.length}`,
    );
  }
  return addr;
}

/** An integer in [0, max]: TypeError for a non-integer, RangeError outside. */
function uint(v: unknown, what: string, max: number): number {
  if (typeof v !== "number" || !Number.isInteger(v)) {
    throw new TypeError(`${what} must be an integer, not ${describe(v)}`);
  }
  if (v < 0 || v > max) throw new RangeError(`${what} must be 0-${max}, not ${v}`);
  return v;
}

const U8 = 0xff;
const U16 = 0xffff;
const U32 = 0xffffffff;

function str(v: unknown, what: string): string {
  if (typeof v !== "string") throw new TypeError(`${what} must be a string, not ${describe(v)}`);
  if (v.includes("\0")) throw new RangeError(`${what}: embedded null character`);
  return v;
}

/** A name given as a string (UTF-8) or bytes, as PyUnicode_FSConverter takes it. */
function fsName(v: unknown, what: string): Uint8Array {
  let b: Uint8Array;
  if (typeof v === "string") b = utf8.encode(v);
  else if (isBufferSource(v)) b = bytesOf(v);
  else throw new TypeError(`${what} must be a string or bytes, not ${describe(v)}`);
  if (b.includes(0)) throw new RangeError(`${what}: embedded null character`);
  return b;
}

function putU16(o: Uint8Array, off: number, v: number, little = LE): void {
  dv(o).setUint16(off, v, little);
}
function putU32(o: Uint8Array, off: number, v: number): void {
  dv(o).setUint32(off, v, LE);
}
function getU16(b: Uint8Array, off: number, little = LE): number {
  return dv(b).getUint16(off, little);
}
function getU32(b: Uint8Array, off: number): number {
  return dv(b).getUint32(off, LE);
}

// ---- interfaces ----

const nameBuf = new Uint8Array(IF_NAMESIZE);

/**
 * `if_nametoindex(3)` of the name's bytes, cut to IF_NAMESIZE - 1 as
 * CPython's strncpy into `ifr_name` does. An unknown name is a SocketError
 * (ENODEV).
 */
function ifIndex(name: Uint8Array): number {
  nameBuf.fill(0);
  nameBuf.set(name.subarray(0, IF_NAMESIZE - 1));
  S.resetErrno();
  const i = S.lib().if_nametoindex(nameBuf);
  if (i !== 0) return i;
  const e = S.currentErrno();
  throw S.errorFor(e === 0 ? errnoValues.ENODEV : e, "if_nametoindex");
}

const indexBuf = new Uint8Array(IF_NAMESIZE);

/** `if_indextoname(3)`, or `""` when the index is 0 or names no interface. */
function ifName(index: number): string {
  if (index === 0) return "";
  indexBuf.fill(0);
  if (S.lib().if_indextoname(index >>> 0, indexBuf) === null) return "";
  const end = indexBuf.indexOf(0);
  return decodeUtf8(indexBuf, 0, end < 0 ? indexBuf.length : end);
}

// ---- AF_NETLINK ----

const NL = layout.sockaddr_nl!; // registered below only where the layout has it

const netlinkCodec: FamilyCodec = {
  encode(addr, out): number {
    const a = tuple(addr, "AF_NETLINK", "[pid, groups]", 2, 2);
    const pid = uint(a[0], "AF_NETLINK pid", U32);
    const groups = uint(a[1], "AF_NETLINK groups", U32);
    out.fill(0, 0, NL.size);
    putFamily(out, AF_NETLINK!, NL.size);
    putU32(out, NL.nl_pid, pid);
    putU32(out, NL.nl_groups, groups);
    return NL.size;
  },
  decode(buf): Address {
    return [getU32(buf, NL.nl_pid), getU32(buf, NL.nl_groups)];
  },
};

// ---- AF_PACKET ----

const LL = layout.sockaddr_ll!; // registered below only where the layout has it

const packetCodec: FamilyCodec = {
  encode(addr, out): number {
    const shape = "[ifname, proto[, pkttype[, hatype[, addr]]]]";
    const a = tuple(addr, "AF_PACKET", shape, 2, 5);
    const ifname = str(a[0], "AF_PACKET ifname");
    const proto = uint(a[1], "AF_PACKET proto", U16);
    const pkttype = a.length > 2 ? uint(a[2], "AF_PACKET pkttype", U8) : PACKET_HOST;
    const hatype = a.length > 3 ? uint(a[3], "AF_PACKET hatype", U16) : 0;
    let haddr: Uint8Array | null = null;
    if (a.length > 4) {
      if (!isBufferSource(a[4])) {
        throw new TypeError(
          `AF_PACKET hardware address must be bytes, not ${describe(a[4])}` +
            (typeof a[4] === "string" ? " (encode it, or give the bytes of the MAC)" : ""),
        );
      }
      haddr = bytesOf(a[4]);
      if (haddr.length > LL.addrMax) {
        throw new RangeError(`Hardware address must be ${LL.addrMax} bytes or less`);
      }
    }
    const index = ifIndex(utf8.encode(ifname));
    out.fill(0, 0, LL.size);
    putFamily(out, AF_PACKET!, LL.size);
    putU16(out, LL.sll_protocol, proto, false);
    dv(out).setInt32(LL.sll_ifindex, index, LE);
    putU16(out, LL.sll_hatype, hatype);
    out[LL.sll_pkttype] = pkttype;
    if (haddr !== null) {
      out.set(haddr, LL.sll_addr);
      out[LL.sll_halen] = haddr.length;
    }
    return LL.size;
  },
  decode(buf): Address {
    const halen = buf[LL.sll_halen];
    return [
      ifName(dv(buf).getInt32(LL.sll_ifindex, LE)),
      getU16(buf, LL.sll_protocol, false),
      buf[LL.sll_pkttype],
      getU16(buf, LL.sll_hatype),
      buf.slice(LL.sll_addr, Math.min(LL.sll_addr + halen, buf.length)),
    ];
  },
};

// ---- AF_CAN ----

const CAN = layout.sockaddr_can!; // registered below only where the layout has it

function canIndex(v: unknown): number {
  const name = fsName(v, "AF_CAN interface");
  if (name.length === 0) return 0;
  if (name.length >= IF_NAMESIZE) {
    throw new SocketError(
      errnoValues.ENAMETOOLONG,
      "AF_CAN interface name too long",
      "getsockaddrarg",
    );
  }
  return ifIndex(name);
}

function canHead(out: Uint8Array, index: number): void {
  out.fill(0, 0, CAN.size);
  putFamily(out, AF_CAN!, CAN.size);
  dv(out).setInt32(CAN.can_ifindex, index, LE);
}

const canCodec: FamilyCodec = {
  encode(addr, out, _type, proto): number {
    if (proto === CAN_ISOTP) {
      const a = tuple(addr, "AF_CAN (CAN_ISOTP)", "[interface, rx_addr, tx_addr]", 3, 3);
      const rx = uint(a[1], "CAN_ISOTP rx_addr", U32);
      const tx = uint(a[2], "CAN_ISOTP tx_addr", U32);
      const index = canIndex(a[0]);
      canHead(out, index);
      putU32(out, CAN.tp_rx_id, rx);
      putU32(out, CAN.tp_tx_id, tx);
      return CAN.size;
    }
    if (proto === CAN_J1939) {
      const a = tuple(addr, "AF_CAN (CAN_J1939)", "[interface, name, pgn, addr]", 4, 4);
      let name: bigint;
      if (typeof a[1] === "bigint") name = a[1];
      else name = BigInt(uint(a[1], "CAN_J1939 name", Number.MAX_SAFE_INTEGER));
      if (name < 0n || name > 0xffffffffffffffffn) {
        throw new RangeError(`CAN_J1939 name must be 0-2**64-1, not ${name}`);
      }
      const pgn = uint(a[2], "CAN_J1939 pgn", U32);
      const jaddr = uint(a[3], "CAN_J1939 addr", U8);
      const index = canIndex(a[0]);
      canHead(out, index);
      dv(out).setBigUint64(CAN.j1939_name, name, LE);
      putU32(out, CAN.j1939_pgn, pgn);
      out[CAN.j1939_addr] = jaddr;
      return CAN.size;
    }
    if (proto === CAN_RAW || proto === CAN_BCM) {
      const a = tuple(addr, "AF_CAN", "[interface]", 1, 1);
      canHead(out, canIndex(a[0]));
      return CAN.size;
    }
    throw new SocketError(
      errnoValues.EPROTONOSUPPORT,
      `getsockaddrarg: unsupported CAN protocol ${proto}`,
      "getsockaddrarg",
    );
  },
  decode(buf, _len, proto): Address {
    const ifname = ifName(dv(buf).getInt32(CAN.can_ifindex, LE));
    if (proto === CAN_ISOTP) return [ifname, getU32(buf, CAN.tp_rx_id), getU32(buf, CAN.tp_tx_id)];
    if (proto === CAN_J1939) {
      return [
        ifname,
        dv(buf).getBigUint64(CAN.j1939_name, LE),
        getU32(buf, CAN.j1939_pgn),
        buf[CAN.j1939_addr],
      ];
    }
    return [ifname];
  },
};

// ---- AF_TIPC ----

const TIPC = layout.sockaddr_tipc!; // registered below only where the layout has it

const tipcCodec: FamilyCodec = {
  encode(addr, out): number {
    const a = tuple(addr, "AF_TIPC", "[addr_type, v1, v2, v3[, scope]]", 4, 5);
    const atype = uint(a[0], "AF_TIPC addr_type", U32);
    const v1 = uint(a[1], "AF_TIPC v1", U32);
    const v2 = uint(a[2], "AF_TIPC v2", U32);
    const v3 = uint(a[3], "AF_TIPC v3", U32);
    const scope = a.length > 4 ? uint(a[4], "AF_TIPC scope", U32) : TIPC_CLUSTER_SCOPE;
    out.fill(0, 0, TIPC.size);
    putFamily(out, AF_TIPC!, TIPC.size);
    out[TIPC.addrtype] = atype & 0xff;
    out[TIPC.scope] = scope & 0xff; // a signed char in the struct, as C stores it
    if (atype === TIPC_ADDR_NAMESEQ) {
      putU32(out, TIPC.nameseq_type, v1);
      putU32(out, TIPC.nameseq_lower, v2);
      putU32(out, TIPC.nameseq_upper, v3);
    } else if (atype === TIPC_ADDR_NAME) {
      putU32(out, TIPC.name_type, v1);
      putU32(out, TIPC.name_instance, v2);
    } else if (atype === TIPC_ADDR_ID) {
      putU32(out, TIPC.id_node, v1);
      putU32(out, TIPC.id_ref, v2);
    } else {
      throw new TypeError(`Invalid address type: ${atype} (TIPC_ADDR_NAMESEQ, _NAME or _ID)`);
    }
    return TIPC.size;
  },
  decode(buf): Address {
    const atype = buf[TIPC.addrtype];
    const scope = dv(buf).getInt8(TIPC.scope) >>> 0; // (unsigned int) of a signed char
    if (atype === TIPC_ADDR_NAMESEQ) {
      return [
        atype,
        getU32(buf, TIPC.nameseq_type),
        getU32(buf, TIPC.nameseq_lower),
        getU32(buf, TIPC.nameseq_upper),
        scope,
      ];
    }
    if (atype === TIPC_ADDR_NAME) {
      const instance = getU32(buf, TIPC.name_instance);
      return [atype, getU32(buf, TIPC.name_type), instance, instance, scope];
    }
    if (atype === TIPC_ADDR_ID) {
      return [atype, getU32(buf, TIPC.id_node), getU32(buf, TIPC.id_ref), 0, scope];
    }
    throw new RangeError(`Invalid address type: ${atype}`);
  },
};

// ---- AF_VSOCK ----

const VM = layout.sockaddr_vm!; // registered below only where the layout has it

const vsockCodec: FamilyCodec = {
  encode(addr, out): number {
    const a = tuple(addr, "AF_VSOCK", "[cid, port]", 2, 2);
    const cid = uint(a[0], "AF_VSOCK cid", U32);
    const port = uint(a[1], "AF_VSOCK port", U32);
    out.fill(0, 0, VM.size);
    putFamily(out, AF_VSOCK, VM.size);
    putU32(out, VM.svm_port, port);
    putU32(out, VM.svm_cid, cid);
    return VM.size;
  },
  decode(buf): Address {
    return [getU32(buf, VM.svm_cid), getU32(buf, VM.svm_port)];
  },
};

// ---- AF_RDS: a sockaddr_in with sin_family AF_INET, as CPython writes it ----

const rdsCodec: FamilyCodec = {
  encode(addr, out, type, proto): number {
    return encode(AF_INET, type, proto, addr, out);
  },
  decode(buf, len, proto): Address {
    // The kernel writes AF_INET in what RDS reports; decode such bytes as AF_INET.
    const c = buf.slice(0, Math.max(len, layout.sockaddr_in.size));
    putFamily(c, AF_INET, c.length);
    return decode(c, len, proto) as Address;
  },
};

// ---- AF_BLUETOOTH ----

const L2 = layout.sockaddr_l2!; // registered below only where the layout has it
const RC = layout.sockaddr_rc!; // registered below only where the layout has it
const HCI = layout.sockaddr_hci!; // registered below only where the layout has it
const SCO = layout.sockaddr_sco!; // registered below only where the layout has it

/**
 * Parses `"XX:XX:XX:XX:XX:XX"` (1-2 hex digits per field, as CPython's
 * `setbdaddr` reads with `%X`) into bdaddr_t bytes: reversed, so the last
 * field is byte 0.
 */
function setbdaddr(s: string, out: Uint8Array, off: number): void {
  const parts = s.split(":");
  const ok = parts.length === 6 && parts.every((p) => /^[0-9A-Fa-f]{1,2}$/.test(p));
  if (!ok) {
    throw new SocketError(errnoValues.EINVAL, `bad bluetooth address: "${s}"`, "getsockaddrarg");
  }
  for (let i = 0; i < 6; i++) out[off + i] = parseInt(parts[5 - i], 16);
}

/** bdaddr_t bytes to `"XX:XX:XX:XX:XX:XX"` (upper case, byte 5 first). */
function makebdaddr(buf: Uint8Array, off: number): string {
  const h: string[] = [];
  for (let i = 5; i >= 0; i--) h.push(buf[off + i].toString(16).toUpperCase().padStart(2, "0"));
  return h.join(":");
}

function bdaddrArg(v: unknown, what: string): string {
  if (typeof v !== "string") {
    throw new TypeError(`${what} must be a string "XX:XX:XX:XX:XX:XX", not ${describe(v)}`);
  }
  return v;
}

const bluetoothCodec: FamilyCodec = {
  encode(addr, out, _type, proto): number {
    if (proto === BTPROTO_L2CAP) {
      const a = tuple(addr, "BTPROTO_L2CAP", "[bdaddr, psm[, cid[, bdaddr_type]]]", 2, 4);
      const bd = bdaddrArg(a[0], "BTPROTO_L2CAP bdaddr");
      const psm = uint(a[1], "BTPROTO_L2CAP psm", U16);
      const cid = a.length > 2 ? uint(a[2], "BTPROTO_L2CAP cid", U16) : 0;
      const btype = a.length > 3 ? uint(a[3], "BTPROTO_L2CAP bdaddr_type", U8) : BDADDR_BREDR;
      out.fill(0, 0, L2.size);
      putFamily(out, AF_BLUETOOTH!, L2.size);
      putU16(out, L2.l2_psm, psm, true); // __le16
      setbdaddr(bd, out, L2.l2_bdaddr);
      putU16(out, L2.l2_cid, cid, true); // __le16
      out[L2.l2_bdaddr_type] = btype;
      return L2.size;
    }
    if (proto === BTPROTO_RFCOMM) {
      const a = tuple(addr, "BTPROTO_RFCOMM", "[bdaddr, channel]", 2, 2);
      const bd = bdaddrArg(a[0], "BTPROTO_RFCOMM bdaddr");
      const channel = uint(a[1], "BTPROTO_RFCOMM channel", U8);
      out.fill(0, 0, RC.size);
      putFamily(out, AF_BLUETOOTH!, RC.size);
      setbdaddr(bd, out, RC.rc_bdaddr);
      out[RC.rc_channel] = channel;
      return RC.size;
    }
    if (proto === BTPROTO_HCI) {
      let dev: number;
      let channel = HCI_CHANNEL_RAW;
      if (typeof addr === "number") dev = uint(addr, "BTPROTO_HCI device_id", U16);
      else {
        const a = tuple(addr, "BTPROTO_HCI", "[device_id[, channel]]", 1, 2);
        dev = uint(a[0], "BTPROTO_HCI device_id", U16);
        if (a.length > 1) channel = uint(a[1], "BTPROTO_HCI channel", U16);
      }
      out.fill(0, 0, HCI.size);
      putFamily(out, AF_BLUETOOTH!, HCI.size);
      putU16(out, HCI.hci_dev, dev);
      putU16(out, HCI.hci_channel, channel);
      return HCI.size;
    }
    if (proto === BTPROTO_SCO) {
      let text: string;
      if (typeof addr === "string") text = addr;
      else if (isBufferSource(addr)) {
        text = latin1.decode(bytesOf(addr));
      } else {
        throw new TypeError(
          `BTPROTO_SCO address must be bytes such as "12:23:34:45:56:67" encoded, not ${
            describe(addr)
          }`,
        );
      }
      out.fill(0, 0, SCO.size);
      putFamily(out, AF_BLUETOOTH!, SCO.size);
      setbdaddr(text, out, SCO.sco_bdaddr);
      return SCO.size;
    }
    throw new SocketError(
      errnoValues.EPROTONOSUPPORT,
      `getsockaddrarg: unknown Bluetooth protocol ${proto}`,
      "getsockaddrarg",
    );
  },
  decode(buf, _len, proto): Address {
    if (proto === BTPROTO_L2CAP) {
      const bd = makebdaddr(buf, L2.l2_bdaddr);
      const psm = getU16(buf, L2.l2_psm, true);
      const cid = getU16(buf, L2.l2_cid, true);
      const btype = buf[L2.l2_bdaddr_type];
      if (btype !== BDADDR_BREDR) return [bd, psm, cid, btype];
      if (cid !== 0) return [bd, psm, cid];
      return [bd, psm];
    }
    if (proto === BTPROTO_RFCOMM) return [makebdaddr(buf, RC.rc_bdaddr), buf[RC.rc_channel]];
    if (proto === BTPROTO_HCI) {
      const dev = getU16(buf, HCI.hci_dev);
      const channel = getU16(buf, HCI.hci_channel);
      return channel === HCI_CHANNEL_RAW ? [dev] : [dev, channel];
    }
    if (proto === BTPROTO_SCO) return makebdaddr(buf, SCO.sco_bdaddr);
    throw new RangeError(`Unknown Bluetooth protocol ${proto}`);
  },
};

// ---- AF_ALG ----

const ALG = layout.sockaddr_alg!; // registered below only where the layout has it

function cField(buf: Uint8Array, off: number, max: number): string {
  let end = off;
  while (end < off + max && buf[end] !== 0) end++;
  return decodeUtf8(buf, off, end);
}

const algCodec: FamilyCodec = {
  encode(addr, out): number {
    const a = tuple(addr, "AF_ALG", "[type, name[, feat[, mask]]]", 2, 4);
    const type = utf8.encode(str(a[0], "AF_ALG type"));
    const name = utf8.encode(str(a[1], "AF_ALG name"));
    // CPython parses feat and mask as unsigned short ("H").
    const feat = a.length > 2 ? uint(a[2], "AF_ALG feat", U16) : 0;
    const mask = a.length > 3 ? uint(a[3], "AF_ALG mask", U16) : 0;
    if (type.length >= ALG.typeMax) throw new RangeError("AF_ALG type too long.");
    if (name.length >= ALG.nameMax) throw new RangeError("AF_ALG name too long.");
    out.fill(0, 0, ALG.size);
    putFamily(out, AF_ALG!, ALG.size);
    out.set(type, ALG.salg_type);
    putU32(out, ALG.salg_feat, feat);
    putU32(out, ALG.salg_mask, mask);
    out.set(name, ALG.salg_name);
    return ALG.size;
  },
  decode(buf): Address {
    return [
      cField(buf, ALG.salg_type, ALG.typeMax),
      cField(buf, ALG.salg_name, ALG.nameMax),
      getU32(buf, ALG.salg_feat),
      getU32(buf, ALG.salg_mask),
    ];
  },
};

// ---- registration ----

// A family is registered where the system defines it and ffi/structs.ts has
// its sockaddr layout (macOS defines AF_VSOCK, but not Linux's sockaddr_vm).
// (So the codecs above can take their AF_* constant and layout as present.)
const table: [number | undefined, object | undefined, FamilyCodec][] = [
  [AF_NETLINK, layout.sockaddr_nl, netlinkCodec],
  [AF_PACKET, layout.sockaddr_ll, packetCodec],
  [AF_CAN, layout.sockaddr_can, canCodec],
  [AF_TIPC, layout.sockaddr_tipc, tipcCodec],
  [AF_VSOCK, layout.sockaddr_vm, vsockCodec],
  [AF_RDS, layout.sockaddr_in, rdsCodec],
  [AF_BLUETOOTH, layout.sockaddr_l2, bluetoothCodec],
  [AF_ALG, layout.sockaddr_alg, algCodec],
];
for (const [family, has, codec] of table) {
  if (family !== undefined && has !== undefined) registerFamily(family, codec);
}
