/**
 * Bad input gets a clear, typed error and loses nothing: no crash, no
 * out-of-bounds access, no leaked descriptor.
 */
import assert from "node:assert/strict";
import {
  AF_CAN,
  AF_INET,
  AF_INET6,
  AF_UNIX,
  CAN_RAW,
  gaierror,
  SO_REUSEADDR,
  SOCK_DGRAM,
  SOCK_RAW,
  SOCK_STREAM,
  Socket,
  socket,
  SocketError,
  socketpair,
  SOL_SOCKET,
} from "../mod.ts";

function openFds(): number {
  return [...Deno.readDirSync("/proc/self/fd")].length;
}

function assertSocketError(fn: () => unknown, code: string): SocketError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof SocketError, `expected SocketError ${code}, got ${caught}`);
  assert.equal(caught.code, code);
  return caught;
}

Deno.test("send(), sendall(), sendto() and recv_into() refuse a string and say to encode it", () => {
  const [a, b] = socketpair();
  try {
    for (
      const f of [
        () => a.send("text" as unknown as Uint8Array),
        () => a.sendall("text" as unknown as Uint8Array),
        () => a.sendto("text" as unknown as Uint8Array, ""),
        () => b.recv_into("text" as unknown as Uint8Array),
      ]
    ) {
      assert.throws(f, (e: unknown) => e instanceof TypeError && /encode/.test(e.message));
    }
    assert.throws(() => a.send(42 as unknown as Uint8Array), TypeError);
    assert.throws(() => a.send([1, 2] as unknown as Uint8Array), TypeError);
    // nothing was sent by the failed calls
    b.setblocking(false);
    assertSocketError(() => b.recv(10), "EAGAIN");
  } finally {
    a.close();
    b.close();
  }
});

Deno.test("bind(), connect() and sendto() refuse ports -1 and 65536 with RangeError", () => {
  using s = socket(AF_INET, SOCK_DGRAM);
  for (const port of [-1, 65536, 1e9]) {
    assert.throws(() => s.bind(["127.0.0.1", port]), RangeError);
    assert.throws(() => s.connect(["127.0.0.1", port]), RangeError);
    assert.throws(() => s.sendto(new Uint8Array(1), ["127.0.0.1", port]), RangeError);
  }
  using s6 = socket(AF_INET6, SOCK_DGRAM);
  assert.throws(() => s6.bind(["::1", 65536]), RangeError);
  // the socket is still usable
  s.bind(["127.0.0.1", 0]);
  assert.equal((s.getsockname() as [string, number])[0], "127.0.0.1");
});

Deno.test("non-integers where integers are due throw instead of coercing", () => {
  using s = socket(AF_INET, SOCK_STREAM);
  assert.throws(() => s.bind(["127.0.0.1", 1.5]), TypeError);
  assert.throws(() => s.bind(["127.0.0.1", "80" as unknown as number]), TypeError);
  assert.throws(() => s.bind(["127.0.0.1", NaN]), TypeError);
  assert.throws(() => s.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1.5), TypeError);
  assert.throws(() => s.setsockopt(SOL_SOCKET, 2.5, 1), TypeError);
  assert.throws(() => s.getsockopt(SOL_SOCKET, SO_REUSEADDR, 4.5), TypeError);
  assert.throws(() => s.recv(1.5), TypeError);
  assert.throws(() => s.listen(1.5), TypeError);
  assert.throws(() => s.shutdown("1" as unknown as number), TypeError);
  assert.throws(() => socket(AF_INET, 1.5), TypeError);
  assert.throws(() => s.recv(10, 0.5), TypeError);
});

Deno.test("a host that does not resolve raises gaierror", () => {
  using s = socket(AF_INET, SOCK_STREAM);
  assert.throws(
    () => s.connect(["no-such-host.invalid", 80]),
    (e: unknown) => e instanceof gaierror && e instanceof SocketError && e.code.startsWith("EAI_"),
  );
});

Deno.test("recv_into() refuses nbytes larger than the buffer or negative", () => {
  const [a, b] = socketpair();
  try {
    a.send(new Uint8Array(64).fill(7));
    const buf = new Uint8Array(16);
    assert.throws(() => b.recv_into(buf, 17), RangeError);
    assert.throws(() => b.recv_into(buf.subarray(8), 9), RangeError);
    assert.throws(() => b.recv_into(buf, -1), RangeError);
    assert.throws(() => b.recvfrom_into(buf, 100), RangeError);
    // the data is still there, and a correct call reads it into the view only
    const whole = new Uint8Array(24);
    assert.equal(b.recv_into(whole.subarray(4, 12)), 8);
    assert.deepEqual([...whole.subarray(0, 4)], [0, 0, 0, 0]);
    assert.deepEqual([...whole.subarray(4, 12)], [7, 7, 7, 7, 7, 7, 7, 7]);
    assert.deepEqual([...whole.subarray(12)], new Array(12).fill(0));
  } finally {
    a.close();
    b.close();
  }
});

Deno.test("recv() and recvfrom() refuse a negative bufsize", () => {
  using s = socket(AF_INET, SOCK_DGRAM);
  assert.throws(() => s.recv(-1), RangeError);
  assert.throws(() => s.recvfrom(-5), RangeError);
});

Deno.test("every operation on a closed socket raises EBADF", () => {
  const s = socket(AF_INET, SOCK_STREAM);
  s.close();
  s.close(); // twice is a no-op
  assert.equal(s.fileno(), -1);
  const buf = new Uint8Array(8);
  const ops: [string, () => unknown][] = [
    ["bind", () => s.bind(["127.0.0.1", 0])],
    ["connect", () => s.connect(["127.0.0.1", 1])],
    ["listen", () => s.listen()],
    ["accept", () => s.accept()],
    ["send", () => s.send(buf)],
    ["sendall", () => s.sendall(buf)],
    ["sendto", () => s.sendto(buf, ["127.0.0.1", 9])],
    ["recv", () => s.recv(8)],
    ["recv_into", () => s.recv_into(buf)],
    ["recvfrom", () => s.recvfrom(8)],
    ["recvfrom_into", () => s.recvfrom_into(buf)],
    ["getsockname", () => s.getsockname()],
    ["getpeername", () => s.getpeername()],
    ["getsockopt", () => s.getsockopt(SOL_SOCKET, SO_REUSEADDR)],
    ["setsockopt", () => s.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)],
    ["shutdown", () => s.shutdown(0)],
    ["dup", () => s.dup()],
    ["get_inheritable", () => s.get_inheritable()],
    ["set_inheritable", () => s.set_inheritable(true)],
  ];
  for (const [name, op] of ops) {
    const e = assertSocketError(op, "EBADF");
    assert.equal(e.errno, 9, name);
  }
  assert.equal(s.connect_ex(["127.0.0.1", 1]), 9);
});

Deno.test("a detached socket behaves as closed, and its descriptor stays open", () => {
  const s = socket(AF_INET, SOCK_STREAM);
  const fd = s.detach();
  assert.ok(fd >= 0);
  assert.equal(s.fileno(), -1);
  assertSocketError(() => s.getsockname(), "EBADF");
  assertSocketError(() => s.send(new Uint8Array(1)), "EBADF");
  // the descriptor is still a socket: adopt it and close it for real
  const again = socket(undefined, undefined, undefined, fd);
  assert.equal(again.family, AF_INET);
  assert.equal(again.type, SOCK_STREAM);
  again.close();
  assert.equal(s.detach(), -1);
});

Deno.test("an unsupported family raises SocketError EAFNOSUPPORT (AF_CAN: not in this kernel)", () => {
  const before = openFds();
  const e = assertSocketError(() => socket(AF_CAN, SOCK_RAW, CAN_RAW), "EAFNOSUPPORT");
  assert.equal(e.syscall, "socket");
  assertSocketError(() => new Socket(12345, SOCK_STREAM), "EAFNOSUPPORT");
  assert.equal(openFds(), before);
});

Deno.test("a wrong address shape for the family is a TypeError", () => {
  using s4 = socket(AF_INET, SOCK_STREAM);
  assert.throws(() => s4.bind("127.0.0.1"), TypeError);
  assert.throws(() => s4.bind(["127.0.0.1"] as unknown as [string, number]), TypeError);
  assert.throws(() => s4.bind(["127.0.0.1", 0, 0] as unknown as [string, number]), TypeError);
  assert.throws(() => s4.bind([127, 0] as unknown as [string, number]), TypeError);
  using s6 = socket(AF_INET6, SOCK_STREAM);
  assert.throws(() => s6.bind(["::1"] as unknown as [string, number]), TypeError);
  assert.throws(() => s6.bind(["::1", 0, 0, 0, 0] as unknown as [string, number]), TypeError);
  assert.throws(() => s6.bind(["::1", 0, -1]), RangeError); // flowinfo
  assert.throws(() => s6.bind(["::1", 0, 0x100000]), RangeError);
  using su = socket(AF_UNIX, SOCK_STREAM);
  assert.throws(() => su.bind(["/tmp/x", 0] as unknown as string), TypeError);
  assert.throws(() => su.bind(42 as unknown as string), TypeError);
  // a path longer than sun_path
  assert.throws(() => su.bind("/tmp/" + "x".repeat(200)), SocketError);
});

Deno.test("getsockopt() buflen and setsockopt() values are range-checked", () => {
  using s = socket(AF_INET, SOCK_STREAM);
  assert.equal(s.getsockopt(SOL_SOCKET, SO_REUSEADDR, 0), 0); // 0 is the int form, as CPython
  assert.throws(() => s.getsockopt(SOL_SOCKET, SO_REUSEADDR, -1), RangeError);
  assert.throws(() => s.getsockopt(SOL_SOCKET, SO_REUSEADDR, 1025), RangeError);
  assert.throws(() => s.setsockopt(SOL_SOCKET, SO_REUSEADDR, 2 ** 31), RangeError);
  assert.throws(
    () => s.setsockopt(SOL_SOCKET, SO_REUSEADDR, null as unknown as number),
    TypeError,
  );
  assert.throws(() => s.setsockopt(SOL_SOCKET, SO_REUSEADDR, "1" as unknown as number), TypeError);
  assertSocketError(() => s.setsockopt(SOL_SOCKET, 99999, 1), "ENOPROTOOPT");
  assertSocketError(() => s.getsockopt(SOL_SOCKET, 99999), "ENOPROTOOPT");
});

Deno.test("settimeout() refuses negative, NaN and non-number values", () => {
  using s = socket();
  assert.throws(() => s.settimeout(-1), RangeError);
  assert.throws(() => s.settimeout(NaN), RangeError);
  assert.throws(() => s.settimeout(Infinity), RangeError);
  s.settimeout(9.2e9); // CPython's limit is 2^63 - 1 ns
  assert.equal(s.gettimeout(), 9.2e9);
  assert.throws(() => s.settimeout(9.3e9), RangeError);
  s.settimeout(null);
  assert.throws(() => s.settimeout("1" as unknown as number), TypeError);
  assert.equal(s.gettimeout(), null);
});

Deno.test("fileno must be a non-negative integer and a socket", () => {
  assert.throws(() => socket(AF_INET, SOCK_STREAM, 0, -1), RangeError);
  assert.throws(() => socket(AF_INET, SOCK_STREAM, 0, 1.5), TypeError);
  // a descriptor that is not open
  assertSocketError(() => socket(undefined, undefined, undefined, 987654), "EBADF");
  // a descriptor that is not a socket: a file this test opens
  const path = Deno.makeTempFileSync();
  using f = Deno.openSync(path);
  const fileFd = [...Deno.readDirSync("/proc/self/fd")].map((e) => Number(e.name)).find((fd) => {
    try {
      return Deno.readLinkSync(`/proc/self/fd/${fd}`) === path;
    } catch {
      return false;
    }
  });
  assert.ok(fileFd !== undefined, "the test file's descriptor was not found in /proc/self/fd");
  assertSocketError(() => socket(undefined, undefined, undefined, fileFd), "ENOTSOCK");
  f.close();
  Deno.removeSync(path);
});

Deno.test("an overridden byteLength cannot make the kernel read or write past a buffer", () => {
  class Liar extends Uint8Array {
    override get byteLength(): number {
      return 1 << 20;
    }
  }
  const [a, b] = socketpair();
  try {
    a.sendall(new Uint8Array(4096).fill(1));
    const guarded = new Uint8Array(64);
    const liar = new Liar(guarded.buffer, 16, 16);
    assert.equal(b.recv_into(liar), 16); // the real length, not the lie
    assert.deepEqual([...guarded.subarray(0, 16)], new Array(16).fill(0));
    assert.deepEqual([...guarded.subarray(32)], new Array(32).fill(0));
    assert.throws(() => b.recv_into(liar, 17), RangeError);
    const own = new Uint8Array(8);
    Object.defineProperty(own, "byteLength", { get: () => 1 << 20 });
    assert.equal(a.send(own), 8);
    // a SharedArrayBuffer is bytes too
    assert.equal(a.send(new SharedArrayBuffer(4)), 4);
  } finally {
    a.close();
    b.close();
  }
});
