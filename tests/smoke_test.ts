/**
 * The portability smoke set: what must work on every supported OS/arch,
 * small enough to run under qemu-user in CI (.ci/aarch64.sh runs this file
 * with the arm64 Deno) and run natively in the normal suite. Import, round
 * trips over a socketpair, TCP, UDP and a unix socket, descriptor passing
 * with SCM_RIGHTS, getaddrinfo on numeric hosts, an async echo through the
 * reactor, and the selected tables checked against the running kernel.
 */
import { assert, assertEquals, assertNotEquals, assertThrows } from "@std/assert";
import {
  AF_INET,
  AF_INET6,
  AF_UNIX,
  AI_NUMERICHOST,
  CMSG_LEN,
  getaddrinfo,
  IPPROTO_TCP,
  IPPROTO_UDP,
  SCM_RIGHTS,
  SO_RCVBUF,
  SO_REUSEADDR,
  SO_TYPE,
  SOCK_DGRAM,
  SOCK_STREAM,
  socket,
  SocketError,
  socketpair,
  SOL_SOCKET,
} from "../mod.ts";
import { features, layout, libc, readiness } from "../ffi/mod.ts";
import { errnoValues, socketValues, sys } from "../constants/mod.ts";
import { EMULATED, IS_DARWIN, IS_LINUX } from "./_platform.ts";
import { HAS_IPV6 } from "./_sock_util.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

if (EMULATED !== null) console.log(`smoke_test: running under ${EMULATED}`);

/** The F_GETFD flags of `fd`, through the library's own fcntl. */
function fdFlags(fd: number): number {
  return libc().fcntl(fd, sys.F_GETFD, 0);
}

Deno.test("smoke: the module imports and picks this system's tables", () => {
  assert(Object.keys(socketValues).length > 100, "a constants table was selected");
  assertEquals(AF_INET, 2);
  assertEquals(typeof SOCK_STREAM, "number");
  if (IS_LINUX) {
    assertEquals(readiness.mechanism, "epoll");
    assertEquals(layout.saLen, false);
    assertEquals(layout.epoll_event?.size, Deno.build.arch === "x86_64" ? 12 : 16);
  }
  if (IS_DARWIN) {
    assertEquals(readiness.mechanism, "kqueue");
    assertEquals(layout.saLen, true);
    assertEquals(layout.kevent?.size, 32);
  }
  assertEquals(features.saLen, layout.saLen);
});

Deno.test("smoke: socketpair round trip; descriptors are close-on-exec", () => {
  const [a, b] = socketpair(AF_UNIX, SOCK_STREAM);
  try {
    assertEquals(a.send(enc.encode("ping")), 4);
    assertEquals(dec.decode(b.recv(16)), "ping");
    b.sendall(enc.encode("pong"));
    assertEquals(dec.decode(a.recv(16)), "pong");
    assertEquals(fdFlags(a.fileno()) & sys.FD_CLOEXEC, sys.FD_CLOEXEC);
    assertEquals(a.getsockopt(SOL_SOCKET, SO_TYPE), SOCK_STREAM);
  } finally {
    a.close();
    b.close();
  }
});

Deno.test("smoke: TCP over 127.0.0.1, accepted socket blocking and close-on-exec", () => {
  using l = socket(AF_INET, SOCK_STREAM);
  l.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1);
  assertNotEquals(l.getsockopt(SOL_SOCKET, SO_REUSEADDR), 0);
  l.bind(["127.0.0.1", 0]);
  l.listen();
  l.settimeout(5); // non-blocking underneath: a BSD accept() would pass that on
  using c = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
  c.connect(l.getsockname() as [string, number]);
  const [s, peer] = l.accept();
  using _s = s;
  assertEquals(peer, c.getsockname());
  assertEquals(s.getblocking(), true);
  assertEquals(fdFlags(s.fileno()) & sys.FD_CLOEXEC, sys.FD_CLOEXEC);
  const big = new Uint8Array(200_000).map((_, i) => i * 7);
  c.sendall(big);
  c.shutdown(1);
  const parts: Uint8Array[] = [];
  for (let r = s.recv(65536); r.length > 0; r = s.recv(65536)) parts.push(r);
  const got = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, p) => (got.set(p, at), at + p.length), 0);
  assertEquals(got, big);
});

Deno.test("smoke: UDP sendto/recvfrom over 127.0.0.1 (and ::1)", () => {
  const hosts: [number, string][] = [[AF_INET, "127.0.0.1"]];
  if (HAS_IPV6) hosts.push([AF_INET6, "::1"]);
  for (const [family, host] of hosts) {
    using rx = socket(family, SOCK_DGRAM, IPPROTO_UDP);
    using tx = socket(family, SOCK_DGRAM);
    rx.bind([host, 0]);
    tx.bind([host, 0]);
    assert(rx.getsockopt(SOL_SOCKET, SO_RCVBUF) > 0);
    const msg = enc.encode(`to ${host}`);
    assertEquals(tx.sendto(msg, rx.getsockname() as [string, number]), msg.length);
    const [data, from] = rx.recvfrom(100);
    assertEquals(dec.decode(data), `to ${host}`);
    assertEquals((from as [string, number])[0], host);
    assertEquals((from as [string, number])[1], (tx.getsockname() as [string, number])[1]);
  }
});

Deno.test("smoke: unix stream socket at a path; names come back as given", () => {
  const dir = Deno.makeTempDirSync({ prefix: "sockffi-smoke-" });
  try {
    const path = `${dir}/s`;
    using l = socket(AF_UNIX, SOCK_STREAM);
    l.bind(path);
    l.listen();
    using c = socket(AF_UNIX, SOCK_STREAM);
    c.connect(path);
    const [s] = l.accept();
    using _s = s;
    assertEquals(l.getsockname(), path);
    assertEquals(c.getpeername(), path);
    c.sendall(enc.encode("over a path"));
    assertEquals(dec.decode(s.recv(64)), "over a path");
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("smoke: sendmsg/recvmsg pass a descriptor with SCM_RIGHTS", () => {
  const [a, b] = socketpair(AF_UNIX, SOCK_STREAM);
  const [x, y] = socketpair(AF_UNIX, SOCK_STREAM);
  try {
    a.sendmsg([enc.encode("fd")], [[SOL_SOCKET, SCM_RIGHTS, new Int32Array([x.fileno()])]]);
    const [data, anc] = b.recvmsg(16, CMSG_LEN(4));
    assertEquals(dec.decode(data), "fd");
    assertEquals(anc.length, 1);
    const [level, type, payload] = anc[0];
    assertEquals([level, type, payload.length], [SOL_SOCKET, SCM_RIGHTS, 4]);
    const fd = new DataView(payload.buffer, payload.byteOffset).getInt32(0, true);
    assertNotEquals(fd, x.fileno());
    using got = socket(AF_UNIX, SOCK_STREAM, 0, fd);
    assertEquals(fdFlags(fd) & sys.FD_CLOEXEC, sys.FD_CLOEXEC);
    got.sendall(enc.encode("through the passed fd"));
    assertEquals(dec.decode(y.recv(64)), "through the passed fd");
  } finally {
    for (const s of [a, b, x, y]) s.close();
  }
});

Deno.test("smoke: getaddrinfo on numeric hosts", () => {
  const v4 = getaddrinfo("127.0.0.1", 80, AF_INET, SOCK_STREAM, 0, AI_NUMERICHOST);
  assertEquals(v4.length, 1);
  assertEquals(v4[0][0], AF_INET);
  assertEquals(v4[0][1], SOCK_STREAM);
  assertEquals(v4[0][2], IPPROTO_TCP);
  assertEquals(v4[0][4], ["127.0.0.1", 80]);
  const v6 = getaddrinfo("::1", "443", AF_INET6, SOCK_DGRAM, 0, AI_NUMERICHOST);
  assertEquals(v6[0][0], AF_INET6);
  assertEquals(v6[0][4], ["::1", 443, 0, 0]);
});

Deno.test("smoke: async echo through the reactor", async () => {
  using l = socket(AF_INET, SOCK_STREAM);
  l.bind(["127.0.0.1", 0]);
  l.listen();
  const server = (async () => {
    const [s] = await l.async.accept();
    using _s = s;
    for (let r = await s.async.recv(4096); r.length > 0; r = await s.async.recv(4096)) {
      await s.async.sendall(r);
    }
  })();
  using c = socket(AF_INET, SOCK_STREAM);
  await c.async.connect(l.getsockname() as [string, number]);
  for (const word of ["one", "two", "three"]) {
    await c.async.sendall(enc.encode(word));
    let got = "";
    while (got.length < word.length) got += dec.decode(await c.async.recv(64));
    assertEquals(got, word);
  }
  c.shutdown(1);
  await server;
});

Deno.test("smoke: the table's O_NONBLOCK, EAGAIN and SO_TYPE values are the kernel's", () => {
  const [a, b] = socketpair(AF_UNIX, SOCK_DGRAM);
  try {
    a.setblocking(false);
    assertEquals(libc().fcntl(a.fileno(), sys.F_GETFL, 0) & sys.O_NONBLOCK, sys.O_NONBLOCK);
    const e = assertThrows(() => a.recv(1), SocketError, "Resource temporarily unavailable");
    assertEquals(e.errno, errnoValues.EAGAIN);
    assertEquals(b.getsockopt(SOL_SOCKET, SO_TYPE), SOCK_DGRAM);
    a.setblocking(true);
    assertEquals(libc().fcntl(a.fileno(), sys.F_GETFL, 0) & sys.O_NONBLOCK, 0);
  } finally {
    a.close();
    b.close();
  }
});
