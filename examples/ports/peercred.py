"""SO_PEERCRED: who is at the other end of a unix socket."""
import os
import socket
import struct
import tempfile

CRED = struct.Struct("3i")  # struct ucred { pid_t pid; uid_t uid; gid_t gid; }


def show(label, sock):
    pid, uid, gid = CRED.unpack(sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, CRED.size))
    print(f"{label}: pid is mine: {pid == os.getpid()}, uid: {uid == os.getuid()}, gid: {gid == os.getgid()}")


a, b = socket.socketpair()
show("socketpair", a)
a.close()
b.close()

with tempfile.TemporaryDirectory() as d:
    path = os.path.join(d, "cred.sock")
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as srv:
        srv.bind(path)
        srv.listen(1)
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as cli:
            cli.connect(path)
            conn, addr = srv.accept()
            with conn:
                print("accepted from:", repr(addr))
                show("server side", conn)
                show("client side", cli)
                print("client peer name ends with cred.sock:", cli.getpeername().endswith("cred.sock"))
