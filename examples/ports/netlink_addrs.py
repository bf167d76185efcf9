"""A netlink (NETLINK_ROUTE) dump of the addresses of the loopback interface,
as `ip addr show dev lo` finds them: RTM_GETADDR with NLM_F_DUMP.
"""
import socket
import struct

NLMSG_DONE, NLMSG_ERROR = 3, 2
RTM_NEWADDR, RTM_GETADDR = 20, 22
NLM_F_REQUEST, NLM_F_DUMP = 1, 0x300
IFA_ADDRESS, IFA_LABEL = 1, 3
NLMSGHDR = struct.Struct("=IHHII")  # len, type, flags, seq, pid
IFADDRMSG = struct.Struct("=BBBBI")  # family, prefixlen, flags, scope, index
RTATTR = struct.Struct("=HH")  # len, type


def align(n):
    return (n + 3) & ~3


lo = socket.if_nametoindex("lo")
with socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE) as nl:
    nl.bind((0, 0))
    pid, groups = nl.getsockname()
    print("bound: pid is positive:", pid > 0, "groups:", groups)
    body = IFADDRMSG.pack(socket.AF_UNSPEC, 0, 0, 0, 0)
    nl.send(NLMSGHDR.pack(NLMSGHDR.size + len(body), RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, 1, 0) + body)
    found = []
    done = False
    while not done:
        data = nl.recv(65536)
        off = 0
        while off + NLMSGHDR.size <= len(data):
            length, kind, flags, seq, _ = NLMSGHDR.unpack_from(data, off)
            if kind == NLMSG_DONE:
                done = True
                break
            if kind == NLMSG_ERROR:
                raise OSError(-struct.unpack_from("=i", data, off + NLMSGHDR.size)[0], "netlink error")
            if kind == RTM_NEWADDR:
                family, prefixlen, _, scope, index = IFADDRMSG.unpack_from(data, off + NLMSGHDR.size)
                attr = off + NLMSGHDR.size + IFADDRMSG.size
                address = label = None
                while attr < off + length:
                    alen, atype = RTATTR.unpack_from(data, attr)
                    value = data[attr + RTATTR.size:attr + alen]
                    if atype == IFA_ADDRESS:
                        address = socket.inet_ntop(family, value)
                    elif atype == IFA_LABEL:
                        label = value.rstrip(b"\0").decode()
                    attr += align(alen)
                if index == lo:
                    name = "inet" if family == socket.AF_INET else "inet6"
                    found.append(f"{socket.if_indextoname(index)} {name} {address}/{prefixlen} scope {scope} label {label}")
            off += align(length)
    for line in sorted(found):
        print(line)
