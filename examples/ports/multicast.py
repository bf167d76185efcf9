"""Multicast on the loopback interface: join a group with ip_mreqn, receive a
datagram with IP_PKTINFO, and print where it was addressed to.
"""
import socket
import struct

GROUP = "239.255.42.99"
IP_PKTINFO = getattr(socket, "IP_PKTINFO", 8)  # CPython 3.11 lacks the name

lo = socket.if_nametoindex("lo")
mreqn = struct.pack("4s4si", socket.inet_aton(GROUP), socket.inet_aton("0.0.0.0"), lo)

rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
rx.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
rx.bind((GROUP, 0))
port = rx.getsockname()[1]
rx.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreqn)
rx.setsockopt(socket.IPPROTO_IP, IP_PKTINFO, 1)
rx.settimeout(5)

tx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
tx.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, mreqn)
tx.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, 1)
tx.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 0)
tx.bind(("127.0.0.1", 0))
print("loop:", tx.getsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP))
print("ttl:", tx.getsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL))

for text in ("first datagram", "second datagram"):
    tx.sendto(text.encode(), (GROUP, port))
    data, ancdata, flags, addr = rx.recvmsg(1024, socket.CMSG_SPACE(12))
    print("received:", data.decode(), "flags:", flags, "from:", addr[0], addr[1] == tx.getsockname()[1])
    for level, kind, cdata in ancdata:
        if level == socket.IPPROTO_IP and kind == IP_PKTINFO:
            ifindex, spec_dst, dst = struct.unpack("i4s4s", cdata)
            print(
                "pktinfo: interface", socket.if_indextoname(ifindex),
                "local", socket.inet_ntoa(spec_dst), "destination", socket.inet_ntoa(dst),
            )

rx.setsockopt(socket.IPPROTO_IP, socket.IP_DROP_MEMBERSHIP, mreqn)
tx.close()
rx.close()
