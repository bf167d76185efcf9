/**
 * recvmsg / recvmsg_into / sendmsg: scatter/gather, ancillary data of every
 * kind the issue names (SCM_RIGHTS, SCM_CREDENTIALS, IP_PKTINFO,
 * IPV6_PKTINFO, IP_TTL, IP_TOS, SO_TIMESTAMP, SO_TIMESTAMPNS), msg_flags,
 * sender addresses, IOV_MAX, timeouts and bad input. Real sockets on
 * loopback and socketpairs.
 */
import { assert, assertEquals, assertMatch, assertNotEquals, assertThrows } from "@std/assert";
import { join } from "@std/path";
import {
  AF_INET,
  AF_INET6,
  AF_UNIX,
  CMSG_LEN,
  CMSG_SPACE,
  IP_PKTINFO,
  IP_RECVTOS,
  IP_RECVTTL,
  IP_TOS,
  IP_TTL,
  IPPROTO_IP,
  IPPROTO_IPV6,
  IPV6_PKTINFO,
  IPV6_RECVPKTINFO,
  MSG_CTRUNC,
  MSG_DONTWAIT,
  MSG_PEEK,
  MSG_TRUNC,
  SCM_RIGHTS,
  SCM_TIMESTAMP,
  SO_TIMESTAMP,
  SOCK_DGRAM,
  SOCK_STREAM,
  Socket,
  socket,
  SocketError,
  socketpair,
  SOL_SOCKET,
  timeout,
} from "../mod.ts";
import { SCM_CREDENTIALS, SCM_TIMESTAMPNS, SO_PASSCRED, SO_TIMESTAMPNS } from "./_linux.ts";
import { layout } from "../ffi/mod.ts";
import { nextTestOnLinux, nextTestUnlessEmulated } from "./_platform.ts";
import { lib } from "../src/_syscall.ts";
import { cmsgAlign } from "../src/cmsg.ts";
import {
  CMSG_DATA_OFFSET,
  decodeControl,
  encodeControl,
  rightsIn,
  TRUNCATED_WARNING,
} from "../src/ancillary.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();
const LE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function openFds(): string[] {
  return [...Deno.readDirSync("/dev/fd")].map((e) => e.name).sort();
}

function dv(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

function udpPair(family: number, host: string): [Socket, Socket, unknown] {
  const rx = socket(family, SOCK_DGRAM);
  rx.bind([host, 0]);
  rx.settimeout(5);
  const tx = socket(family, SOCK_DGRAM);
  return [rx, tx, rx.getsockname()];
}

function hasIPv6Loopback(): boolean {
  try {
    using s = socket(AF_INET6, SOCK_DGRAM);
    s.bind(["::1", 0]);
    return true;
  } catch {
    return false;
  }
}

// ---- the specification's examples and scatter/gather ----

Deno.test("Socket.recvmsg_into() scatters 'Mary had a little lamb' as the specification shows", () => {
  const [s1, s2] = socketpair();
  try {
    const b1 = enc.encode("----");
    const b2 = enc.encode("0123456789");
    const b3 = enc.encode("--------------");
    assertEquals(s1.send(enc.encode("Mary had a little lamb")), 22);
    const r = s2.recvmsg_into([b1, b2.subarray(2, 9), b3]);
    assertEquals(r, [22, [], 0, null]);
    assertEquals([dec.decode(b1), dec.decode(b2), dec.decode(b3)], [
      "Mary",
      "01 had a 9",
      "little lamb---",
    ]);
  } finally {
    s1.close();
    s2.close();
  }
});

Deno.test("Socket.sendmsg() gathers several buffers of every kind into one message", () => {
  const [a, b] = socketpair(AF_UNIX, SOCK_DGRAM);
  try {
    const big = new Uint8Array([0, 1, 2, 3, 4, 5, 6, 7]);
    const parts = [
      enc.encode("ab"),
      big.subarray(3, 6), // a view: only its bytes, offset honoured
      new Uint8Array(0), // empty parts are fine
      new Uint16Array([0x4443]).buffer, // an ArrayBuffer ("CD" on little-endian)
      new DataView(enc.encode("xEFx").buffer, 1, 2),
    ];
    assertEquals(a.sendmsg(parts), 2 + 3 + 0 + 2 + 2);
    const [data, anc, flags, addr] = b.recvmsg(64);
    const cd = LE ? [0x43, 0x44] : [0x44, 0x43];
    assertEquals([...data], [0x61, 0x62, 3, 4, 5, ...cd, 0x45, 0x46]);
    assertEquals(anc, []);
    assertEquals(flags, 0);
    assertEquals(addr, null); // an unnamed socketpair peer
    // An iterable that is not an array (a generator) works too.
    const gen = function* (): Generator<Uint8Array> {
      yield enc.encode("gen");
      yield enc.encode("erator");
    };
    assertEquals(a.sendmsg(gen()), 9);
    assertEquals(dec.decode(b.recvmsg(64)[0]), "generator");
  } finally {
    a.close();
    b.close();
  }
});

Deno.test("Socket.recvmsg() reports the sender's address and MSG_TRUNC on UDP", () => {
  const [rx, tx, addr] = udpPair(AF_INET, "127.0.0.1");
  try {
    tx.bind(["127.0.0.1", 0]);
    tx.sendmsg([enc.encode("hello, world")], [], 0, addr as [string, number]);
    const [data, anc, flags, from] = rx.recvmsg(5);
    assertEquals(dec.decode(data), "hello");
    assertEquals(anc, []);
    assertEquals(flags & MSG_TRUNC, MSG_TRUNC);
    assertEquals(from, tx.getsockname());
    // recvmsg_into reports the same, and a bufsize 0 / empty list receives nothing.
    tx.sendto(enc.encode("xyz"), addr as [string, number]);
    const [n, , f2, from2] = rx.recvmsg_into([new Uint8Array(2)]);
    assertEquals(n, 2);
    assertEquals(f2 & MSG_TRUNC, MSG_TRUNC);
    assertEquals(from2, tx.getsockname());
  } finally {
    rx.close();
    tx.close();
  }
});

Deno.test("Socket.recvmsg() with MSG_PEEK leaves the data, and a bufsize over 64 KiB works", () => {
  const [a, b] = socketpair(AF_UNIX, SOCK_DGRAM);
  try {
    const payload = new Uint8Array(100_000).map((_, i) => i & 0xff);
    a.sendmsg([payload]);
    const [peek] = b.recvmsg(10, 0, MSG_PEEK);
    assertEquals([...peek], [...payload.subarray(0, 10)]);
    const [data, , flags] = b.recvmsg(200_000);
    assertEquals(data.length, payload.length);
    assertEquals(data, payload);
    assertEquals(flags, 0);
  } finally {
    a.close();
    b.close();
  }
});

Deno.test("Socket.sendmsg()/recvmsg_into() take up to IOV_MAX buffers; one more is EMSGSIZE", () => {
  const [a, b] = socketpair(AF_UNIX, SOCK_STREAM);
  try {
    const max = layout.IOV_MAX;
    const one = new Uint8Array([7]);
    assertEquals(a.sendmsg(Array(max).fill(one)), max);
    const outs = Array.from({ length: max }, () => new Uint8Array(1));
    assertEquals(b.recvmsg_into(outs)[0], max);
    assert(outs.every((o) => o[0] === 7));
    assertThrows(
      () => a.sendmsg(Array(max + 1).fill(one)),
      SocketError,
      "[Errno 90] Message too long",
    );
    a.send(one);
    const more = Array.from({ length: max + 1 }, () => new Uint8Array(1));
    assertThrows(() => b.recvmsg_into(more), SocketError, "[Errno 90] Message too long");
  } finally {
    a.close();
    b.close();
  }
});

Deno.test("Socket.recvmsg() honours timeouts and non-blocking mode", () => {
  const [a, b] = socketpair();
  try {
    b.settimeout(0.05);
    assertThrows(() => b.recvmsg(10), timeout, "timed out");
    assertThrows(() => b.recvmsg_into([new Uint8Array(4)], CMSG_SPACE(4)), timeout, "timed out");
    b.setblocking(false);
    assertThrows(() => b.recvmsg(10), SocketError, "[Errno 11] Resource temporarily unavailable");
    b.setblocking(true);
    assertThrows(
      () => b.recvmsg(10, 0, MSG_DONTWAIT),
      SocketError,
      "[Errno 11] Resource temporarily unavailable",
    );
    a.send(enc.encode("late"));
    b.settimeout(2);
    assertEquals(dec.decode(b.recvmsg(10)[0]), "late");
  } finally {
    a.close();
    b.close();
  }
});

// ---- control messages ----

Deno.test("SCM_RIGHTS descriptors arrive working and non-inheritable; msg_flags hides MSG_CMSG_CLOEXEC", () => {
  const [a, b] = socketpair();
  const [c, d] = socketpair();
  const received: Socket[] = [];
  try {
    a.sendmsg([enc.encode("x")], [[SOL_SOCKET, SCM_RIGHTS, new Int32Array([c.fileno()])]]);
    const [data, anc, flags] = b.recvmsg(1, CMSG_SPACE(4));
    assertEquals(dec.decode(data), "x");
    assertEquals(flags, 0);
    assertEquals(anc.length, 1);
    const [level, type, payload] = anc[0];
    assertEquals([level, type, payload.length], [SOL_SOCKET, SCM_RIGHTS, 4]);
    const fd = dv(payload).getInt32(0, LE);
    assertNotEquals(fd, c.fileno());
    const s = new Socket(undefined, undefined, undefined, fd);
    received.push(s);
    assertEquals(s.get_inheritable(), false);
    s.send(enc.encode("through the copy"));
    assertEquals(dec.decode(d.recv(64)), "through the copy");
  } finally {
    for (const s of [a, b, c, d, ...received]) s.close();
  }
});

nextTestOnLinux("SCM_CREDENTIALS is Linux's");
Deno.test("SCM_CREDENTIALS with SO_PASSCRED reports our own pid, uid and gid", () => {
  const [a, b] = socketpair(AF_UNIX, SOCK_DGRAM);
  try {
    b.setsockopt(SOL_SOCKET, SO_PASSCRED, 1);
    const U = layout.ucred!; // SCM_CREDENTIALS: Linux's
    // Nothing sent explicitly: the kernel attaches the sender's credentials.
    a.sendmsg([enc.encode("who")]);
    const [, anc, flags] = b.recvmsg(16, CMSG_SPACE(U.size));
    assertEquals(flags, 0);
    assertEquals(anc.length, 1);
    const [level, type, cred] = anc[0];
    assertEquals([level, type, cred.length], [SOL_SOCKET, SCM_CREDENTIALS, U.size]);
    const L = lib();
    const want = [L.getpid(), L.getuid(), L.getgid()];
    const got = [
      dv(cred).getInt32(U.pid, LE),
      dv(cred).getUint32(U.uid, LE),
      dv(cred).getUint32(U.gid, LE),
    ];
    assertEquals(got, want);
    // Sending them explicitly as ancillary data gives the same.
    a.sendmsg([enc.encode("me")], [[SOL_SOCKET, SCM_CREDENTIALS, cred]]);
    const [, anc2] = b.recvmsg(16, CMSG_SPACE(U.size));
    assertEquals(anc2, [[SOL_SOCKET, SCM_CREDENTIALS, cred]]);
  } finally {
    a.close();
    b.close();
  }
});

Deno.test("IP_PKTINFO reports the destination address of a UDP datagram on 127.0.0.1", () => {
  const [rx, tx, addr] = udpPair(AF_INET, "127.0.0.1");
  try {
    rx.setsockopt(IPPROTO_IP, IP_PKTINFO, 1);
    tx.sendto(enc.encode("pkt"), addr as [string, number]);
    const P = layout.in_pktinfo;
    const [data, anc] = rx.recvmsg(16, CMSG_SPACE(P.size));
    assertEquals(dec.decode(data), "pkt");
    assertEquals(anc.length, 1);
    const [level, type, info] = anc[0];
    assertEquals([level, type, info.length], [IPPROTO_IP, IP_PKTINFO, P.size]);
    assertEquals([...info.subarray(P.ipi_addr, P.ipi_addr + 4)], [127, 0, 0, 1]);
    assert(dv(info).getInt32(P.ipi_ifindex, LE) > 0, "the loopback interface index");
  } finally {
    rx.close();
    tx.close();
  }
});

Deno.test({
  name: "IPV6_PKTINFO reports the destination address of a UDP datagram on ::1",
  ignore: !hasIPv6Loopback(),
  fn(): void {
    const [rx, tx, addr] = udpPair(AF_INET6, "::1");
    try {
      rx.setsockopt(IPPROTO_IPV6, IPV6_RECVPKTINFO, 1);
      tx.sendto(enc.encode("pkt6"), addr as [string, number]);
      const P = layout.in6_pktinfo;
      const [data, anc] = rx.recvmsg(16, CMSG_SPACE(P.size));
      assertEquals(dec.decode(data), "pkt6");
      assertEquals(anc.length, 1);
      const [level, type, info] = anc[0];
      assertEquals([level, type, info.length], [IPPROTO_IPV6, IPV6_PKTINFO, P.size]);
      const want = new Uint8Array(16);
      want[15] = 1;
      assertEquals(info.subarray(P.ipi6_addr, P.ipi6_addr + 16), want);
    } finally {
      rx.close();
      tx.close();
    }
  },
});

Deno.test("IP_RECVTTL reports the TTL, and an IP_TTL item in sendmsg sets it per datagram", () => {
  const [rx, tx, addr] = udpPair(AF_INET, "127.0.0.1");
  try {
    rx.setsockopt(IPPROTO_IP, IP_RECVTTL, 1);
    const where = addr as [string, number];
    tx.sendto(enc.encode("default"), where);
    tx.sendmsg([enc.encode("seven")], [[IPPROTO_IP, IP_TTL, new Int32Array([7])]], 0, where);
    const ttls: number[] = [];
    for (let i = 0; i < 2; i++) {
      const [, anc] = rx.recvmsg(16, CMSG_SPACE(4));
      assertEquals(anc.length, 1);
      assertEquals(anc[0].slice(0, 2), [IPPROTO_IP, IP_TTL]);
      ttls.push(dv(anc[0][2]).getInt32(0, LE));
    }
    assertEquals(ttls[0], tx.getsockopt(IPPROTO_IP, IP_TTL));
    assertEquals(ttls[1], 7);
  } finally {
    rx.close();
    tx.close();
  }
});

Deno.test("IP_RECVTOS reports the TOS byte set with IP_TOS (option and ancillary item)", () => {
  const [rx, tx, addr] = udpPair(AF_INET, "127.0.0.1");
  try {
    rx.setsockopt(IPPROTO_IP, IP_RECVTOS, 1);
    const where = addr as [string, number];
    tx.setsockopt(IPPROTO_IP, IP_TOS, 0x10);
    tx.sendto(enc.encode("lowdelay"), where);
    tx.sendmsg([enc.encode("cmsg")], [[IPPROTO_IP, IP_TOS, new Int32Array([0x08])]], 0, where);
    const tos: number[] = [];
    for (let i = 0; i < 2; i++) {
      const [, anc] = rx.recvmsg(16, CMSG_SPACE(4));
      assertEquals(anc.length, 1);
      assertEquals(anc[0].slice(0, 2), [IPPROTO_IP, IP_TOS]);
      assertEquals(anc[0][2].length, 1); // the kernel reports one byte
      tos.push(anc[0][2][0]);
    }
    assertEquals(tos, [0x10, 0x08]);
  } finally {
    rx.close();
    tx.close();
  }
});

nextTestUnlessEmulated("qemu-user answers SO_TIMESTAMPNS with ENOPROTOOPT");
nextTestOnLinux("SO_TIMESTAMPNS is Linux's");
Deno.test("SO_TIMESTAMP and SO_TIMESTAMPNS give a receive time within a second of now", () => {
  const [rx, tx, addr] = udpPair(AF_INET, "127.0.0.1");
  try {
    const where = addr as [string, number];
    rx.setsockopt(SOL_SOCKET, SO_TIMESTAMP, 1);
    tx.sendto(enc.encode("t"), where);
    const TV = layout.timeval;
    const [, anc] = rx.recvmsg(4, CMSG_SPACE(TV.size));
    assertEquals(anc.length, 1);
    assertEquals(anc[0].slice(0, 2), [SOL_SOCKET, SCM_TIMESTAMP]);
    const tv = dv(anc[0][2]);
    const t = Number(tv.getBigInt64(TV.tv_sec, LE)) + Number(tv.getBigInt64(TV.tv_usec, LE)) / 1e6;
    assert(Math.abs(t - Date.now() / 1000) < 1, `SO_TIMESTAMP ${t} vs now ${Date.now() / 1000}`);

    rx.setsockopt(SOL_SOCKET, SO_TIMESTAMP, 0);
    rx.setsockopt(SOL_SOCKET, SO_TIMESTAMPNS, 1);
    tx.sendto(enc.encode("ns"), where);
    const TS = layout.timespec;
    const [, anc2] = rx.recvmsg(4, CMSG_SPACE(TS.size));
    assertEquals(anc2.length, 1);
    assertEquals(anc2[0].slice(0, 2), [SOL_SOCKET, SCM_TIMESTAMPNS]);
    const ts = dv(anc2[0][2]);
    const nsec = Number(ts.getBigInt64(TS.tv_nsec, LE));
    assert(nsec >= 0 && nsec < 1e9);
    const t2 = Number(ts.getBigInt64(TS.tv_sec, LE)) + nsec / 1e9;
    assert(Math.abs(t2 - Date.now() / 1000) < 1, `SO_TIMESTAMPNS ${t2}`);
  } finally {
    rx.close();
    tx.close();
  }
});

nextTestOnLinux("SCM_CREDENTIALS is Linux's");
Deno.test("several control messages in one sendmsg() arrive in order", () => {
  const [a, b] = socketpair(AF_UNIX, SOCK_DGRAM);
  const got: number[] = [];
  try {
    b.setsockopt(SOL_SOCKET, SO_PASSCRED, 1);
    const [c, d] = socketpair();
    try {
      a.sendmsg([enc.encode("two")], [
        [SOL_SOCKET, SCM_RIGHTS, new Int32Array([c.fileno()])],
        [SOL_SOCKET, SCM_RIGHTS, new Int32Array([d.fileno(), c.fileno()])],
      ]);
    } finally {
      c.close();
      d.close();
    }
    const [, anc, flags] = b.recvmsg(8, 256);
    assertEquals(flags, 0);
    // Linux merges the descriptors into one SCM_RIGHTS item and adds the credentials.
    const kinds = anc.map(([l, t]) => `${l}/${t}`).sort();
    assertEquals(
      kinds,
      [`${SOL_SOCKET}/${SCM_CREDENTIALS}`, `${SOL_SOCKET}/${SCM_RIGHTS}`].sort(),
    );
    for (const [l, t, data] of anc) {
      if (l === SOL_SOCKET && t === SCM_RIGHTS) {
        for (let i = 0; i < data.length; i += 4) got.push(dv(data).getInt32(i, LE));
      }
    }
    assertEquals(got.length, 3);
  } finally {
    for (const fd of got) new Socket(undefined, undefined, undefined, fd).close();
    a.close();
    b.close();
  }
});

// ---- the control-buffer walk (the kernel never truncates mid-item on Linux) ----

Deno.test("decodeControl() cuts an item that extends past the buffer and flags it for the warning", () => {
  const items = [
    { level: 1, type: 2, data: new Uint8Array([1, 2, 3, 4, 5]) },
    { level: 3, type: 4, data: new Uint8Array([9, 8, 7, 6, 5, 4, 3, 2]) },
  ];
  const total = 2 * CMSG_DATA_OFFSET + cmsgAlign(5) + cmsgAlign(8);
  const buf = new Uint8Array(total);
  encodeControl(items, buf);
  assertEquals(decodeControl(buf, total), {
    items: [[1, 2, items[0].data], [3, 4, items[1].data]],
    malformed: false,
  });
  // The buffer ends 3 bytes into the second item's data: its part inside is returned.
  const cut = CMSG_SPACE(5) + CMSG_LEN(3);
  assertEquals(decodeControl(buf, cut), {
    items: [[1, 2, items[0].data], [3, 4, new Uint8Array([9, 8, 7])]],
    malformed: true,
  });
  // A header whose cmsg_len is smaller than a header: malformed, nothing returned.
  const bad = new Uint8Array(CMSG_SPACE(4));
  bad[layout.cmsghdr.cmsg_len] = 3;
  assertEquals(decodeControl(bad, bad.length), { items: [], malformed: true });
  // Fewer bytes than one header: no items, nothing malformed (CMSG_FIRSTHDR is NULL).
  assertEquals(decodeControl(buf, layout.cmsghdr.size - 1), { items: [], malformed: false });
  // SCM_RIGHTS descriptors are read as whole C ints only.
  const r = new Uint8Array(CMSG_SPACE(8));
  encodeControl([{
    level: SOL_SOCKET,
    type: SCM_RIGHTS,
    data: new Uint8Array(new Int32Array([5, 6]).buffer),
  }], r);
  assertEquals(rightsIn(r, CMSG_LEN(8)), [5, 6]);
  assertEquals(rightsIn(r, CMSG_LEN(6)), [5]);
  assert(
    TRUNCATED_WARNING.includes("received malformed or improperly-truncated ancillary data"),
  );
});

// ---- descriptors closed when recvmsg fails after the syscall ----

nextTestOnLinux("reads /proc/self/fd in a child");
Deno.test("recvmsg() closes received descriptors when building its result fails", async () => {
  // A failure after the syscall is forced by an AF_UNIX address decoder that
  // throws: the registry is process-wide, so this runs in a child process.
  const dir = Deno.makeTempDirSync({ prefix: "sockffi-msg-" });
  try {
    const root = new URL("..", import.meta.url).href;
    const script = join(dir, "child.ts");
    Deno.writeTextFileSync(
      script,
      `
import { AF_UNIX, SOCK_DGRAM, socket, socketpair, send_fds } from "${root}mod.ts";
import { registerFamily } from "${root}src/_sockaddr.ts";
const fds = () => [...Deno.readDirSync("/dev/fd")].length;
const rx = socket(AF_UNIX, SOCK_DGRAM);
rx.bind(new Uint8Array([0, ...new TextEncoder().encode("sockffi-msg-" + Deno.pid)]));
const tx = socket(AF_UNIX, SOCK_DGRAM);
tx.bind(new Uint8Array([0, ...new TextEncoder().encode("sockffi-msg-tx-" + Deno.pid)]));
const [c, d] = socketpair();
send_fds(tx, [new Uint8Array([1])], [c.fileno(), d.fileno(), c.fileno()], 0, rx.getsockname());
const before = fds();
registerFamily(AF_UNIX, {
  encode() { throw new Error("unused"); },
  decode() { throw new RangeError("decoder failed on purpose"); },
});
let error = "";
try { rx.recvmsg(16, 64); } catch (e) { error = String(e); }
console.log(JSON.stringify({ error, before, after: fds() }));
`,
    );
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-all", script], // /proc/self/fd needs --allow-all
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(30_000),
    }).output();
    assert(out.success, new TextDecoder().decode(out.stderr));
    const r = JSON.parse(dec.decode(out.stdout).trim().split("\n").at(-1)!);
    assertMatch(r.error, /decoder failed on purpose/);
    // The 3 descriptors did arrive (the decoder runs after recvmsg) and were closed.
    assertEquals(r.after, r.before);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

// ---- bad input ----

Deno.test("recvmsg()/recvmsg_into()/sendmsg() reject bad input with typed errors and leak nothing", () => {
  const before = openFds();
  const [a, b] = socketpair();
  try {
    const anc = (x: unknown) => () => a.sendmsg([enc.encode("x")], x as never);
    // ancillary data of the wrong shape
    assertThrows(
      anc([[SOL_SOCKET, SCM_RIGHTS]]),
      TypeError,
      "sendmsg() ancillary data items must be [cmsg_level, cmsg_type, cmsg_data] arrays, not an array of 2",
    );
    assertThrows(
      anc([[SOL_SOCKET, SCM_RIGHTS, new Uint8Array(4), 0]]),
      TypeError,
      "sendmsg() ancillary data items must be [cmsg_level, cmsg_type, cmsg_data] arrays, not an array of 4",
    );
    assertThrows(
      anc([{ level: 1, type: 1, data: new Uint8Array(4) }]),
      TypeError,
      "sendmsg() ancillary data items must be [cmsg_level, cmsg_type, cmsg_data] arrays, not Object",
    );
    assertThrows(anc([[SOL_SOCKET, SCM_RIGHTS, "fds"]]), TypeError, "encode it first");
    assertThrows(
      anc([[SOL_SOCKET, SCM_RIGHTS, [3, 4]]]),
      TypeError,
      "sendmsg() cmsg_data must be bytes (a BufferSource), not an array",
    );
    assertThrows(
      anc([[1.5, SCM_RIGHTS, new Uint8Array(4)]]),
      TypeError,
      "cmsg_level must be an integer, not the non-integer 1.5",
    );
    assertThrows(
      anc([["1", SCM_RIGHTS, new Uint8Array(4)]]),
      TypeError,
      "cmsg_level must be an integer, not string",
    );
    assertThrows(
      anc([[2 ** 31, SCM_RIGHTS, new Uint8Array(4)]]),
      RangeError,
      "cmsg_level: signed integer is greater than maximum",
    );
    assertThrows(anc(5), TypeError, "must be an iterable");
    // a negative or oversized ancbufsize
    assertThrows(() => b.recvmsg(10, -1), RangeError, "invalid ancillary data buffer length: -1");
    assertThrows(
      () => b.recvmsg_into([new Uint8Array(4)], -1),
      RangeError,
      "invalid ancillary data buffer length: -1",
    );
    assertThrows(
      () => b.recvmsg(10, 2 ** 31),
      RangeError,
      "invalid ancillary data buffer length: 2147483648",
    );
    assertThrows(() => b.recvmsg(-1), RangeError, "negative buffer size in recvmsg(): -1");
    assertThrows(
      () => b.recvmsg(1.5),
      TypeError,
      "bufsize must be an integer, not the non-integer 1.5",
    );
    assertThrows(
      () => b.recvmsg(10, 0, 0.5),
      TypeError,
      "flags must be a 32-bit integer, not the non-integer 0.5",
    );
    // a buffer list containing a non-buffer
    assertThrows(
      () => a.sendmsg([enc.encode("ok"), "text" as never]),
      TypeError,
      "encode it first",
    );
    assertThrows(
      () => a.sendmsg([enc.encode("ok"), 42 as never]),
      TypeError,
      "sendmsg() buffers must be bytes (a BufferSource), not number",
    );
    assertThrows(
      () => a.sendmsg([enc.encode("ok"), null as never]),
      TypeError,
      "sendmsg() buffers must be bytes (a BufferSource), not null",
    );
    assertThrows(
      () => b.recvmsg_into([new Uint8Array(2), {} as never]),
      TypeError,
      "recvmsg_into() buffers must be bytes (a BufferSource), not Object",
    );
    assertThrows(
      () => b.recvmsg_into(new Uint8Array(4) as never),
      TypeError,
      "recvmsg_into() buffers must be bytes (a BufferSource), not number",
    );
    assertThrows(() => b.recvmsg_into(42 as never), TypeError, "must be an iterable");
    // a bad address for the family
    assertThrows(
      () => a.sendmsg([enc.encode("x")], [], 0, 42 as never),
      TypeError,
      "AF_UNIX address must be a string or bytes (a BufferSource), not number",
    );
    // SCM_RIGHTS with a descriptor that is not open: the kernel's EBADF
    assertThrows(
      () => a.sendmsg([enc.encode("x")], [[SOL_SOCKET, SCM_RIGHTS, new Int32Array([1 << 20])]]),
      SocketError,
      "[Errno 9] Bad file descriptor",
    );
    // nothing was sent by the failed calls
    b.setblocking(false);
    assertThrows(() => b.recvmsg(10), SocketError, "[Errno 11] Resource temporarily unavailable");
  } finally {
    a.close();
    b.close();
  }
  // a closed socket
  assertThrows(() => a.recvmsg(1), SocketError, "[Errno 9] Bad file descriptor");
  assertThrows(() => a.sendmsg([]), SocketError, "[Errno 9] Bad file descriptor");
  assertEquals(openFds(), before);
});

nextTestUnlessEmulated("qemu-user does not set MSG_CTRUNC");
Deno.test("recvmsg() with a small ancillary buffer sets MSG_CTRUNC on a non-descriptor item", () => {
  const [rx, tx, addr] = udpPair(AF_INET, "127.0.0.1");
  try {
    rx.setsockopt(SOL_SOCKET, SO_TIMESTAMP, 1);
    tx.sendto(enc.encode("t"), addr as [string, number]);
    // Room for a header and 4 bytes of a 16-byte timeval.
    const [data, anc, flags] = rx.recvmsg(4, CMSG_LEN(4));
    assertEquals(dec.decode(data), "t");
    assertEquals(flags & MSG_CTRUNC, MSG_CTRUNC);
    // Linux cuts cmsg_len to what fit, so the part inside comes back without a warning.
    assertEquals(anc.length, 1);
    assertEquals(anc[0].slice(0, 2), [SOL_SOCKET, SCM_TIMESTAMP]);
    assertEquals(anc[0][2].length, 4);
  } finally {
    rx.close();
    tx.close();
  }
});

Deno.test("recvmsg_into()/sendmsg() use a buffer's real memory, whatever the object claims", () => {
  class Liar extends Uint8Array {
    override get byteLength(): number {
      return 1 << 20;
    }
    override get byteOffset(): number {
      return 4096;
    }
  }
  const [a, b] = socketpair(AF_UNIX, SOCK_DGRAM);
  try {
    a.send(new Uint8Array(100).fill(1));
    const small = new Liar(8);
    const [n, , flags] = b.recvmsg_into([small, new Uint8Array(2)]);
    assertEquals(n, 10); // 8 real bytes, then the next buffer
    assertEquals(flags & MSG_TRUNC, MSG_TRUNC);
    assertEquals(a.sendmsg([small]), 8);
    assertEquals(b.recvmsg(64)[0].length, 8);
    // A resizable buffer shrunk by user code running inside the call (the
    // ancdata iterator): the length at the time of the syscall is used.
    const rab = new ArrayBuffer(64, { maxByteLength: 64 });
    const view = new Uint8Array(rab); // tracks the buffer's length
    const shrink: Iterable<never> = {
      [Symbol.iterator](): Iterator<never> {
        rab.resize(4);
        return ([] as never[])[Symbol.iterator]();
      },
    };
    assertEquals(a.sendmsg([view], shrink), 4);
    assertEquals(b.recvmsg(64)[0].length, 4);
    // Objects that only look like buffers are refused.
    const fake = Object.create(ArrayBuffer.prototype);
    assertThrows(
      () => a.sendmsg([fake]),
      TypeError,
      "sendmsg() buffers must be bytes (a BufferSource), not ArrayBuffer",
    );
    assertThrows(
      () => b.recvmsg_into([fake]),
      TypeError,
      "recvmsg_into() buffers must be bytes (a BufferSource), not ArrayBuffer",
    );
  } finally {
    a.close();
    b.close();
  }
});
