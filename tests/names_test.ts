/**
 * The socket module's names a ported program reaches for: Python's repr of
 * a socket (String(s), compared with CPython's on the same descriptors) and
 * console.log(s); read-only family/type/proto/timeout; module-level dup();
 * SocketIO as a value; sendmsg_afalg() on a socket that is not AF_ALG.
 */
import { assert, assertEquals, assertMatch, assertNotEquals, assertThrows } from "@std/assert";
import {
  AF_INET,
  AF_INET6,
  AF_NETLINK,
  AF_UNIX,
  close,
  dup,
  inet_aton,
  type InetAddress,
  SOCK_DGRAM,
  SOCK_RAW,
  SOCK_STREAM,
  socket,
  SocketError,
  SocketIO,
  socketpair,
} from "../mod.ts";
import { ALG_OP_ENCRYPT } from "./_linux.ts";
import { fdTarget, HAS_IPV6, PYTHON, run } from "./_sock_util.ts";
import { nextTestOnLinux } from "./_platform.ts";

const PY_REPR = String.raw`
import json, socket, sys
out = []
for arg in sys.argv[1:]:
    family, kind, proto, fd = map(int, arg.split(","))
    s = socket.socket(family, kind, proto, fileno=fd)
    out.append(repr(s))
    s.detach()
print(json.dumps(out))
`;

if (PYTHON === null) {
  console.log("names_test: python3 not found, so the repr is not compared with CPython's");
}

nextTestOnLinux("AF_NETLINK and the abstract unix namespace are Linux's");
Deno.test({
  name: "String(s) is CPython's repr of a socket on the same descriptor",
  ignore: PYTHON === null,
  async fn(): Promise<void> {
    const socks = [];
    const lis = socket(AF_INET, SOCK_STREAM);
    lis.bind(["127.0.0.1", 0]);
    lis.listen();
    const cli = socket(AF_INET, SOCK_STREAM);
    cli.connect(lis.getsockname());
    const [conn] = lis.accept();
    const fresh = socket(AF_INET, SOCK_DGRAM);
    const abstract = socket(AF_UNIX, SOCK_DGRAM);
    abstract.bind(new TextEncoder().encode(`\0sockffi-names-${Deno.pid}`));
    const [pa, pb] = socketpair();
    const nl = socket(AF_NETLINK, SOCK_RAW, 0);
    nl.bind([0, 0]);
    socks.push(lis, cli, conn, fresh, abstract, pa, pb, nl);
    if (HAS_IPV6) {
      const six = socket(AF_INET6, SOCK_DGRAM);
      six.bind(["::1", 0]);
      socks.push(six);
    }
    try {
      for (const s of socks) s.set_inheritable(true);
      const args = socks.map((s) => [s.family, s.type, s.proto, s.fileno()].join(","));
      const r = await run(PYTHON!, ["-c", PY_REPR, ...args]);
      assert(r !== null && r.code === 0, r?.stderr);
      assertEquals(socks.map(String), JSON.parse(r.stdout));
    } finally {
      for (const s of socks) s.close();
    }
    assertMatch(String(cli), /^<socket\.socket \[closed\] fd=-1, family=2, type=1, proto=0>$/);
  },
});

Deno.test("console.log(s) shows the repr with the constants' names", () => {
  using s = socket(AF_INET, SOCK_DGRAM);
  s.bind(["127.0.0.1", 0]);
  const port = s.getsockname()[1];
  assertEquals(
    Deno.inspect(s),
    `<socket.socket fd=${s.fileno()}, family=AF_INET, type=SOCK_DGRAM, proto=0, ` +
      `laddr=('127.0.0.1', ${port})>`,
  );
  const [a, b] = socketpair();
  const f = a.makefile("rb");
  a.close(); // the file keeps the descriptor open: closed, fd still shown (as CPython)
  assertEquals(
    Deno.inspect(a),
    `<socket.socket [closed] fd=${f.fileno()}, family=AF_UNIX, type=SOCK_STREAM, proto=0>`,
  );
  f.close();
  b.close();
  assertEquals(String(a), "<socket.socket [closed] fd=-1, family=1, type=1, proto=0>");
});

Deno.test("family, type, proto and timeout are read-only, as in Python", () => {
  using s = socket(AF_INET, SOCK_STREAM);
  s.settimeout(2.5);
  assertEquals([s.family, s.type, s.proto, s.timeout], [AF_INET, SOCK_STREAM, 0, 2.5]);
  for (const name of ["family", "type", "proto", "timeout"]) {
    assertThrows(() => {
      (s as unknown as Record<string, number>)[name] = 3;
    }, TypeError);
  }
  assertEquals([s.family, s.timeout], [AF_INET, 2.5]);
  s.setblocking(false);
  assertEquals(s.timeout, 0);
});

nextTestOnLinux("compares descriptors through their /proc/self/fd links (fdTarget)");
Deno.test("dup(fd) duplicates a descriptor, non-inheritable, as socket.dup()", () => {
  using s = socket(AF_INET, SOCK_STREAM);
  const fd = dup(s.fileno());
  try {
    assertNotEquals(fd, s.fileno());
    assertEquals(fdTarget(fd), fdTarget(s.fileno())); // the same socket
    const copy = socket(undefined, undefined, undefined, dup(fd));
    assertEquals([copy.family, copy.type], [AF_INET, SOCK_STREAM]);
    assert(!copy.get_inheritable());
    copy.close();
  } finally {
    close(fd);
  }
  assertThrows(() => dup(fd), SocketError, "[Errno 9] Bad file descriptor");
  assertThrows(() => dup(-1), RangeError);
});

Deno.test("SocketIO is a value (instanceof works) and sockets type their addresses by family", () => {
  const [a, b] = socketpair();
  const raw = a.makefile("rb", 0);
  assert(raw instanceof SocketIO);
  raw.close();
  a.close();
  b.close();
  using u = socket(AF_INET, SOCK_DGRAM);
  u.bind(["127.0.0.1", 0]);
  u.sendto(new Uint8Array([1]), u.getsockname());
  const [data, from]: [Uint8Array<ArrayBuffer>, InetAddress] = u.recvfrom(16);
  assertEquals([data.length, from], [1, u.getsockname()]);
});

nextTestOnLinux("AF_ALG is Linux's");
Deno.test("sendmsg_afalg() on a socket that is not AF_ALG raises CPython's error", () => {
  using s = socket(AF_INET, SOCK_DGRAM);
  const e = assertThrows(
    () => s.sendmsg_afalg([new Uint8Array(1)], { op: ALG_OP_ENCRYPT }),
    SocketError,
    "algset is only supported for AF_ALG",
  );
  assertEquals(e.errno, null);
  assertThrows(() => s.sendmsg_afalg({ op: ALG_OP_ENCRYPT }), SocketError, "only supported");
});

Deno.test("results are Uint8Array<ArrayBuffer>: digest, Blob and Response take them as they are", async () => {
  const [a, b] = socketpair();
  try {
    a.sendall(new TextEncoder().encode("abcabc"));
    const data = b.recv(3);
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", data));
    assertEquals(digest.length, 32);
    assertEquals(await new Blob([data]).text(), "abc");
    assertEquals(await new Response(await b.async.recv(3)).text(), "abc");
    a.sendall(new TextEncoder().encode("line\n"));
    const f = b.makefile("rb");
    assertEquals(await new Blob([f.readline()]).text(), "line\n");
    f.close();
    assertEquals((await crypto.subtle.digest("SHA-1", inet_aton("127.0.0.1"))).byteLength, 20);
  } finally {
    a.close();
    b.close();
  }
});
