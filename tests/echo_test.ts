// The specification's four echo examples (socket.rst, "Example"): the IPv4
// server/client and the IPv4/IPv6 server/client using getaddrinfo, ported to
// TypeScript in tests/fixtures/echo/. Server and client each run in their own
// `deno run --allow-ffi` process (the API is blocking, so they must run
// concurrently), on 127.0.0.1 and ::1. The servers bind port 0 and print the
// port they got, the only addition to the examples. When python3 is present,
// the original Python programs are run against the ported ones and must print
// the same lines.
import { assert, assertEquals, assertMatch } from "@std/assert";
import { fromFileUrl } from "@std/path";
import { Child, HAS_IPV6, PYTHON } from "./_sock_util.ts";

const ECHO = new URL("./fixtures/echo/", import.meta.url);

if (!HAS_IPV6) console.log("echo_test: ::1 is not bindable here, so the IPv6 runs are skipped");
if (PYTHON === null) {
  console.log("echo_test: python3 not found, so the runs against CPython's examples are skipped");
}

/** A ported example as a `deno run --allow-ffi` child. */
function deno(script: string, args: string[]): Child {
  return new Child(Deno.execPath(), [
    "run",
    "--allow-ffi",
    fromFileUrl(new URL(script, ECHO)),
    ...args,
  ]);
}

/** One of the specification's Python examples as a child (HOST and PORT from argv). */
function python(code: string, args: string[]): Child {
  return new Child(PYTHON!, ["-u", "-c", code, ...args]);
}

/** Starts `server`, reads its port, starts the client for it, and returns both outputs. */
async function pair(
  server: Child,
  client: (port: number) => Child,
): Promise<{ server: string[]; client: string[] }> {
  let c: Child | undefined;
  try {
    const first = await server.line();
    const m = /^Listening on port (\d+)$/.exec(first);
    assert(m, `the server printed ${JSON.stringify(first)}`);
    const port = Number(m[1]);
    assert(port > 0);
    c = client(port);
    const cr = await c.finish();
    assertEquals(cr.code, 0, `client failed:\n${cr.rest}\n${cr.stderr}`);
    const sr = await server.finish();
    assertEquals(sr.code, 0, `server failed:\n${sr.rest}\n${sr.stderr}`);
    return { server: sr.rest.trimEnd().split("\n"), client: cr.rest.trimEnd().split("\n") };
  } finally {
    await c?.kill();
    await server.kill();
  }
}

const RECEIVED = "Received b'Hello, world'";

Deno.test("Echo example 1 (IPv4 server and client) on 127.0.0.1", async () => {
  const out = await pair(
    deno("echo_server.ts", ["127.0.0.1", "0"]),
    (port) => deno("echo_client.ts", ["127.0.0.1", String(port)]),
  );
  assertEquals(out.server.length, 1, out.server.join("\n"));
  assertMatch(out.server[0], /^Connected by \('127\.0\.0\.1', \d+\)$/);
  assertEquals(out.client, [RECEIVED]);
});

Deno.test("Echo example 2 (getaddrinfo server and client) on 127.0.0.1", async () => {
  const out = await pair(
    deno("echo_server_gai.ts", ["127.0.0.1", "0"]),
    (port) => deno("echo_client_gai.ts", ["127.0.0.1", String(port)]),
  );
  assertMatch(out.server[0], /^Connected by \('127\.0\.0\.1', \d+\)$/);
  assertEquals(out.server.length, 1);
  assertEquals(out.client, [RECEIVED]);
});

Deno.test({
  name: "Echo example 2 (getaddrinfo server and client) on ::1",
  ignore: !HAS_IPV6,
  async fn(): Promise<void> {
    const out = await pair(
      deno("echo_server_gai.ts", ["::1", "0"]),
      (port) => deno("echo_client_gai.ts", ["::1", String(port)]),
    );
    // AF_INET6 addresses come back as 4-tuples (host, port, flowinfo, scope_id).
    assertMatch(out.server[0], /^Connected by \('::1', \d+, 0, 0\)$/);
    assertEquals(out.server.length, 1);
    assertEquals(out.client, [RECEIVED]);
  },
});

Deno.test("Echo example 2's client connects to the IPv4 example server through 'localhost'", async () => {
  // getaddrinfo('localhost', ...) may list ::1 before 127.0.0.1: the client
  // then gets ECONNREFUSED on ::1 and goes on to the next address, as the
  // example's loop intends.
  const out = await pair(
    deno("echo_server.ts", ["127.0.0.1", "0"]),
    (port) => deno("echo_client_gai.ts", ["localhost", String(port)]),
  );
  assertMatch(out.server[0], /^Connected by \('127\.0\.0\.1', \d+\)$/);
  assertEquals(out.client, [RECEIVED]);
});

// ---- against the original Python programs ----

const PY_SERVER = `
# Echo server program (the specification's IPv4/IPv6 example; HOST and PORT
# from argv, and the port printed, as in the ported version)
import socket
import sys

HOST = sys.argv[1] or None
PORT = int(sys.argv[2])
s = None
for res in socket.getaddrinfo(HOST, PORT, socket.AF_UNSPEC,
                              socket.SOCK_STREAM, 0, socket.AI_PASSIVE):
    af, socktype, proto, canonname, sa = res
    try:
        s = socket.socket(af, socktype, proto)
    except OSError as msg:
        s = None
        continue
    try:
        s.bind(sa)
        s.listen(1)
    except OSError as msg:
        s.close()
        s = None
        continue
    break
if s is None:
    print('could not open socket')
    sys.exit(1)
print('Listening on port', s.getsockname()[1])
conn, addr = s.accept()
with conn:
    print('Connected by', addr)
    while True:
        data = conn.recv(1024)
        if not data: break
        conn.send(data)
`;

const PY_CLIENT = `
# Echo client program (the specification's IPv4/IPv6 example)
import socket
import sys

HOST = sys.argv[1]
PORT = int(sys.argv[2])
s = None
for res in socket.getaddrinfo(HOST, PORT, socket.AF_UNSPEC, socket.SOCK_STREAM):
    af, socktype, proto, canonname, sa = res
    try:
        s = socket.socket(af, socktype, proto)
    except OSError as msg:
        s = None
        continue
    try:
        s.connect(sa)
    except OSError as msg:
        s.close()
        s = None
        continue
    break
if s is None:
    print('could not open socket')
    sys.exit(1)
with s:
    s.sendall(b'Hello, world')
    data = s.recv(1024)
print('Received', repr(data))
`;

/** Replaces the port number in a "Connected by" line, which differs from run to run. */
function noPort(lines: string[]): string[] {
  return lines.map((l) => l.replace(/^(Connected by \('[^']*', )\d+/, "$1PORT"));
}

for (const host of ["127.0.0.1", "::1"]) {
  Deno.test({
    name: `Echo example 2 ported and in CPython print the same lines, both ways, on ${host}`,
    ignore: PYTHON === null || (host === "::1" && !HAS_IPV6),
    async fn(): Promise<void> {
      const ours = await pair(
        deno("echo_server_gai.ts", [host, "0"]),
        (port) => deno("echo_client_gai.ts", [host, String(port)]),
      );
      // CPython's client against our server, and our client against CPython's server.
      const pyClient = await pair(
        deno("echo_server_gai.ts", [host, "0"]),
        (port) => python(PY_CLIENT, [host, String(port)]),
      );
      const pyServer = await pair(
        python(PY_SERVER, [host, "0"]),
        (port) => deno("echo_client_gai.ts", [host, String(port)]),
      );
      assertEquals(pyClient.client, ours.client);
      assertEquals(noPort(pyServer.server), noPort(ours.server));
      assertEquals(pyServer.client, ours.client);
      assertEquals(noPort(pyClient.server), noPort(ours.server));
    },
  });
}
