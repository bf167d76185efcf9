"""50 concurrent echo clients (threads) against 127.0.0.1:PORT: each sends
three messages and checks the echoes. Prints one line per client, in
client order. Not a port itself (the peer)."""
import socket
import sys
import threading

port, count = int(sys.argv[1]), int(sys.argv[2])
results = [None] * count
start = threading.Barrier(count)


def client(i):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
            start.wait()
            got = []
            for j in range(3):
                msg = f"client {i} message {j}".encode()
                s.sendall(msg)
                buf = b""
                while len(buf) < len(msg):
                    chunk = s.recv(1000)
                    if not chunk:
                        break
                    buf += chunk
                got.append(buf == msg)
            s.shutdown(socket.SHUT_WR)
            results[i] = f"client {i}: {sum(got)}/3 echoed, eof: {s.recv(10) == b''}"
    except Exception as e:
        results[i] = f"client {i}: {type(e).__name__}: {e}"


threads = [threading.Thread(target=client, args=(i,)) for i in range(count)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print("\n".join(results))
