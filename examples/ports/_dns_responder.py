"""The DNS server the dns_client port talks to: answers A queries from a table.

Prints its port, then serves until killed. Not a port itself (a peer).
"""
import socket
import struct

TABLE = {
    "www.example.test": ["192.0.2.10", "192.0.2.11"],
    "mail.example.test": ["198.51.100.25"],
}

sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.bind(("127.0.0.1", 0))
print(sock.getsockname()[1], flush=True)
while True:
    data, addr = sock.recvfrom(512)
    qid, flags, qd = struct.unpack("!HHH", data[:6])
    off, labels = 12, []
    while data[off]:
        labels.append(data[off + 1:off + 1 + data[off]].decode("ascii"))
        off += 1 + data[off]
    question = data[12:off + 5]
    name = ".".join(labels)
    addresses = TABLE.get(name)
    rcode = 0 if addresses else 3
    reply = struct.pack("!HHHHHH", qid, 0x8180 | rcode, 1, len(addresses or []), 0, 0)
    reply += question
    for a in addresses or []:
        reply += struct.pack("!HHHIH", 0xC00C, 1, 1, 300, 4) + socket.inet_aton(a)
    sock.sendto(reply, addr)
