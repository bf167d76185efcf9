/**
 * Port of ipv6_scope.py: IPv6 link-local addresses carry a scope id (the
 * interface index): getaddrinfo with "%zone", getnameinfo back to text, and
 * a UDP socket bound to ::1 sending to itself with a 4-tuple address.
 */
import {
  AddressFamily,
  AF_INET6,
  getaddrinfo,
  getnameinfo,
  if_nametoindex,
  inet_ntop,
  inet_pton,
  NI_NUMERICHOST,
  NI_NUMERICSERV,
  SOCK_DGRAM,
  socket,
  SocketError,
  SocketKind,
} from "@sockffi/socket";

const lo = if_nametoindex("lo");
console.log("lo index positive:", lo > 0);
const infos = getaddrinfo("fe80::1%lo", 5353, AF_INET6, SOCK_DGRAM);
for (const [family, kind, proto, canon, sockaddr] of infos) {
  const [host, port, flowinfo, scope_id] = sockaddr;
  console.log(
    "getaddrinfo:",
    AddressFamily[family],
    SocketKind[kind],
    proto,
    `'${canon}'`,
    `'${host}'`,
    port,
    flowinfo,
    "scope is lo:",
    scope_id === lo,
  );
  const [h, p] = getnameinfo(sockaddr, NI_NUMERICHOST | NI_NUMERICSERV);
  console.log(`getnameinfo: ('${h}', '${p}')`);
}
const packed = inet_pton(AF_INET6, "fe80::1");
const hex = Array.from(packed, (b) => b.toString(16).padStart(2, "0")).join("");
console.log("inet_pton:", hex, "->", inet_ntop(AF_INET6, packed));
{
  using s = socket(AF_INET6, SOCK_DGRAM);
  s.bind(["::1", 0, 0, 0]);
  const [host, port, flowinfo, scope_id] = s.getsockname();
  console.log("bound:", host, flowinfo, scope_id);
  s.sendto(new TextEncoder().encode("to myself"), [host, port, 0, 0]);
  const [data, [rhost, rport, rflow, rscope]] = s.recvfrom(64);
  console.log(
    "received:",
    new TextDecoder().decode(data),
    "from",
    rhost,
    rport === port,
    rflow,
    rscope,
  );
  try {
    s.sendto(new TextEncoder().encode("x"), ["fe80::1", 9, 0, lo]);
    console.log("send to fe80::1%lo: ok");
  } catch (e) {
    if (!(e instanceof SocketError)) throw e;
    console.log("send to fe80::1%lo:", e.name === "SocketError" ? "OSError" : e.name, e.errno);
  }
}
