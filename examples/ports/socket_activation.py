"""A systemd socket-activated service: the listening socket arrives as
descriptor 3 (SD_LISTEN_FDS_START) with LISTEN_FDS and LISTEN_PID set.
Serves one connection: reads a line, answers "hello <line>".
"""
import os
import socket
import sys

SD_LISTEN_FDS_START = 3


def listen_fds():
    if os.environ.get("LISTEN_PID") != str(os.getpid()):
        return []
    count = int(os.environ.get("LISTEN_FDS", "0"))
    return list(range(SD_LISTEN_FDS_START, SD_LISTEN_FDS_START + count))


fds = listen_fds()
if not fds:
    print("not socket-activated", file=sys.stderr)
    sys.exit(1)
listener = socket.socket(fileno=fds[0])
print("service: got", len(fds), "socket(s):", listener.family.name, listener.type.name,
      "listening:", listener.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN) == 1, flush=True)
conn, addr = listener.accept()
with conn, conn.makefile("rwb", buffering=0) as f:
    name = f.readline().decode().strip()
    print("service: greeting", name, "from", addr[0], flush=True)
    f.write(f"hello {name}\n".encode())
listener.close()
