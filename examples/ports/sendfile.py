"""socket.sendfile(): a file sent whole and in part over a socket pair, with
its SHA-256 on both sides and the file position afterwards."""
import hashlib
import os
import socket
import tempfile

SIZE = 150_000
payload = bytes((i * 7 + i // 256) & 0xFF for i in range(SIZE))


def recv_exactly(sock, n):
    chunks = []
    while n > 0:
        chunk = sock.recv(min(n, 65536))
        if not chunk:
            break
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


with tempfile.TemporaryDirectory() as d:
    path = os.path.join(d, "payload.bin")
    with open(path, "wb") as f:
        f.write(payload)
    srv = socket.create_server(("127.0.0.1", 0))
    a = socket.create_connection(srv.getsockname())
    b, _ = srv.accept()
    srv.close()
    b.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    with open(path, "rb") as f:
        sent = a.sendfile(f)
        print("sent whole:", sent, "position:", f.tell())
        got = recv_exactly(b, sent)
        print("sha256 equal:", hashlib.sha256(got).hexdigest() == hashlib.sha256(payload).hexdigest())
        print("sha256:", hashlib.sha256(got).hexdigest()[:16])
        sent = a.sendfile(f, 1000, 5000)
        print("sent part:", sent, "position:", f.tell())
        got = recv_exactly(b, sent)
        print("part equal:", got == payload[1000:6000])
        f.seek(SIZE - 100)
        sent = a.sendfile(f)  # offset defaults to 0: from the start, wherever the position was
        print("sent after seek:", sent, "position:", f.tell(), "whole:", recv_exactly(b, sent) == payload)
        sent = a.sendfile(f, SIZE - 100)
        print("sent tail:", sent, "position:", f.tell(), "equal:", recv_exactly(b, sent) == payload[-100:])
    a.close()
    print("after close:", repr(b.recv(10)))
    b.close()
