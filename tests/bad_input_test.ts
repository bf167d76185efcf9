/**
 * Bad input gets a clear, typed error and loses nothing: no crash, no
 * out-of-bounds access, no leaked descriptor.
 */
import { assert, assertEquals, assertMatch, assertStringIncludes, assertThrows } from "@std/assert";
import {
  AF_CAN,
  AF_INET,
  AF_INET6,
  AF_UNIX,
  CAN_RAW,
  errnoValues,
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
import { PYTHON, run } from "./_sock_util.ts";
import { nextTestOnLinux } from "./_platform.ts";

function openFds(): number {
  return [...Deno.readDirSync("/dev/fd")].length;
}

/** Asserts that `fn` throws a SocketError with the errno code `code`, its message CPython's "[Errno N] ...". */
function assertSocketError(fn: () => unknown, code: string): SocketError {
  const caught = assertThrows(fn, SocketError, `[Errno ${errnoValues[code]}] `);
  assertEquals(caught.code, code);
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
      assertThrows(
        f,
        TypeError,
        "needs bytes (a Uint8Array or other BufferSource), not a string: encode it first",
      );
    }
    assertThrows(
      () => a.send(42 as unknown as Uint8Array),
      TypeError,
      "send() needs a BufferSource, not number",
    );
    assertThrows(
      () => a.send([1, 2] as unknown as Uint8Array),
      TypeError,
      "send() needs a BufferSource, not an array",
    );
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
    assertThrows(
      () => s.bind(["127.0.0.1", port]),
      RangeError,
      `port must be 0-65535, not ${port}`,
    );
    assertThrows(
      () => s.connect(["127.0.0.1", port]),
      RangeError,
      `port must be 0-65535, not ${port}`,
    );
    assertThrows(
      () => s.sendto(new Uint8Array(1), ["127.0.0.1", port]),
      RangeError,
      `port must be 0-65535, not ${port}`,
    );
  }
  using s6 = socket(AF_INET6, SOCK_DGRAM);
  assertThrows(
    () => s6.bind(["::1", 65536]),
    RangeError,
    "getsockaddrarg: port must be 0-65535, not 65536",
  );
  // the socket is still usable
  s.bind(["127.0.0.1", 0]);
  assertEquals((s.getsockname() as [string, number])[0], "127.0.0.1");
});

Deno.test("non-integers where integers are due throw instead of coercing", () => {
  using s = socket(AF_INET, SOCK_STREAM);
  assertThrows(
    () => s.bind(["127.0.0.1", 1.5]),
    TypeError,
    "port must be an integer, not the non-integer 1.5",
  );
  assertThrows(
    () => s.bind(["127.0.0.1", "80" as unknown as number]),
    TypeError,
    "port must be an integer, not string",
  );
  assertThrows(
    () => s.bind(["127.0.0.1", NaN]),
    TypeError,
    "port must be an integer, not the non-integer NaN",
  );
  assertThrows(
    () => s.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1.5),
    TypeError,
    "value must be an integer, not the non-integer 1.5",
  );
  assertThrows(
    () => s.setsockopt(SOL_SOCKET, 2.5, 1),
    TypeError,
    "optname must be an integer, not the non-integer 2.5",
  );
  assertThrows(
    () => s.getsockopt(SOL_SOCKET, SO_REUSEADDR, 4.5),
    TypeError,
    "buflen must be an integer, not the non-integer 4.5",
  );
  assertThrows(
    () => s.recv(1.5),
    TypeError,
    "recv() bufsize must be an integer, not the non-integer 1.5",
  );
  assertThrows(
    () => s.listen(1.5),
    TypeError,
    "backlog must be an integer, not the non-integer 1.5",
  );
  assertThrows(
    () => s.shutdown("1" as unknown as number),
    TypeError,
    "how must be an integer, not string",
  );
  assertThrows(
    () => socket(AF_INET, 1.5),
    TypeError,
    "type must be an integer, not the non-integer 1.5",
  );
  assertThrows(
    () => s.recv(10, 0.5),
    TypeError,
    "flags must be a 32-bit integer, not the non-integer 0.5",
  );
});

// A name that is not numeric and not in /etc/hosts makes getaddrinfo ask the
// machine's DNS server: the lookup runs in a child inside `unshare -n`, a fresh
// network namespace whose loopback is down, so the query fails at once and no
// packet leaves the machine.
const UNSHARE_OK = (await run("unshare", ["-n", "true"]))?.code === 0;
if (!UNSHARE_OK) {
  console.log(
    "bad_input_test: `unshare -n` is unavailable (needs root or user namespaces), so the " +
      "unresolvable-host test is ignored",
  );
}

nextTestOnLinux("runs in a network namespace (unshare -n)");
Deno.test({
  name: "a host that does not resolve raises gaierror, as CPython (inside unshare -n)",
  ignore: !UNSHARE_OK,
  async fn(): Promise<void> {
    const child = `
import { gaierror, socket, SocketError } from ${
      JSON.stringify(new URL("../mod.ts", import.meta.url).href)
    };
using s = socket();
try {
  s.connect(["no-such-host.invalid", 80]);
  console.log("{}");
} catch (e) {
  console.log(JSON.stringify({
    gaierror: e instanceof gaierror, SocketError: e instanceof SocketError,
    code: e.code, errno: e.errno, message: e.message,
  }));
}`;
    const r = await run("unshare", ["-n", Deno.execPath(), "eval", child]);
    assert(r !== null && r.code === 0, r?.stderr);
    const got = JSON.parse(r.stdout);
    assertEquals([got.gaierror, got.SocketError], [true, true], r.stdout);
    assertMatch(got.code, /^EAI_/);
    assertStringIncludes(got.message, `[Errno ${got.errno}] `);
    if (PYTHON !== null) {
      const py = await run("unshare", [
        "-n",
        PYTHON,
        "-c",
        `import socket
try:
    socket.socket().connect(("no-such-host.invalid", 80))
except socket.gaierror as e:
    print(e.errno, str(e))`,
      ]);
      assert(py !== null && py.code === 0, py?.stderr);
      assertEquals(`${got.errno} ${got.message}`, py.stdout.trim());
    }
  },
});

Deno.test("recv_into() refuses nbytes larger than the buffer or negative", () => {
  const [a, b] = socketpair();
  try {
    a.send(new Uint8Array(64).fill(7));
    const buf = new Uint8Array(16);
    assertThrows(
      () => b.recv_into(buf, 17),
      RangeError,
      "buffer too small for requested bytes: 17 > 16",
    );
    assertThrows(
      () => b.recv_into(buf.subarray(8), 9),
      RangeError,
      "buffer too small for requested bytes: 9 > 8",
    );
    assertThrows(() => b.recv_into(buf, -1), RangeError, "negative buffersize in recv_into: -1");
    assertThrows(
      () => b.recvfrom_into(buf, 100),
      RangeError,
      "buffer too small for requested bytes: 100 > 16",
    );
    // the data is still there, and a correct call reads it into the view only
    const whole = new Uint8Array(24);
    assertEquals(b.recv_into(whole.subarray(4, 12)), 8);
    assertEquals([...whole.subarray(0, 4)], [0, 0, 0, 0]);
    assertEquals([...whole.subarray(4, 12)], [7, 7, 7, 7, 7, 7, 7, 7]);
    assertEquals([...whole.subarray(12)], new Array(12).fill(0));
  } finally {
    a.close();
    b.close();
  }
});

Deno.test("recv() and recvfrom() refuse a negative bufsize", () => {
  using s = socket(AF_INET, SOCK_DGRAM);
  assertThrows(() => s.recv(-1), RangeError, "negative buffersize in recv: -1");
  assertThrows(() => s.recvfrom(-5), RangeError, "negative buffersize in recvfrom: -5");
});

Deno.test("every operation on a closed socket raises EBADF", () => {
  const s = socket(AF_INET, SOCK_STREAM);
  s.close();
  s.close(); // twice is a no-op
  assertEquals(s.fileno(), -1);
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
    assertEquals(e.errno, 9, name);
  }
  assertEquals(s.connect_ex(["127.0.0.1", 1]), 9);
});

Deno.test("a detached socket behaves as closed, and its descriptor stays open", () => {
  const s = socket(AF_INET, SOCK_STREAM);
  const fd = s.detach();
  assert(fd >= 0);
  assertEquals(s.fileno(), -1);
  assertSocketError(() => s.getsockname(), "EBADF");
  assertSocketError(() => s.send(new Uint8Array(1)), "EBADF");
  // the descriptor is still a socket: adopt it and close it for real
  const again = socket(undefined, undefined, undefined, fd);
  assertEquals(again.family, AF_INET);
  assertEquals(again.type, SOCK_STREAM);
  again.close();
  assertEquals(s.detach(), -1);
});

nextTestOnLinux("AF_CAN is Linux's");
Deno.test("an unsupported family raises SocketError EAFNOSUPPORT (AF_CAN: not in this kernel)", () => {
  const before = openFds();
  const e = assertSocketError(() => socket(AF_CAN, SOCK_RAW, CAN_RAW), "EAFNOSUPPORT");
  assertEquals(e.syscall, "socket");
  assertSocketError(() => new Socket(12345, SOCK_STREAM), "EAFNOSUPPORT");
  assertEquals(openFds(), before);
});

Deno.test("a wrong address shape for the family is a TypeError", () => {
  using s4 = socket(AF_INET, SOCK_STREAM);
  assertThrows(
    () => s4.bind("127.0.0.1"),
    TypeError,
    "AF_INET address must be an array [host, port], not string",
  );
  assertThrows(
    () => s4.bind(["127.0.0.1"] as unknown as [string, number]),
    TypeError,
    "AF_INET address must be a pair [host, port], not an array of 1",
  );
  assertThrows(
    () => s4.bind(["127.0.0.1", 0, 0] as unknown as [string, number]),
    TypeError,
    "AF_INET address must be a pair [host, port], not an array of 3",
  );
  assertThrows(
    () => s4.bind([127, 0] as unknown as [string, number]),
    TypeError,
    "host must be a string, not number",
  );
  using s6 = socket(AF_INET6, SOCK_STREAM);
  assertThrows(
    () => s6.bind(["::1"] as unknown as [string, number]),
    TypeError,
    "AF_INET6 address must be [host, port[, flowinfo[, scope_id]]], not an array of 1",
  );
  assertThrows(
    () => s6.bind(["::1", 0, 0, 0, 0] as unknown as [string, number]),
    TypeError,
    "AF_INET6 address must be [host, port[, flowinfo[, scope_id]]], not an array of 5",
  );
  assertThrows(
    () => s6.bind(["::1", 0, -1]),
    RangeError,
    "getsockaddrarg: flowinfo must be 0-1048575, not -1",
  ); // flowinfo
  assertThrows(
    () => s6.bind(["::1", 0, 0x100000]),
    RangeError,
    "getsockaddrarg: flowinfo must be 0-1048575, not 1048576",
  );
  using su = socket(AF_UNIX, SOCK_STREAM);
  assertThrows(
    () => su.bind(["/tmp/x", 0] as unknown as string),
    TypeError,
    "AF_UNIX address must be a string or bytes (a BufferSource), not an array",
  );
  assertThrows(
    () => su.bind(42 as unknown as string),
    TypeError,
    "AF_UNIX address must be a string or bytes (a BufferSource), not number",
  );
  // a path longer than sun_path
  assertThrows(
    () => su.bind("/tmp/" + "x".repeat(200)),
    SocketError,
    "[Errno 36] AF_UNIX path too long",
  );
});

Deno.test("getsockopt() buflen and setsockopt() values are range-checked", () => {
  using s = socket(AF_INET, SOCK_STREAM);
  assertEquals(s.getsockopt(SOL_SOCKET, SO_REUSEADDR, 0), 0); // 0 is the int form, as CPython
  assertThrows(
    () => s.getsockopt(SOL_SOCKET, SO_REUSEADDR, -1),
    RangeError,
    "getsockopt buflen out of range: -1 (0-1024)",
  );
  assertThrows(
    () => s.getsockopt(SOL_SOCKET, SO_REUSEADDR, 1025),
    RangeError,
    "getsockopt buflen out of range: 1025 (0-1024)",
  );
  assertThrows(
    () => s.setsockopt(SOL_SOCKET, SO_REUSEADDR, 2 ** 31),
    RangeError,
    "setsockopt value: signed integer is greater than maximum",
  );
  assertThrows(
    () => s.setsockopt(SOL_SOCKET, SO_REUSEADDR, null as unknown as number),
    TypeError,
    "setsockopt() with a null value needs optlen (the 4th argument)",
  );
  assertThrows(
    () => s.setsockopt(SOL_SOCKET, SO_REUSEADDR, "1" as unknown as number),
    TypeError,
    "setsockopt() needs bytes (a Uint8Array or other BufferSource), not a string: encode it first, e.g. new TextEncoder().encode(s)",
  );
  assertSocketError(() => s.setsockopt(SOL_SOCKET, 99999, 1), "ENOPROTOOPT");
  assertSocketError(() => s.getsockopt(SOL_SOCKET, 99999), "ENOPROTOOPT");
});

Deno.test("settimeout() refuses negative, NaN and non-number values", () => {
  using s = socket();
  assertThrows(() => s.settimeout(-1), RangeError, "Timeout value out of range");
  assertThrows(() => s.settimeout(NaN), RangeError, "Invalid value NaN (not a number)");
  assertThrows(() => s.settimeout(Infinity), RangeError, "Timeout value out of range");
  s.settimeout(9.2e9); // CPython's limit is 2^63 - 1 ns
  assertEquals(s.gettimeout(), 9.2e9);
  assertThrows(() => s.settimeout(9.3e9), RangeError, "timestamp out of range for platform time_t");
  s.settimeout(null);
  assertThrows(
    () => s.settimeout("1" as unknown as number),
    TypeError,
    "timeout must be a number of seconds or null, not string",
  );
  assertEquals(s.gettimeout(), null);
});

nextTestOnLinux("finds a file's descriptor through /proc/self/fd links");
Deno.test("fileno must be a non-negative integer and a socket", () => {
  assertThrows(
    () => socket(AF_INET, SOCK_STREAM, 0, -1),
    RangeError,
    "negative file descriptor: -1",
  );
  assertThrows(
    () => socket(AF_INET, SOCK_STREAM, 0, 1.5),
    TypeError,
    "fileno must be an integer, not the non-integer 1.5",
  );
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
  assert(fileFd !== undefined, "the test file's descriptor was not found in /proc/self/fd");
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
    assertEquals(b.recv_into(liar), 16); // the real length, not the lie
    assertEquals([...guarded.subarray(0, 16)], new Array(16).fill(0));
    assertEquals([...guarded.subarray(32)], new Array(32).fill(0));
    assertThrows(
      () => b.recv_into(liar, 17),
      RangeError,
      "buffer too small for requested bytes: 17 > 16",
    );
    const own = new Uint8Array(8);
    Object.defineProperty(own, "byteLength", { get: () => 1 << 20 });
    assertEquals(a.send(own), 8);
    // a SharedArrayBuffer is bytes too
    assertEquals(a.send(new SharedArrayBuffer(4)), 4);
  } finally {
    a.close();
    b.close();
  }
});
