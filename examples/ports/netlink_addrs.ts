/**
 * Port of netlink_addrs.py: a netlink (NETLINK_ROUTE) dump of the addresses
 * of the loopback interface, as `ip addr show dev lo` finds them:
 * RTM_GETADDR with NLM_F_DUMP.
 */
import {
  AF_INET,
  AF_NETLINK,
  AF_UNSPEC,
  errorFromErrno,
  if_indextoname,
  if_nametoindex,
  inet_ntop,
  NETLINK_ROUTE,
  SOCK_RAW,
  socket,
} from "@sockffi/socket";

const NLMSG_DONE = 3, NLMSG_ERROR = 2;
const RTM_NEWADDR = 20, RTM_GETADDR = 22;
const NLM_F_REQUEST = 1, NLM_F_DUMP = 0x300;
const IFA_ADDRESS = 1, IFA_LABEL = 3;
const NLMSGHDR_SIZE = 16; // len u32, type u16, flags u16, seq u32, pid u32
const IFADDRMSG_SIZE = 8; // family u8, prefixlen u8, flags u8, scope u8, index u32
const RTATTR_SIZE = 4; // len u16, type u16

function align(n: number): number {
  return (n + 3) & ~3;
}

const lo = if_nametoindex("lo");
{
  using nl = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
  nl.bind([0, 0]);
  const [pid, groups] = nl.getsockname();
  console.log("bound: pid is positive:", pid > 0, "groups:", groups);
  const req = new DataView(new ArrayBuffer(NLMSGHDR_SIZE + IFADDRMSG_SIZE));
  req.setUint32(0, req.byteLength, true);
  req.setUint16(4, RTM_GETADDR, true);
  req.setUint16(6, NLM_F_REQUEST | NLM_F_DUMP, true);
  req.setUint32(8, 1, true);
  req.setUint8(NLMSGHDR_SIZE, AF_UNSPEC);
  nl.send(req);
  const found: string[] = [];
  let done = false;
  while (!done) {
    const data = nl.recv(65536);
    const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
    let off = 0;
    while (off + NLMSGHDR_SIZE <= data.length) {
      const length = v.getUint32(off, true), kind = v.getUint16(off + 4, true);
      if (kind === NLMSG_DONE) {
        done = true;
        break;
      }
      if (kind === NLMSG_ERROR) {
        throw errorFromErrno(-v.getInt32(off + NLMSGHDR_SIZE, true), "netlink error");
      }
      if (kind === RTM_NEWADDR) {
        const m = off + NLMSGHDR_SIZE;
        const family = v.getUint8(m), prefixlen = v.getUint8(m + 1);
        const scope = v.getUint8(m + 3), index = v.getUint32(m + 4, true);
        let attr = m + IFADDRMSG_SIZE;
        let address: string | null = null, label: string | null = null;
        while (attr < off + length) {
          const alen = v.getUint16(attr, true), atype = v.getUint16(attr + 2, true);
          const value = data.subarray(attr + RTATTR_SIZE, attr + alen);
          if (atype === IFA_ADDRESS) address = inet_ntop(family, value);
          else if (atype === IFA_LABEL) label = new TextDecoder().decode(value).replace(/\0+$/, "");
          attr += align(alen);
        }
        if (index === lo) {
          const name = family === AF_INET ? "inet" : "inet6";
          found.push(
            `${if_indextoname(index)} ${name} ${address}/${prefixlen} scope ${scope} label ${
              label ?? "None"
            }`,
          );
        }
      }
      off += align(length);
    }
  }
  for (const line of found.sort()) console.log(line);
}
