"""A dual-stack TCP server from create_server(): one AF_INET6 socket takes
IPv4 clients (as ::ffff:a.b.c.d) and IPv6 clients alike."""
import socket

if not (socket.has_ipv6 and socket.has_dualstack_ipv6()):
    print("no dual-stack IPv6 here")
    raise SystemExit(0)
with socket.create_server(("", 0), family=socket.AF_INET6, dualstack_ipv6=True) as srv:
    host, port, flowinfo, scope_id = srv.getsockname()
    print("listening on", repr(host), "flowinfo", flowinfo, "scope", scope_id)
    print("v6only:", srv.getsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY))
    for client_host in ("127.0.0.1", "::1"):
        with socket.create_connection((client_host, port)) as c:
            conn, addr = srv.accept()
            with conn:
                c.sendall(client_host.encode())
                print("client", client_host, "arrives as", repr(addr[0]), "tuple of", len(addr),
                      "says", conn.recv(64).decode(), "; peer port matches:",
                      addr[1] == c.getsockname()[1])
                print("  server side family:", conn.family.name, "client family:", c.family.name)
