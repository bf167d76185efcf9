// Tests for src/connection.ts: create_connection, create_server,
// has_dualstack_ipv6, has_ipv6. Loopback only (127.0.0.0/8 and ::1).
import { assert, assertEquals, assertThrows, fail } from "@std/assert";
import * as S from "../mod.ts";
import { findPython, run } from "./_oracle.ts";

const PYTHON = await findPython();

function openFds(): number {
  return [...Deno.readDirSync("/dev/fd")].length;
}

/** A loopback TCP port nobody listens on (bound, then closed). */
function closedPort(): number {
  using s = S.socket(S.AF_INET, S.SOCK_STREAM);
  s.bind(["127.0.0.1", 0]);
  return (s.getsockname() as [string, number])[1];
}

function portOf(s: S.Socket): number {
  return (s.getsockname() as [string, number])[1];
}

const hello = new TextEncoder().encode("hello");

Deno.test("create_connection() connects over IPv4 loopback", () => {
  using server = S.create_server(["127.0.0.1", 0]);
  using conn = S.create_connection(["127.0.0.1", portOf(server)]);
  const [peer, addr] = server.accept();
  using _peer = peer;
  assertEquals(conn.family, S.AF_INET);
  assertEquals(conn.type, S.SOCK_STREAM);
  assertEquals(addr, conn.getsockname());
  conn.sendall(hello);
  assertEquals(peer.recv(16), hello);
});

Deno.test("create_connection() connects over IPv6 loopback", () => {
  using server = S.create_server(["::1", 0], { family: S.AF_INET6 });
  using conn = S.create_connection(["::1", portOf(server)]);
  const [peer] = server.accept();
  using _peer = peer;
  assertEquals(conn.family, S.AF_INET6);
  assertEquals(conn.getpeername(), ["::1", portOf(server), 0, 0]);
  peer.sendall(hello);
  assertEquals(conn.recv(16), hello);
});

Deno.test("create_connection() resolves a name and takes the port as a service string", () => {
  using server = S.create_server(["127.0.0.1", 0]);
  using conn = S.create_connection(["localhost", String(portOf(server))]);
  assertEquals((conn.getpeername() as [string, number])[1], portOf(server));
  server.accept()[0].close();
});

Deno.test("create_connection() binds to source_address first", () => {
  using server = S.create_server(["127.0.0.1", 0]);
  using conn = S.create_connection(["127.0.0.1", portOf(server)], undefined, ["127.0.0.2", 0]);
  const [peer, addr] = server.accept();
  using _peer = peer;
  assertEquals((conn.getsockname() as [string, number])[0], "127.0.0.2");
  assertEquals((addr as [string, number])[0], "127.0.0.2");
  // An empty source (Python's falsy tuple) means no bind.
  using conn2 = S.create_connection(["127.0.0.1", portOf(server)], undefined, []);
  assertEquals((conn2.getsockname() as [string, number])[0], "127.0.0.1");
  server.accept()[0].close();
});

Deno.test("create_connection() sets the timeout given, null as blocking, and the default when omitted", () => {
  using server = S.create_server(["127.0.0.1", 0]);
  const addr: [string, number] = ["127.0.0.1", portOf(server)];
  using a = S.create_connection(addr, 2.5);
  assertEquals(a.gettimeout(), 2.5);
  using b = S.create_connection(addr, null);
  assertEquals(b.gettimeout(), null);
  assertEquals(b.getblocking(), true);
  const saved = S.getdefaulttimeout();
  S.setdefaulttimeout(4);
  try {
    using c = S.create_connection(addr);
    assertEquals(c.gettimeout(), 4);
  } finally {
    S.setdefaulttimeout(saved);
  }
  for (let i = 0; i < 3; i++) server.accept()[0].close();
});

Deno.test("create_connection() raises timeout when the connect does not complete in time", () => {
  // With a backlog of 0 the accept queue holds one connection; once it is
  // full, Linux drops further SYNs, so the next connect waits until timeout.
  using server = S.create_server(["127.0.0.1", 0], { backlog: 0 });
  const addr: [string, number] = ["127.0.0.1", portOf(server)];
  const held: S.Socket[] = [];
  const before = openFds();
  let timedOut: unknown = null;
  try {
    for (let i = 0; i < 8 && timedOut === null; i++) {
      try {
        held.push(S.create_connection(addr, 0.3));
      } catch (e) {
        timedOut = e;
      }
    }
  } finally {
    for (const s of held) s.close();
  }
  assert(
    timedOut instanceof S.timeout,
    `no timeout after ${held.length} connections: ${timedOut}`,
  );
  assertEquals((timedOut as S.timeout).message, "timed out");
  assertEquals(openFds(), before, "the socket of the failed attempt is closed");
});

Deno.test("create_connection() tries every address and raises the last error when all fail", () => {
  const port = closedPort();
  const tried = S.getaddrinfo(null, port, 0, S.SOCK_STREAM);
  assert(tried.length >= 1);
  const before = openFds();
  assertThrows(
    () => S.create_connection([null, port]),
    S.SocketError,
    "[Errno 111] Connection refused",
  );
  assertEquals(openFds(), before, "every failed socket is closed");
});

Deno.test("create_connection() with all_errors raises an AggregateError of every attempt", () => {
  const port = closedPort();
  const tried = S.getaddrinfo(null, port, 0, S.SOCK_STREAM);
  try {
    S.create_connection([null, port], 1, null, { all_errors: true });
    fail("connected to a closed port");
  } catch (e) {
    assert(e instanceof AggregateError, String(e));
    assertEquals(e.message, "create_connection failed");
    assertEquals(e.errors.length, tried.length);
    for (const err of e.errors) assertEquals((err as S.SocketError).code, "ECONNREFUSED");
  }
});

Deno.test("create_connection() reports resolver and argument errors", () => {
  assertThrows(() => S.create_connection(["", 80]), S.gaierror, "Name or service not known");
  assertThrows(
    () => S.create_connection("127.0.0.1:80" as unknown as [string, number]),
    TypeError,
    "create_connection() address must be [host, port], not string",
  );
  assertThrows(
    () => S.create_connection(["127.0.0.1", 80, 0] as unknown as [string, number]),
    RangeError,
    "create_connection() address must have 2 elements [host, port], not 3",
  );
  assertThrows(
    () => S.create_connection(["127.0.0.1", 80], -1),
    RangeError,
    "Timeout value out of range",
  );
});

Deno.test("create_server() listens with SO_REUSEADDR, and reuse_port lets two servers share a port", () => {
  using a = S.create_server(["127.0.0.1", 0], { reuse_port: true, backlog: 5 });
  assertEquals(a.getsockopt(S.SOL_SOCKET, S.SO_REUSEADDR), 1);
  assertEquals(a.getsockopt(S.SOL_SOCKET, S.SO_ACCEPTCONN), 1);
  using b = S.create_server(["127.0.0.1", portOf(a)], { reuse_port: true });
  assertEquals(portOf(b), portOf(a));
});

Deno.test("create_server() for AF_INET6 sets IPV6_V6ONLY unless dualstack_ipv6", () => {
  using v6 = S.create_server(["::1", 0], { family: S.AF_INET6 });
  assertEquals(v6.getsockopt(S.IPPROTO_IPV6, S.IPV6_V6ONLY), 1);
  if (!S.has_dualstack_ipv6()) return;
  using dual = S.create_server(["", 0], { family: S.AF_INET6, dualstack_ipv6: true });
  assertEquals(dual.getsockopt(S.IPPROTO_IPV6, S.IPV6_V6ONLY), 0);
  using c4 = S.create_connection(["127.0.0.1", portOf(dual)]);
  const [peer, addr] = dual.accept();
  using _peer = peer;
  assertEquals(addr[0], "::ffff:127.0.0.1");
  assertEquals(c4.family, S.AF_INET);
});

Deno.test("create_server() wraps a bind error with the address and closes the socket", () => {
  using a = S.create_server(["127.0.0.1", 0]);
  const port = portOf(a);
  const before = openFds();
  const e = assertThrows(
    () => S.create_server(["127.0.0.1", port]),
    S.SocketError,
    `Address already in use (while attempting to bind on address ('127.0.0.1', ${port}))`,
  );
  assertEquals(e.code, "EADDRINUSE");
  assertEquals(openFds(), before);
  assertThrows(
    () => S.create_server(["127.0.0.1", 0], { dualstack_ipv6: true }),
    RangeError,
    "dualstack_ipv6 requires AF_INET6 family",
  );
  assertThrows(
    () => S.create_server(["127.0.0.1", "x" as unknown as number]),
    TypeError,
    "port must be an integer, not string",
  );
  assertEquals(openFds(), before);
});

Deno.test({
  name: "has_ipv6 and has_dualstack_ipv6() agree with CPython",
  ignore: PYTHON === null,
  async fn(): Promise<void> {
    const r = await run(PYTHON!, [
      "-c",
      "import socket, json; print(json.dumps([socket.has_ipv6, socket.has_dualstack_ipv6()]))",
    ]);
    assert(r !== null && r.code === 0, r?.stderr);
    assertEquals([S.has_ipv6, S.has_dualstack_ipv6()], JSON.parse(r.stdout));
    assertEquals(typeof S.has_ipv6, "boolean");
  },
});
