"""IPv6 link-local addresses carry a scope id (the interface index):
getaddrinfo with "%zone", getnameinfo back to text, and a UDP socket bound
to ::1 sending to itself with a 4-tuple address."""
import socket

lo = socket.if_nametoindex("lo")
print("lo index positive:", lo > 0)
infos = socket.getaddrinfo("fe80::1%lo", 5353, socket.AF_INET6, socket.SOCK_DGRAM)
for family, kind, proto, canon, sockaddr in infos:
    host, port, flowinfo, scope_id = sockaddr
    print("getaddrinfo:", family.name, kind.name, proto, repr(canon), repr(host), port, flowinfo,
          "scope is lo:", scope_id == lo)
    print("getnameinfo:", socket.getnameinfo(sockaddr, socket.NI_NUMERICHOST | socket.NI_NUMERICSERV))
packed = socket.inet_pton(socket.AF_INET6, "fe80::1")
print("inet_pton:", packed.hex(), "->", socket.inet_ntop(socket.AF_INET6, packed))
with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as s:
    s.bind(("::1", 0, 0, 0))
    host, port, flowinfo, scope_id = s.getsockname()
    print("bound:", host, flowinfo, scope_id)
    s.sendto(b"to myself", (host, port, 0, 0))
    data, (rhost, rport, rflow, rscope) = s.recvfrom(64)
    print("received:", data.decode(), "from", rhost, rport == port, rflow, rscope)
    try:
        s.sendto(b"x", ("fe80::1", 9, 0, lo))
        print("send to fe80::1%lo: ok")
    except OSError as e:
        print("send to fe80::1%lo:", type(e).__name__, e.errno)
