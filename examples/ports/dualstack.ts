/**
 * Port of dualstack.py: a dual-stack TCP server from create_server(): one
 * AF_INET6 socket takes IPv4 clients (as ::ffff:a.b.c.d) and IPv6 clients
 * alike.
 */
import {
  AddressFamily,
  AF_INET6,
  create_connection,
  create_server,
  has_dualstack_ipv6,
  has_ipv6,
  IPPROTO_IPV6,
  IPV6_V6ONLY,
} from "@sockffi/socket";

if (!(has_ipv6 && has_dualstack_ipv6())) {
  console.log("no dual-stack IPv6 here");
  Deno.exit(0);
}
{
  using srv = create_server(["", 0], { family: AF_INET6, dualstack_ipv6: true });
  const [host, port, flowinfo, scope_id] = srv.getsockname();
  console.log("listening on", `'${host}'`, "flowinfo", flowinfo, "scope", scope_id);
  console.log("v6only:", srv.getsockopt(IPPROTO_IPV6, IPV6_V6ONLY));
  for (const clientHost of ["127.0.0.1", "::1"]) {
    using c = create_connection([clientHost, port]);
    const [conn, addr] = srv.accept();
    using _conn = conn;
    c.sendall(new TextEncoder().encode(clientHost));
    console.log(
      "client",
      clientHost,
      "arrives as",
      `'${addr[0]}'`,
      "tuple of",
      addr.length,
      "says",
      new TextDecoder().decode(conn.recv(64)),
      "; peer port matches:",
      addr[1] === c.getsockname()[1],
    );
    console.log(
      "  server side family:",
      AddressFamily[conn.family],
      "client family:",
      AddressFamily[c.family],
    );
  }
}
