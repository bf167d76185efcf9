"""A DNS client over UDP: asks a server for A records and prints the answers.

Usage: dns_client.py PORT NAME...   (the server is on 127.0.0.1:PORT)
"""
import random
import socket
import struct
import sys

QTYPE_A = 1
RCODES = {0: "NOERROR", 2: "SERVFAIL", 3: "NXDOMAIN"}


def encode_name(name):
    out = b""
    for label in name.rstrip(".").split("."):
        out += bytes([len(label)]) + label.encode("ascii")
    return out + b"\0"


def skip_name(msg, off):
    while True:
        n = msg[off]
        if n == 0:
            return off + 1
        if n & 0xC0 == 0xC0:
            return off + 2
        off += 1 + n


def query(sock, server, name):
    qid = random.randrange(65536)
    packet = struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0)
    packet += encode_name(name) + struct.pack("!HH", QTYPE_A, 1)
    sock.sendto(packet, server)
    while True:
        data, addr = sock.recvfrom(512)
        if addr == server and len(data) >= 12 and struct.unpack("!H", data[:2])[0] == qid:
            break
    _, flags, qd, an, _, _ = struct.unpack("!HHHHHH", data[:12])
    off = 12
    for _ in range(qd):
        off = skip_name(data, off) + 4
    answers = []
    for _ in range(an):
        off = skip_name(data, off)
        rtype, rclass, ttl, rdlen = struct.unpack("!HHIH", data[off:off + 10])
        off += 10
        if rtype == QTYPE_A and rdlen == 4:
            answers.append((socket.inet_ntoa(data[off:off + 4]), ttl))
        off += rdlen
    return RCODES.get(flags & 0xF, str(flags & 0xF)), answers


def main():
    server = ("127.0.0.1", int(sys.argv[1]))
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(5.0)
        for name in sys.argv[2:]:
            rcode, answers = query(sock, server, name)
            print(f"{name}: {rcode}")
            for address, ttl in answers:
                print(f"  A {address} ttl={ttl}")


main()
