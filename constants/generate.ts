/**
 * Writes the constants table of an OS and architecture
 * (`constants/<os>_<arch>.ts`) and the selector `constants/mod.ts`, by asking
 * a C compiler, and checks ffi/structs.ts's struct layouts against the same
 * headers. A developer step: CI checks the committed output against a fresh
 * run, it does not publish the generator.
 *
 * Usage: `deno task gen:constants [--target T] [--out DIR] [--cc COMPILER]
 * [--sdk DIR] [--layouts | --check-layouts]`
 *
 * - `--target T` makes the table of another system by compiling for it:
 *   `linux-aarch64` (Debian's `gcc-aarch64-linux-gnu` and
 *   `libc6-dev-arm64-cross`), `darwin-aarch64` and `darwin-x86_64` (clang
 *   with the macOS SDK headers of a Zig build: `constants/macos_headers.sh`),
 *   `linux-x86_64`, or `all` of them one after the other. Without it, the
 *   host's table with the host's compiler.
 * - `--out DIR` writes both files into DIR instead of `constants/`; mod.ts
 *   then lists the `<os>_<arch>.ts` tables found in DIR.
 * - `--cc COMPILER` picks the compiler (default: `$CC`, else `cc` for the
 *   host, else the target's cross compiler).
 * - `--sdk DIR` names the unpacked Zig package whose
 *   `lib/libc/include/any-macos-any` holds the macOS headers (default:
 *   `$SOCKFFI_MACOS_SDK`, else `~/.cache/sockffi/zig-macos-headers`).
 * - `--layouts` prints the struct layouts the headers give (JSON) and
 *   writes nothing; `--check-layouts` compares them with ffi/structs.ts and
 *   exits 1 where they differ. A table run checks them too.
 *
 * Nothing is run on the target: values and sizeof/offsetof go into an
 * initialized array behind a marker in an object file (`cc -c`), read back
 * from the file's bytes.
 *
 * How the table is made:
 * 1. Every header of {@link HEADERS} that exists and compiles together with
 *    the ones before it is kept, then `supplement.h` (values whose header is
 *    not installed by a plain toolchain, each naming where it comes from).
 * 2. `cc -E -dD -D_GNU_SOURCE` over them yields every macro with the header
 *    that defines it (from the line markers), and the enumerators of every
 *    `enum` (glibc declares IPPROTO_*, MSG_*, IPPORT_* as enumerators).
 * 3. Names of the wanted families become candidates: Python's socket
 *    module ({@link FAMILIES}, plus CPython's renamed {@link ALIASES}) for the
 *    `socket` table, what the implementation needs besides
 *    ({@link SYSTEM_FAMILIES}: fcntl, poll, epoll, ioctl) for `system`, and
 *    errno names (`E*` from the errno headers) for `errno` and `errorcode`.
 *    A first compile drops every candidate that is not an integer constant
 *    expression (strings, pointers, functions).
 * 4. The probe object holds each value (see {@link probe}), and the table is written, formatted
 *    by `deno fmt`, sorted, one `NAME: value, // header` line per constant.
 *    A value a JS number cannot hold exactly is left out, with a warning.
 * 5. mod.ts is rewritten from every table in the output folder.
 *
 * @module
 */

/** A family of constant names, chosen by prefix, with the words its docs use. */
interface Family {
  /** Name prefix; the longest matching prefix wins. */
  prefix: string;
  /** The prefix is the whole name. */
  exact?: boolean;
  /** What the constants are, as the start of a sentence. */
  doc: string;
  /**
   * Only the enumerators of the enums that start with these names, and the
   * macros that refer to them (IFLA_MAX), instead of every name of the
   * prefix: <linux/if_link.h> holds hundreds of per-driver IFLA_* names.
   */
  enums?: readonly string[];
}

/** Headers tried, in order; one that is missing or clashes is left out. */
const HEADERS: readonly string[] = [
  "sys/types.h",
  "sys/socket.h",
  "sys/un.h",
  "sys/ioctl.h",
  "netinet/in.h",
  "netinet/tcp.h",
  "netinet/udp.h",
  "arpa/inet.h",
  "netdb.h",
  "net/if.h",
  "net/ethernet.h",
  "errno.h",
  "linux/version.h",
  "linux/netlink.h",
  "linux/rtnetlink.h",
  "linux/if_packet.h",
  "linux/if_ether.h",
  "linux/can.h",
  "linux/can/raw.h",
  "linux/can/bcm.h",
  "linux/can/isotp.h",
  "linux/can/j1939.h",
  "linux/tipc.h",
  "linux/rds.h",
  "linux/if_alg.h",
  "linux/vm_sockets.h",
  "linux/net_tstamp.h",
  "linux/errqueue.h",
  "fcntl.h",
  "poll.h",
  "limits.h",
  "sys/uio.h",
  "sys/epoll.h",
  "sys/eventfd.h",
  "sys/event.h",
];

/** Constant families written to the socket table. */
const FAMILIES: readonly Family[] = [
  { prefix: "AF_", doc: "Address family" },
  { prefix: "PF_", doc: "Protocol family (same value as the AF_* of that name)" },
  { prefix: "SOCK_", doc: "Socket type, or flag for the type argument of socket()" },
  { prefix: "SO_", doc: "Socket option (level SOL_SOCKET)" },
  { prefix: "SO_EE_", doc: "Extended error field value (struct sock_extended_err, IP_RECVERR)" },
  { prefix: "SO_J1939_", doc: "SAE J1939 socket option (level SOL_CAN_J1939)" },
  { prefix: "SO_VM_SOCKETS_", doc: "VSOCK socket option (level AF_VSOCK)" },
  { prefix: "SOF_TIMESTAMPING_", doc: "SO_TIMESTAMPING flag" },
  { prefix: "SOL_", doc: "Socket option level for setsockopt()/getsockopt()" },
  { prefix: "SCM_", doc: "Control message type (level SOL_SOCKET)" },
  { prefix: "SCM_J1939_", doc: "SAE J1939 control message type" },
  { prefix: "SCM_TSTAMP_", doc: "Timestamp type of an SO_TIMESTAMPING error-queue message" },
  { prefix: "SOMAXCONN", exact: true, doc: "Largest backlog that listen() takes" },
  { prefix: "MSG_", doc: "Message flag for send()/recv() and msg_flags" },
  { prefix: "SHUT_", doc: "How argument of shutdown()" },
  { prefix: "IPPROTO_", doc: "IP protocol number" },
  { prefix: "IPPORT_", doc: "Port number" },
  { prefix: "INADDR_", doc: "IPv4 address as a host-order integer" },
  { prefix: "INET_ADDRSTRLEN", exact: true, doc: "Buffer size for an IPv4 address in text" },
  { prefix: "INET6_ADDRSTRLEN", exact: true, doc: "Buffer size for an IPv6 address in text" },
  { prefix: "IP_", doc: "IPv4 socket option or option value (level IPPROTO_IP)" },
  { prefix: "IPV6_", doc: "IPv6 socket option or option value (level IPPROTO_IPV6)" },
  { prefix: "MCAST_", doc: "Protocol-independent multicast socket option" },
  { prefix: "TCP_", doc: "TCP socket option or TCP constant (level IPPROTO_TCP)" },
  { prefix: "UDP_", doc: "UDP socket option or value (level IPPROTO_UDP)" },
  { prefix: "UDPLITE_", doc: "UDP-Lite socket option (level IPPROTO_UDPLITE)" },
  { prefix: "EAI_", doc: "getaddrinfo()/getnameinfo() error code" },
  { prefix: "AI_", doc: "getaddrinfo() flag" },
  { prefix: "NI_", doc: "getnameinfo() flag or buffer size" },
  { prefix: "IF_NAMESIZE", exact: true, doc: "Buffer size for an interface name" },
  { prefix: "IFNAMSIZ", exact: true, doc: "Buffer size for an interface name" },
  { prefix: "IFF_", doc: "Network interface flag" },
  { prefix: "CAN_", doc: "CAN (Controller Area Network) constant" },
  { prefix: "CAN_RAW_", doc: "CAN_RAW socket option (level SOL_CAN_RAW)" },
  { prefix: "CAN_BCM_", doc: "CAN broadcast manager (CAN_BCM) opcode or flag" },
  { prefix: "CAN_ISOTP_", doc: "CAN ISO-TP socket option, flag or default" },
  { prefix: "J1939_", doc: "SAE J1939 (CAN_J1939) constant" },
  { prefix: "RDS_", doc: "Reliable Datagram Sockets (AF_RDS) constant" },
  { prefix: "TIPC_", doc: "TIPC (AF_TIPC) constant" },
  { prefix: "NETLINK_", doc: "Netlink protocol or socket option (level SOL_NETLINK)" },
  { prefix: "NLM_F_", doc: "Netlink message flag (nlmsg_flags)" },
  { prefix: "NLMSG_", doc: "Netlink message type or size" },
  { prefix: "NLA_", doc: "Netlink attribute flag or size" },
  { prefix: "RTM_", doc: "rtnetlink message type or flag" },
  { prefix: "RTA_", doc: "rtnetlink route attribute" },
  { prefix: "RTN_", doc: "Route type (rtm_type)" },
  { prefix: "RTPROT_", doc: "Route origin (rtm_protocol)" },
  { prefix: "RT_SCOPE_", doc: "Route scope (rtm_scope)" },
  { prefix: "RT_TABLE_", doc: "Routing table identifier" },
  { prefix: "RTMGRP_", doc: "rtnetlink multicast group bit (legacy nl_groups)" },
  { prefix: "RTNLGRP_", doc: "rtnetlink multicast group (NETLINK_ADD_MEMBERSHIP)" },
  {
    prefix: "IFLA_",
    doc: "rtnetlink link attribute",
    enums: ["IFLA_UNSPEC", "IFLA_INFO_UNSPEC"],
  },
  { prefix: "IFA_", doc: "rtnetlink interface address attribute" },
  { prefix: "IFA_F_", doc: "Interface address flag" },
  { prefix: "PACKET_", doc: "Packet socket (AF_PACKET) packet type or socket option" },
  { prefix: "ETH_", doc: "Ethernet frame size" },
  { prefix: "ETH_P_", doc: "Ethernet protocol number (host order) for AF_PACKET" },
  { prefix: "ETHERTYPE_", doc: "EtherType" },
  { prefix: "ALG_", doc: "Kernel crypto API (AF_ALG) socket option or operation" },
  { prefix: "VMADDR_", doc: "VSOCK (AF_VSOCK) address" },
  { prefix: "VM_SOCKETS_", doc: "VSOCK (AF_VSOCK) constant" },
  { prefix: "IOCTL_VM_SOCKETS_", doc: "VSOCK (AF_VSOCK) ioctl request" },
  { prefix: "BTPROTO_", doc: "Bluetooth protocol for socket(AF_BLUETOOTH, ...)" },
  { prefix: "BT_", doc: "Bluetooth socket option or value (level SOL_BLUETOOTH)" },
  { prefix: "BDADDR_", doc: "Bluetooth address type" },
  { prefix: "HCI_", doc: "Bluetooth HCI socket option, device or channel" },
  { prefix: "L2CAP_", doc: "Bluetooth L2CAP socket option (level SOL_L2CAP)" },
  { prefix: "RFCOMM_", doc: "Bluetooth RFCOMM socket option (level SOL_RFCOMM)" },
  { prefix: "SCO_", doc: "Bluetooth SCO socket option (level SOL_SCO)" },
  { prefix: "LOCAL_", doc: "Unix-domain socket option (level SOL_LOCAL, 0)" },
  { prefix: "SYSPROTO_", doc: "Protocol of an AF_SYSTEM socket" },
  { prefix: "AF_SYS_", doc: "AF_SYSTEM subsystem address (ss_sysaddr)" },
];

/**
 * Families of the `system` table: what the implementation itself needs from
 * the OS beyond Python's socket module (fcntl, poll, epoll/kqueue, ioctl).
 */
const SYSTEM_FAMILIES: readonly Family[] = [
  { prefix: "F_", doc: "fcntl() command or lock type" },
  { prefix: "FD_CLOEXEC", exact: true, doc: "File descriptor flag for F_GETFD/F_SETFD" },
  { prefix: "O_", doc: "open()/fcntl() file flag" },
  { prefix: "SEEK_", doc: "lseek() whence" },
  { prefix: "POLL", doc: "poll() event bit" },
  { prefix: "EPOLL", doc: "epoll event bit, flag or epoll_ctl() operation" },
  { prefix: "EFD_", doc: "eventfd() flag" },
  { prefix: "EVFILT_", doc: "kqueue filter" },
  { prefix: "EV_", doc: "kqueue event flag" },
  { prefix: "NOTE_", doc: "kqueue filter flag (fflags: NOTE_TRIGGER for EVFILT_USER)" },
  { prefix: "FIO", doc: "File ioctl() request" },
  { prefix: "SIOC", doc: "Socket ioctl() request" },
  { prefix: "IOV_MAX", exact: true, doc: "Most iovecs one sendmsg()/recvmsg() takes" },
  { prefix: "UIO_MAXIOV", exact: true, doc: "Most iovecs one sendmsg()/recvmsg() takes" },
  { prefix: "HOST_NOT_FOUND", exact: true, doc: "h_errno value of the gethostby* functions" },
  { prefix: "TRY_AGAIN", exact: true, doc: "h_errno value of the gethostby* functions" },
  { prefix: "NO_RECOVERY", exact: true, doc: "h_errno value of the gethostby* functions" },
  { prefix: "NO_DATA", exact: true, doc: "h_errno value of the gethostby* functions" },
];

/**
 * Names CPython gives to constants whose C name lacks the family prefix:
 * the CAN broadcast manager opcodes and flags of <linux/can/bcm.h>.
 */
const ALIASES: readonly (readonly [name: string, cName: string])[] = [
  "TX_SETUP",
  "TX_DELETE",
  "TX_READ",
  "TX_SEND",
  "RX_SETUP",
  "RX_DELETE",
  "RX_READ",
  "TX_STATUS",
  "TX_EXPIRED",
  "RX_STATUS",
  "RX_TIMEOUT",
  "RX_CHANGED",
  "SETTIMER",
  "STARTTIMER",
  "TX_COUNTEVT",
  "TX_ANNOUNCE",
  "TX_CP_CAN_ID",
  "RX_FILTER_ID",
  "RX_CHECK_DLC",
  "RX_NO_AUTOTIMER",
  "RX_ANNOUNCE_RESUME",
  "TX_RESET_MULTI_IDX",
  "RX_RTR_FRAME",
  "CAN_FD_FRAME",
].map((c) => [`CAN_BCM_${c}`, c] as const);

/**
 * String constants of Python's socket module, exported by mod.ts where the
 * table of an OS has the constant named as the condition.
 */
const STRINGS: readonly { name: string; value: string; when: string; doc: string }[] = [
  {
    name: "BDADDR_ANY",
    value: "00:00:00:00:00:00",
    when: "BTPROTO_RFCOMM",
    doc: "Bluetooth address meaning any local adapter, as a string (as in Python)",
  },
  {
    name: "BDADDR_LOCAL",
    value: "00:00:00:FF:FF:FF",
    when: "BTPROTO_RFCOMM",
    doc: "Bluetooth address meaning the local adapter, as a string (as in Python)",
  },
];

/** errno names that Python's socket module re-exports, and mod.ts too. */
const SOCKET_ERRNO_NAMES: readonly string[] = ["EAGAIN", "EBADF", "EWOULDBLOCK"];

/**
 * OSes whose tables are generated and checked (tests/tables_oracle_test.ts,
 * tests/generate_test.ts) but that mod.ts does not select yet, because src/
 * is not yet wired for them: selecting one types every name its table lacks
 * as `number | undefined`, and src/ and the Linux-only tests must narrow
 * those first. Remove the OS here and run `deno task gen:constants` to
 * select its tables.
 */
const NOT_SELECTED: readonly string[] = [];

/** Every value Deno.build.os takes, to recognise table files. */
const OSES: readonly string[] = [
  "aix",
  "android",
  "darwin",
  "freebsd",
  "illumos",
  "linux",
  "netbsd",
  "openbsd",
  "solaris",
  "windows",
];

const NAME_RE = /^[A-Z][A-Za-z0-9_]*$/;
const ERRNO_RE = /^E[A-Z0-9]+$/;
/** Macros of the errno headers that are no error code: ELAST is the largest one (macOS, BSDs). */
const NOT_ERRNO: readonly string[] = ["ELAST"];
const SAFE_LIMIT = 2n ** 53n;

/** Where a name is defined: the header itself and the listed header that pulled it in. */
interface Origin {
  file: string;
  top: string;
}

/** A name to probe: the C expression that gives its value, and its origin. */
interface Candidate {
  name: string;
  expr: string;
  origin: Origin;
  /** For errno names: the name this one aliases (`EWOULDBLOCK` → `EAGAIN`). */
  aliasOf?: string;
}

/** An enumerator: where its enum is, and the enum's first enumerator. */
interface Enumerator {
  origin: Origin;
  head: string;
}

/** An object-like macro from `cc -E -dD`. */
interface Macro {
  body: string;
  origin: Origin;
}

/** One parsed entry of a generated table file. */
interface Entry {
  value: number;
  source: string;
}

/** A generated table file read back as text. */
interface ParsedTable {
  key: string;
  module: string;
  ident: string;
  socket: Map<string, Entry>;
  errno: Map<string, Entry>;
}

function familyOf(name: string, families = FAMILIES): Family | undefined {
  let best: Family | undefined;
  for (const f of families) {
    const hit = f.exact
      ? name === f.prefix
      : name.startsWith(f.prefix) && name.length > f.prefix.length;
    if (hit && (best === undefined || f.prefix.length > best.prefix.length)) best = f;
  }
  return best;
}

/** A system the generator can make a table for with `--target`. */
interface TargetSpec {
  /** `Deno.build.os` of the target. */
  os: string;
  /** `Deno.build.arch` of the target. */
  arch: string;
  /** The default compiler (`--cc` overrides it). */
  cc: string;
  /** clang's `-target` triple, for targets compiled with clang and the macOS headers. */
  triple?: string;
}

/**
 * Targets by `--target` name. Linux targets use Debian's cross compilers
 * (`gcc-aarch64-linux-gnu`, `libc6-dev-arm64-cross`); macOS targets use clang
 * with the macOS SDK headers that a Zig build ships (see {@link SDK_DEFAULT}).
 */
const TARGETS: Readonly<Record<string, TargetSpec>> = {
  "linux-x86_64": { os: "linux", arch: "x86_64", cc: "x86_64-linux-gnu-gcc" },
  "linux-aarch64": { os: "linux", arch: "aarch64", cc: "aarch64-linux-gnu-gcc" },
  "darwin-aarch64": { os: "darwin", arch: "aarch64", cc: "clang", triple: "arm64-apple-macos13" },
  "darwin-x86_64": { os: "darwin", arch: "x86_64", cc: "clang", triple: "x86_64-apple-macos13" },
};

/**
 * Where the macOS headers are looked for when neither `--sdk` nor
 * `$SOCKFFI_MACOS_SDK` names them: the unpacked npm package of a Zig build
 * (`constants/macos_headers.sh` puts it there), whose
 * `lib/libc/include/any-macos-any` holds macOS's libc headers for every arch.
 */
const SDK_DEFAULT = "~/.cache/sockffi/zig-macos-headers";

/** The system a run makes its table for, and how to compile for it. */
interface Target {
  os: string;
  arch: string;
  cc: string;
  /** Compiler flags besides `-D_GNU_SOURCE`: target triple, include dirs, defines. */
  flags: string[];
  /** The compiler is clang (its flags differ from gcc's for the constant check). */
  clang: boolean;
  /**
   * Where the headers come from when they cannot say it themselves (the
   * macOS headers' package), for the generated file's comment; else "".
   */
  headerSource: string;
}

/** What a run makes: the table and mod.ts, or only the struct layouts. */
type Mode = "table" | "layouts" | "check-layouts";

interface Options {
  out: string;
  cc: string | undefined;
  target: string | undefined;
  sdk: string | undefined;
  mode: Mode;
}

const USAGE = "usage: generate.ts [--target " + [...Object.keys(TARGETS), "all"].join("|") +
  "] [--out DIR] [--cc CC] [--sdk DIR] [--layouts | --check-layouts]";

function parseArgs(args: readonly string[]): Options {
  const opts: Options = {
    out: new URL(".", import.meta.url).pathname.replace(/\/$/, ""),
    cc: Deno.env.get("CC"),
    target: undefined,
    sdk: Deno.env.get("SOCKFFI_MACOS_SDK"),
    mode: "table",
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const value = (): string => {
      if (i + 1 >= args.length) throw new TypeError(`${a} needs a value; ${USAGE}`);
      return args[++i];
    };
    if (a === "--out") opts.out = value();
    else if (a === "--cc") opts.cc = value();
    else if (a === "--sdk") opts.sdk = value();
    else if (a === "--target") opts.target = value();
    else if (a === "--layouts") opts.mode = "layouts";
    else if (a === "--check-layouts") opts.mode = "check-layouts";
    else throw new TypeError(`Unknown argument "${a}"; ${USAGE}`);
  }
  if (opts.target !== undefined && opts.target !== "all" && TARGETS[opts.target] === undefined) {
    throw new TypeError(`Unknown target "${opts.target}"; ${USAGE}`);
  }
  return opts;
}

function expandHome(path: string): string {
  return path.startsWith("~/") ? `${Deno.env.get("HOME") ?? ""}${path.slice(1)}` : path;
}

async function readJson(path: string): Promise<Record<string, unknown> | undefined> {
  try {
    return JSON.parse(await Deno.readTextFile(path));
  } catch {
    return undefined;
  }
}

/** Resolves the target of a run: the host, or a `--target` with its compiler and headers. */
async function resolveTarget(opts: Options): Promise<Target> {
  if (opts.target === undefined) {
    let cc = opts.cc ?? "cc";
    // Under emulation (qemu-user running an aarch64 Deno on an x86_64 machine)
    // `cc` is the machine's compiler: take the cross compiler of this arch.
    const spec = TARGETS[`${Deno.build.os}-${Deno.build.arch}`];
    if (opts.cc === undefined && spec?.triple === undefined && spec?.cc !== undefined) {
      const machine = (await run(cc, ["-dumpmachine"])).stdout;
      const arch = machine.replace(/^arm64/, "aarch64").split("-")[0];
      if (arch !== Deno.build.arch) cc = spec.cc;
    }
    return {
      os: Deno.build.os,
      arch: Deno.build.arch,
      cc,
      flags: [],
      clang: await isClang(cc),
      headerSource: "",
    };
  }
  const spec = TARGETS[opts.target];
  const cc = opts.cc ?? spec.cc;
  if (spec.triple === undefined) {
    return {
      os: spec.os,
      arch: spec.arch,
      cc,
      flags: [],
      clang: await isClang(cc),
      headerSource: "",
    };
  }
  const root = expandHome(opts.sdk ?? SDK_DEFAULT);
  const include = `${root}/lib/libc/include/any-macos-any`;
  try {
    await Deno.stat(`${include}/sys/socket.h`);
  } catch {
    throw new Error(
      `generate.ts: no macOS headers in ${include}: run constants/macos_headers.sh ` +
        `(it unpacks them from the npm registry) or name them with --sdk DIR`,
    );
  }
  const pkg = await readJson(`${root}/package.json`);
  const from = typeof pkg?.version === "string"
    ? `lib/libc/include/any-macos-any of Zig ${pkg.version} (npm ${pkg.name})`
    : "lib/libc/include/any-macos-any of a Zig build";
  return {
    os: spec.os,
    arch: spec.arch,
    cc,
    // -nostdlibinc: clang's own headers (stddef.h, stdint.h) but none of the host's.
    flags: ["-target", spec.triple, "-nostdlibinc", "-isystem", include],
    clang: true,
    headerSource: `${from}; compiled with clang -target ${spec.triple}, nothing run`,
  };
}

async function isClang(cc: string): Promise<boolean> {
  const r = await run(cc, ["--version"]);
  return /clang/i.test(r.stdout);
}

/**
 * The compiler flags of every compile: `-D_GNU_SOURCE`, on macOS
 * `-D__APPLE_USE_RFC_3542` (the RFC 3542 IPV6_* option numbers, which CPython
 * and Go's x/sys/unix use too), and the target's.
 */
function cflags(t: Target): string[] {
  return ["-D_GNU_SOURCE", ...(t.os === "darwin" ? ["-D__APPLE_USE_RFC_3542"] : []), ...t.flags];
}

async function run(
  cmd: string,
  args: readonly string[],
  opts: { stdin?: string; cwd?: string } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(cmd, {
      args: [...args],
      cwd: opts.cwd,
      stdin: opts.stdin === undefined ? "null" : "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new Error(`generate.ts: cannot run "${cmd}": not found (pick a compiler with --cc)`, {
        cause: e,
      });
    }
    throw e;
  }
  if (opts.stdin !== undefined) {
    const w = child.stdin.getWriter();
    await w.write(new TextEncoder().encode(opts.stdin));
    await w.close();
  }
  const r = await child.output();
  const dec = new TextDecoder();
  return { code: r.code, stdout: dec.decode(r.stdout), stderr: dec.decode(r.stderr) };
}

function includeLines(headers: readonly string[], supplement: string): string {
  return headers.map((h) => `#include <${h}>\n`).join("") + `#include "${supplement}"\n`;
}

/** Keeps each header that exists and compiles with the ones kept before it. */
async function usableHeaders(
  t: Target,
  supplement: string,
  headers: readonly string[] = HEADERS,
  quiet = false,
): Promise<string[]> {
  const check = (hs: readonly string[]) =>
    run(t.cc, [...cflags(t), "-fsyntax-only", "-w", "-x", "c", "-"], {
      stdin: includeLines(hs, supplement),
    });
  if ((await check(headers)).code === 0) return [...headers];
  const kept: string[] = [];
  for (const h of headers) {
    if ((await check([...kept, h])).code === 0) {
      kept.push(h);
    } else if (!quiet) {
      console.error(`generate.ts: leaving out <${h}> (missing, or clashes with those before it)`);
    }
  }
  return kept;
}

/**
 * A path with its `.` and `..` segments resolved, as the text says (no
 * symlinks followed): cross compilers name their include directories
 * `/usr/lib/gcc-cross/aarch64-linux-gnu/12/../../../../aarch64-linux-gnu/include`.
 */
export function normalizePath(path: string): string {
  const absolute = path.startsWith("/");
  const out: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part !== "..") out.push(part);
    else if (out.length > 0 && out[out.length - 1] !== "..") out.pop();
    else if (!absolute) out.push("..");
  }
  return absolute ? `/${out.join("/")}` : out.join("/") || ".";
}

/** The compiler's `#include <...>` search directories, normalized, longest first. */
async function searchDirs(t: Target): Promise<string[]> {
  const r = await run(t.cc, [...cflags(t), "-E", "-v", "-x", "c", "-"], { stdin: "" });
  const lines = r.stderr.split("\n");
  const start = lines.findIndex((l) => l.startsWith("#include <...> search starts here:"));
  const dirs: string[] = [];
  for (let i = start + 1; start >= 0 && i < lines.length; i++) {
    if (lines[i].startsWith("End of search list.")) break;
    dirs.push(normalizePath(lines[i].trim().replace(/ \(framework directory\)$/, "")));
  }
  return dirs.sort((a, b) => b.length - a.length);
}

/** Reads `cc -E -dD` output: macros and enumerators, each with its origin. */
function parsePreprocessed(
  text: string,
): { macros: Map<string, Macro>; enumerators: Map<string, Enumerator> } {
  const macros = new Map<string, Macro>();
  const stack: string[] = [];
  const chunks: string[] = [];
  const chunkOrigins: { offset: number; origin: Origin }[] = [];
  let offset = 0;
  const origin = (): Origin => {
    const file = stack[stack.length - 1] ?? "";
    const top = stack[0] === "<stdin>" && stack.length > 1 ? stack[1] : file;
    return { file, top };
  };
  let current = origin();
  for (const line of text.split("\n")) {
    const marker = /^# \d+ "((?:[^"\\]|\\.)*)"((?: \d+)*)$/.exec(line);
    if (marker) {
      const file = marker[1];
      const flags = marker[2].trim().split(" ");
      if (flags.includes("1")) stack.push(file);
      else if (flags.includes("2")) {
        while (stack.length > 0 && stack[stack.length - 1] !== file) stack.pop();
        if (stack.length === 0) stack.push(file);
      } else if (stack.length === 0) stack.push(file);
      else stack[stack.length - 1] = file;
      current = origin();
      chunkOrigins.push({ offset, origin: current });
      continue;
    }
    const def = /^#define ([A-Za-z_]\w*)(\(?)(.*)$/.exec(line);
    if (def) {
      if (def[2] === "" && !current.file.startsWith("<")) {
        macros.set(def[1], { body: def[3].trim(), origin: current });
      } else macros.delete(def[1]);
      continue;
    }
    const undef = /^#undef ([A-Za-z_]\w*)/.exec(line);
    if (undef) {
      macros.delete(undef[1]);
      continue;
    }
    if (line.startsWith("#")) continue;
    chunks.push(line);
    offset += line.length + 1;
  }
  const code = chunks.join("\n");
  const originAt = (pos: number): Origin => {
    let lo = 0, hi = chunkOrigins.length - 1, found = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (chunkOrigins[mid].offset <= pos) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return chunkOrigins[found]?.origin ?? { file: "", top: "" };
  };
  const enumerators = new Map<string, Enumerator>();
  const enumRe = /\benum\b\s*(?:[A-Za-z_]\w*\s*)?\{/g;
  for (let m = enumRe.exec(code); m !== null; m = enumRe.exec(code)) {
    const open = m.index + m[0].length;
    const close = code.indexOf("}", open);
    if (close < 0) break;
    const where = originAt(m.index);
    let depth = 0, item = "";
    const items: string[] = [];
    for (const ch of code.slice(open, close)) {
      if (ch === "(") depth++;
      if (ch === ")") depth--;
      if (ch === "," && depth === 0) {
        items.push(item);
        item = "";
      } else item += ch;
    }
    items.push(item);
    const ids = items.flatMap((it) => /^\s*([A-Za-z_]\w*)/.exec(it)?.[1] ?? []);
    for (const id of ids) {
      if (!enumerators.has(id)) enumerators.set(id, { origin: where, head: ids[0] });
    }
    enumRe.lastIndex = close;
  }
  return { macros, enumerators };
}

/** Sources named by the `from SOURCE:` comments of supplement.h, per name. */
function supplementSources(text: string): Map<string, string> {
  const sources = new Map<string, string>();
  let from = "";
  for (const line of text.split("\n")) {
    const f = /^(?:\/\*| \*) from ([^:]+):/.exec(line);
    if (f) from = f[1];
    const d = /^#define ([A-Za-z_]\w*)\s/.exec(line);
    if (d && from !== "") sources.set(d[1], from);
  }
  return sources;
}

function collectCandidates(
  macros: Map<string, Macro>,
  enumerators: Map<string, Enumerator>,
): { socket: Candidate[]; system: Candidate[]; errno: Candidate[] } {
  const socket = new Map<string, Candidate>();
  const system = new Map<string, Candidate>();
  // A family limited to some enums takes their enumerators, and the macros
  // whose body names one of them.
  const inEnums = (f: Family, name: string, body: string | undefined): boolean => {
    if (f.enums === undefined) return true;
    const ids = body === undefined ? [name] : body.match(/[A-Za-z_]\w*/g) ?? [];
    return ids.some((id) => f.enums!.includes(enumerators.get(id)?.head ?? ""));
  };
  const errno = new Map<string, Candidate>();
  const consider = (name: string, origin: Origin, body: string | undefined) => {
    if (!NAME_RE.test(name)) return;
    if (body !== undefined && (body === "" || /__glibc_macro_warning|_Pragma/.test(body))) return;
    if (ERRNO_RE.test(name) && /errno/.test(origin.file)) {
      if (NOT_ERRNO.includes(name)) return;
      if (errno.has(name)) return;
      const alias = body !== undefined && ERRNO_RE.test(body) ? body : undefined;
      errno.set(name, { name, expr: name, origin, aliasOf: alias });
    } else if (
      familyOf(name) !== undefined && !socket.has(name) && inEnums(familyOf(name)!, name, body)
    ) {
      socket.set(name, { name, expr: name, origin });
    } else if (familyOf(name, SYSTEM_FAMILIES) !== undefined && !system.has(name)) {
      system.set(name, { name, expr: name, origin });
    }
  };
  for (const [name, m] of macros) consider(name, m.origin, m.body);
  for (const [name, e] of enumerators) consider(name, e.origin, undefined);
  for (const [name, cName] of ALIASES) {
    const origin = macros.get(cName)?.origin ?? enumerators.get(cName)?.origin;
    if (origin !== undefined && !socket.has(name)) {
      socket.set(name, {
        name,
        expr: cName,
        origin: { ...origin, file: `${cName} in ${origin.file}` },
      });
    }
  }
  const byName = (a: Candidate, b: Candidate) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  return {
    socket: [...socket.values()].sort(byName),
    system: [...system.values()].filter((c) => !socket.has(c.name)).sort(byName),
    errno: [...errno.values()].sort(byName),
  };
}

/** Drops every candidate that is not an integer constant expression. */
async function integerConstants(
  t: Target,
  dir: string,
  prelude: string,
  cands: readonly Candidate[],
): Promise<Candidate[]> {
  const assertion = (c: Candidate) =>
    `_Static_assert(__builtin_constant_p(${c.expr}) && __builtin_classify_type(${c.expr}) >= 1 && ` +
    `__builtin_classify_type(${c.expr}) <= 4, "${c.name}");\n`;
  const failing = async (list: readonly Candidate[]): Promise<Set<number>> => {
    const file = `${dir}/check.c`;
    const first = prelude.split("\n").length;
    await Deno.writeTextFile(file, prelude + list.map(assertion).join(""));
    const r = await run(t.cc, [
      ...cflags(t),
      "-fsyntax-only",
      "-w",
      ...(t.clang
        ? ["-ferror-limit=0", "-fmacro-backtrace-limit=1"]
        : ["-fmax-errors=0", "-ftrack-macro-expansion=0"]),
      file,
    ]);
    const bad = new Set<number>();
    if (r.code === 0) return bad;
    for (const m of r.stderr.matchAll(/check\.c:(\d+):\d+: error/g)) {
      const i = Number(m[1]) - first;
      if (i >= 0 && i < list.length) bad.add(i);
    }
    if (bad.size === 0) {
      throw new Error(`generate.ts: the constant check failed to compile:\n${r.stderr}`);
    }
    return bad;
  };
  let kept = [...cands];
  for (let round = 0; round < 10; round++) {
    const bad = await failing(kept);
    if (bad.size === 0) return kept;
    // A failure may drag its neighbours down: check the failures on their own
    // and keep those that pass there.
    const dropped = kept.filter((_, i) => bad.has(i));
    const stillBad = await failing(dropped);
    const rescued = dropped.filter((_, i) => !stillBad.has(i));
    const rescuedNames = new Set(rescued.map((c) => c.name));
    kept = kept.filter((c, i) => !bad.has(i) || rescuedNames.has(c.name));
  }
  throw new Error("generate.ts: could not settle which names are integer constants");
}

/** The 16 bytes that start the probe's array in the object file. */
const PROBE_MAGIC = "sockffi-probe-v1";

/**
 * The value of each C integer constant expression of `exprs`, for the target,
 * without running anything: the probe compiles (`-c`) into an object file an
 * initialized array that starts with {@link PROBE_MAGIC} and the count, then
 * holds a (negative?, value as unsigned 64-bit) pair per expression; the
 * array is found by its marker in the object file's bytes (ELF or Mach-O:
 * constant data is stored as it is) and read little-endian (all targets are).
 */
async function probe(
  t: Target,
  dir: string,
  prelude: string,
  exprs: readonly string[],
): Promise<bigint[]> {
  const src = prelude + "#include <stddef.h>\n" +
    "const struct { char magic[16]; unsigned long long count; " +
    `unsigned long long v[${exprs.length}][2]; }\n` +
    `sockffi_probe = { "${PROBE_MAGIC}", ${exprs.length}, {\n` +
    exprs.map((e) => `  { (${e}) < 0, (unsigned long long)(${e}) },\n`).join("") +
    "} };\n";
  await Deno.writeTextFile(`${dir}/probe.c`, src);
  const built = await run(t.cc, [
    ...cflags(t),
    "-w",
    "-c",
    "-o",
    `${dir}/probe.o`,
    `${dir}/probe.c`,
  ]);
  if (built.code !== 0) {
    throw new Error(`generate.ts: the probe failed to compile:\n${built.stderr}`);
  }
  const obj = await Deno.readFile(`${dir}/probe.o`);
  const magic = new TextEncoder().encode(PROBE_MAGIC);
  const at: number[] = [];
  for (let i = obj.indexOf(magic[0]); i >= 0; i = obj.indexOf(magic[0], i + 1)) {
    if (magic.every((b, k) => obj[i + k] === b)) at.push(i);
  }
  if (at.length !== 1) {
    throw new Error(`generate.ts: the probe's marker is ${at.length} times in the object file`);
  }
  const dv = new DataView(obj.buffer, obj.byteOffset + at[0] + 16);
  if (dv.getBigUint64(0, true) !== BigInt(exprs.length)) {
    throw new Error("generate.ts: the probe's array does not hold the expected count");
  }
  return exprs.map((_, i) => {
    const negative = dv.getBigUint64(8 + 16 * i, true) !== 0n;
    const value = dv.getBigUint64(16 + 16 * i, true);
    return negative ? BigInt.asIntN(64, value) : value;
  });
}

/** The value of each candidate, by name (see {@link probe}). */
async function probeValues(
  t: Target,
  dir: string,
  prelude: string,
  cands: readonly Candidate[],
): Promise<Map<string, bigint>> {
  const values = await probe(t, dir, prelude, cands.map((c) => c.expr));
  return new Map(cands.map((c, i) => [c.name, values[i]]));
}

function headerName(path: string, dirs: readonly string[], supplement: string): string {
  if (path === supplement) return "constants/supplement.h";
  path = normalizePath(path);
  for (const d of dirs) {
    if (path.startsWith(d + "/")) return `<${path.slice(d.length + 1)}>`;
  }
  return path;
}

function sourceOf(
  c: Candidate,
  dirs: readonly string[],
  supplement: string,
  supplementFrom: Map<string, string>,
): string {
  const alias = / in (.*)$/.exec(c.origin.file);
  const aliasPrefix = alias ? c.origin.file.slice(0, alias.index) + " in " : "";
  const file = headerName(alias ? alias[1] : c.origin.file, dirs, supplement);
  const top = headerName(c.origin.top, dirs, supplement);
  if (file === "constants/supplement.h") {
    const from = supplementFrom.get(c.expr);
    return from === undefined ? file : `${aliasPrefix}${from} via ${file}`;
  }
  return file === top ? `${aliasPrefix}${file}` : `${aliasPrefix}${file} via ${top}`;
}

async function format(text: string, cwd: string): Promise<string> {
  const r = await run(Deno.execPath(), ["fmt", "--ext", "ts", "-"], { stdin: text, cwd });
  if (r.code !== 0) throw new Error(`generate.ts: deno fmt failed:\n${r.stderr}`);
  return r.stdout;
}

function wrapComment(prefix: string, words: readonly string[], width = 98): string[] {
  const lines: string[] = [];
  let line = `// ${prefix}`;
  for (const w of words) {
    if (line.length + 1 + w.length > width) {
      lines.push(line);
      line = "//  ";
    }
    line += ` ${w}`;
  }
  lines.push(line);
  return lines;
}

function toolchain(macros: Map<string, Macro>): string {
  const parts: string[] = [];
  const num = (n: string) => macros.get(n)?.body;
  // The macOS SDK's version: __MAC_OS_X_VERSION_MAX_ALLOWED names __MAC_15_1, 150100.
  let sdk = num("__MAC_OS_X_VERSION_MAX_ALLOWED");
  for (let i = 0; i < 4 && sdk !== undefined && /^[A-Za-z_]\w*$/.test(sdk); i++) sdk = num(sdk);
  if (sdk !== undefined && /^\d{5,6}$/.test(sdk)) {
    const n = Number(sdk);
    const patch = n % 100 === 0 ? "" : `.${n % 100}`;
    parts.push(`macOS SDK ${Math.floor(n / 10000)}.${Math.floor(n / 100) % 100}${patch} headers`);
  }
  if (num("__GLIBC__") !== undefined) {
    parts.push(`glibc ${num("__GLIBC__")}.${num("__GLIBC_MINOR__")}`);
  }
  const code = num("LINUX_VERSION_CODE");
  const sublevel = num("LINUX_VERSION_SUBLEVEL");
  if (code !== undefined && /^\d+$/.test(code)) {
    // The code caps the sublevel at 255; newer headers also give it on its own.
    const n = Number(code);
    const sub = sublevel !== undefined && /^\d+$/.test(sublevel) ? `.${sublevel}` : "";
    parts.push(`Linux UAPI headers ${n >> 16}.${(n >> 8) & 255}${sub}`);
  }
  return parts.join(", ");
}

function tableText(
  t: Target,
  headers: readonly string[],
  tools: string,
  socket: readonly [string, bigint, string][],
  system: readonly [string, bigint, string][],
  errno: readonly [string, bigint, string][],
  errorcode: readonly [bigint, string][],
): string {
  const { os, arch } = t;
  const out: string[] = [
    // The same text whichever way the table was made (on the system itself,
    // or --target from another), so that either run reproduces the file.
    TARGETS[`${os}-${arch}`] === undefined
      ? `// Generated by constants/generate.ts for ${os} ${arch} — do not edit; run \`deno task gen:constants\`.`
      : `// Generated by constants/generate.ts for ${os} ${arch} — do not edit; run \`deno task gen:constants --target ${os}-${arch}\`.`,
    ...(tools === "" ? [] : [`// Toolchain: ${tools}.`]),
    ...(t.headerSource === "" ? [] : wrapComment("Made from:", `${t.headerSource}.`.split(" "))),
    ...wrapComment("Headers:", [...headers.map((h) => `<${h}>`), "constants/supplement.h"]),
    "",
    "/**",
    ` * Socket constants of ${os} on ${arch}, name → value: every integer macro and`,
    " * enumerator of the wanted families in the headers above (the comment after each",
    " * names the header that defines it). Names this system lacks are absent.",
    " */",
    "export const socket: Readonly<Record<string, number>> = {",
    ...socket.map(([n, v, s]) => `  ${n}: ${v}, // ${s}`),
    "};",
    "",
    "/**",
    ` * Other constants of ${os} on ${arch} that the implementation needs and Python's`,
    " * socket module does not have: fcntl() commands and flags, poll/epoll/kqueue",
    " * events, ioctl() requests, iovec limits. Not part of the public API.",
    " */",
    "export const system: Readonly<Record<string, number>> = {",
    ...system.map(([n, v, s]) => `  ${n}: ${v}, // ${s}`),
    "};",
    "",
    "/**",
    ` * errno names of ${os} on ${arch}, name → value, aliases included`,
    " * (EWOULDBLOCK, ENOTSUP, EDEADLOCK), like Python's errno module.",
    " */",
    "export const errno: Readonly<Record<string, number>> = {",
    ...errno.map(([n, v, s]) => `  ${n}: ${v}, // ${s}`),
    "};",
    "",
    "/**",
    ` * errno value → name for ${os} on ${arch}, like Python's errno.errorcode; where`,
    " * names share a value, the canonical one (EAGAIN, not EWOULDBLOCK).",
    " */",
    "export const errorcode: Readonly<Record<number, string>> = {",
    ...errorcode.map(([v, n]) => `  ${v}: "${n}",`),
    "};",
    "",
  ];
  return out.join("\n");
}

/** Reads a generated table back: names, values and source comments. */
function parseTable(text: string): { socket: Map<string, Entry>; errno: Map<string, Entry> } {
  const blocks: Record<string, Map<string, Entry>> = { socket: new Map(), errno: new Map() };
  let into: Map<string, Entry> | undefined;
  for (const line of text.split("\n")) {
    const start = /^export const (\w+):/.exec(line);
    if (start) into = blocks[start[1]];
    else if (line.startsWith("}")) into = undefined;
    const e = /^\s+([A-Za-z_]\w*): (-?\d+), \/\/ (.*)$/.exec(line);
    if (e && into) into.set(e[1], { value: Number(e[2]), source: e[3] });
  }
  return { socket: blocks.socket, errno: blocks.errno };
}

/** Reads the tables in `dir`, with `fresh` (file name → text) in place of or beside them. */
async function readTables(dir: string, fresh: Map<string, string>): Promise<ParsedTable[]> {
  const tables: ParsedTable[] = [];
  const names = new Set(fresh.keys());
  try {
    for await (const ent of Deno.readDir(dir)) if (ent.isFile) names.add(ent.name);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  for (const name of names) {
    const m = /^([a-z]+)_([a-z0-9_]+)\.ts$/.exec(name);
    if (!m || !OSES.includes(m[1]) || NOT_SELECTED.includes(m[1])) continue;
    const parsed = parseTable(fresh.get(name) ?? await Deno.readTextFile(`${dir}/${name}`));
    tables.push({
      key: `${m[1]}/${m[2]}`,
      module: `./${name}`,
      ident: `${m[1]}_${m[2]}`,
      ...parsed,
    });
  }
  return tables.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** The one-line JSDoc of a constant: family, source header and values per table. */
function describe(
  name: string,
  what: string,
  tables: readonly ParsedTable[],
  pick: (t: ParsedTable) => Map<string, Entry>,
): string {
  const where = tables.filter((t) => pick(t).has(name));
  const missing = tables.filter((t) => !pick(t).has(name));
  const code = (s: string) => s.replace(/<[^>]+>/g, (h) => `\`${h}\``);
  const sources = new Map<string, string[]>();
  for (const t of where) {
    const e = pick(t).get(name)!;
    const k = code(e.source);
    sources.set(k, [...(sources.get(k) ?? []), `${e.value} on ${t.key}`]);
  }
  const from = [...sources].map(([s, vs]) => `from ${s}: ${vs.join(", ")}`).join("; ");
  const absent = missing.length === 0
    ? ""
    : ` Undefined on ${missing.map((t) => t.key).join(", ")}, which lack it.`;
  return `/** ${what}, ${from}.${absent} */`;
}

/** The records that stay in the package's documentation; the constants are hidden there. */
const DOCUMENTED = new Set(["errnoValues", "errorcode", "socketValues", "sys"]);

/**
 * exports.ts: mod.ts's names re-exported for the package's entry point, every
 * constant marked `@ignore` so that `deno doc` and JSR list the API first (the
 * constants keep their documentation in mod.ts, the `./constants` entry point).
 */
function exportsText(modSource: string): string {
  const names = [...modSource.matchAll(/^export const (\w+)/gm)].map((m) => m[1]);
  return [
    "// Generated by constants/generate.ts — do not edit; run `deno task gen:constants`.",
    "",
    "/**",
    " * The constants of {@link ./mod.ts} for the package's entry point, each hidden",
    " * from its documentation (`@ignore`): they are documented on the",
    " * `@sockffi/socket/constants` page, and still imported from `@sockffi/socket`.",
    " *",
    " * @module",
    " */",
    "",
    "export {",
    ...names.map((n) => DOCUMENTED.has(n) ? `  ${n},` : `  /** @ignore */\n  ${n},`),
    '} from "./mod.ts";',
    "",
  ].join("\n");
}

function modText(tables: readonly ParsedTable[]): string {
  const keys = tables.map((t) => t.key);
  const names = new Set<string>();
  for (const t of tables) for (const n of t.socket.keys()) names.add(n);
  const sorted = [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const typeOf = (present: number) => (present === tables.length ? "number" : "number | undefined");
  const out: string[] = [
    "// Generated by constants/generate.ts — do not edit; run `deno task gen:constants`.",
    "",
    "/**",
    " * The socket and errno constants of the running system, picked at import time",
    " * from the generated table of its OS and architecture (`<os>_<arch>.ts` in this",
    " * folder). A constant that a system lacks is `undefined` there, as CPython",
    " * omits it: such names are typed `number | undefined`, so check before use.",
    " * Importing this module on an OS/arch without a table throws an `Error`.",
    ` * Tables: ${keys.join(", ")}.`,
    " *",
    " * @example Read constants",
    " * ```ts",
    ' * import { AF_INET, SOCK_STREAM, errorcode } from "./mod.ts";',
    " *",
    " * console.log(AF_INET, SOCK_STREAM, errorcode[11]);",
    " * ```",
    " *",
    " * @module",
    " */",
    "",
    ...tables.map((t) => `import * as ${t.ident} from "${t.module}";`),
    "",
    "/** What every generated `<os>_<arch>.ts` table exports. */",
    "interface Table {",
    "  readonly socket: Readonly<Record<string, number>>;",
    "  readonly system: Readonly<Record<string, number>>;",
    "  readonly errno: Readonly<Record<string, number>>;",
    "  readonly errorcode: Readonly<Record<number, string>>;",
    "}",
    "",
    "const TABLES: Readonly<Record<string, Table>> = {",
    ...tables.map((t) => `  "${t.key}": ${t.ident},`),
    "};",
    "",
    "function selectTable(): Table {",
    "  const key = `${Deno.build.os}/${Deno.build.arch}`;",
    "  const table = TABLES[key];",
    "  if (table === undefined) {",
    "    throw new Error(",
    "      `sockffi does not support ${key} yet: there is no constants table for it ` +",
    `        \`(tables exist for ${keys.join(", ")}); run \\\`deno task gen:constants\\\` on \` +`,
    "        `such a system to make constants/${Deno.build.os}_${Deno.build.arch}.ts`,",
    "    );",
    "  }",
    "  return table;",
    "}",
    "",
    "const table: Table = selectTable();",
    "const S: Readonly<Record<string, number>> = table.socket;",
    "",
    "/** errno name → value of the running system, like Python's `errno` module. */",
    "export const errnoValues: Readonly<Record<string, number>> = table.errno;",
    "",
    "/**",
    " * errno value → name of the running system, like Python's `errno.errorcode`;",
    " * where names share a value it holds the canonical one (11 → `EAGAIN`).",
    " */",
    "export const errorcode: Readonly<Record<number, string>> = table.errorcode;",
    "",
    "/** Every socket constant of the running system, name → value (the exports below). */",
    "export const socketValues: Readonly<Record<string, number>> = S;",
    "",
    "/**",
    " * For the implementation, not Python's API: the OS constants it needs beyond the",
    " * socket module's (fcntl() commands and flags F_*, FD_CLOEXEC, O_*; POLL*, EPOLL*",
    " * or kqueue EV*; FIO* and SIOC* ioctl requests; IOV_MAX), with every socket constant",
    " * readable here too (inherited from {@linkcode socketValues}), so that `src/` takes",
    " * each number from one object.",
    " */",
    "export const sys: Readonly<Record<string, number>> = Object.freeze(",
    "  Object.assign(Object.create(S) as Record<string, number>, table.system),",
    ");",
    "",
  ];
  for (const n of SOCKET_ERRNO_NAMES) {
    const present = tables.filter((t) => t.errno.has(n)).length;
    out.push(
      describe(
        n,
        "errno value, re-exported as Python's socket module does",
        tables,
        (t) => t.errno,
      ),
      `export const ${n}: ${typeOf(present)} = table.errno.${n};`,
      "",
    );
  }
  for (const s of STRINGS) {
    const present = tables.filter((t) => t.socket.has(s.when)).length;
    if (present === 0) continue;
    const type = present === tables.length ? "string" : "string | undefined";
    const value = present === tables.length
      ? JSON.stringify(s.value)
      : `S.${s.when} === undefined ? undefined : ${JSON.stringify(s.value)}`;
    out.push(
      `/** ${s.doc}; defined where ${s.when} is. */`,
      `export const ${s.name}: ${type} = ${value};`,
      "",
    );
  }
  for (const n of sorted) {
    const present = tables.filter((t) => t.socket.has(n)).length;
    out.push(
      describe(n, familyOf(n)?.doc ?? "Constant", tables, (t) => t.socket),
      `export const ${n}: ${typeOf(present)} = S.${n};`,
    );
  }
  out.push("");
  return out.join("\n");
}

/**
 * One member of ffi/structs.ts's `Layout`, probed with sizeof/offsetof: a
 * struct (its `size` is `sizeof(type)` unless `fields` gives one) or a scalar.
 */
interface LayoutProbe {
  /** The `Layout` member. */
  key: string;
  /** The C type of the struct. */
  type?: string;
  /** Layout field → `@member` (offsetof), `#member` (sizeof the member) or a C expression. */
  fields?: Readonly<Record<string, string>>;
  /** A scalar member's C expression. */
  expr?: string;
  /** The scalar is a boolean (the expression gives 0 or 1). */
  bool?: boolean;
  /** Only this OS has it; other layouts must not have the member. */
  os?: string;
  /** Headers it needs besides the table's; where one is missing, the member is not checked. */
  headers?: readonly string[];
}

/** Headers the layout probe includes besides {@link HEADERS}, where they exist. */
const LAYOUT_HEADERS: readonly string[] = [
  "stddef.h",
  "time.h",
  "sys/time.h",
  "bluetooth/bluetooth.h",
  "bluetooth/l2cap.h",
  "bluetooth/rfcomm.h",
  "bluetooth/hci.h",
  "bluetooth/sco.h",
];

const BLUETOOTH = ["bluetooth/bluetooth.h", "bluetooth/l2cap.h", "bluetooth/rfcomm.h"];

/** Every member of ffi/structs.ts's `Layout` that the C headers determine. */
const LAYOUT_PROBES: readonly LayoutProbe[] = [
  { key: "pointerSize", expr: "sizeof(void *)" },
  { key: "saLen", expr: "offsetof(struct sockaddr, sa_family) != 0", bool: true },
  { key: "sockaddr_storage", type: "struct sockaddr_storage", fields: {} },
  {
    key: "sa_family",
    type: "struct sockaddr",
    fields: { offset: "@sa_family", size: "#sa_family" },
  },
  {
    key: "sockaddr_in",
    type: "struct sockaddr_in",
    fields: { sin_port: "@sin_port", sin_addr: "@sin_addr" },
  },
  {
    key: "sockaddr_in6",
    type: "struct sockaddr_in6",
    fields: {
      sin6_port: "@sin6_port",
      sin6_flowinfo: "@sin6_flowinfo",
      sin6_addr: "@sin6_addr",
      sin6_scope_id: "@sin6_scope_id",
    },
  },
  {
    key: "sockaddr_un",
    type: "struct sockaddr_un",
    fields: { sun_path: "@sun_path", pathMax: "#sun_path" },
  },
  {
    key: "msghdr",
    type: "struct msghdr",
    fields: {
      msg_name: "@msg_name",
      msg_namelen: "@msg_namelen",
      msg_iov: "@msg_iov",
      msg_iovlen: "@msg_iovlen",
      msg_control: "@msg_control",
      msg_controllen: "@msg_controllen",
      msg_flags: "@msg_flags",
      msg_iovlenSize: "#msg_iovlen",
      msg_controllenSize: "#msg_controllen",
    },
  },
  { key: "iovec", type: "struct iovec", fields: { iov_base: "@iov_base", iov_len: "@iov_len" } },
  {
    key: "cmsghdr",
    type: "struct cmsghdr",
    fields: {
      cmsg_len: "@cmsg_len",
      cmsg_lenSize: "#cmsg_len",
      cmsg_level: "@cmsg_level",
      cmsg_type: "@cmsg_type",
      align: "CMSG_SPACE(1) - CMSG_SPACE(0)",
    },
  },
  {
    key: "addrinfo",
    type: "struct addrinfo",
    fields: {
      ai_flags: "@ai_flags",
      ai_family: "@ai_family",
      ai_socktype: "@ai_socktype",
      ai_protocol: "@ai_protocol",
      ai_addrlen: "@ai_addrlen",
      ai_addr: "@ai_addr",
      ai_canonname: "@ai_canonname",
      ai_next: "@ai_next",
    },
  },
  {
    key: "hostent",
    type: "struct hostent",
    fields: {
      h_name: "@h_name",
      h_aliases: "@h_aliases",
      h_addrtype: "@h_addrtype",
      h_length: "@h_length",
      h_addr_list: "@h_addr_list",
    },
  },
  {
    key: "servent",
    type: "struct servent",
    fields: { s_name: "@s_name", s_aliases: "@s_aliases", s_port: "@s_port", s_proto: "@s_proto" },
  },
  {
    key: "protoent",
    type: "struct protoent",
    fields: { p_name: "@p_name", p_aliases: "@p_aliases", p_proto: "@p_proto" },
  },
  {
    key: "pollfd",
    type: "struct pollfd",
    fields: { fd: "@fd", events: "@events", revents: "@revents" },
  },
  {
    key: "epoll_event",
    type: "struct epoll_event",
    fields: { events: "@events", data: "@data" },
    os: "linux",
  },
  {
    key: "kevent",
    type: "struct kevent",
    fields: {
      ident: "@ident",
      filter: "@filter",
      flags: "@flags",
      fflags: "@fflags",
      data: "@data",
      udata: "@udata",
    },
    os: "darwin",
  },
  {
    key: "if_nameindex",
    type: "struct if_nameindex",
    fields: { if_index: "@if_index", if_name: "@if_name" },
  },
  {
    key: "ucred",
    type: "struct ucred",
    fields: { pid: "@pid", uid: "@uid", gid: "@gid" },
    os: "linux",
  },
  {
    key: "timeval",
    type: "struct timeval",
    fields: { tv_sec: "@tv_sec", tv_usec: "@tv_usec", tv_usecSize: "#tv_usec" },
  },
  { key: "timespec", type: "struct timespec", fields: { tv_sec: "@tv_sec", tv_nsec: "@tv_nsec" } },
  { key: "linger", type: "struct linger", fields: { l_onoff: "@l_onoff", l_linger: "@l_linger" } },
  {
    key: "in_pktinfo",
    type: "struct in_pktinfo",
    fields: { ipi_ifindex: "@ipi_ifindex", ipi_spec_dst: "@ipi_spec_dst", ipi_addr: "@ipi_addr" },
  },
  {
    key: "in6_pktinfo",
    type: "struct in6_pktinfo",
    fields: { ipi6_addr: "@ipi6_addr", ipi6_ifindex: "@ipi6_ifindex" },
  },
  {
    key: "sockaddr_nl",
    type: "struct sockaddr_nl",
    fields: { nl_pid: "@nl_pid", nl_groups: "@nl_groups" },
    os: "linux",
  },
  {
    key: "sockaddr_ll",
    type: "struct sockaddr_ll",
    fields: {
      sll_protocol: "@sll_protocol",
      sll_ifindex: "@sll_ifindex",
      sll_hatype: "@sll_hatype",
      sll_pkttype: "@sll_pkttype",
      sll_halen: "@sll_halen",
      sll_addr: "@sll_addr",
      addrMax: "#sll_addr",
    },
    os: "linux",
  },
  {
    key: "sockaddr_can",
    type: "struct sockaddr_can",
    fields: {
      can_ifindex: "@can_ifindex",
      tp_rx_id: "@can_addr.tp.rx_id",
      tp_tx_id: "@can_addr.tp.tx_id",
      j1939_name: "@can_addr.j1939.name",
      j1939_pgn: "@can_addr.j1939.pgn",
      j1939_addr: "@can_addr.j1939.addr",
    },
    os: "linux",
  },
  {
    key: "sockaddr_tipc",
    type: "struct sockaddr_tipc",
    fields: {
      addrtype: "@addrtype",
      scope: "@scope",
      nameseq_type: "@addr.nameseq.type",
      nameseq_lower: "@addr.nameseq.lower",
      nameseq_upper: "@addr.nameseq.upper",
      name_type: "@addr.name.name.type",
      name_instance: "@addr.name.name.instance",
      name_domain: "@addr.name.domain",
      id_ref: "@addr.id.ref",
      id_node: "@addr.id.node",
    },
    os: "linux",
  },
  {
    key: "sockaddr_vm",
    type: "struct sockaddr_vm",
    fields: { svm_port: "@svm_port", svm_cid: "@svm_cid", svm_flags: "@svm_flags" },
    os: "linux",
  },
  {
    key: "sockaddr_alg",
    type: "struct sockaddr_alg",
    fields: {
      salg_type: "@salg_type",
      typeMax: "#salg_type",
      salg_feat: "@salg_feat",
      salg_mask: "@salg_mask",
      salg_name: "@salg_name",
      nameMax: "#salg_name",
    },
    os: "linux",
  },
  {
    key: "sockaddr_l2",
    type: "struct sockaddr_l2",
    fields: {
      l2_psm: "@l2_psm",
      l2_bdaddr: "@l2_bdaddr",
      l2_cid: "@l2_cid",
      l2_bdaddr_type: "@l2_bdaddr_type",
    },
    os: "linux",
    headers: BLUETOOTH,
  },
  {
    key: "sockaddr_rc",
    type: "struct sockaddr_rc",
    fields: { rc_bdaddr: "@rc_bdaddr", rc_channel: "@rc_channel" },
    os: "linux",
    headers: BLUETOOTH,
  },
  {
    key: "sockaddr_hci",
    type: "struct sockaddr_hci",
    fields: { hci_dev: "@hci_dev", hci_channel: "@hci_channel" },
    os: "linux",
    headers: ["bluetooth/bluetooth.h", "bluetooth/hci.h"],
  },
  {
    key: "sockaddr_sco",
    type: "struct sockaddr_sco",
    fields: { sco_bdaddr: "@sco_bdaddr" },
    os: "linux",
    headers: ["bluetooth/bluetooth.h", "bluetooth/sco.h"],
  },
  { key: "IF_NAMESIZE", expr: "IF_NAMESIZE" },
  { key: "NI_MAXHOST", expr: "NI_MAXHOST" },
  { key: "NI_MAXSERV", expr: "NI_MAXSERV" },
  { key: "IOV_MAX", expr: "IOV_MAX" },
];

/** `Layout` members that no header gives (kernel limits), so the probe leaves them alone. */
const LAYOUT_UNPROBED: readonly string[] = ["MAX_RW"];

/** A probed layout: member → scalar, or field → number. */
export type ProbedLayout = Record<string, number | boolean | Record<string, number>>;

/** What the layout probe found, and which members it could not check (with the reason). */
export interface LayoutResult {
  layout: ProbedLayout;
  unchecked: Map<string, string>;
  /** Members that other systems have and this one lacks. */
  absent: Set<string>;
}

/** The C expression of a field spec of {@link LayoutProbe.fields}. */
function fieldExpr(type: string, spec: string): string {
  if (spec.startsWith("@")) return `offsetof(${type}, ${spec.slice(1)})`;
  if (spec.startsWith("#")) return `sizeof(((${type} *)0)->${spec.slice(1)})`;
  return spec;
}

/** Probes the target's struct layouts (sizeof/offsetof), without running anything. */
async function probeLayout(t: Target, dir: string, supplement: string): Promise<LayoutResult> {
  const headers = await usableHeaders(t, supplement, [...HEADERS, ...LAYOUT_HEADERS], true);
  const unchecked = new Map<string, string>();
  const absent = new Set<string>();
  const exprs: { key: string; field: string | undefined; expr: string; bool: boolean }[] = [];
  for (const p of LAYOUT_PROBES) {
    if (p.os !== undefined && p.os !== t.os) {
      absent.add(p.key);
      continue;
    }
    const missing = (p.headers ?? []).filter((h) => !headers.includes(h));
    if (missing.length > 0) {
      unchecked.set(p.key, `no ${missing.map((h) => `<${h}>`).join(", ")}`);
      continue;
    }
    if (p.expr !== undefined) {
      exprs.push({ key: p.key, field: undefined, expr: p.expr, bool: p.bool === true });
      continue;
    }
    const type = p.type!;
    const fields = { size: `sizeof(${type})`, ...p.fields };
    for (const [field, spec] of Object.entries(fields)) {
      exprs.push({ key: p.key, field, expr: fieldExpr(type, spec), bool: false });
    }
  }
  const values = await probe(t, dir, includeLines(headers, supplement), exprs.map((e) => e.expr));
  const layout: ProbedLayout = {};
  exprs.forEach((e, i) => {
    const v = Number(values[i]);
    if (e.field === undefined) layout[e.key] = e.bool ? v !== 0 : v;
    else {
      const struct = (layout[e.key] ??= {}) as Record<string, number>;
      struct[e.field] = v;
    }
  });
  return { layout, unchecked, absent };
}

/** Where a probed layout and ffi/structs.ts's layout of the same target part. */
export function layoutDifferences(
  probed: LayoutResult,
  committed: Record<string, unknown>,
): string[] {
  const problems: string[] = [];
  const show = (v: unknown) => JSON.stringify(v);
  for (const [key, want] of Object.entries(probed.layout)) {
    const have = committed[key];
    if (typeof want !== "object") {
      if (have !== want) problems.push(`${key}: ffi/structs.ts ${show(have)}, headers ${want}`);
      continue;
    }
    if (typeof have !== "object" || have === null) {
      problems.push(`${key}: missing in ffi/structs.ts (headers: ${show(want)})`);
      continue;
    }
    const h = have as Record<string, unknown>;
    for (const field of new Set([...Object.keys(want), ...Object.keys(h)])) {
      if (h[field] !== want[field]) {
        problems.push(
          `${key}.${field}: ffi/structs.ts ${show(h[field])}, headers ${show(want[field])}`,
        );
      }
    }
  }
  for (const key of Object.keys(committed)) {
    if (probed.absent.has(key)) {
      problems.push(`${key}: in ffi/structs.ts, but this system lacks it`);
    } else if (
      !(key in probed.layout) && !probed.unchecked.has(key) && !LAYOUT_UNPROBED.includes(key)
    ) {
      problems.push(`${key}: in ffi/structs.ts, but generate.ts does not probe it`);
    }
  }
  return problems;
}

/** Compares the target's probed layouts with ffi/structs.ts; prints the outcome, true if equal. */
async function checkLayout(t: Target, probed: LayoutResult): Promise<boolean> {
  const ident = `${t.os}_${t.arch}`;
  const structs = await import("../ffi/structs.ts") as unknown as Record<string, unknown>;
  const committed = structs[ident] as Record<string, unknown> | undefined;
  const problems = committed === undefined
    ? [`ffi/structs.ts has no layout ${ident}`]
    : layoutDifferences(probed, committed);
  const fields = Object.values(probed.layout)
    .reduce((n: number, v) => n + (typeof v === "object" ? Object.keys(v).length : 1), 0);
  for (const [key, why] of probed.unchecked) {
    console.error(`generate.ts: ${ident} layout: ${key} not checked (${why})`);
  }
  if (problems.length === 0) {
    console.error(
      `generate.ts: ffi/structs.ts's ${ident} agrees with the headers (${fields} fields)`,
    );
    return true;
  }
  console.error(
    `generate.ts: ffi/structs.ts's ${ident} differs from the headers:\n  ${problems.join("\n  ")}`,
  );
  return false;
}

async function main(): Promise<void> {
  const opts = parseArgs(Deno.args);
  if (opts.target !== "all") return await generate(opts);
  for (const target of Object.keys(TARGETS)) {
    console.error(`generate.ts: --target ${target}`);
    await generate({ ...opts, target });
  }
}

/** One run: the table of one target (or its layouts only), as {@link Options} say. */
async function generate(opts: Options): Promise<void> {
  const { out } = opts;
  const t = await resolveTarget(opts);
  const here = new URL(".", import.meta.url).pathname.replace(/\/$/, "");
  const repo = here.replace(/\/constants$/, "");
  const supplement = `${here}/supplement.h`;

  const tmp = await Deno.makeTempDir({ prefix: "sockffi-gen-" });
  try {
    const layout = await probeLayout(t, tmp, supplement);
    if (opts.mode === "layouts") {
      console.log(JSON.stringify(layout.layout, null, 2));
      return;
    }
    const layoutOk = await checkLayout(t, layout);
    if (opts.mode === "check-layouts") {
      if (!layoutOk) Deno.exitCode = 1;
      return;
    }

    const headers = await usableHeaders(t, supplement);
    const prelude = includeLines(headers, supplement);
    const pre = await run(t.cc, [...cflags(t), "-E", "-dD", "-x", "c", "-"], { stdin: prelude });
    if (pre.code !== 0) throw new Error(`generate.ts: ${t.cc} -E failed:\n${pre.stderr}`);
    const { macros, enumerators } = parsePreprocessed(pre.stdout);
    const dirs = await searchDirs(t);
    const supplementFrom = supplementSources(await Deno.readTextFile(supplement));
    const cands = collectCandidates(macros, enumerators);
    const all = await integerConstants(t, tmp, prelude, [
      ...cands.socket,
      ...cands.system,
      ...cands.errno,
    ]);
    const values = await probeValues(t, tmp, prelude, all);
    const kept = new Set(all.map((c) => c.name));
    const rows = (list: readonly Candidate[]): [string, bigint, string][] =>
      list.filter((c) => kept.has(c.name)).flatMap((c): [string, bigint, string][] => {
        const v = values.get(c.name);
        if (v === undefined) return [];
        if (v >= SAFE_LIMIT || v <= -SAFE_LIMIT) {
          console.error(
            `generate.ts: leaving out ${c.name} = ${v}: a JS number cannot hold it exactly`,
          );
          return [];
        }
        return [[c.name, v, sourceOf(c, dirs, supplement, supplementFrom)]];
      });
    const socket = rows(cands.socket);
    const system = rows(cands.system);
    const errnoRows = rows(cands.errno).sort((a, b) =>
      a[1] !== b[1] ? (a[1] < b[1] ? -1 : 1) : a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0
    );
    const aliasOf = new Map(cands.errno.map((c) => [c.name, c.aliasOf]));
    const errorcode = new Map<bigint, string>();
    for (const [name, value] of errnoRows) {
      const held = errorcode.get(value);
      if (
        held === undefined || (aliasOf.get(held) !== undefined && aliasOf.get(name) === undefined)
      ) {
        errorcode.set(value, name);
      }
    }
    const text = tableText(
      t,
      headers,
      toolchain(macros),
      socket,
      system,
      errnoRows,
      [...errorcode].sort((a, b) => (a[0] < b[0] ? -1 : 1)),
    );
    // Both files are made before either is written, so a failure leaves neither half-done.
    const tableName = `${t.os}_${t.arch}.ts`;
    const tablePath = `${out}/${tableName}`;
    const formatted = await format(text, repo);
    const tables = await readTables(out, new Map([[tableName, formatted]]));
    const modSource = modText(tables);
    const mod = await format(modSource, repo);
    const exported = await format(exportsText(modSource), repo);
    await Deno.mkdir(out, { recursive: true });
    await Deno.writeTextFile(tablePath, formatted);
    await Deno.writeTextFile(`${out}/mod.ts`, mod);
    await Deno.writeTextFile(`${out}/exports.ts`, exported);
    console.error(
      `generate.ts: wrote ${tablePath} (${socket.length} socket constants, ${system.length} ` +
        `system constants, ${errnoRows.length} errno names) ` +
        `and ${out}/mod.ts (${tables.length} table${tables.length === 1 ? "" : "s"})`,
    );
    if (!layoutOk) Deno.exitCode = 1;
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
}

if (import.meta.main) await main();
