// Tests for src/connection.ts: create_connection, create_server,
// has_dualstack_ipv6, has_ipv6. Loopback only (127.0.0.0/8 and ::1).
import assert from "node:assert/strict";
import * as S from "../mod.ts";
import { findPython, run } from "./_oracle.ts";

const PYTHON = await findPython();

function openFds(): number {
  return [...Deno.readDirSync("/proc/self/fd")].length;
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
  assert.equal(conn.family, S.AF_INET);
  assert.equal(conn.type, S.SOCK_STREAM);
  assert.deepEqual(addr, conn.getsockname());
  conn.sendall(hello);
  assert.deepEqual(peer.recv(16), hello);
});

Deno.test("create_connection() connects over IPv6 loopback", () => {
  using server = S.create_server(["::1", 0], { family: S.AF_INET6 });
  using conn = S.create_connection(["::1", portOf(server)]);
  const [peer] = server.accept();
  using _peer = peer;
  assert.equal(conn.family, S.AF_INET6);
  assert.deepEqual(conn.getpeername(), ["::1", portOf(server), 0, 0]);
  peer.sendall(hello);
  assert.deepEqual(conn.recv(16), hello);
});

Deno.test("create_connection() resolves a name and takes the port as a service string", () => {
  using server = S.create_server(["127.0.0.1", 0]);
  using conn = S.create_connection(["localhost", String(portOf(server))]);
  assert.equal((conn.getpeername() as [string, number])[1], portOf(server));
  server.accept()[0].close();
});

Deno.test("create_connection() binds to source_address first", () => {
  using server = S.create_server(["127.0.0.1", 0]);
  using conn = S.create_connection(["127.0.0.1", portOf(server)], undefined, ["127.0.0.2", 0]);
  const [peer, addr] = server.accept();
  using _peer = peer;
  assert.equal((conn.getsockname() as [string, number])[0], "127.0.0.2");
  assert.equal((addr as [string, number])[0], "127.0.0.2");
  // An empty source (Python's falsy tuple) means no bind.
  using conn2 = S.create_connection(["127.0.0.1", portOf(server)], undefined, []);
  assert.equal((conn2.getsockname() as [string, number])[0], "127.0.0.1");
  server.accept()[0].close();
});

Deno.test("create_connection() sets the timeout given, null as blocking, and the default when omitted", () => {
  using server = S.create_server(["127.0.0.1", 0]);
  const addr: [string, number] = ["127.0.0.1", portOf(server)];
  using a = S.create_connection(addr, 2.5);
  assert.equal(a.gettimeout(), 2.5);
  using b = S.create_connection(addr, null);
  assert.equal(b.gettimeout(), null);
  assert.equal(b.getblocking(), true);
  const saved = S.getdefaulttimeout();
  S.setdefaulttimeout(4);
  try {
    using c = S.create_connection(addr);
    assert.equal(c.gettimeout(), 4);
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
  assert.ok(
    timedOut instanceof S.timeout,
    `no timeout after ${held.length} connections: ${timedOut}`,
  );
  assert.equal((timedOut as S.timeout).message, "timed out");
  assert.equal(openFds(), before, "the socket of the failed attempt is closed");
});

Deno.test("create_connection() tries every address and raises the last error when all fail", () => {
  const port = closedPort();
  const tried = S.getaddrinfo(null, port, 0, S.SOCK_STREAM);
  assert.ok(tried.length >= 1);
  const before = openFds();
  assert.throws(
    () => S.create_connection([null, port]),
    (e: unknown) => e instanceof S.SocketError && e.code === "ECONNREFUSED",
  );
  assert.equal(openFds(), before, "every failed socket is closed");
});

Deno.test("create_connection() with all_errors raises an AggregateError of every attempt", () => {
  const port = closedPort();
  const tried = S.getaddrinfo(null, port, 0, S.SOCK_STREAM);
  try {
    S.create_connection([null, port], 1, null, { all_errors: true });
    assert.fail("connected to a closed port");
  } catch (e) {
    assert.ok(e instanceof AggregateError, String(e));
    assert.equal(e.message, "create_connection failed");
    assert.equal(e.errors.length, tried.length);
    for (const err of e.errors) assert.equal((err as S.SocketError).code, "ECONNREFUSED");
  }
});

Deno.test("create_connection() reports resolver and argument errors", () => {
  assert.throws(() => S.create_connection(["", 80]), S.gaierror);
  assert.throws(
    () => S.create_connection("127.0.0.1:80" as unknown as [string, number]),
    TypeError,
  );
  assert.throws(
    () => S.create_connection(["127.0.0.1", 80, 0] as unknown as [string, number]),
    RangeError,
  );
  assert.throws(() => S.create_connection(["127.0.0.1", 80], -1), RangeError);
});

Deno.test("create_server() listens with SO_REUSEADDR, and reuse_port lets two servers share a port", () => {
  using a = S.create_server(["127.0.0.1", 0], { reuse_port: true, backlog: 5 });
  assert.equal(a.getsockopt(S.SOL_SOCKET, S.SO_REUSEADDR), 1);
  assert.equal(a.getsockopt(S.SOL_SOCKET, S.SO_ACCEPTCONN), 1);
  using b = S.create_server(["127.0.0.1", portOf(a)], { reuse_port: true });
  assert.equal(portOf(b), portOf(a));
});

Deno.test("create_server() for AF_INET6 sets IPV6_V6ONLY unless dualstack_ipv6", () => {
  using v6 = S.create_server(["::1", 0], { family: S.AF_INET6 });
  assert.equal(v6.getsockopt(S.IPPROTO_IPV6, S.IPV6_V6ONLY), 1);
  if (!S.has_dualstack_ipv6()) return;
  using dual = S.create_server(["", 0], { family: S.AF_INET6, dualstack_ipv6: true });
  assert.equal(dual.getsockopt(S.IPPROTO_IPV6, S.IPV6_V6ONLY), 0);
  using c4 = S.create_connection(["127.0.0.1", portOf(dual)]);
  const [peer, addr] = dual.accept();
  using _peer = peer;
  assert.equal((addr as [string, number])[0], "::ffff:127.0.0.1");
  assert.equal(c4.family, S.AF_INET);
});

Deno.test("create_server() wraps a bind error with the address and closes the socket", () => {
  using a = S.create_server(["127.0.0.1", 0]);
  const port = portOf(a);
  const before = openFds();
  assert.throws(
    () => S.create_server(["127.0.0.1", port]),
    (e: unknown) =>
      e instanceof S.SocketError && e.code === "EADDRINUSE" &&
      e.strerror ===
        `Address already in use (while attempting to bind on address ('127.0.0.1', ${port}))`,
  );
  assert.equal(openFds(), before);
  assert.throws(() => S.create_server(["127.0.0.1", 0], { dualstack_ipv6: true }), RangeError);
  assert.throws(() => S.create_server(["127.0.0.1", "x" as unknown as number]), TypeError);
  assert.equal(openFds(), before);
});

Deno.test({
  name: "has_ipv6 and has_dualstack_ipv6() agree with CPython",
  ignore: PYTHON === null,
  async fn(): Promise<void> {
    const r = await run(PYTHON!, [
      "-c",
      "import socket, json; print(json.dumps([socket.has_ipv6, socket.has_dualstack_ipv6()]))",
    ]);
    assert.ok(r !== null && r.code === 0, r?.stderr);
    assert.deepEqual([S.has_ipv6, S.has_dualstack_ipv6()], JSON.parse(r.stdout));
    assert.equal(typeof S.has_ipv6, "boolean");
  },
});
