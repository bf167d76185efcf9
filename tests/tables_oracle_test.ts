// The committed constants tables and ffi/structs.ts layouts against an
// independent oracle: Go's golang.org/x/sys/unix tables (zerrors_*.go,
// ztypes_*.go), which Go's maintainers generate on the real systems (macOS
// for darwin) from the system headers. Debian ships them in
// golang-golang-x-sys-dev (.ci/tables.sh installs it); where they are absent,
// the tests are ignored with the reason printed.
//
// Every name both tables have must agree, except the differences listed in
// KNOWN with the reason (header or SDK versions); a listed difference that no
// longer differs fails too, so the list stays true.
import { assert, assertEquals } from "@std/assert";
import * as structs from "../ffi/structs.ts";
import * as darwinAarch64 from "../constants/darwin_aarch64.ts";
import * as darwinX8664 from "../constants/darwin_x86_64.ts";
import * as linuxAarch64 from "../constants/linux_aarch64.ts";
import * as linuxX8664 from "../constants/linux_x86_64.ts";

const GO_DIR = Deno.env.get("SOCKFFI_GO_XSYS") ??
  "/usr/share/gocode/src/golang.org/x/sys/unix";

/** A generated table's exports. */
interface Table {
  socket: Readonly<Record<string, number>>;
  system: Readonly<Record<string, number>>;
  errno: Readonly<Record<string, number>>;
}

/** One system: our table and layout, and Go's files for it (common ones first). */
interface System {
  ident: string;
  table: Table;
  layout: structs.Layout;
  zerrors: string[];
  ztypes: string[];
}

const SYSTEMS: readonly System[] = [
  {
    ident: "darwin_aarch64",
    table: darwinAarch64,
    layout: structs.darwin_aarch64,
    zerrors: ["zerrors_darwin_arm64.go"],
    ztypes: ["ztypes_darwin_arm64.go"],
  },
  {
    ident: "darwin_x86_64",
    table: darwinX8664,
    layout: structs.darwin_x86_64,
    zerrors: ["zerrors_darwin_amd64.go"],
    ztypes: ["ztypes_darwin_amd64.go"],
  },
  {
    ident: "linux_aarch64",
    table: linuxAarch64,
    layout: structs.linux_aarch64,
    zerrors: ["zerrors_linux.go", "zerrors_linux_arm64.go"],
    ztypes: ["ztypes_linux.go", "ztypes_linux_arm64.go"],
  },
  {
    ident: "linux_x86_64",
    table: linuxX8664,
    layout: structs.linux_x86_64,
    zerrors: ["zerrors_linux.go", "zerrors_linux_amd64.go"],
    ztypes: ["ztypes_linux.go", "ztypes_linux_amd64.go"],
  },
];

/**
 * Differences that a header or SDK version explains: system → name → why.
 * Go's tables are those of golang.org/x/sys 0.3.0 (Debian bookworm), made on
 * macOS with an older SDK and on Linux from kernel 6.0 headers; ours come
 * from the macOS 15.1 SDK headers and from glibc 2.36 / Linux 6.1 headers.
 */
const EVFILT_COUNT =
  "the macOS 15.1 SDK counts 18 kqueue filters, Go's older SDK 17 (the count grows as filters " +
  "are added; EVFILT_THREADMARKER is defined as EVFILT_SYSCOUNT): no filter value differs";
const TIPC_FOREVER =
  "<linux/tipc.h> defines it as (~0), an int: -1, as CPython has it; Go's mkerrors writes the " +
  "same 32 bits unsigned";
const KNOWN: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  darwin_aarch64: { EVFILT_SYSCOUNT: EVFILT_COUNT, EVFILT_THREADMARKER: EVFILT_COUNT },
  darwin_x86_64: { EVFILT_SYSCOUNT: EVFILT_COUNT, EVFILT_THREADMARKER: EVFILT_COUNT },
  linux_aarch64: { TIPC_WAIT_FOREVER: TIPC_FOREVER },
  linux_x86_64: { TIPC_WAIT_FOREVER: TIPC_FOREVER },
};

/** Reads Go files; undefined when one is missing. */
async function readGo(files: readonly string[]): Promise<string | undefined> {
  const texts: string[] = [];
  for (const f of files) {
    try {
      texts.push(await Deno.readTextFile(`${GO_DIR}/${f}`));
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return undefined;
      throw e;
    }
  }
  return texts.join("\n");
}

/** Integer constants of zerrors_*.go: `NAME = 0x1f`, `-0x3`, `syscall.Errno(0x23)`. */
function goConstants(text: string): Map<string, bigint> {
  const out = new Map<string, bigint>();
  const re =
    /^\s+([A-Z][A-Za-z0-9_]*)\s+=\s+(?:syscall\.Errno\()?(-?)(0x[0-9a-fA-F]+|\d+)\)?\s*$/gm;
  for (const m of text.matchAll(re)) {
    const v = BigInt(m[3]);
    out.set(m[1], m[2] === "-" ? -v : v);
  }
  return out;
}

/** A Go struct field: its name and type as written. */
interface GoField {
  name: string;
  type: string;
}

/** The struct types of ztypes_*.go, by name. */
function goStructs(text: string): Map<string, GoField[]> {
  const out = new Map<string, GoField[]>();
  for (const m of text.matchAll(/^type (\w+) struct \{\n([\s\S]*?)^\}/gm)) {
    const fields = m[2].split("\n").flatMap((l) => {
      const f = /^\s+(\w+)\s+(\S+)/.exec(l);
      return f ? [{ name: f[1], type: f[2] }] : [];
    });
    out.set(m[1], fields);
  }
  return out;
}

const GO_SCALARS: Readonly<Record<string, number>> = {
  int8: 1,
  uint8: 1,
  byte: 1,
  int16: 2,
  uint16: 2,
  int32: 4,
  uint32: 4,
  int64: 8,
  uint64: 8,
  uintptr: 8,
  int: 8,
  uint: 8,
};

/** Size and alignment of a Go type on a 64-bit target (C's rules, as cgo -godefs keeps them). */
function goSizeAlign(type: string, types: Map<string, GoField[]>): [number, number] {
  if (type.startsWith("*")) return [8, 8];
  const arr = /^\[(\d+)\](.+)$/.exec(type);
  if (arr) {
    const [size, align] = goSizeAlign(arr[2], types);
    return [size * Number(arr[1]), align];
  }
  if (GO_SCALARS[type] !== undefined) return [GO_SCALARS[type], GO_SCALARS[type]];
  const fields = types.get(type);
  if (fields === undefined) throw new Error(`unknown Go type ${type}`);
  const layout = goLayout(fields, types);
  return [layout.size, layout.align];
}

/** Offsets, sizes and array lengths of a Go struct's fields. */
function goLayout(
  fields: readonly GoField[],
  types: Map<string, GoField[]>,
): { size: number; align: number; offset: Map<string, number>; sizeOf: Map<string, number> } {
  let off = 0, maxAlign = 1;
  const offset = new Map<string, number>();
  const sizeOf = new Map<string, number>();
  for (const f of fields) {
    const [size, align] = goSizeAlign(f.type, types);
    off = Math.ceil(off / align) * align;
    offset.set(f.name, off);
    sizeOf.set(f.name, size);
    off += size;
    maxAlign = Math.max(maxAlign, align);
  }
  return { size: Math.ceil(off / maxAlign) * maxAlign, align: maxAlign, offset, sizeOf };
}

/**
 * Layout fields against Go's: `struct.field` → [Go type, Go field, what]:
 * `off` its offset, `size` its size, `len` the whole struct's size (the
 * field is ignored). Only fields both sides describe; Go has no addrinfo,
 * hostent, servent, protoent, if_nameindex or sockaddr_storage.
 */
const LAYOUT_MAP: readonly [string, string, string, "off" | "size" | "len"][] = [
  ["sa_family.offset", "RawSockaddr", "Family", "off"],
  ["sa_family.size", "RawSockaddr", "Family", "size"],
  ["sockaddr_in.size", "RawSockaddrInet4", "", "len"],
  ["sockaddr_in.sin_port", "RawSockaddrInet4", "Port", "off"],
  ["sockaddr_in.sin_addr", "RawSockaddrInet4", "Addr", "off"],
  ["sockaddr_in6.size", "RawSockaddrInet6", "", "len"],
  ["sockaddr_in6.sin6_port", "RawSockaddrInet6", "Port", "off"],
  ["sockaddr_in6.sin6_flowinfo", "RawSockaddrInet6", "Flowinfo", "off"],
  ["sockaddr_in6.sin6_addr", "RawSockaddrInet6", "Addr", "off"],
  ["sockaddr_in6.sin6_scope_id", "RawSockaddrInet6", "Scope_id", "off"],
  ["sockaddr_un.size", "RawSockaddrUnix", "", "len"],
  ["sockaddr_un.sun_path", "RawSockaddrUnix", "Path", "off"],
  ["sockaddr_un.pathMax", "RawSockaddrUnix", "Path", "size"],
  ["msghdr.size", "Msghdr", "", "len"],
  ["msghdr.msg_name", "Msghdr", "Name", "off"],
  ["msghdr.msg_namelen", "Msghdr", "Namelen", "off"],
  ["msghdr.msg_iov", "Msghdr", "Iov", "off"],
  ["msghdr.msg_iovlen", "Msghdr", "Iovlen", "off"],
  ["msghdr.msg_iovlenSize", "Msghdr", "Iovlen", "size"],
  ["msghdr.msg_control", "Msghdr", "Control", "off"],
  ["msghdr.msg_controllen", "Msghdr", "Controllen", "off"],
  ["msghdr.msg_controllenSize", "Msghdr", "Controllen", "size"],
  ["msghdr.msg_flags", "Msghdr", "Flags", "off"],
  ["iovec.size", "Iovec", "", "len"],
  ["iovec.iov_base", "Iovec", "Base", "off"],
  ["iovec.iov_len", "Iovec", "Len", "off"],
  ["cmsghdr.size", "Cmsghdr", "", "len"],
  ["cmsghdr.cmsg_len", "Cmsghdr", "Len", "off"],
  ["cmsghdr.cmsg_lenSize", "Cmsghdr", "Len", "size"],
  ["cmsghdr.cmsg_level", "Cmsghdr", "Level", "off"],
  ["cmsghdr.cmsg_type", "Cmsghdr", "Type", "off"],
  ["pollfd.size", "PollFd", "", "len"],
  ["pollfd.fd", "PollFd", "Fd", "off"],
  ["pollfd.events", "PollFd", "Events", "off"],
  ["pollfd.revents", "PollFd", "Revents", "off"],
  ["epoll_event.size", "EpollEvent", "", "len"],
  ["epoll_event.events", "EpollEvent", "Events", "off"],
  ["epoll_event.data", "EpollEvent", "Fd", "off"],
  ["kevent.size", "Kevent_t", "", "len"],
  ["kevent.ident", "Kevent_t", "Ident", "off"],
  ["kevent.filter", "Kevent_t", "Filter", "off"],
  ["kevent.flags", "Kevent_t", "Flags", "off"],
  ["kevent.fflags", "Kevent_t", "Fflags", "off"],
  ["kevent.data", "Kevent_t", "Data", "off"],
  ["kevent.udata", "Kevent_t", "Udata", "off"],
  ["ucred.size", "Ucred", "", "len"],
  ["ucred.pid", "Ucred", "Pid", "off"],
  ["ucred.uid", "Ucred", "Uid", "off"],
  ["ucred.gid", "Ucred", "Gid", "off"],
  ["timeval.size", "Timeval", "", "len"],
  ["timeval.tv_sec", "Timeval", "Sec", "off"],
  ["timeval.tv_usec", "Timeval", "Usec", "off"],
  ["timeval.tv_usecSize", "Timeval", "Usec", "size"],
  ["timespec.size", "Timespec", "", "len"],
  ["timespec.tv_sec", "Timespec", "Sec", "off"],
  ["timespec.tv_nsec", "Timespec", "Nsec", "off"],
  ["linger.size", "Linger", "", "len"],
  ["linger.l_onoff", "Linger", "Onoff", "off"],
  ["linger.l_linger", "Linger", "Linger", "off"],
  ["in_pktinfo.size", "Inet4Pktinfo", "", "len"],
  ["in_pktinfo.ipi_ifindex", "Inet4Pktinfo", "Ifindex", "off"],
  ["in_pktinfo.ipi_spec_dst", "Inet4Pktinfo", "Spec_dst", "off"],
  ["in_pktinfo.ipi_addr", "Inet4Pktinfo", "Addr", "off"],
  ["in6_pktinfo.size", "Inet6Pktinfo", "", "len"],
  ["in6_pktinfo.ipi6_addr", "Inet6Pktinfo", "Addr", "off"],
  ["in6_pktinfo.ipi6_ifindex", "Inet6Pktinfo", "Ifindex", "off"],
  ["sockaddr_nl.size", "RawSockaddrNetlink", "", "len"],
  ["sockaddr_nl.nl_pid", "RawSockaddrNetlink", "Pid", "off"],
  ["sockaddr_nl.nl_groups", "RawSockaddrNetlink", "Groups", "off"],
  ["sockaddr_ll.size", "RawSockaddrLinklayer", "", "len"],
  ["sockaddr_ll.sll_protocol", "RawSockaddrLinklayer", "Protocol", "off"],
  ["sockaddr_ll.sll_ifindex", "RawSockaddrLinklayer", "Ifindex", "off"],
  ["sockaddr_ll.sll_hatype", "RawSockaddrLinklayer", "Hatype", "off"],
  ["sockaddr_ll.sll_pkttype", "RawSockaddrLinklayer", "Pkttype", "off"],
  ["sockaddr_ll.sll_halen", "RawSockaddrLinklayer", "Halen", "off"],
  ["sockaddr_ll.sll_addr", "RawSockaddrLinklayer", "Addr", "off"],
  ["sockaddr_ll.addrMax", "RawSockaddrLinklayer", "Addr", "size"],
  ["sockaddr_can.size", "RawSockaddrCAN", "", "len"],
  ["sockaddr_can.can_ifindex", "RawSockaddrCAN", "Ifindex", "off"],
  ["sockaddr_tipc.size", "RawSockaddrTIPC", "", "len"],
  ["sockaddr_tipc.addrtype", "RawSockaddrTIPC", "Addrtype", "off"],
  ["sockaddr_tipc.scope", "RawSockaddrTIPC", "Scope", "off"],
  ["sockaddr_vm.size", "RawSockaddrVM", "", "len"],
  ["sockaddr_vm.svm_port", "RawSockaddrVM", "Port", "off"],
  ["sockaddr_vm.svm_cid", "RawSockaddrVM", "Cid", "off"],
  ["sockaddr_vm.svm_flags", "RawSockaddrVM", "Flags", "off"],
  ["sockaddr_alg.size", "RawSockaddrALG", "", "len"],
  ["sockaddr_alg.salg_type", "RawSockaddrALG", "Type", "off"],
  ["sockaddr_alg.typeMax", "RawSockaddrALG", "Type", "size"],
  ["sockaddr_alg.salg_feat", "RawSockaddrALG", "Feat", "off"],
  ["sockaddr_alg.salg_mask", "RawSockaddrALG", "Mask", "off"],
  ["sockaddr_alg.salg_name", "RawSockaddrALG", "Name", "off"],
  ["sockaddr_alg.nameMax", "RawSockaddrALG", "Name", "size"],
  ["sockaddr_l2.size", "RawSockaddrL2", "", "len"],
  ["sockaddr_l2.l2_psm", "RawSockaddrL2", "Psm", "off"],
  ["sockaddr_l2.l2_bdaddr", "RawSockaddrL2", "Bdaddr", "off"],
  ["sockaddr_l2.l2_cid", "RawSockaddrL2", "Cid", "off"],
  ["sockaddr_l2.l2_bdaddr_type", "RawSockaddrL2", "Bdaddr_type", "off"],
  ["sockaddr_rc.size", "RawSockaddrRFCOMM", "", "len"],
  ["sockaddr_rc.rc_bdaddr", "RawSockaddrRFCOMM", "Bdaddr", "off"],
  ["sockaddr_rc.rc_channel", "RawSockaddrRFCOMM", "Channel", "off"],
  ["sockaddr_hci.size", "RawSockaddrHCI", "", "len"],
  ["sockaddr_hci.hci_dev", "RawSockaddrHCI", "Dev", "off"],
  ["sockaddr_hci.hci_channel", "RawSockaddrHCI", "Channel", "off"],
];

/** Go's `Sizeof*` constants of ztypes_*.go → the Layout struct whose `size` it is. */
const GO_SIZEOF: readonly [string, string][] = [
  ["SizeofSockaddrInet4", "sockaddr_in"],
  ["SizeofSockaddrInet6", "sockaddr_in6"],
  ["SizeofSockaddrUnix", "sockaddr_un"],
  ["SizeofMsghdr", "msghdr"],
  ["SizeofCmsghdr", "cmsghdr"],
  ["SizeofIovec", "iovec"],
  ["SizeofLinger", "linger"],
  ["SizeofInet4Pktinfo", "in_pktinfo"],
  ["SizeofInet6Pktinfo", "in6_pktinfo"],
  ["SizeofUcred", "ucred"],
  ["SizeofSockaddrNetlink", "sockaddr_nl"],
  ["SizeofSockaddrLinklayer", "sockaddr_ll"],
  ["SizeofSockaddrCAN", "sockaddr_can"],
  ["SizeofSockaddrTIPC", "sockaddr_tipc"],
  ["SizeofSockaddrVM", "sockaddr_vm"],
  ["SizeofSockaddrALG", "sockaddr_alg"],
  ["SizeofSockaddrL2", "sockaddr_l2"],
  ["SizeofSockaddrRFCOMM", "sockaddr_rc"],
  ["SizeofSockaddrHCI", "sockaddr_hci"],
];

/**
 * Layout fields where Go's struct is not the C one, so the comparison does
 * not apply: system → `struct.field` → why.
 */
const LAYOUT_KNOWN: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  linux_x86_64: {},
  linux_aarch64: {},
};

const goMissing: string[] = [];
for (const s of SYSTEMS) {
  for (const f of [...s.zerrors, ...s.ztypes]) {
    try {
      await Deno.stat(`${GO_DIR}/${f}`);
    } catch {
      goMissing.push(f);
    }
  }
}
if (goMissing.length > 0) {
  console.log(
    `tables_oracle_test: Go's x/sys/unix tables are absent (${goMissing.join(", ")} not in ` +
      `${GO_DIR}; apt-get install golang-golang-x-sys-dev, or .ci/tables.sh), so the ` +
      "comparisons with them are ignored",
  );
}

Deno.test({
  name: "Go's x/sys/unix tables are here (where CI requires them)",
  ignore: Deno.env.get("SOCKFFI_REQUIRE_TABLE_TOOLS") !== "1",
  fn(): void {
    assertEquals(goMissing, []);
  },
});

for (const sys of SYSTEMS) {
  Deno.test({
    name: `${sys.ident}: every constant the table shares with Go's x/sys/unix agrees`,
    ignore: goMissing.length > 0,
    async fn(): Promise<void> {
      const go = goConstants((await readGo(sys.zerrors))!);
      const ours: Record<string, number> = {
        ...sys.table.socket,
        ...sys.table.system,
        ...sys.table.errno,
      };
      const known = KNOWN[sys.ident] ?? {};
      const shared = Object.keys(ours).filter((n) => go.has(n)).sort();
      const unexplained: string[] = [];
      const explained: string[] = [];
      for (const n of shared) {
        if (BigInt(ours[n]) === go.get(n)) continue;
        const line = `${n}: ours ${ours[n]}, Go ${go.get(n)}`;
        if (known[n] !== undefined) explained.push(`${line} (${known[n]})`);
        else unexplained.push(line);
      }
      const stale = Object.keys(known).filter((n) =>
        !shared.includes(n) || BigInt(ours[n]) === go.get(n)
      );
      console.log(
        `${sys.ident}: ${shared.length} names compared with Go's zerrors, ` +
          `${shared.length - explained.length - unexplained.length} agree, ` +
          `${explained.length} differ as explained` +
          explained.map((e) => `\n  ${e}`).join(""),
      );
      assert(shared.length >= 300, `only ${shared.length} names in common`);
      assertEquals(unexplained, [], "differences that KNOWN does not explain");
      assertEquals(stale, [], "KNOWN lists names that no longer differ");
    },
  });

  Deno.test({
    name: `${sys.ident}: ffi/structs.ts agrees with Go's x/sys/unix struct types`,
    ignore: goMissing.length > 0,
    async fn(): Promise<void> {
      const text = (await readGo(sys.ztypes))!;
      const types = goStructs(text);
      const sizes = goConstants(text);
      const layout = sys.layout as unknown as Record<string, Record<string, number> | undefined>;
      const known = LAYOUT_KNOWN[sys.ident] ?? {};
      const problems: string[] = [];
      let compared = 0;
      for (const [key, goType, goField, what] of LAYOUT_MAP) {
        const [struct, field] = key.split(".");
        const ours = layout[struct]?.[field];
        const fields = types.get(goType);
        if (ours === undefined || fields === undefined || known[key] !== undefined) continue;
        const g = goLayout(fields, types);
        const theirs = what === "len"
          ? g.size
          : what === "off"
          ? g.offset.get(goField)
          : g.sizeOf.get(goField);
        if (theirs === undefined) throw new Error(`Go's ${goType} has no field ${goField}`);
        compared++;
        if (ours !== theirs) {
          problems.push(`${key}: ours ${ours}, Go ${goType}.${goField} ${theirs}`);
        }
      }
      // Go's Sizeof* constants, as cgo printed them on the system itself.
      let sizesCompared = 0;
      for (const [name, key] of GO_SIZEOF) {
        const ours = layout[key]?.size;
        if (ours === undefined || !sizes.has(name)) continue;
        sizesCompared++;
        if (BigInt(ours) !== sizes.get(name)) {
          problems.push(`${key}.size: ours ${ours}, Go ${name} ${sizes.get(name)}`);
        }
      }
      const ptr = sizes.get("SizeofPtr");
      if (ptr !== undefined) assertEquals(BigInt(sys.layout.pointerSize), ptr, "pointerSize");
      console.log(
        `${sys.ident}: ${compared} layout fields compared with Go's ztypes structs, ` +
          `${sizesCompared} struct sizes with its Sizeof* constants`,
      );
      assert(sizesCompared >= 8, `only ${sizesCompared} Sizeof* constants compared`);
      assert(compared >= 30, `only ${compared} layout fields compared`);
      assertEquals(problems, []);
    },
  });
}
