"""A syslog daemon and client over AF_UNIX datagram sockets, as
logging.handlers.SysLogHandler talks to /dev/log: "<PRI>message" datagrams.
"""
import os
import socket
import tempfile

FACILITIES = {1: "user", 3: "daemon", 16: "local0"}
SEVERITIES = ["emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"]


def encode(facility, severity, message):
    return f"<{facility * 8 + severity}>{message}".encode("utf-8")


with tempfile.TemporaryDirectory() as d:
    path = os.path.join(d, "log")
    daemon = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    daemon.bind(path)
    print("daemon bound to a path ending in /log:", daemon.getsockname().endswith("/log"))

    client = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    client.connect(path)
    client.send(encode(1, 6, "app[42]: started"))
    client.send(encode(3, 3, "db: connection lost"))
    client.sendto(encode(16, 7, "trace: x=1 ü"), path)

    named = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    named.bind(os.path.join(d, "client"))
    named.sendto(encode(1, 4, "from a named socket"), path)

    daemon.settimeout(5)
    for _ in range(4):
        data, addr = daemon.recvfrom(2048)
        text = data.decode("utf-8")
        pri, _, message = text[1:].partition(">")
        facility, severity = divmod(int(pri), 8)
        sender = "unnamed" if not addr else os.path.basename(addr)
        print(f"{FACILITIES[facility]}.{SEVERITIES[severity]}: {message} (from {sender}, {repr(addr) if not addr else 'a path'})")
    for s in (daemon, client, named):
        s.close()
