"""An HTTP/1.1 client over a socket and its makefile(): GET a path, print the
status, two headers and the body.

Usage: http_client.py PORT PATH...   (the server is on 127.0.0.1:PORT)
"""
import socket
import sys


def get(port, path):
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        request = (
            f"GET {path} HTTP/1.1\r\n"
            f"Host: 127.0.0.1:{port}\r\n"
            "User-Agent: port-test\r\n"
            "Connection: close\r\n\r\n"
        )
        sock.sendall(request.encode("ascii"))
        with sock.makefile("rb") as f:
            status = f.readline().decode("iso-8859-1").rstrip("\r\n")
            headers = {}
            while True:
                line = f.readline().decode("iso-8859-1")
                if line in ("\r\n", "\n", ""):
                    break
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            length = int(headers.get("content-length", "0"))
            body = f.read(length)
    return status, headers, body


def main():
    port = int(sys.argv[1])
    for path in sys.argv[2:]:
        status, headers, body = get(port, path)
        print(status)
        print("content-type:", headers.get("content-type"))
        print("content-length:", headers.get("content-length"))
        print("body:", len(body), "bytes, first line:", body.split(b"\n")[0].decode("utf-8", "replace"))


main()
