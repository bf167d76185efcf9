/**
 * Address families beyond AF_INET/AF_INET6/AF_UNIX: the codecs of
 * src/_families.ts against the exact sockaddr bytes the kernel headers
 * define (cross-checked with a C program when `cc` is present), real
 * sockets where this kernel has the family (AF_NETLINK, AF_VSOCK; AF_PACKET
 * and raw IPv4 as root, in a network namespace the test makes), socket
 * creation failing with EAFNOSUPPORT where it lacks it (CAN, TIPC, RDS,
 * ALG, Bluetooth), and bad input.
 */
import { assert, assertEquals, assertNotEquals, assertThrows, fail } from "@std/assert";
import { join } from "@std/path";
import {
  AF_INET,
  AF_VSOCK,
  BDADDR_ANY,
  BDADDR_LOCAL,
  IPPROTO_ICMP,
  SOCK_DGRAM,
  SOCK_RAW,
  SOCK_RDM,
  SOCK_SEQPACKET,
  SOCK_STREAM,
  socket,
  SocketError,
} from "../mod.ts";
import {
  AF_ALG,
  AF_BLUETOOTH,
  AF_CAN,
  AF_NETLINK,
  AF_PACKET,
  AF_RDS,
  AF_TIPC,
  BTPROTO_HCI,
  BTPROTO_L2CAP,
  BTPROTO_RFCOMM,
  BTPROTO_SCO,
  CAN_BCM,
  CAN_ISOTP,
  CAN_J1939,
  CAN_RAW,
  HCI_CHANNEL_USER,
  IFLA_IFNAME,
  NETLINK_ROUTE,
  NLM_F_DUMP,
  NLM_F_REQUEST,
  NLMSG_DONE,
  NLMSG_ERROR,
  RTM_GETLINK,
  RTM_NEWLINK,
  TIPC_ADDR_ID,
  TIPC_ADDR_NAME,
  TIPC_ADDR_NAMESEQ,
  TIPC_CLUSTER_SCOPE,
  TIPC_NODE_SCOPE,
  TIPC_ZONE_SCOPE,
  VMADDR_CID_ANY,
} from "./_linux.ts";
import { layout } from "../ffi/mod.ts";
import { decode, encode } from "../src/_sockaddr.ts";
import { lib } from "../src/_syscall.ts";
import "../src/_families.ts";
import { linuxOnlyFile } from "./_platform.ts";

linuxOnlyFile("the Linux address families (netlink, packet, CAN, TIPC, vsock, ALG, Bluetooth)");

const enc = new TextEncoder();
const dec = new TextDecoder();

function hex(b: Uint8Array): string {
  return [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
}

function openFds(): string[] {
  return [...Deno.readDirSync("/proc/self/fd")].map((e) => e.name).sort();
}

function hasCommand(cmd: string, args: string[]): boolean {
  try {
    return new Deno.Command(cmd, { args, stdout: "null", stderr: "null" }).outputSync().success;
  } catch {
    return false;
  }
}

const haveCc = hasCommand("cc", ["--version"]);
if (!haveCc) console.log("families_test: no cc: the checks against the C headers are skipped");
// <bluetooth/bluetooth.h> comes from Debian's libbluetooth-dev, which a fresh machine lacks
// (.ci/run installs it when apt can): without it only the Bluetooth structs go unchecked
// against C; "every address form encodes to the kernel's sockaddr bytes" still asserts
// their pinned bytes.
const haveBluetoothH = haveCc &&
  hasCommand("cc", ["-fsyntax-only", "-include", "bluetooth/bluetooth.h", "-x", "c", "/dev/null"]);
if (haveCc && !haveBluetoothH) {
  console.log(
    "families_test: <bluetooth/bluetooth.h> is not installed (Debian: libbluetooth-dev), so " +
      "the Bluetooth layouts and bytes are not compared with C (their pinned bytes still are checked)",
  );
}
const isRoot = lib().getuid() === 0;
const haveIp = hasCommand("ip", ["-V"]);

// ---- every address form, with the bytes <linux/*.h> and <bluetooth/*.h> give ----

interface Case {
  /** name in the C program below */
  name: string;
  family: number;
  type: number;
  proto: number;
  addr: unknown;
  /** the sockaddr bytes (from the C program, on linux x86_64 with lo at index 1) */
  bytes: string;
  /** what decoding the bytes gives */
  decoded: unknown;
}

const BD = "01:23:45:67:89:AB";
const MAC = new Uint8Array([2, 0, 0, 0, 0, 1]);

const cases: Case[] = [
  {
    name: "netlink",
    family: AF_NETLINK,
    type: SOCK_RAW,
    proto: 0,
    addr: [1234, 5],
    bytes: "10000000d204000005000000",
    decoded: [1234, 5],
  },
  {
    name: "packet5",
    family: AF_PACKET,
    type: SOCK_RAW,
    proto: 0,
    addr: ["lo", 0x0800, 1, 1, MAC],
    bytes: "1100080001000000010001060200000000010000",
    decoded: ["lo", 0x0800, 1, 1, MAC],
  },
  {
    name: "packet2",
    family: AF_PACKET,
    type: SOCK_RAW,
    proto: 0,
    addr: ["lo", 0x88b5],
    bytes: "110088b501000000000000000000000000000000",
    decoded: ["lo", 0x88b5, 0, 0, new Uint8Array(0)],
  },
  {
    name: "can_raw",
    family: AF_CAN,
    type: SOCK_RAW,
    proto: CAN_RAW,
    addr: ["lo"],
    bytes: "1d0000000100000000000000000000000000000000000000",
    decoded: ["lo"],
  },
  {
    name: "can_any",
    family: AF_CAN,
    type: SOCK_DGRAM,
    proto: CAN_BCM,
    addr: [""],
    bytes: "1d0000000000000000000000000000000000000000000000",
    decoded: [""],
  },
  {
    name: "can_isotp",
    family: AF_CAN,
    type: SOCK_DGRAM,
    proto: CAN_ISOTP,
    addr: ["lo", 0x123, 0x456],
    bytes: "1d0000000100000023010000560400000000000000000000",
    decoded: ["lo", 0x123, 0x456],
  },
  {
    name: "can_j1939",
    family: AF_CAN,
    type: SOCK_DGRAM,
    proto: CAN_J1939,
    addr: [enc.encode("lo"), 0x0123456789abcdefn, 0x1ef00, 0x80],
    bytes: "1d00000001000000efcdab896745230100ef010080000000",
    decoded: ["lo", 0x0123456789abcdefn, 0x1ef00, 0x80],
  },
  {
    name: "tipc_nameseq",
    family: AF_TIPC,
    type: SOCK_RDM,
    proto: 0,
    addr: [TIPC_ADDR_NAMESEQ, 18888, 17, 42, TIPC_NODE_SCOPE],
    bytes: "1e000103c8490000110000002a000000",
    decoded: [TIPC_ADDR_NAMESEQ, 18888, 17, 42, TIPC_NODE_SCOPE],
  },
  {
    name: "tipc_name",
    family: AF_TIPC,
    type: SOCK_RDM,
    proto: 0,
    addr: [TIPC_ADDR_NAME, 18888, 17, 0], // scope defaults to TIPC_CLUSTER_SCOPE
    bytes: "1e000202c84900001100000000000000",
    decoded: [TIPC_ADDR_NAME, 18888, 17, 17, TIPC_CLUSTER_SCOPE], // v3 repeats the instance, as CPython
  },
  {
    name: "tipc_id",
    family: AF_TIPC,
    type: SOCK_RDM,
    proto: 0,
    addr: [TIPC_ADDR_ID, 0x01001001, 4242, 0, TIPC_ZONE_SCOPE],
    bytes: "1e000301921000000110000100000000",
    decoded: [TIPC_ADDR_ID, 0x01001001, 4242, 0, TIPC_ZONE_SCOPE],
  },
  {
    name: "vsock",
    family: AF_VSOCK,
    type: SOCK_STREAM,
    proto: 0,
    addr: [2, 1024],
    bytes: "28000000000400000200000000000000",
    decoded: [2, 1024],
  },
  {
    name: "rds",
    family: AF_RDS,
    type: SOCK_SEQPACKET,
    proto: 0,
    addr: ["127.0.0.1", 4000],
    bytes: "02000fa07f0000010000000000000000", // a sockaddr_in with sin_family AF_INET
    decoded: ["127.0.0.1", 4000],
  },
  {
    name: "alg2",
    family: AF_ALG,
    type: SOCK_SEQPACKET,
    proto: 0,
    addr: ["hash", "sha256"],
    bytes: "2600686173680000000000000000000000000000000000007368613235360000" + "00".repeat(56),
    decoded: ["hash", "sha256", 0, 0],
  },
  {
    name: "alg4",
    family: AF_ALG,
    type: SOCK_SEQPACKET,
    proto: 0,
    addr: ["skcipher", "cbc(aes)", 1, 2],
    bytes: "2600736b63697068657200000000000001000000020000006362632861657329" + "00".repeat(56),
    decoded: ["skcipher", "cbc(aes)", 1, 2],
  },
  {
    name: "l2cap2",
    family: AF_BLUETOOTH,
    type: SOCK_SEQPACKET,
    proto: BTPROTO_L2CAP,
    addr: [BD, 0x1001],
    bytes: "1f000110ab896745230100000000",
    decoded: [BD, 0x1001],
  },
  {
    name: "l2cap4",
    family: AF_BLUETOOTH,
    type: SOCK_SEQPACKET,
    proto: BTPROTO_L2CAP,
    addr: [BD.toLowerCase(), 0, 4, 1], // an LE address (BDADDR_LE_PUBLIC) with a cid
    bytes: "1f000000ab896745230104000100",
    decoded: [BD, 0, 4, 1],
  },
  {
    name: "rfcomm",
    family: AF_BLUETOOTH,
    type: SOCK_STREAM,
    proto: BTPROTO_RFCOMM,
    addr: [BD, 3],
    bytes: "1f00ab89674523010300",
    decoded: [BD, 3],
  },
  {
    name: "rfcomm_any",
    family: AF_BLUETOOTH,
    type: SOCK_STREAM,
    proto: BTPROTO_RFCOMM,
    addr: [BDADDR_ANY, 1],
    bytes: "1f000000000000000100",
    decoded: [BDADDR_ANY, 1],
  },
  {
    name: "rfcomm_local",
    family: AF_BLUETOOTH,
    type: SOCK_STREAM,
    proto: BTPROTO_RFCOMM,
    addr: [BDADDR_LOCAL, 1],
    // CPython's BDADDR_LOCAL string, stored byte-reversed as every bdaddr: these
    // are the bytes CPython sends (BlueZ's BDADDR_LOCAL macro is the reverse).
    bytes: "1f00ffffff0000000100",
    decoded: [BDADDR_LOCAL, 1],
  },
  {
    name: "hci1",
    family: AF_BLUETOOTH,
    type: SOCK_RAW,
    proto: BTPROTO_HCI,
    addr: [0],
    bytes: "1f0000000000",
    decoded: [0],
  },
  {
    name: "hci2",
    family: AF_BLUETOOTH,
    type: SOCK_RAW,
    proto: BTPROTO_HCI,
    addr: [1, HCI_CHANNEL_USER],
    bytes: "1f0001000100",
    decoded: [1, HCI_CHANNEL_USER],
  },
  {
    name: "sco",
    family: AF_BLUETOOTH,
    type: SOCK_SEQPACKET,
    proto: BTPROTO_SCO,
    addr: enc.encode(BD), // bytes, as CPython takes it
    bytes: "1f00ab8967452301",
    decoded: BD, // a string coming back, as CPython's makebdaddr
  },
];

/** The C program that fills each struct with the headers' definitions and prints its bytes. */
const C_BYTES = `
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <linux/netlink.h>
#include <linux/if_packet.h>
#include <linux/can.h>
#include <linux/tipc.h>
#include <linux/vm_sockets.h>
#include <linux/if_alg.h>
#ifdef SOCKFFI_BLUETOOTH
#include <bluetooth/bluetooth.h>
#include <bluetooth/l2cap.h>
#include <bluetooth/rfcomm.h>
#include <bluetooth/hci.h>
#include <bluetooth/sco.h>
#endif
static void out(const char *name, const void *p, size_t n) {
  printf("%s ", name);
  for (size_t i = 0; i < n; i++) printf("%02x", ((const unsigned char *)p)[i]);
  printf("\\n");
}
#define Z(v) memset(&v, 0, sizeof v)
#define OUT(name, v) out(name, &v, sizeof v)
int main(void) {
  unsigned lo = if_nametoindex("lo");
  { struct sockaddr_nl a; Z(a); a.nl_family = AF_NETLINK; a.nl_pid = 1234; a.nl_groups = 5; OUT("netlink", a); }
  { struct sockaddr_ll a; Z(a); a.sll_family = AF_PACKET; a.sll_protocol = htons(0x0800); a.sll_ifindex = lo;
    a.sll_hatype = 1; a.sll_pkttype = PACKET_BROADCAST; a.sll_halen = 6;
    memcpy(a.sll_addr, "\\x02\\x00\\x00\\x00\\x00\\x01", 6); OUT("packet5", a); }
  { struct sockaddr_ll a; Z(a); a.sll_family = AF_PACKET; a.sll_protocol = htons(0x88b5); a.sll_ifindex = lo;
    a.sll_pkttype = PACKET_HOST; OUT("packet2", a); }
  { struct sockaddr_can a; Z(a); a.can_family = AF_CAN; a.can_ifindex = lo; OUT("can_raw", a); }
  { struct sockaddr_can a; Z(a); a.can_family = AF_CAN; a.can_ifindex = 0; OUT("can_any", a); }
  { struct sockaddr_can a; Z(a); a.can_family = AF_CAN; a.can_ifindex = lo; a.can_addr.tp.rx_id = 0x123;
    a.can_addr.tp.tx_id = 0x456; OUT("can_isotp", a); }
  { struct sockaddr_can a; Z(a); a.can_family = AF_CAN; a.can_ifindex = lo;
    a.can_addr.j1939.name = 0x0123456789abcdefULL; a.can_addr.j1939.pgn = 0x1ef00; a.can_addr.j1939.addr = 0x80;
    OUT("can_j1939", a); }
  { struct sockaddr_tipc a; Z(a); a.family = AF_TIPC; a.addrtype = TIPC_ADDR_NAMESEQ; a.scope = TIPC_NODE_SCOPE;
    a.addr.nameseq.type = 18888; a.addr.nameseq.lower = 17; a.addr.nameseq.upper = 42; OUT("tipc_nameseq", a); }
  { struct sockaddr_tipc a; Z(a); a.family = AF_TIPC; a.addrtype = TIPC_ADDR_NAME; a.scope = TIPC_CLUSTER_SCOPE;
    a.addr.name.name.type = 18888; a.addr.name.name.instance = 17; OUT("tipc_name", a); }
  { struct sockaddr_tipc a; Z(a); a.family = AF_TIPC; a.addrtype = TIPC_ADDR_ID; a.scope = TIPC_ZONE_SCOPE;
    a.addr.id.node = 0x01001001; a.addr.id.ref = 4242; OUT("tipc_id", a); }
  { struct sockaddr_vm a; Z(a); a.svm_family = AF_VSOCK; a.svm_cid = 2; a.svm_port = 1024; OUT("vsock", a); }
  { struct sockaddr_in a; Z(a); a.sin_family = AF_INET; a.sin_port = htons(4000);
    a.sin_addr.s_addr = htonl(0x7f000001); OUT("rds", a); }
  { struct sockaddr_alg a; Z(a); a.salg_family = AF_ALG; strcpy((char *)a.salg_type, "hash");
    strcpy((char *)a.salg_name, "sha256"); OUT("alg2", a); }
  { struct sockaddr_alg a; Z(a); a.salg_family = AF_ALG; strcpy((char *)a.salg_type, "skcipher");
    strcpy((char *)a.salg_name, "cbc(aes)"); a.salg_feat = 1; a.salg_mask = 2; OUT("alg4", a); }
#ifdef SOCKFFI_BLUETOOTH
  bdaddr_t bd = {{0xAB, 0x89, 0x67, 0x45, 0x23, 0x01}};
  bdaddr_t any = {{0, 0, 0, 0, 0, 0}};
  bdaddr_t local = {{0xff, 0xff, 0xff, 0, 0, 0}}; /* setbdaddr("00:00:00:FF:FF:FF") */
  { struct sockaddr_l2 a; Z(a); a.l2_family = AF_BLUETOOTH; a.l2_psm = htobs(0x1001); bacpy(&a.l2_bdaddr, &bd);
    a.l2_bdaddr_type = BDADDR_BREDR; OUT("l2cap2", a); }
  { struct sockaddr_l2 a; Z(a); a.l2_family = AF_BLUETOOTH; a.l2_psm = 0; a.l2_cid = htobs(4);
    bacpy(&a.l2_bdaddr, &bd); a.l2_bdaddr_type = BDADDR_LE_PUBLIC; OUT("l2cap4", a); }
  { struct sockaddr_rc a; Z(a); a.rc_family = AF_BLUETOOTH; bacpy(&a.rc_bdaddr, &bd); a.rc_channel = 3;
    OUT("rfcomm", a); }
  { struct sockaddr_rc a; Z(a); a.rc_family = AF_BLUETOOTH; bacpy(&a.rc_bdaddr, &any); a.rc_channel = 1;
    OUT("rfcomm_any", a); }
  { struct sockaddr_rc a; Z(a); a.rc_family = AF_BLUETOOTH; bacpy(&a.rc_bdaddr, &local); a.rc_channel = 1;
    OUT("rfcomm_local", a); }
  { struct sockaddr_hci a; Z(a); a.hci_family = AF_BLUETOOTH; a.hci_dev = 0; a.hci_channel = HCI_CHANNEL_RAW;
    OUT("hci1", a); }
  { struct sockaddr_hci a; Z(a); a.hci_family = AF_BLUETOOTH; a.hci_dev = 1; a.hci_channel = HCI_CHANNEL_USER;
    OUT("hci2", a); }
  { struct sockaddr_sco a; Z(a); a.sco_family = AF_BLUETOOTH; bacpy(&a.sco_bdaddr, &bd); OUT("sco", a); }
#endif
  return 0;
}
`;

/** layout fields checked against offsetof/sizeof (name in ffi/structs.ts → C expression). */
const LAYOUT_CHECKS: [string, string][] = [
  ["msghdr.size", "sizeof(struct msghdr)"],
  ["msghdr.msg_iovlenSize", "sizeof(((struct msghdr *)0)->msg_iovlen)"],
  ["msghdr.msg_controllenSize", "sizeof(((struct msghdr *)0)->msg_controllen)"],
  ["msghdr.msg_flags", "offsetof(struct msghdr, msg_flags)"],
  ["in_pktinfo.size", "sizeof(struct in_pktinfo)"],
  ["in_pktinfo.ipi_ifindex", "offsetof(struct in_pktinfo, ipi_ifindex)"],
  ["in_pktinfo.ipi_spec_dst", "offsetof(struct in_pktinfo, ipi_spec_dst)"],
  ["in_pktinfo.ipi_addr", "offsetof(struct in_pktinfo, ipi_addr)"],
  ["in6_pktinfo.size", "sizeof(struct in6_pktinfo)"],
  ["in6_pktinfo.ipi6_addr", "offsetof(struct in6_pktinfo, ipi6_addr)"],
  ["in6_pktinfo.ipi6_ifindex", "offsetof(struct in6_pktinfo, ipi6_ifindex)"],
  ["sockaddr_nl.size", "sizeof(struct sockaddr_nl)"],
  ["sockaddr_nl.nl_pid", "offsetof(struct sockaddr_nl, nl_pid)"],
  ["sockaddr_nl.nl_groups", "offsetof(struct sockaddr_nl, nl_groups)"],
  ["sockaddr_ll.size", "sizeof(struct sockaddr_ll)"],
  ["sockaddr_ll.sll_protocol", "offsetof(struct sockaddr_ll, sll_protocol)"],
  ["sockaddr_ll.sll_ifindex", "offsetof(struct sockaddr_ll, sll_ifindex)"],
  ["sockaddr_ll.sll_hatype", "offsetof(struct sockaddr_ll, sll_hatype)"],
  ["sockaddr_ll.sll_pkttype", "offsetof(struct sockaddr_ll, sll_pkttype)"],
  ["sockaddr_ll.sll_halen", "offsetof(struct sockaddr_ll, sll_halen)"],
  ["sockaddr_ll.sll_addr", "offsetof(struct sockaddr_ll, sll_addr)"],
  ["sockaddr_ll.addrMax", "sizeof(((struct sockaddr_ll *)0)->sll_addr)"],
  ["sockaddr_can.size", "sizeof(struct sockaddr_can)"],
  ["sockaddr_can.can_ifindex", "offsetof(struct sockaddr_can, can_ifindex)"],
  ["sockaddr_can.tp_rx_id", "offsetof(struct sockaddr_can, can_addr.tp.rx_id)"],
  ["sockaddr_can.tp_tx_id", "offsetof(struct sockaddr_can, can_addr.tp.tx_id)"],
  ["sockaddr_can.j1939_name", "offsetof(struct sockaddr_can, can_addr.j1939.name)"],
  ["sockaddr_can.j1939_pgn", "offsetof(struct sockaddr_can, can_addr.j1939.pgn)"],
  ["sockaddr_can.j1939_addr", "offsetof(struct sockaddr_can, can_addr.j1939.addr)"],
  ["sockaddr_tipc.size", "sizeof(struct sockaddr_tipc)"],
  ["sockaddr_tipc.addrtype", "offsetof(struct sockaddr_tipc, addrtype)"],
  ["sockaddr_tipc.scope", "offsetof(struct sockaddr_tipc, scope)"],
  ["sockaddr_tipc.nameseq_type", "offsetof(struct sockaddr_tipc, addr.nameseq.type)"],
  ["sockaddr_tipc.nameseq_lower", "offsetof(struct sockaddr_tipc, addr.nameseq.lower)"],
  ["sockaddr_tipc.nameseq_upper", "offsetof(struct sockaddr_tipc, addr.nameseq.upper)"],
  ["sockaddr_tipc.name_type", "offsetof(struct sockaddr_tipc, addr.name.name.type)"],
  ["sockaddr_tipc.name_instance", "offsetof(struct sockaddr_tipc, addr.name.name.instance)"],
  ["sockaddr_tipc.name_domain", "offsetof(struct sockaddr_tipc, addr.name.domain)"],
  ["sockaddr_tipc.id_ref", "offsetof(struct sockaddr_tipc, addr.id.ref)"],
  ["sockaddr_tipc.id_node", "offsetof(struct sockaddr_tipc, addr.id.node)"],
  ["sockaddr_vm.size", "sizeof(struct sockaddr_vm)"],
  ["sockaddr_vm.svm_port", "offsetof(struct sockaddr_vm, svm_port)"],
  ["sockaddr_vm.svm_cid", "offsetof(struct sockaddr_vm, svm_cid)"],
  ["sockaddr_vm.svm_flags", "offsetof(struct sockaddr_vm, svm_flags)"],
  ["sockaddr_alg.size", "sizeof(struct sockaddr_alg)"],
  ["sockaddr_alg.salg_type", "offsetof(struct sockaddr_alg, salg_type)"],
  ["sockaddr_alg.typeMax", "sizeof(((struct sockaddr_alg *)0)->salg_type)"],
  ["sockaddr_alg.salg_feat", "offsetof(struct sockaddr_alg, salg_feat)"],
  ["sockaddr_alg.salg_mask", "offsetof(struct sockaddr_alg, salg_mask)"],
  ["sockaddr_alg.salg_name", "offsetof(struct sockaddr_alg, salg_name)"],
  ["sockaddr_alg.nameMax", "sizeof(((struct sockaddr_alg *)0)->salg_name)"],
  ["sockaddr_l2.size", "sizeof(struct sockaddr_l2)"],
  ["sockaddr_l2.l2_psm", "offsetof(struct sockaddr_l2, l2_psm)"],
  ["sockaddr_l2.l2_bdaddr", "offsetof(struct sockaddr_l2, l2_bdaddr)"],
  ["sockaddr_l2.l2_cid", "offsetof(struct sockaddr_l2, l2_cid)"],
  ["sockaddr_l2.l2_bdaddr_type", "offsetof(struct sockaddr_l2, l2_bdaddr_type)"],
  ["sockaddr_rc.size", "sizeof(struct sockaddr_rc)"],
  ["sockaddr_rc.rc_bdaddr", "offsetof(struct sockaddr_rc, rc_bdaddr)"],
  ["sockaddr_rc.rc_channel", "offsetof(struct sockaddr_rc, rc_channel)"],
  ["sockaddr_hci.size", "sizeof(struct sockaddr_hci)"],
  ["sockaddr_hci.hci_dev", "offsetof(struct sockaddr_hci, hci_dev)"],
  ["sockaddr_hci.hci_channel", "offsetof(struct sockaddr_hci, hci_channel)"],
  ["sockaddr_sco.size", "sizeof(struct sockaddr_sco)"],
  ["sockaddr_sco.sco_bdaddr", "offsetof(struct sockaddr_sco, sco_bdaddr)"],
];

/** Compiles and runs `source`; with `bluetooth`, the parts under SOCKFFI_BLUETOOTH too. */
function runC(source: string, bluetooth: boolean): Map<string, string> {
  const dir = Deno.makeTempDirSync({ prefix: "sockffi-fam-" });
  try {
    Deno.writeTextFileSync(join(dir, "p.c"), source);
    const cc = new Deno.Command("cc", {
      args: [...(bluetooth ? ["-DSOCKFFI_BLUETOOTH"] : []), "-o", join(dir, "p"), join(dir, "p.c")],
      stderr: "piped",
    }).outputSync();
    assert(cc.success, dec.decode(cc.stderr));
    const out = new Deno.Command(join(dir, "p"), { stdout: "piped" }).outputSync();
    assert(out.success);
    const m = new Map<string, string>();
    for (const line of dec.decode(out.stdout).trim().split("\n")) {
      const [k, v] = line.split(" ");
      m.set(k, v);
    }
    return m;
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}

function encoded(c: Pick<Case, "family" | "type" | "proto" | "addr">): Uint8Array {
  const out = new Uint8Array(layout.sockaddr_storage.size).fill(0xee);
  const n = encode(c.family, c.type, c.proto, c.addr, out);
  return out.slice(0, n);
}

/** The structs of <bluetooth/*.h>: compared with C only where that header is installed. */
const BLUETOOTH_STRUCTS = ["sockaddr_l2", "sockaddr_rc", "sockaddr_hci", "sockaddr_sco"];

/** Compares ffi/structs.ts with offsetof/sizeof for the LAYOUT_CHECKS entries `which` keeps. */
function checkLayouts(which: (struct: string) => boolean, bluetooth: boolean): void {
  const checks = LAYOUT_CHECKS.filter(([k]) => which(k.split(".")[0]));
  assert(checks.length > 0);
  const body = checks.map(([k, expr]) => `  printf("${k} %zu\\n", (size_t)(${expr}));`).join("\n");
  const got = runC(
    C_BYTES.slice(0, C_BYTES.indexOf("static void out")) +
      `#include <stddef.h>\nint main(void) {\n${body}\n  return 0;\n}\n`,
    bluetooth,
  );
  for (const [k] of checks) {
    const [struct, field] = k.split(".");
    const want = (layout as unknown as Record<string, Record<string, number>>)[struct][field];
    assertEquals(Number(got.get(k)), want, k);
  }
}

/** Compares the pinned bytes of the cases `which` keeps with what the C program prints. */
function checkBytes(which: (c: Case) => boolean, bluetooth: boolean): void {
  const got = runC(C_BYTES, bluetooth);
  const checked = cases.filter(which);
  assert(checked.length > 0);
  for (const c of checked) assertEquals(got.get(c.name), c.bytes, c.name);
}

Deno.test({
  name: "ffi/structs.ts layouts match offsetof/sizeof from the C headers",
  ignore: !haveCc,
  fn(): void {
    checkLayouts((struct) => !BLUETOOTH_STRUCTS.includes(struct), false);
  },
});

Deno.test({
  name: "ffi/structs.ts Bluetooth layouts match offsetof/sizeof from <bluetooth/*.h>",
  ignore: !haveBluetoothH,
  fn(): void {
    checkLayouts((struct) => BLUETOOTH_STRUCTS.includes(struct), true);
  },
});

Deno.test({
  name: "the expected sockaddr bytes are those the C headers give",
  ignore: !haveCc,
  fn(): void {
    checkBytes((c) => c.family !== AF_BLUETOOTH, false);
  },
});

Deno.test({
  name: "the expected Bluetooth sockaddr bytes are those <bluetooth/*.h> gives",
  ignore: !haveBluetoothH,
  fn(): void {
    checkBytes((c) => c.family === AF_BLUETOOTH, true);
  },
});

Deno.test("every address form encodes to the kernel's sockaddr bytes and decodes back", async (t) => {
  assertEquals(lib().if_nametoindex(enc.encode("lo\0")), 1, "these bytes assume lo is index 1");
  for (const c of cases) {
    await t.step(c.name, () => {
      const b = encoded(c);
      assertEquals(hex(b), c.bytes);
      assertEquals(decode(b, b.length, c.proto), c.decoded);
      // and what decode gives encodes to the same bytes again (the RDS form comes back as AF_INET)
      if (c.family !== AF_RDS && c.name !== "sco") {
        assertEquals(hex(encoded({ ...c, addr: c.decoded })), c.bytes);
      }
    });
  }
  // other accepted spellings of the same addresses
  const hci = { family: AF_BLUETOOTH, type: SOCK_RAW, proto: BTPROTO_HCI };
  assertEquals(hex(encoded({ ...hci, addr: 0 })), "1f0000000000");
  const sco = { family: AF_BLUETOOTH, type: SOCK_SEQPACKET, proto: BTPROTO_SCO };
  assertEquals(hex(encoded({ ...sco, addr: BD })), "1f00ab8967452301");
  const j = { family: AF_CAN, type: SOCK_DGRAM, proto: CAN_J1939 };
  assertEquals(
    hex(encoded({ ...j, addr: ["lo", 0x1234, 0, 0] })),
    "1d000000010000003412000000000000" + "0000000000000000",
  );
  // a byte-reversed bdaddr: the last field is byte 0
  const rc = encoded({
    family: AF_BLUETOOTH,
    type: SOCK_STREAM,
    proto: BTPROTO_RFCOMM,
    addr: ["A:B:C:D:E:F", 0],
  });
  assertEquals([...rc.subarray(2, 8)], [0xf, 0xe, 0xd, 0xc, 0xb, 0xa]);
});

Deno.test("socket() on families this kernel lacks raises SocketError EAFNOSUPPORT and leaks nothing", () => {
  const before = openFds();
  const lacking: [string, number, number, number][] = [
    ["AF_CAN CAN_RAW", AF_CAN, SOCK_RAW, CAN_RAW],
    ["AF_CAN CAN_BCM", AF_CAN, SOCK_DGRAM, CAN_BCM],
    ["AF_TIPC", AF_TIPC, SOCK_RDM, 0],
    ["AF_RDS", AF_RDS, SOCK_SEQPACKET, 0],
    ["AF_ALG", AF_ALG, SOCK_SEQPACKET, 0],
    ["AF_BLUETOOTH RFCOMM", AF_BLUETOOTH, SOCK_STREAM, BTPROTO_RFCOMM],
    ["AF_BLUETOOTH L2CAP", AF_BLUETOOTH, SOCK_SEQPACKET, BTPROTO_L2CAP],
  ];
  for (const [what, family, type, proto] of lacking) {
    assertThrows(
      () => socket(family, type, proto),
      SocketError,
      "[Errno 97] Address family not supported by protocol",
      what,
    );
  }
  assertEquals(openFds(), before);
});

Deno.test("address codecs reject bad input with typed errors", () => {
  const out = new Uint8Array(layout.sockaddr_storage.size);
  const enc1 = (family: number, type: number, proto: number, addr: unknown) => () =>
    encode(family, type, proto, addr, out);
  // AF_PACKET: an interface that does not exist is ENODEV, as CPython's ioctl gives
  assertThrows(
    enc1(AF_PACKET, SOCK_RAW, 0, ["sockffi-none0", 0x800]),
    SocketError,
    "[Errno 19] No such device",
  );
  assertThrows(enc1(AF_PACKET, SOCK_RAW, 0, ["", 0x800]), SocketError, "[Errno 19] No such device");
  assertThrows(
    enc1(AF_PACKET, SOCK_RAW, 0, ["lo"]),
    TypeError,
    "AF_PACKET address must be an array [ifname, proto[, pkttype[, hatype[, addr]]]], not an array of 1",
  );
  assertThrows(
    enc1(AF_PACKET, SOCK_RAW, 0, ["lo", 0x10000]),
    RangeError,
    "AF_PACKET proto must be 0-65535, not 65536",
  );
  assertThrows(
    enc1(AF_PACKET, SOCK_RAW, 0, ["lo", 1, 0, 1, new Uint8Array(9)]),
    RangeError,
    "Hardware address must be 8 bytes or less",
  );
  assertThrows(
    enc1(AF_PACKET, SOCK_RAW, 0, ["lo", 1, 0, 1, "02:00:00:00:00:01"]),
    TypeError,
    "AF_PACKET hardware address must be bytes, not string (encode it, or give the bytes of the MAC)",
  );
  assertThrows(
    enc1(AF_PACKET, SOCK_RAW, 0, "lo"),
    TypeError,
    "AF_PACKET address must be an array [ifname, proto[, pkttype[, hatype[, addr]]]], not string",
  );
  // AF_TIPC: a tuple of the wrong length, a bad type
  assertThrows(enc1(AF_TIPC, SOCK_RDM, 0, [TIPC_ADDR_NAME, 1, 2]), TypeError, "AF_TIPC address");
  assertThrows(
    enc1(AF_TIPC, SOCK_RDM, 0, [TIPC_ADDR_NAME, 1, 2, 3, 4, 5]),
    TypeError,
    "AF_TIPC address must be an array [addr_type, v1, v2, v3[, scope]], not an array of 6",
  );
  assertThrows(enc1(AF_TIPC, SOCK_RDM, 0, [9, 1, 2, 3]), TypeError, "Invalid address type");
  assertThrows(
    enc1(AF_TIPC, SOCK_RDM, 0, [TIPC_ADDR_NAME, "1", 2, 3]),
    TypeError,
    "AF_TIPC v1 must be an integer, not string",
  );
  assertThrows(
    enc1(AF_TIPC, SOCK_RDM, 0, [TIPC_ADDR_NAME, -1, 2, 3]),
    RangeError,
    "AF_TIPC v1 must be 0-4294967295, not -1",
  );
  // AF_NETLINK, AF_VSOCK
  assertThrows(
    enc1(AF_NETLINK, SOCK_RAW, 0, [1]),
    TypeError,
    "AF_NETLINK address must be an array [pid, groups], not an array of 1",
  );
  assertThrows(
    enc1(AF_NETLINK, SOCK_RAW, 0, [2 ** 32, 0]),
    RangeError,
    "AF_NETLINK pid must be 0-4294967295, not 4294967296",
  );
  assertThrows(
    enc1(AF_NETLINK, SOCK_RAW, 0, [1.5, 0]),
    TypeError,
    "AF_NETLINK pid must be an integer, not the non-integer 1.5",
  );
  assertThrows(
    enc1(AF_VSOCK, SOCK_STREAM, 0, [1, -1]),
    RangeError,
    "AF_VSOCK port must be 0-4294967295, not -1",
  );
  // AF_CAN
  assertThrows(
    enc1(AF_CAN, SOCK_RAW, 99, ["lo"]),
    SocketError,
    "[Errno 93] getsockaddrarg: unsupported CAN protocol 99",
  );
  assertThrows(
    enc1(AF_CAN, SOCK_RAW, CAN_RAW, ["x".repeat(16)]),
    SocketError,
    "[Errno 36] AF_CAN interface name too long",
  );
  assertThrows(
    enc1(AF_CAN, SOCK_RAW, CAN_RAW, ["can-nonexistent"]),
    SocketError,
    "[Errno 19] No such device",
  );
  assertThrows(
    enc1(AF_CAN, SOCK_RAW, CAN_RAW, "can0"),
    TypeError,
    "AF_CAN address must be an array [interface], not string",
  );
  assertThrows(
    enc1(AF_CAN, SOCK_DGRAM, CAN_J1939, ["", -1n, 0, 0]),
    RangeError,
    "CAN_J1939 name must be 0-2**64-1, not -1",
  );
  assertThrows(
    enc1(AF_CAN, SOCK_DGRAM, CAN_J1939, ["", 2n ** 64n, 0, 0]),
    RangeError,
    "CAN_J1939 name must be 0-2**64-1, not 18446744073709551616",
  );
  // Bluetooth
  assertThrows(
    enc1(AF_BLUETOOTH, SOCK_STREAM, BTPROTO_RFCOMM, ["01:23:45:67:89", 1]),
    SocketError,
    "bad bluetooth address",
  );
  assertThrows(
    enc1(AF_BLUETOOTH, SOCK_STREAM, BTPROTO_RFCOMM, ["01:23:45:67:89:1AB", 1]),
    SocketError,
    "[Errno 22] bad bluetooth address",
  );
  assertThrows(
    enc1(AF_BLUETOOTH, SOCK_STREAM, BTPROTO_RFCOMM, [BD, 256]),
    RangeError,
    "BTPROTO_RFCOMM channel must be 0-255, not 256",
  );
  assertThrows(
    enc1(AF_BLUETOOTH, SOCK_STREAM, BTPROTO_RFCOMM, BD),
    TypeError,
    "BTPROTO_RFCOMM address must be an array [bdaddr, channel], not string",
  );
  assertThrows(
    enc1(AF_BLUETOOTH, SOCK_STREAM, 77, [BD, 1]),
    SocketError,
    "[Errno 93] getsockaddrarg: unknown Bluetooth protocol 77",
  );
  // AF_ALG: CPython's length limits (type < 14 bytes, name < 64 bytes)
  assertThrows(
    enc1(AF_ALG, SOCK_SEQPACKET, 0, ["x".repeat(14), "sha1"]),
    RangeError,
    "AF_ALG type too long",
  );
  assertEquals(encode(AF_ALG, SOCK_SEQPACKET, 0, ["x".repeat(13), "y".repeat(63)], out), 88);
  assertThrows(
    enc1(AF_ALG, SOCK_SEQPACKET, 0, ["hash", "y".repeat(64)]),
    RangeError,
    "AF_ALG name too long",
  );
  assertThrows(
    enc1(AF_ALG, SOCK_SEQPACKET, 0, ["hash", "sha\u0000256"]),
    RangeError,
    "AF_ALG name: embedded null character",
  );
  assertThrows(
    enc1(AF_ALG, SOCK_SEQPACKET, 0, ["hash"]),
    TypeError,
    "AF_ALG address must be an array [type, name[, feat[, mask]]], not an array of 1",
  );
  assertThrows(
    enc1(AF_ALG, SOCK_SEQPACKET, 0, ["hash", "sha1", 0x10000]),
    RangeError,
    "AF_ALG feat must be 0-65535, not 65536",
  );
  // decoding what cannot be represented
  const tipc = new Uint8Array(16);
  tipc.set([AF_TIPC, 0, 9]);
  assertThrows(() => decode(tipc, 16, 0), RangeError, "Invalid address type: 9");
  const bt = new Uint8Array(16);
  bt.set([AF_BLUETOOTH, 0]);
  assertThrows(() => decode(bt, 16, 77), RangeError, "Unknown Bluetooth protocol 77");
  // a family without a codec (PF_SYSTEM and AF_LINK have none on Linux)
  const e = assertThrows(enc1(200, SOCK_RAW, 0, [1, 2]), SocketError, "not supported on linux");
  assertEquals(e.code, "EAFNOSUPPORT");
});

// ---- real sockets of the families this kernel has ----

Deno.test("AF_NETLINK: an RTM_GETLINK dump over NETLINK_ROUTE lists the loopback interface", () => {
  const s = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
  try {
    s.settimeout(5);
    s.bind([0, 0]);
    const [pid, groups] = s.getsockname() as [number, number];
    assert(pid > 0, "the kernel assigns a port id");
    assertEquals(groups, 0);
    // struct nlmsghdr (16 bytes) + struct ifinfomsg (16 bytes), host byte order
    const req = new Uint8Array(32);
    const r = new DataView(req.buffer);
    r.setUint32(0, 32, true);
    r.setUint16(4, RTM_GETLINK, true);
    r.setUint16(6, NLM_F_REQUEST | NLM_F_DUMP, true);
    r.setUint32(8, 1, true);
    assertEquals(s.sendmsg([req], [], 0, [0, 0]), 32);
    const names: string[] = [];
    let done = false;
    while (!done) {
      const [data, anc, flags, addr] = s.recvmsg(65536);
      assertEquals(anc, []);
      assertEquals(flags, 0);
      assertEquals(addr, [0, 0], "replies come from the kernel, port id 0");
      const d = new DataView(data.buffer, data.byteOffset, data.byteLength);
      for (let off = 0; off + 16 <= data.length;) {
        const len = d.getUint32(off, true);
        const type = d.getUint16(off + 4, true);
        if (type === NLMSG_DONE) done = true;
        assertNotEquals(type, NLMSG_ERROR);
        if (type === RTM_NEWLINK) {
          for (let a = off + 32; a + 4 <= off + len;) {
            const alen = d.getUint16(a, true);
            if (alen < 4) break;
            if (d.getUint16(a + 2, true) === IFLA_IFNAME) {
              names.push(dec.decode(data.subarray(a + 4, a + alen)).replace(/\0+$/, ""));
            }
            a += (alen + 3) & ~3;
          }
        }
        off += (len + 3) & ~3;
      }
    }
    assert(names.includes("lo"), `interfaces: ${names.join(", ")}`);
  } finally {
    s.close();
  }
});

Deno.test("AF_VSOCK: bind() and getsockname() round-trip [cid, port]", () => {
  let s;
  try {
    s = socket(AF_VSOCK, SOCK_STREAM);
  } catch (e) {
    if (e instanceof SocketError && e.code === "EAFNOSUPPORT") {
      console.log("AF_VSOCK: this kernel lacks vsock; skipped");
      return;
    }
    throw e;
  }
  try {
    s.bind([VMADDR_CID_ANY, 0xffffffff]); // any cid, any port (VMADDR_PORT_ANY)
    const [cid, port] = s.getsockname() as [number, number];
    assertEquals(cid, VMADDR_CID_ANY);
    assert(port > 1023 && port < 0xffffffff, `port ${port}`);
  } finally {
    s.close();
  }
});

function checksum(b: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < b.length; i += 2) sum += (b[i] << 8) | (b[i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

Deno.test({
  name: "raw IPv4: an ICMP echo request over SOCK_RAW to 127.0.0.1 gets its reply",
  ignore: !isRoot,
  fn(): void {
    const s = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
    try {
      s.settimeout(5);
      const id = Deno.pid & 0xffff;
      const req = new Uint8Array(8 + 12);
      req.set([8, 0, 0, 0, id >> 8, id & 0xff, 0, 1]);
      req.set(enc.encode("sockffi ping"), 8);
      const ck = checksum(req);
      req[2] = ck >> 8;
      req[3] = ck & 0xff;
      assertEquals(s.sendto(req, ["127.0.0.1", 0]), req.length);
      // A raw socket sees the request it sent too: wait for the reply (type 0).
      for (let i = 0; i < 20; i++) {
        const [pkt, addr] = s.recvfrom(2048);
        assertEquals(addr, ["127.0.0.1", 0]);
        const ihl = (pkt[0] & 0x0f) * 4;
        const icmp = pkt.subarray(ihl);
        if (icmp[0] !== 0 || ((icmp[4] << 8) | icmp[5]) !== id) continue;
        assertEquals(icmp[1], 0);
        assertEquals((icmp[6] << 8) | icmp[7], 1);
        assertEquals(dec.decode(icmp.subarray(8)), "sockffi ping");
        assertEquals(checksum(icmp), 0);
        return;
      }
      fail("no echo reply");
    } finally {
      s.close();
    }
  },
});

const PACKET_CHILD = (root: string) => `
import { AF_PACKET, SOCK_RAW, socket, SocketError } from "${root}mod.ts";
const ETH_P = 0x88b5; // IEEE local experimental ethertype
const htons = (v: number) => ((v & 0xff) << 8) | (v >> 8);
const rx = socket(AF_PACKET, SOCK_RAW, htons(ETH_P));
rx.bind(["vb", ETH_P]);
rx.settimeout(5);
const tx = socket(AF_PACKET, SOCK_RAW, 0);
const src = [2, 0, 0, 0, 0, 1];
const frame = (text: string) =>
  new Uint8Array([255, 255, 255, 255, 255, 255, ...src, 0x88, 0xb5, ...new TextEncoder().encode(text)]);
const show = (a: unknown[]) => a.map((x) => x instanceof Uint8Array ? [...x] : x);
tx.sendto(frame("first frame"), ["va", ETH_P]);
const [d1, a1] = rx.recvfrom(2048);
tx.sendmsg([frame("second").subarray(0, 14), new TextEncoder().encode("second frame")], [], 0, ["va", ETH_P]);
const [d2, anc, flags, a2] = rx.recvmsg(2048);
let missing = "";
try { tx.bind(["sockffi-none0", 0]); } catch (e) { missing = e instanceof SocketError ? e.code : String(e); }
console.log(JSON.stringify({
  p1: new TextDecoder().decode(d1.subarray(14, 14 + 11)), a1: show(a1 as unknown[]),
  p2: new TextDecoder().decode(d2.subarray(14, 14 + 12)), a2: show(a2 as unknown[]), anc, flags,
  sockname: show(rx.getsockname() as unknown[]), missing,
}));
rx.close();
tx.close();
`;

Deno.test({
  name: "AF_PACKET: a raw Ethernet frame sent on one end of a veth pair is received on the other",
  ignore: !isRoot || !haveIp,
  async fn(): Promise<void> {
    // A network namespace applies per process: the sockets live in a child
    // deno started with `ip netns exec`, on a veth pair inside a namespace
    // made for this test (never a real interface).
    const ns = `sockffi-test-${crypto.randomUUID().slice(0, 8)}`;
    const ip = (...args: string[]) => {
      const r = new Deno.Command("ip", { args, stdout: "null", stderr: "piped" }).outputSync();
      if (!r.success) throw new Error(`ip ${args.join(" ")}: ${dec.decode(r.stderr)}`);
    };
    try {
      ip("netns", "add", ns);
    } catch (e) {
      console.log(`AF_PACKET: cannot create a network namespace (${e}); skipped`);
      return;
    }
    const dir = Deno.makeTempDirSync({ prefix: "sockffi-fam-" });
    try {
      ip("-n", ns, "link", "add", "va", "type", "veth", "peer", "name", "vb");
      ip("-n", ns, "link", "set", "va", "up");
      ip("-n", ns, "link", "set", "vb", "up");
      const script = join(dir, "packet.ts");
      Deno.writeTextFileSync(script, PACKET_CHILD(new URL("..", import.meta.url).href));
      const out = await new Deno.Command("ip", {
        args: ["netns", "exec", ns, Deno.execPath(), "run", "--allow-all", script],
        stdout: "piped",
        stderr: "piped",
        signal: AbortSignal.timeout(30_000),
      }).output();
      assert(out.success, dec.decode(out.stderr));
      const r = JSON.parse(dec.decode(out.stdout).trim().split("\n").at(-1)!);
      // [ifname, proto, pkttype PACKET_BROADCAST, hatype ARPHRD_ETHER, source MAC]
      const from = ["vb", 0x88b5, 1, 1, [2, 0, 0, 0, 0, 1]];
      assertEquals(r, {
        p1: "first frame",
        a1: from,
        p2: "second frame",
        a2: from,
        anc: [],
        flags: 0,
        sockname: ["vb", 0x88b5, 0, 1, r.sockname[4]],
        missing: "ENODEV",
      });
      assertEquals(r.sockname[4].length, 6, "vb's own MAC address");
    } finally {
      try {
        ip("netns", "del", ns);
      } finally {
        Deno.removeSync(dir, { recursive: true });
      }
    }
  },
});
