/**
 * Port of multicast.py: multicast on the loopback interface: join a group
 * with ip_mreqn, receive a datagram with IP_PKTINFO, and print where it was
 * addressed to.
 */
import {
  AF_INET,
  CMSG_SPACE,
  if_indextoname,
  if_nametoindex,
  inet_aton,
  inet_ntoa,
  IP_ADD_MEMBERSHIP,
  IP_DROP_MEMBERSHIP,
  IP_MULTICAST_IF,
  IP_MULTICAST_LOOP,
  IP_MULTICAST_TTL,
  IP_PKTINFO,
  IPPROTO_IP,
  SO_REUSEADDR,
  SOCK_DGRAM,
  socket,
  SOL_SOCKET,
} from "@sockffi/socket";

const GROUP = "239.255.42.99";

const lo = if_nametoindex("lo");
// struct ip_mreqn { struct in_addr imr_multiaddr, imr_address; int imr_ifindex; }
const mreqn = new Uint8Array(12);
mreqn.set(inet_aton(GROUP), 0);
mreqn.set(inet_aton("0.0.0.0"), 4);
new DataView(mreqn.buffer).setInt32(8, lo, true);

const rx = socket(AF_INET, SOCK_DGRAM);
rx.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1);
rx.bind([GROUP, 0]);
const port = rx.getsockname()[1];
rx.setsockopt(IPPROTO_IP, IP_ADD_MEMBERSHIP, mreqn);
rx.setsockopt(IPPROTO_IP, IP_PKTINFO, 1);
rx.settimeout(5);

const tx = socket(AF_INET, SOCK_DGRAM);
tx.setsockopt(IPPROTO_IP, IP_MULTICAST_IF, mreqn);
tx.setsockopt(IPPROTO_IP, IP_MULTICAST_LOOP, 1);
tx.setsockopt(IPPROTO_IP, IP_MULTICAST_TTL, 0);
tx.bind(["127.0.0.1", 0]);
console.log("loop:", tx.getsockopt(IPPROTO_IP, IP_MULTICAST_LOOP));
console.log("ttl:", tx.getsockopt(IPPROTO_IP, IP_MULTICAST_TTL));

for (const text of ["first datagram", "second datagram"]) {
  tx.sendto(new TextEncoder().encode(text), [GROUP, port]);
  const [data, ancdata, flags, addr] = rx.recvmsg(1024, CMSG_SPACE(12));
  console.log(
    "received:",
    new TextDecoder().decode(data),
    "flags:",
    flags,
    "from:",
    addr[0],
    addr[1] === tx.getsockname()[1],
  );
  for (const [level, kind, cdata] of ancdata) {
    if (level === IPPROTO_IP && kind === IP_PKTINFO) {
      // struct in_pktinfo { int ipi_ifindex; struct in_addr ipi_spec_dst, ipi_addr; }
      const ifindex = new DataView(cdata.buffer, cdata.byteOffset).getInt32(0, true);
      console.log(
        "pktinfo: interface",
        if_indextoname(ifindex),
        "local",
        inet_ntoa(cdata.subarray(4, 8)),
        "destination",
        inet_ntoa(cdata.subarray(8, 12)),
      );
    }
  }
}

rx.setsockopt(IPPROTO_IP, IP_DROP_MEMBERSHIP, mreqn);
tx.close();
rx.close();
