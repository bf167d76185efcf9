/**
 * C struct layouts, per OS and architecture: sizes and byte offsets of every
 * field `src/` reads or writes. `src/` never hard-codes an offset; it asks
 * the {@linkcode Layout} that `ffi/mod.ts` selects.
 *
 * Values for Linux are those of glibc's and the kernel's headers on the
 * 64-bit ABIs (x86_64, aarch64); `epoll_event` is packed on x86_64 only.
 * Values for macOS are those of the macOS SDK's headers on arm64 and x86_64
 * (the same on both): sockaddrs start with a length byte (`sa_len`,
 * `sin_len`, `sun_len`), `addrinfo` has `ai_canonname` before `ai_addr`,
 * `msghdr.msg_iovlen`/`msg_controllen` and `cmsghdr.cmsg_len` are 4 bytes,
 * CMSG_ALIGN aligns to 4, `timeval.tv_usec` is 4 bytes.
 *
 * Every value the headers determine is checked against them by
 * `deno task gen:constants --check-layouts [--target T]` (tests/layouts_test.ts
 * runs it for each target it can compile for).
 *
 * @module
 */

/**
 * Byte offsets and sizes of the C structures the library uses. A member a
 * system lacks (`epoll_event` and the Linux-only sockaddrs on macOS, `kevent`
 * on Linux) is absent from that system's layout.
 */
export interface Layout {
  /** `sizeof(void *)` */
  readonly pointerSize: number;
  /** Whether sockaddrs start with a one-byte `sa_len` (BSD) before `sa_family`. */
  readonly saLen: boolean;
  /** `struct sockaddr_storage` */
  readonly sockaddr_storage: { readonly size: number };
  /** Offset and size of `sa_family` (a `sa_family_t`, 2 bytes on Linux, 1 on BSD). */
  readonly sa_family: { readonly offset: number; readonly size: number };
  /** `struct sockaddr_in` */
  readonly sockaddr_in: {
    readonly size: number;
    readonly sin_port: number;
    readonly sin_addr: number;
  };
  /** `struct sockaddr_in6` */
  readonly sockaddr_in6: {
    readonly size: number;
    readonly sin6_port: number;
    readonly sin6_flowinfo: number;
    readonly sin6_addr: number;
    readonly sin6_scope_id: number;
  };
  /** `struct sockaddr_un` */
  readonly sockaddr_un: {
    readonly size: number;
    readonly sun_path: number;
    readonly pathMax: number;
  };
  /** `struct msghdr` */
  readonly msghdr: {
    readonly size: number;
    readonly msg_name: number;
    readonly msg_namelen: number;
    readonly msg_iov: number;
    readonly msg_iovlen: number;
    readonly msg_control: number;
    readonly msg_controllen: number;
    readonly msg_flags: number;
    /** `sizeof(msg_iovlen)` (a size_t on glibc, an int on the BSDs) */
    readonly msg_iovlenSize: number;
    /** `sizeof(msg_controllen)` (a size_t on glibc, a socklen_t on the BSDs) */
    readonly msg_controllenSize: number;
  };
  /** `struct iovec` */
  readonly iovec: { readonly size: number; readonly iov_base: number; readonly iov_len: number };
  /** `struct cmsghdr`; `align` is the alignment of CMSG_ALIGN, `data` the offset of CMSG_DATA */
  readonly cmsghdr: {
    readonly size: number;
    readonly cmsg_len: number;
    readonly cmsg_lenSize: number;
    readonly cmsg_level: number;
    readonly cmsg_type: number;
    readonly align: number;
  };
  /** `struct addrinfo` */
  readonly addrinfo: {
    readonly size: number;
    readonly ai_flags: number;
    readonly ai_family: number;
    readonly ai_socktype: number;
    readonly ai_protocol: number;
    readonly ai_addrlen: number;
    readonly ai_addr: number;
    readonly ai_canonname: number;
    readonly ai_next: number;
  };
  /** `struct hostent` */
  readonly hostent: {
    readonly size: number;
    readonly h_name: number;
    readonly h_aliases: number;
    readonly h_addrtype: number;
    readonly h_length: number;
    readonly h_addr_list: number;
  };
  /** `struct servent` */
  readonly servent: {
    readonly size: number;
    readonly s_name: number;
    readonly s_aliases: number;
    readonly s_port: number;
    readonly s_proto: number;
  };
  /** `struct protoent` */
  readonly protoent: {
    readonly size: number;
    readonly p_name: number;
    readonly p_aliases: number;
    readonly p_proto: number;
  };
  /** `struct pollfd` */
  readonly pollfd: {
    readonly size: number;
    readonly fd: number;
    readonly events: number;
    readonly revents: number;
  };
  /** `struct epoll_event` (`data` is the 64-bit `epoll_data_t`); Linux only */
  readonly epoll_event?: { readonly size: number; readonly events: number; readonly data: number };
  /**
   * `struct kevent` of kqueue (the BSDs, macOS): `ident` and `data` are
   * pointer-sized, `filter` an int16, `flags` a uint16, `fflags` a uint32,
   * `udata` a pointer
   */
  readonly kevent?: {
    readonly size: number;
    readonly ident: number;
    readonly filter: number;
    readonly flags: number;
    readonly fflags: number;
    readonly data: number;
    readonly udata: number;
  };
  /** `struct if_nameindex` */
  readonly if_nameindex: {
    readonly size: number;
    readonly if_index: number;
    readonly if_name: number;
  };
  /** `struct ucred` (SCM_CREDENTIALS); Linux only */
  readonly ucred?: {
    readonly size: number;
    readonly pid: number;
    readonly uid: number;
    readonly gid: number;
  };
  /**
   * `struct timeval` (SO_RCVTIMEO, SO_TIMESTAMP): a 64-bit `tv_sec`, and
   * `tv_usec` of `tv_usecSize` bytes (8 on Linux, 4 on macOS)
   */
  readonly timeval: {
    readonly size: number;
    readonly tv_sec: number;
    readonly tv_usec: number;
    readonly tv_usecSize: number;
  };
  /** `struct timespec` (SO_TIMESTAMPNS): two 64-bit fields */
  readonly timespec: { readonly size: number; readonly tv_sec: number; readonly tv_nsec: number };
  /** `struct linger` */
  readonly linger: { readonly size: number; readonly l_onoff: number; readonly l_linger: number };
  /** `struct in_pktinfo` (IP_PKTINFO ancillary data) */
  readonly in_pktinfo: {
    readonly size: number;
    readonly ipi_ifindex: number;
    readonly ipi_spec_dst: number;
    readonly ipi_addr: number;
  };
  /** `struct in6_pktinfo` (IPV6_PKTINFO ancillary data) */
  readonly in6_pktinfo: {
    readonly size: number;
    readonly ipi6_addr: number;
    readonly ipi6_ifindex: number;
  };
  /** `struct sockaddr_nl` (AF_NETLINK) */
  readonly sockaddr_nl?: {
    readonly size: number;
    readonly nl_pid: number;
    readonly nl_groups: number;
  };
  /** `struct sockaddr_ll` (AF_PACKET); `addrMax` is `sizeof(sll_addr)` */
  readonly sockaddr_ll?: {
    readonly size: number;
    readonly sll_protocol: number;
    readonly sll_ifindex: number;
    readonly sll_hatype: number;
    readonly sll_pkttype: number;
    readonly sll_halen: number;
    readonly sll_addr: number;
    readonly addrMax: number;
  };
  /** `struct sockaddr_can` (AF_CAN) with the `can_addr.tp` and `can_addr.j1939` members */
  readonly sockaddr_can?: {
    readonly size: number;
    readonly can_ifindex: number;
    readonly tp_rx_id: number;
    readonly tp_tx_id: number;
    readonly j1939_name: number;
    readonly j1939_pgn: number;
    readonly j1939_addr: number;
  };
  /** `struct sockaddr_tipc` (AF_TIPC) with the members of its `addr` union */
  readonly sockaddr_tipc?: {
    readonly size: number;
    readonly addrtype: number;
    readonly scope: number;
    readonly nameseq_type: number;
    readonly nameseq_lower: number;
    readonly nameseq_upper: number;
    readonly name_type: number;
    readonly name_instance: number;
    readonly name_domain: number;
    readonly id_ref: number;
    readonly id_node: number;
  };
  /** `struct sockaddr_vm` (AF_VSOCK) */
  readonly sockaddr_vm?: {
    readonly size: number;
    readonly svm_port: number;
    readonly svm_cid: number;
    readonly svm_flags: number;
  };
  /** `struct sockaddr_alg` (AF_ALG); `typeMax`/`nameMax` are the sizes of the char arrays */
  readonly sockaddr_alg?: {
    readonly size: number;
    readonly salg_type: number;
    readonly typeMax: number;
    readonly salg_feat: number;
    readonly salg_mask: number;
    readonly salg_name: number;
    readonly nameMax: number;
  };
  /** `struct sockaddr_l2` (AF_BLUETOOTH, BTPROTO_L2CAP); psm and cid are little-endian */
  readonly sockaddr_l2?: {
    readonly size: number;
    readonly l2_psm: number;
    readonly l2_bdaddr: number;
    readonly l2_cid: number;
    readonly l2_bdaddr_type: number;
  };
  /** `struct sockaddr_rc` (AF_BLUETOOTH, BTPROTO_RFCOMM) */
  readonly sockaddr_rc?: {
    readonly size: number;
    readonly rc_bdaddr: number;
    readonly rc_channel: number;
  };
  /** `struct sockaddr_hci` (AF_BLUETOOTH, BTPROTO_HCI) */
  readonly sockaddr_hci?: {
    readonly size: number;
    readonly hci_dev: number;
    readonly hci_channel: number;
  };
  /** `struct sockaddr_sco` (AF_BLUETOOTH, BTPROTO_SCO) */
  readonly sockaddr_sco?: { readonly size: number; readonly sco_bdaddr: number };
  /** `IF_NAMESIZE` from <net/if.h> */
  readonly IF_NAMESIZE: number;
  /** `NI_MAXHOST` and `NI_MAXSERV` from <netdb.h> */
  readonly NI_MAXHOST: number;
  /** `NI_MAXSERV` from <netdb.h> */
  readonly NI_MAXSERV: number;
  /** `IOV_MAX` (sysconf(_SC_IOV_MAX)) */
  readonly IOV_MAX: number;
  /**
   * Largest length one socket read or write transfers: Linux's MAX_RW_COUNT
   * (it shortens longer transfers), INT_MAX on macOS (it refuses longer ones).
   */
  readonly MAX_RW: number;
}

/** The members only Linux has; every Linux layout has them all. */
type LinuxOnly =
  | "epoll_event"
  | "ucred"
  | "sockaddr_nl"
  | "sockaddr_ll"
  | "sockaddr_can"
  | "sockaddr_tipc"
  | "sockaddr_vm"
  | "sockaddr_alg"
  | "sockaddr_l2"
  | "sockaddr_rc"
  | "sockaddr_hci"
  | "sockaddr_sco";

/** A Linux layout: every Linux-only member present, no `kevent`. */
export type LinuxLayout = Omit<Layout, "kevent"> & Required<Pick<Layout, LinuxOnly>>;

/** A macOS layout: `kevent` present, none of the Linux-only members. */
export type DarwinLayout = Omit<Layout, LinuxOnly | "kevent"> & Required<Pick<Layout, "kevent">>;

/** Struct layouts shared by the 64-bit Linux ABIs (LP64, glibc). */
const linux64: Omit<LinuxLayout, "epoll_event"> = {
  pointerSize: 8,
  saLen: false,
  sockaddr_storage: { size: 128 },
  sa_family: { offset: 0, size: 2 },
  sockaddr_in: { size: 16, sin_port: 2, sin_addr: 4 },
  sockaddr_in6: { size: 28, sin6_port: 2, sin6_flowinfo: 4, sin6_addr: 8, sin6_scope_id: 24 },
  sockaddr_un: { size: 110, sun_path: 2, pathMax: 108 },
  msghdr: {
    size: 56,
    msg_name: 0,
    msg_namelen: 8,
    msg_iov: 16,
    msg_iovlen: 24,
    msg_control: 32,
    msg_controllen: 40,
    msg_flags: 48,
    msg_iovlenSize: 8,
    msg_controllenSize: 8,
  },
  iovec: { size: 16, iov_base: 0, iov_len: 8 },
  cmsghdr: { size: 16, cmsg_len: 0, cmsg_lenSize: 8, cmsg_level: 8, cmsg_type: 12, align: 8 },
  addrinfo: {
    size: 48,
    ai_flags: 0,
    ai_family: 4,
    ai_socktype: 8,
    ai_protocol: 12,
    ai_addrlen: 16,
    ai_addr: 24,
    ai_canonname: 32,
    ai_next: 40,
  },
  hostent: { size: 32, h_name: 0, h_aliases: 8, h_addrtype: 16, h_length: 20, h_addr_list: 24 },
  servent: { size: 32, s_name: 0, s_aliases: 8, s_port: 16, s_proto: 24 },
  protoent: { size: 24, p_name: 0, p_aliases: 8, p_proto: 16 },
  pollfd: { size: 8, fd: 0, events: 4, revents: 6 },
  if_nameindex: { size: 16, if_index: 0, if_name: 8 },
  ucred: { size: 12, pid: 0, uid: 4, gid: 8 },
  timeval: { size: 16, tv_sec: 0, tv_usec: 8, tv_usecSize: 8 },
  timespec: { size: 16, tv_sec: 0, tv_nsec: 8 },
  linger: { size: 8, l_onoff: 0, l_linger: 4 },
  // The structures below were checked on linux x86_64 (glibc 2.36, UAPI headers 6.1,
  // BlueZ 5.66 headers) with a C program printing sizeof/offsetof of each field:
  // <netinet/in.h>, <linux/netlink.h>, <linux/if_packet.h>, <linux/can.h>,
  // <linux/tipc.h>, <linux/vm_sockets.h>, <linux/if_alg.h>, <bluetooth/*.h>.
  // None holds a pointer or a long, so aarch64 has the same layout.
  in_pktinfo: { size: 12, ipi_ifindex: 0, ipi_spec_dst: 4, ipi_addr: 8 },
  in6_pktinfo: { size: 20, ipi6_addr: 0, ipi6_ifindex: 16 },
  sockaddr_nl: { size: 12, nl_pid: 4, nl_groups: 8 },
  sockaddr_ll: {
    size: 20,
    sll_protocol: 2,
    sll_ifindex: 4,
    sll_hatype: 8,
    sll_pkttype: 10,
    sll_halen: 11,
    sll_addr: 12,
    addrMax: 8,
  },
  sockaddr_can: {
    size: 24,
    can_ifindex: 4,
    tp_rx_id: 8,
    tp_tx_id: 12,
    j1939_name: 8,
    j1939_pgn: 16,
    j1939_addr: 20,
  },
  sockaddr_tipc: {
    size: 16,
    addrtype: 2,
    scope: 3,
    nameseq_type: 4,
    nameseq_lower: 8,
    nameseq_upper: 12,
    name_type: 4,
    name_instance: 8,
    name_domain: 12,
    id_ref: 4,
    id_node: 8,
  },
  sockaddr_vm: { size: 16, svm_port: 4, svm_cid: 8, svm_flags: 12 },
  sockaddr_alg: {
    size: 88,
    salg_type: 2,
    typeMax: 14,
    salg_feat: 16,
    salg_mask: 20,
    salg_name: 24,
    nameMax: 64,
  },
  sockaddr_l2: { size: 14, l2_psm: 2, l2_bdaddr: 4, l2_cid: 10, l2_bdaddr_type: 12 },
  sockaddr_rc: { size: 10, rc_bdaddr: 2, rc_channel: 8 },
  sockaddr_hci: { size: 6, hci_dev: 2, hci_channel: 4 },
  sockaddr_sco: { size: 8, sco_bdaddr: 2 },
  IF_NAMESIZE: 16,
  NI_MAXHOST: 1025,
  NI_MAXSERV: 32,
  IOV_MAX: 1024,
  MAX_RW: 0x7ffff000,
};

/** Linux on x86_64: `struct epoll_event` is packed (12 bytes). */
export const linux_x86_64: LinuxLayout = {
  ...linux64,
  epoll_event: { size: 12, events: 0, data: 4 },
};

/** Linux on aarch64: `struct epoll_event` is naturally aligned (16 bytes). */
export const linux_aarch64: LinuxLayout = {
  ...linux64,
  epoll_event: { size: 16, events: 0, data: 8 },
};

/**
 * macOS on arm64 and x86_64 (LP64, the same layouts on both), from the macOS
 * SDK headers: <sys/socket.h>, <sys/un.h>, <netinet/in.h>, <netdb.h>,
 * <poll.h>, <sys/event.h>, <net/if.h>, <sys/_types/_timeval.h>.
 */
const darwin64: DarwinLayout = {
  pointerSize: 8,
  saLen: true,
  sockaddr_storage: { size: 128 },
  sa_family: { offset: 1, size: 1 },
  sockaddr_in: { size: 16, sin_port: 2, sin_addr: 4 },
  sockaddr_in6: { size: 28, sin6_port: 2, sin6_flowinfo: 4, sin6_addr: 8, sin6_scope_id: 24 },
  sockaddr_un: { size: 106, sun_path: 2, pathMax: 104 },
  msghdr: {
    size: 48,
    msg_name: 0,
    msg_namelen: 8,
    msg_iov: 16,
    msg_iovlen: 24,
    msg_control: 32,
    msg_controllen: 40,
    msg_flags: 44,
    msg_iovlenSize: 4,
    msg_controllenSize: 4,
  },
  iovec: { size: 16, iov_base: 0, iov_len: 8 },
  cmsghdr: { size: 12, cmsg_len: 0, cmsg_lenSize: 4, cmsg_level: 4, cmsg_type: 8, align: 4 },
  addrinfo: {
    size: 48,
    ai_flags: 0,
    ai_family: 4,
    ai_socktype: 8,
    ai_protocol: 12,
    ai_addrlen: 16,
    ai_canonname: 24,
    ai_addr: 32,
    ai_next: 40,
  },
  hostent: { size: 32, h_name: 0, h_aliases: 8, h_addrtype: 16, h_length: 20, h_addr_list: 24 },
  servent: { size: 32, s_name: 0, s_aliases: 8, s_port: 16, s_proto: 24 },
  protoent: { size: 24, p_name: 0, p_aliases: 8, p_proto: 16 },
  pollfd: { size: 8, fd: 0, events: 4, revents: 6 },
  kevent: { size: 32, ident: 0, filter: 8, flags: 10, fflags: 12, data: 16, udata: 24 },
  if_nameindex: { size: 16, if_index: 0, if_name: 8 },
  timeval: { size: 16, tv_sec: 0, tv_usec: 8, tv_usecSize: 4 },
  timespec: { size: 16, tv_sec: 0, tv_nsec: 8 },
  linger: { size: 8, l_onoff: 0, l_linger: 4 },
  in_pktinfo: { size: 12, ipi_ifindex: 0, ipi_spec_dst: 4, ipi_addr: 8 },
  in6_pktinfo: { size: 20, ipi6_addr: 0, ipi6_ifindex: 16 },
  IF_NAMESIZE: 16,
  NI_MAXHOST: 1025,
  NI_MAXSERV: 32,
  IOV_MAX: 1024,
  MAX_RW: 0x7fffffff,
};

/** macOS on Apple silicon. */
export const darwin_aarch64: DarwinLayout = darwin64;

/** macOS on Intel. */
export const darwin_x86_64: DarwinLayout = darwin64;
