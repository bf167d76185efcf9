/**
 * Constants that only Linux defines (or that macOS lacks), typed `number`
 * for tests of Linux features. `../mod.ts` types them `number | undefined`,
 * since a system without them leaves them out, as CPython does; a test that
 * imports them from here runs on Linux only (`linuxOnly()` from
 * `./_platform.ts`, or a Linux-only file), where every one is defined.
 *
 * @module
 */
import * as C from "../mod.ts";

function linux(name: keyof typeof C): number {
  return C[name] as number;
}

export const ALG_OP_DECRYPT: number = linux("ALG_OP_DECRYPT");
export const ALG_OP_ENCRYPT: number = linux("ALG_OP_ENCRYPT");
export const AF_ALG: number = linux("AF_ALG");
export const AF_BLUETOOTH: number = linux("AF_BLUETOOTH");
export const AF_CAN: number = linux("AF_CAN");
export const AF_NETLINK: number = linux("AF_NETLINK");
export const AF_PACKET: number = linux("AF_PACKET");
export const AF_RDS: number = linux("AF_RDS");
export const AF_TIPC: number = linux("AF_TIPC");
export const BTPROTO_HCI: number = linux("BTPROTO_HCI");
export const BTPROTO_L2CAP: number = linux("BTPROTO_L2CAP");
export const BTPROTO_RFCOMM: number = linux("BTPROTO_RFCOMM");
export const BTPROTO_SCO: number = linux("BTPROTO_SCO");
export const CAN_BCM: number = linux("CAN_BCM");
export const CAN_ISOTP: number = linux("CAN_ISOTP");
export const CAN_J1939: number = linux("CAN_J1939");
export const CAN_RAW: number = linux("CAN_RAW");
export const HCI_CHANNEL_USER: number = linux("HCI_CHANNEL_USER");
export const IFLA_IFNAME: number = linux("IFLA_IFNAME");
export const NETLINK_ROUTE: number = linux("NETLINK_ROUTE");
export const NLMSG_DONE: number = linux("NLMSG_DONE");
export const NLMSG_ERROR: number = linux("NLMSG_ERROR");
export const NLM_F_DUMP: number = linux("NLM_F_DUMP");
export const NLM_F_REQUEST: number = linux("NLM_F_REQUEST");
export const RTM_GETLINK: number = linux("RTM_GETLINK");
export const RTM_NEWLINK: number = linux("RTM_NEWLINK");
export const SCM_CREDENTIALS: number = linux("SCM_CREDENTIALS");
export const SCM_TIMESTAMPNS: number = linux("SCM_TIMESTAMPNS");
export const SOCK_CLOEXEC: number = linux("SOCK_CLOEXEC");
export const SOCK_NONBLOCK: number = linux("SOCK_NONBLOCK");
export const SO_PASSCRED: number = linux("SO_PASSCRED");
export const SO_TIMESTAMPNS: number = linux("SO_TIMESTAMPNS");
export const TIPC_ADDR_ID: number = linux("TIPC_ADDR_ID");
export const TIPC_ADDR_NAME: number = linux("TIPC_ADDR_NAME");
export const TIPC_ADDR_NAMESEQ: number = linux("TIPC_ADDR_NAMESEQ");
export const TIPC_CLUSTER_SCOPE: number = linux("TIPC_CLUSTER_SCOPE");
export const TIPC_NODE_SCOPE: number = linux("TIPC_NODE_SCOPE");
export const TIPC_ZONE_SCOPE: number = linux("TIPC_ZONE_SCOPE");
export const VMADDR_CID_ANY: number = linux("VMADDR_CID_ANY");
