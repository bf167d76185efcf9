/**
 * A hostile caller (issue 9, items 2 and 6-10): whatever a caller passes,
 * the library reads and writes only the memory of the buffers it is given,
 * sends where the address said at the time it was encoded, range-checks
 * every integer bound for C with its own message, reports argument errors
 * of async calls as rejections (never a synchronous throw, never an
 * unhandled rejection), and leaks no descriptor when an argument fails late.
 *
 * The lying buffers: a Uint8Array subclass whose `length`, `byteLength`,
 * `byteOffset` and `buffer` getters lie, a plain Uint8Array with those
 * redefined as own properties, and a DataView subclass that lies the same
 * way. Each entry point that takes bytes must behave exactly as it does
 * with an honest view of the same memory.
 */

import { assertEquals, assertRejects, assertThrows } from "@std/assert";
import { dirname, fromFileUrl, join } from "@std/path";
import {
  AF_INET,
  AF_INET6,
  AF_UNIX,
  AI_NUMERICHOST,
  async,
  close,
  ConnectionResetError,
  create_connection,
  fromfd,
  gaierror,
  getaddrinfo,
  gethostbyname,
  gethostbyname_ex,
  herror,
  if_indextoname,
  if_nametoindex,
  inet_ntoa,
  inet_ntop,
  IP_OPTIONS,
  IPPROTO_IP,
  NI_NUMERICHOST,
  NI_NUMERICSERV,
  recv_fds,
  SCM_RIGHTS,
  send_fds,
  SHUT_WR,
  SO_TYPE,
  SOCK_DGRAM,
  SOCK_STREAM,
  type Socket,
  socket,
  SocketError,
  socketpair,
  SOL_SOCKET,
  TimeoutError,
} from "../mod.ts";
import { poll, POLLOUT } from "../src/select.ts";
import { fdTarget } from "./_sock_util.ts";
import { nextTestOnLinux } from "./_platform.ts";

// ---- lying buffers ----

/** Bytes around the real ones: an out-of-bounds read inside the buffer shows 0xcc. */
const FILL = 0xcc;
/**
 * What the decoy `buffer` holds: zeros, so that a host name read through a
 * lying `buffer` is empty (no lookup can leave the machine, even if a
 * regression reads it) and sent bytes differ from the real ones.
 */
const DECOY = 0;

type View = Uint8Array | DataView;

/** An honest view of `content`, 8 bytes into a buffer of its own padded with FILL. */
function honest(content: Uint8Array): Uint8Array<ArrayBuffer> {
  const ab = new ArrayBuffer(content.length + 64);
  new Uint8Array(ab).fill(FILL);
  const v = new Uint8Array(ab, 8, content.length);
  v.set(content);
  return v;
}

function lies(lie: number): PropertyDescriptorMap {
  const decoy = new Uint8Array(lie + 64).fill(DECOY).buffer;
  return {
    length: { get: () => lie, configurable: true },
    byteLength: { get: () => lie, configurable: true },
    byteOffset: { get: () => 0, configurable: true },
    buffer: { get: () => decoy, configurable: true },
  };
}

/**
 * The three liars over the same memory as `honest(content)`: each says it
 * holds `lie` bytes at offset 0 of a decoy buffer.
 */
function liars(content: Uint8Array, lie: number): [kind: string, value: View][] {
  const h1 = honest(content);
  class LyingBytes extends Uint8Array {}
  Object.defineProperties(LyingBytes.prototype, lies(lie));
  const sub = new LyingBytes(h1.buffer, h1.byteOffset, h1.length);

  const own = honest(content);
  Object.defineProperties(own, lies(lie));

  const h3 = honest(content);
  class LyingView extends DataView<ArrayBuffer> {}
  Object.defineProperties(LyingView.prototype, lies(lie));
  const dv = new LyingView(h3.buffer, h3.byteOffset, h3.length);
  return [["a lying Uint8Array subclass", sub], ["redefined own properties", own], [
    "a lying DataView subclass",
    dv,
  ]];
}

/** The real memory behind a view (through a fresh honest view of its buffer). */
function memoryOf(v: View): number[] {
  const ab = Object.getOwnPropertyDescriptor(
    Object.getPrototypeOf(Uint8Array.prototype),
    "buffer",
  )!.get!;
  const buf = v instanceof DataView
    ? Object.getOwnPropertyDescriptor(DataView.prototype, "buffer")!.get!.call(v)
    : ab.call(v);
  return [...new Uint8Array(buf as ArrayBuffer)];
}

/** A call's outcome, comparable with assertEquals: its value, or its error's class and message. */
async function outcome(f: () => unknown): Promise<unknown> {
  try {
    return { value: await f() };
  } catch (e) {
    return { error: (e as Error).constructor.name, message: (e as Error).message };
  }
}

/** Everything readable on `s` now (non-blocking), concatenated. */
function drain(s: Socket): number[] {
  s.setblocking(false);
  const out: number[] = [];
  for (;;) {
    try {
      const b = s.recv(65536);
      if (b.length === 0) break;
      out.push(...b);
    } catch (e) {
      if (e instanceof SocketError && e.code === "EAGAIN") break;
      throw e;
    }
  }
  return out;
}

/** Runs `f` on a fresh unix stream socketpair, then returns its outcome and what the peer got. */
function onPair(f: (a: Socket, b: Socket) => unknown): Promise<unknown> {
  return (async () => {
    const [a, b] = socketpair(AF_UNIX, SOCK_STREAM);
    try {
      const r = await outcome(() => f(a, b));
      return { r, peer: drain(b) };
    } finally {
      a.close();
      b.close();
    }
  })();
}

/** Runs `f` with data already waiting on `a` (100 bytes from its peer); returns outcome and memory. */
function intoPair(v: View, f: (a: Socket) => unknown): Promise<unknown> {
  return (async () => {
    const [a, b] = socketpair(AF_UNIX, SOCK_STREAM);
    try {
      b.sendall(new Uint8Array(100).map((_, i) => i + 1));
      b.shutdown(SHUT_WR); // a read that wants more than there is ends at end of stream
      const r = await outcome(() => f(a));
      return { r, memory: memoryOf(v) };
    } finally {
      a.close();
      b.close();
    }
  })();
}

function udpPair(): [Socket, Socket, [string, number]] {
  const r = socket(AF_INET, SOCK_DGRAM);
  r.bind(["127.0.0.1", 0]);
  const s = socket(AF_INET, SOCK_DGRAM);
  return [s, r, r.getsockname() as [string, number]];
}

const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);
const bytes16 = new Uint8Array(16).map((_, i) => 0x41 + i);

/** A descriptor that stays open while the table runs, to pass with SCM_RIGHTS. */
let keeper: Socket | undefined;

interface Entry {
  name: string;
  content: Uint8Array | (() => Uint8Array);
  lie?: number;
  run: (v: View) => unknown;
}

/** Every entry point that takes bytes from the caller. */
const ENTRIES: Entry[] = [
  // sync sends
  { name: "send", content: bytes16, run: (v) => onPair((a) => a.send(v)) },
  { name: "sendall", content: bytes16, run: (v) => onPair((a) => a.sendall(v)) },
  {
    name: "sendto",
    content: bytes16,
    run: async (v) => {
      const [s, r, addr] = udpPair();
      try {
        return { r: await outcome(() => s.sendto(v, addr)), peer: drain(r) };
      } finally {
        s.close();
        r.close();
      }
    },
  },
  { name: "sendmsg buffers", content: bytes16, run: (v) => onPair((a) => a.sendmsg([v])) },
  {
    name: "sendmsg ancillary data",
    // four copies of a descriptor number, as SCM_RIGHTS data
    content: () => {
      const fd = (keeper ??= socket(AF_UNIX, SOCK_DGRAM)).fileno();
      return new Uint8Array(new Int32Array([fd, fd, fd, fd]).buffer);
    },
    run: (v) =>
      onPair((a, b) => {
        const sent = a.sendmsg([new Uint8Array([1])], [[SOL_SOCKET, SCM_RIGHTS, v]]);
        const [, fds] = recv_fds(b, 16, 64);
        for (const f of fds) close(f);
        return [sent, fds.length];
      }),
  },
  {
    name: "send_fds buffers",
    content: bytes16,
    run: (v) =>
      onPair((a, b) => {
        const n = send_fds(a, [v], [a.fileno()]);
        const [data, fds] = recv_fds(b, 4096, 4);
        for (const f of fds) close(f);
        return [n, [...data], fds.length];
      }),
  },
  {
    name: "setsockopt",
    // 16 IPOPT_NOP bytes: valid IP options, read back with getsockopt
    content: new Uint8Array(16).fill(1),
    run: (v) => {
      using s = socket(AF_INET, SOCK_DGRAM);
      return outcome(() => {
        s.setsockopt(IPPROTO_IP, IP_OPTIONS, v);
        return [...s.getsockopt(IPPROTO_IP, IP_OPTIONS, 40)];
      });
    },
  },
  {
    name: "bind (AF_UNIX abstract name)",
    content: ascii(`\0sockffi-hostile-${Deno.pid}`),
    run: (v) => {
      // the same name for the honest and the lying call: bind, read back, close
      using s = socket(AF_UNIX, SOCK_DGRAM);
      return outcome(() => {
        s.bind(v);
        return [...(s.getsockname() as Uint8Array)];
      });
    },
  },
  {
    name: "connect and sendto (AF_UNIX abstract name)",
    content: ascii(`\0sockffi-hostile-peer-${Deno.pid}`),
    run: (v) => {
      using peer = socket(AF_UNIX, SOCK_DGRAM);
      peer.bind(honest(ascii(`\0sockffi-hostile-peer-${Deno.pid}`)));
      using s = socket(AF_UNIX, SOCK_DGRAM);
      return outcome(() => {
        s.sendto(new Uint8Array([7]), v);
        s.connect(v);
        s.send(new Uint8Array([8]));
        return [...peer.recv(8), ...peer.recv(8)];
      });
    },
  },
  // sync receives: the kernel must write only into the real memory
  { name: "recv_into", content: bytes16, run: (v) => intoPair(v, (a) => a.recv_into(v)) },
  {
    name: "recvfrom_into",
    content: bytes16,
    run: (v) => intoPair(v, (a) => a.recvfrom_into(v)[0]),
  },
  {
    name: "recvmsg_into",
    content: bytes16,
    run: (v) => intoPair(v, (a) => a.recvmsg_into([v])[0]),
  },
  // files
  {
    name: "makefile raw write",
    content: bytes16,
    run: (v) =>
      onPair((a) => {
        using f = a.makefile("wb", 0);
        return f.write(v);
      }),
  },
  {
    name: "makefile buffered write",
    content: bytes16,
    run: (v) =>
      onPair((a) => {
        using f = a.makefile("wb");
        const n = f.write(v);
        f.flush();
        return n;
      }),
  },
  {
    name: "makefile raw readinto",
    content: bytes16,
    run: (v) =>
      intoPair(v, (a) => {
        using f = a.makefile("rb", 0);
        return f.readinto(v);
      }),
  },
  {
    name: "makefile buffered readinto",
    content: bytes16,
    run: (v) =>
      intoPair(v, (a) => {
        using f = a.makefile("rb");
        return f.readinto(v);
      }),
  },
  // async
  { name: "async send", content: bytes16, run: (v) => onPair((a) => a.async.send(v)) },
  { name: "async sendall", content: bytes16, run: (v) => onPair((a) => a.async.sendall(v)) },
  {
    name: "async sendto",
    content: bytes16,
    run: async (v) => {
      const [s, r, addr] = udpPair();
      try {
        return { r: await outcome(() => s.async.sendto(v, addr)), peer: drain(r) };
      } finally {
        s.close();
        r.close();
      }
    },
  },
  {
    name: "async sendmsg",
    content: bytes16,
    run: (v) => onPair((a) => a.async.sendmsg([v])),
  },
  {
    name: "async recv_into",
    content: bytes16,
    run: (v) => intoPair(v, (a) => a.async.recv_into(v)),
  },
  {
    name: "async recvfrom_into",
    content: bytes16,
    run: (v) => intoPair(v, async (a) => (await a.async.recvfrom_into(v))[0]),
  },
  {
    name: "async recvmsg_into",
    content: bytes16,
    run: (v) => intoPair(v, async (a) => (await a.async.recvmsg_into([v]))[0]),
  },
  {
    name: "writable stream",
    content: bytes16,
    run: (v) =>
      onPair(async (a) => {
        const w = a.writable.getWriter();
        await w.write(v as Uint8Array);
        w.releaseLock();
      }),
  },
  // module functions
  {
    name: "inet_ntoa",
    content: new Uint8Array([192, 0, 2, 1]),
    run: (v) => outcome(() => inet_ntoa(v)),
  },
  {
    name: "inet_ntop AF_INET",
    content: new Uint8Array([192, 0, 2, 1]),
    run: (v) => outcome(() => inet_ntop(AF_INET, v)),
  },
  {
    // a 4-byte array that claims the 16 bytes of an IPv6 address
    name: "inet_ntop AF_INET6 (4 real bytes claiming 16)",
    content: new Uint8Array([192, 0, 2, 1]),
    lie: 16,
    run: (v) => outcome(() => inet_ntop(AF_INET6, v)),
  },
  {
    name: "inet_ntop AF_INET6",
    content: bytes16,
    run: (v) => outcome(() => inet_ntop(AF_INET6, v)),
  },
  { name: "if_nametoindex", content: ascii("lo"), run: (v) => outcome(() => if_nametoindex(v)) },
  {
    name: "getaddrinfo host and port",
    content: ascii("127.0.0.1"),
    run: (v) => outcome(() => getaddrinfo(v, 80, AF_INET, SOCK_STREAM, 0, AI_NUMERICHOST)),
  },
  {
    name: "gethostbyname",
    content: ascii("127.0.0.1"),
    run: (v) => outcome(() => gethostbyname(v)),
  },
  {
    // a numeric address: no lookup leaves the machine
    name: "gethostbyname_ex",
    content: ascii("127.0.0.1"),
    run: (v) => outcome(() => gethostbyname_ex(v)[2]),
  },
  {
    name: "getaddrinfo port bytes",
    content: ascii("8080"),
    run: (v) => outcome(() => getaddrinfo("127.0.0.1", v, AF_INET, SOCK_STREAM, 0, AI_NUMERICHOST)),
  },
];

Deno.test("every entry point that takes bytes reads and writes only the real memory of a lying buffer", async () => {
  try {
    for (const e of ENTRIES) {
      const content = typeof e.content === "function" ? e.content() : e.content;
      const want = await e.run(honest(content));
      for (const [kind, v] of liars(content, e.lie ?? 4096)) {
        const got = await e.run(v);
        assertEquals(got, want, `${e.name} with ${kind}`);
      }
    }
  } finally {
    keeper?.close();
  }
});

nextTestOnLinux("runs in a UTS namespace (unshare --uts)");
Deno.test("sethostname() sends only the real bytes of a lying buffer (in a UTS namespace of its own)", async () => {
  const mod = join(dirname(fromFileUrl(import.meta.url)), "..", "mod.ts");
  const script = `
    import { gethostname, sethostname } from ${JSON.stringify("file://" + mod)};
    const out = [];
    // "h" in a buffer full of "z"; the liars claim 65 bytes, one more than
    // the kernel takes (HOST_NAME_MAX): a length read from them is EINVAL
    const one = () => { const ab = new ArrayBuffer(64); new Uint8Array(ab).fill(0x7a); const u = new Uint8Array(ab, 8, 1); u[0] = 0x68; return u; };
    class Lying extends Uint8Array {}
    Object.defineProperty(Lying.prototype, "length", { get: () => 65 });
    Object.defineProperty(Lying.prototype, "byteLength", { get: () => 65 });
    const h = one();
    const sub = new Lying(h.buffer, 8, 1);
    const own = one();
    Object.defineProperty(own, "length", { value: 65 });
    Object.defineProperty(own, "byteLength", { value: 65 });
    for (const v of [one(), sub, own]) {
      sethostname("x");
      try { sethostname(v); out.push(gethostname()); } catch (e) { out.push(e.constructor.name + ": " + e.message); }
    }
    console.log(JSON.stringify(out));
  `;
  let r: Deno.CommandOutput;
  try {
    r = await new Deno.Command("unshare", {
      args: ["--uts", Deno.execPath(), "eval", "--quiet", script],
      stdin: "null",
    }).output();
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
    console.log("skipped: no unshare(1) here");
    return;
  }
  const err = new TextDecoder().decode(r.stderr);
  if (r.code !== 0 && /unshare failed|Operation not permitted/.test(err)) {
    console.log(`skipped: cannot make a UTS namespace here (${err.trim()})`);
    return;
  }
  assertEquals(r.code, 0, err);
  assertEquals(JSON.parse(new TextDecoder().decode(r.stdout)), ["h", "h", "h"]);
});

// ---- item 10: fake and detached buffers, BigInt and Symbol sizes ----

Deno.test("fake, detached and shared buffers get the library's errors, in sync and async calls alike", async () => {
  const [a, b] = socketpair();
  try {
    const fakeAB = Object.create(ArrayBuffer.prototype);
    const fakeU8 = Object.create(Uint8Array.prototype);
    const dvAsU8 = Object.setPrototypeOf(new DataView(new ArrayBuffer(8)), Uint8Array.prototype);
    for (const fake of [fakeAB, fakeU8]) {
      assertThrows(() => a.send(fake), TypeError, "send() needs a BufferSource");
      assertThrows(() => a.sendall(fake), TypeError, "sendall() needs a BufferSource");
      assertThrows(() => b.recv_into(fake), TypeError, "recv_into() needs a BufferSource");
      await assertRejects(() => a.async.send(fake), TypeError, "send() needs a BufferSource");
      await assertRejects(
        () => b.async.recv_into(fake),
        TypeError,
        "recv_into() needs a BufferSource",
      );
      assertThrows(() => inet_ntop(AF_INET, fake), TypeError, "inet_ntop() needs bytes");
    }
    // a real DataView dressed as a Uint8Array is still a DataView: its 8 bytes go out
    assertEquals(a.send(dvAsU8), 8);
    assertEquals(b.recv(100).length, 8);

    const detached = new ArrayBuffer(8);
    structuredClone(detached, { transfer: [detached] });
    const detachedView = new Uint8Array(new ArrayBuffer(8));
    structuredClone(detachedView.buffer, { transfer: [detachedView.buffer] });
    for (const d of [detached, detachedView]) {
      assertThrows(() => a.send(d), RangeError, "detached ArrayBuffer");
      assertThrows(() => a.sendall(d), RangeError, "detached ArrayBuffer");
      assertThrows(() => b.recv_into(d), RangeError, "detached ArrayBuffer");
      await assertRejects(() => a.async.sendall(d), RangeError, "detached ArrayBuffer");
      await assertRejects(() => b.async.recv_into(d), RangeError, "detached ArrayBuffer");
    }

    // a bare SharedArrayBuffer: accepted by the async recv_into as by the sync one
    const sab = new SharedArrayBuffer(8);
    a.send(new Uint8Array([1, 2, 3]));
    assertEquals(b.recv_into(sab), 3);
    a.send(new Uint8Array([4, 5]));
    assertEquals(await b.async.recv_into(sab), 2);
    a.send(new Uint8Array([6]));
    assertEquals((await b.async.recvfrom_into(sab))[0], 1);
    assertEquals([...new Uint8Array(sab)], [6, 5, 3, 0, 0, 0, 0, 0]);

    // BigInt and Symbol where integers are due
    for (const bad of [1n, Symbol("n")]) {
      assertThrows(() => b.recv(bad as never), TypeError, "bufsize must be an integer");
      assertThrows(() => b.recv(1, bad as never), TypeError, "flags must be a 32-bit integer");
      assertThrows(() => b.recv_into(new Uint8Array(4), bad as never), TypeError, "nbytes must be");
      assertThrows(() => a.send(new Uint8Array(1), bad as never), TypeError, "flags must be");
      await assertRejects(
        () => b.async.recv(bad as never),
        TypeError,
        "bufsize must be an integer",
      );
      await assertRejects(
        () => b.async.recv_into(new Uint8Array(4), bad as never),
        TypeError,
        "nbytes must be",
      );
      await assertRejects(() => b.async.recvfrom(bad as never), TypeError, "bufsize must be");
      assertThrows(() => b.recvmsg(bad as never), TypeError, "bufsize must be an integer");
    }
  } finally {
    a.close();
    b.close();
  }
});

// ---- item 9: integers bound for C ----

nextTestOnLinux("compares descriptors through their /proc/self/fd links (fdTarget)");
Deno.test("every integer bound for C is range-checked with the library's message (CPython's OverflowError)", () => {
  const [a, b] = socketpair();
  const stdin = fdTarget(0);
  try {
    const checks: [string, (v: number) => unknown][] = [
      ["level", (v) => a.getsockopt(v, SO_TYPE)],
      ["optname", (v) => a.getsockopt(SOL_SOCKET, v)],
      ["buflen", (v) => a.getsockopt(SOL_SOCKET, SO_TYPE, v)],
      ["level", (v) => a.setsockopt(v, SO_TYPE, 1)],
      ["optname", (v) => a.setsockopt(SOL_SOCKET, v, 1)],
      ["setsockopt value", (v) => a.setsockopt(SOL_SOCKET, SO_TYPE, v)],
      ["how", (v) => a.shutdown(v)],
      ["backlog", (v) => a.listen(v)],
      ["fd", (v) => close(v)],
      ["fd", (v) => fromfd(v, AF_UNIX, SOCK_STREAM)],
      ["family", (v) => fromfd(a.fileno(), v, SOCK_STREAM)],
      ["family", (v) => socket(v, SOCK_STREAM)],
      ["type", (v) => socket(AF_INET, v)],
      ["proto", (v) => socket(AF_INET, SOCK_STREAM, v)],
      ["fileno", (v) => socket(AF_UNIX, SOCK_STREAM, 0, v)],
      ["family", (v) => socketpair(v)],
      ["cmsg_level", (v) => a.sendmsg([new Uint8Array(1)], [[v, SCM_RIGHTS, new Uint8Array(4)]])],
      ["cmsg_type", (v) => a.sendmsg([new Uint8Array(1)], [[SOL_SOCKET, v, new Uint8Array(4)]])],
      ["send_fds() descriptor", (v) => send_fds(a, [new Uint8Array(1)], [v])],
    ];
    for (const [what, f] of checks) {
      for (const big of [2 ** 31, 2 ** 32, 2 ** 53]) {
        assertThrows(() => f(big), RangeError, `${what}: signed integer is greater than maximum`);
      }
      assertThrows(
        () => f(-(2 ** 31) - 1),
        RangeError,
        `${what}: signed integer is less than minimum`,
      );
      for (const bad of [1.5, NaN, "1", 1n]) {
        // a setsockopt value that is not a number is taken for bytes (as CPython's)
        const msg = what === "setsockopt value" && typeof bad !== "number"
          ? "setsockopt() needs"
          : `${what} must be an integer`;
        assertThrows(() => f(bad as number), TypeError, msg);
      }
    }
    assertThrows(
      () => a.setsockopt(SOL_SOCKET, SO_TYPE, null, 2 ** 32),
      RangeError,
      "optlen: unsigned integer is greater than maximum",
    );
    // close(2**32) must not close descriptor 0 (C's truncation of the int)
    assertEquals(fdTarget(0), stdin);
    // the sockets still work
    a.sendall(new Uint8Array([9]));
    assertEquals([...b.recv(1)], [9]);
  } finally {
    a.close();
    b.close();
  }
});

Deno.test("sendfile() from descriptor -0 reads descriptor 0 (in a child whose stdin is /dev/null)", async () => {
  const mod = join(dirname(fromFileUrl(import.meta.url)), "..", "mod.ts");
  const script = `
    import { socketpair } from ${JSON.stringify("file://" + mod)};
    const [a, b] = socketpair();
    console.log(JSON.stringify([a.sendfile(-0), await a.async.sendfile(-0)]));
  `;
  const r = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--quiet", script],
    stdin: "null",
  }).output();
  const err = new TextDecoder().decode(r.stderr);
  assertEquals(r.code, 0, err);
  // /dev/null: nothing to send, no "Invalid FFI i32 type" TypeError
  assertEquals(JSON.parse(new TextDecoder().decode(r.stdout)), [0, 0]);
});

// ---- item 8: sendto's address cache ----

Deno.test("sendto() after an address with changing getters goes where each call says", async () => {
  for (const mode of ["sync", "async"] as const) {
    const [s, r1, addr1] = udpPair();
    const r2 = socket(AF_INET, SOCK_DGRAM);
    r2.bind(["127.0.0.1", 0]);
    const addr2 = r2.getsockname() as [string, number];
    const send = (d: Uint8Array, addr: unknown): Promise<number> | number =>
      mode === "sync"
        ? s.sendto(d, addr as [string, number])
        : s.async.sendto(d, addr as [string, number]);
    try {
      // an array whose port answers addr1's port once, then addr2's
      let reads = 0;
      const tricky: unknown[] = ["127.0.0.1", 0];
      Object.defineProperty(tricky, 1, { get: () => reads++ === 0 ? addr1[1] : addr2[1] });
      await send(new Uint8Array([1]), tricky);
      // a Proxy doing the same
      let preads = 0;
      const proxy = new Proxy(["127.0.0.1", 0], {
        get: (t, k) => k === "1" ? (preads++ === 0 ? addr1[1] : addr2[1]) : Reflect.get(t, k),
      });
      await send(new Uint8Array([2]), proxy);
      // plain sends to addr2 must reach addr2
      await send(new Uint8Array([3]), ["127.0.0.1", addr2[1]]);
      await send(new Uint8Array([4]), [...addr2]);
      assertEquals(drain(r1), [1, 2], `${mode}: what reached the first port`);
      assertEquals(drain(r2), [3, 4], `${mode}: what reached the second port`);
    } finally {
      s.close();
      r1.close();
      r2.close();
    }
  }
});

// ---- item 7: makefile() that fails late ----

nextTestOnLinux("compares descriptors through their /proc/self/fd links (fdTarget)");
Deno.test("makefile() that fails after creating its raw file leaks no reference: close() closes the descriptor", () => {
  for (
    const [label, make] of [
      ["buffering 2**53-1", (s: Socket) => s.makefile("rb", 2 ** 53 - 1)],
      ["buffering 2**50 in text mode", (s: Socket) => s.makefile("r", 2 ** 50)],
    ] as const
  ) {
    const s = socket(AF_UNIX, SOCK_STREAM);
    const fd = s.fileno();
    assertThrows(() => make(s), RangeError, "cannot allocate a buffer", label);
    s.close();
    assertEquals(fdTarget(fd), null, `${label}: the descriptor is closed`);
  }
  // options whose getter changes its answer are read once
  const s = socket(AF_UNIX, SOCK_STREAM);
  const fd = s.fileno();
  let n = 0;
  const options = {
    get encoding(): string {
      return n++ === 0 ? "utf-8" : "no-such-encoding";
    },
  };
  const f = s.makefile("w", null, options);
  assertEquals(f.encoding, "utf-8");
  assertEquals(n, 1);
  f.close();
  s.close();
  assertEquals(fdTarget(fd), null);
});

// ---- items 6 and 10: async argument errors ----

/** Options whose `signal` getter throws. */
const BOOM_OPTIONS = {
  get signal(): AbortSignal {
    throw new RangeError("boom from a getter");
  },
};

/**
 * `call(options)` reports bad options as rejections: the getter's own error
 * (never a synchronous throw), and a TypeError for an object that only
 * inherits from AbortSignal.prototype.
 */
async function assertOptionsRejected(
  what: string,
  call: (o: never) => Promise<unknown>,
): Promise<void> {
  let p: Promise<unknown> | undefined;
  try {
    p = call(BOOM_OPTIONS as never);
  } catch (e) {
    throw new Error(`${what} threw synchronously: ${e}`);
  }
  await assertRejects(() => p!, RangeError, "boom from a getter");
  await assertRejects(
    () => call({ signal: Object.create(AbortSignal.prototype) } as never),
    TypeError,
    "options.signal must be an AbortSignal",
  );
}

Deno.test("async.* report bad options as rejections, before any lookup starts", async () => {
  // { signal: null } is no signal: the lookup runs and fails on its own (EAI_FAMILY)
  await assertRejects(
    () => async.getaddrinfo("127.0.0.1", 80, 9999, 0, 0, 0, { signal: null as never }),
    gaierror,
  );
  const calls: [string, (o: never) => Promise<unknown>][] = [
    ["getaddrinfo", (o) => async.getaddrinfo("127.0.0.1", 80, 0, 0, 0, 0, o)],
    [
      "getnameinfo",
      (o) => async.getnameinfo(["127.0.0.1", 80], NI_NUMERICHOST | NI_NUMERICSERV, o),
    ],
    ["gethostbyname", (o) => async.gethostbyname("127.0.0.1", o)],
    ["gethostbyname_ex", (o) => async.gethostbyname_ex("127.0.0.1", o)],
    ["gethostbyaddr", (o) => async.gethostbyaddr("127.0.0.1", o)],
    ["getfqdn", (o) => async.getfqdn("127.0.0.1", o)],
    ["create_connection", (o) => async.create_connection(["127.0.0.1", 9], 1, null, o)],
  ];
  for (const [name, call] of calls) {
    await assertOptionsRejected(`async.${name}()`, call);
    await assertRejects(
      () => call({ signal: "x" } as never),
      TypeError,
      "options.signal must be an AbortSignal, not string",
    );
    await assertRejects(() => call(42 as never), TypeError, "options must be an object");
  }
});

Deno.test("a signal aborted by the caller's own getter once the lookup started leaves no unhandled rejection", async () => {
  const ac = new AbortController();
  const sockaddr: unknown[] = [undefined, 80];
  // read while the call checks its arguments, just before the lookup starts (which fails:
  // a name is not numeric, EAI_NONAME, no network involved)
  Object.defineProperty(sockaddr, 0, {
    get: () => {
      ac.abort(new RangeError("aborted by a getter"));
      return "not-numeric";
    },
  });
  await assertRejects(
    () => async.getnameinfo(sockaddr, 0, { signal: ac.signal }),
    RangeError,
    "aborted by a getter",
  );
  // let the lookup's own failure arrive: it must not surface as an unhandled rejection
  await new Promise((r) => setTimeout(r, 50));
});

Deno.test("create_connection() checks its timeout and options before the lookup starts", async () => {
  // the lookup would fail (an unknown service: /etc/services, no network); the bad timeout
  // must be reported instead, before it starts
  await assertRejects(
    () => async.create_connection(["127.0.0.1", "no-such-service-x"], -1),
    RangeError,
    "Timeout value out of range",
  );
  assertThrows(
    () => create_connection(["127.0.0.1", "no-such-service-x"], -1),
    RangeError,
    "Timeout value out of range",
  );
  assertThrows(
    () => create_connection(["127.0.0.1", "no-such-service-x"], 1, null, 7 as never),
    TypeError,
    "create_connection() options must be an object",
  );
});

Deno.test("a socket's async methods report bad options as rejections", async () => {
  const [a, b] = socketpair();
  try {
    const calls: [string, (o: never) => Promise<unknown>][] = [
      ["recv", (o) => b.async.recv(1, 0, o)],
      ["recv_into", (o) => b.async.recv_into(new Uint8Array(1), 0, 0, o)],
      ["recvfrom", (o) => b.async.recvfrom(1, 0, o)],
      ["recvfrom_into", (o) => b.async.recvfrom_into(new Uint8Array(1), 0, 0, o)],
      ["recvmsg", (o) => b.async.recvmsg(1, 0, 0, o)],
      ["recvmsg_into", (o) => b.async.recvmsg_into([new Uint8Array(1)], 0, 0, o)],
      ["send", (o) => a.async.send(new Uint8Array(1), 0, o)],
      ["sendall", (o) => a.async.sendall(new Uint8Array(1), 0, o)],
      ["sendmsg", (o) => a.async.sendmsg([new Uint8Array(1)], [], 0, null, o)],
      ["accept", (o) => a.async.accept(o)],
    ];
    for (const [name, call] of calls) await assertOptionsRejected(`s.async.${name}()`, call);
    // nothing was sent by the refused calls
    assertEquals(drain(b), []);
  } finally {
    a.close();
    b.close();
  }
});

Deno.test("an options getter cannot shrink a buffer after async recv_into measured it", async () => {
  const [a, b] = socketpair();
  try {
    a.sendall(new Uint8Array(64).fill(7));
    const rab = new ArrayBuffer(64, { maxByteLength: 64 });
    const view = new Uint8Array(rab);
    const options = {
      get signal(): undefined {
        rab.resize(4);
        return undefined;
      },
    };
    // the length is measured after the options are read: 4 bytes, not 64
    assertEquals(await b.async.recv_into(view, 0, 0, options as never), 4);
  } finally {
    a.close();
    b.close();
  }
});

// ---- what the fuzzer found beyond the list (FUZZ_FINDINGS.md F3, F7-F11) ----

Deno.test("detached buffers are a RangeError at every bytes argument, not V8's TypeError", async () => {
  const detached = (): Uint8Array => {
    const u = new Uint8Array(4);
    structuredClone(u.buffer, { transfer: [u.buffer] });
    return u;
  };
  const [a, b] = socketpair();
  try {
    const calls: [string, () => unknown][] = [
      ["if_nametoindex", () => if_nametoindex(detached())],
      ["inet_ntoa", () => inet_ntoa(detached())],
      ["inet_ntop", () => inet_ntop(AF_INET, detached())],
      ["gethostbyname", () => gethostbyname(detached())],
      ["sendall", () => a.sendall(detached())],
      ["sendmsg", () => a.sendmsg([new Uint8Array(1)], [[SOL_SOCKET, SCM_RIGHTS, detached()]])],
      ["makefile write", () => {
        using f = a.makefile("wb", 0);
        f.write(detached());
      }],
      ["makefile writelines", () => {
        using f = a.makefile("wb");
        f.writelines([detached()]);
      }],
      ["bind", () => {
        using s = socket(AF_UNIX, SOCK_DGRAM);
        s.bind(detached());
      }],
    ];
    for (const [name, f] of calls) {
      assertThrows(f, RangeError, "detached ArrayBuffer", name);
    }
    await assertRejects(() => a.async.sendall(detached()), RangeError, "detached ArrayBuffer");
    const w = a.writable.getWriter();
    await assertRejects(() => w.write(detached()), RangeError, "detached ArrayBuffer");
    w.releaseLock();
    assertEquals(drain(b), []);
  } finally {
    a.close();
    b.close();
  }
});

Deno.test("huge sizes, C-int flags and non-iterables get the library's errors", async () => {
  const [a, b] = socketpair();
  try {
    assertThrows(() => b.recvmsg(2 ** 53), RangeError, "recvmsg() bufsize too large");
    await assertRejects(() => b.async.recvmsg(2 ** 64), RangeError, "recvmsg() bufsize too large");
    assertThrows(() => recv_fds(b, 2 ** 53, 1), RangeError, "recvmsg() bufsize too large");
    // flags is a C int, as in CPython (OverflowError for 2**31)
    assertThrows(() => a.send(new Uint8Array(1), 2 ** 31), RangeError, "flags: signed integer");
    assertThrows(() => b.recv(1, 0xffffffff), RangeError, "flags: signed integer");
    await assertRejects(() => b.async.recv(1, 2 ** 31), RangeError, "flags: signed integer");
    assertThrows(() => recv_fds({} as never, 1, 1), TypeError, "recv_fds() sock must be a Socket");
    assertThrows(
      () => send_fds({} as never, [], []),
      TypeError,
      "send_fds() sock must be a Socket",
    );
    await assertRejects(
      () => b.async.recvmsg_into(undefined as never),
      TypeError,
      "recvmsg_into() argument must be an iterable, not undefined",
    );
    using f = a.makefile("wb");
    assertThrows(
      () => f.writelines(-1n as never),
      TypeError,
      "writelines() argument must be an iterable, not bigint",
    );
    assertThrows(
      () => send_fds(a, [new Uint8Array(1)], 3 as never),
      TypeError,
      "send_fds() argument fds must be an iterable",
    );
  } finally {
    a.close();
    b.close();
  }
});

Deno.test("sendfile() from an offset lseek refuses is a SocketError EINVAL, not Deno's TypeError", () => {
  const path = Deno.makeTempFileSync();
  try {
    Deno.writeTextFileSync(path, "data");
    using file = Deno.openSync(path);
    const [a, b] = socketpair();
    try {
      const e = assertThrows(() => a.sendfile(file, 2 ** 53 - 1), SocketError);
      assertEquals(e.code, "EINVAL");
    } finally {
      a.close();
      b.close();
    }
  } finally {
    Deno.removeSync(path);
  }
});

Deno.test("-0 is 0 on its way to C (Deno's FFI refuses -0 for an i32 or u32)", () => {
  const [a, b] = socketpair();
  try {
    // level 0 (IPPROTO_IP) on a unix socket: the kernel's answer, not Deno's TypeError
    assertEquals(assertThrows(() => a.getsockopt(-0, SO_TYPE), SocketError).code, "EOPNOTSUPP");
    assertEquals(a.send(new Uint8Array([1]), -0), 1);
    assertEquals([...b.recv(1, -0)], [1]);
    a.shutdown(-0); // SHUT_RD
    using s = socket(AF_INET, SOCK_STREAM, -0);
    s.listen(-0);
    assertEquals(assertThrows(() => if_indextoname(-0), SocketError).code, "ENXIO");
    const p = poll();
    p.register(a, POLLOUT);
    assertEquals(p.poll(-0), [[a.fileno(), POLLOUT]]);
  } finally {
    a.close();
    b.close();
  }
});

// ---- found by the fuzzer after the items above ----

Deno.test("file reads of a size no buffer can hold are the library's RangeError, and the file stays usable", () => {
  const [a, b] = socketpair();
  try {
    b.sendall(new TextEncoder().encode("ok"));
    const raw = a.makefile("rb", 0);
    const buffered = a.makefile("rb");
    for (
      const [label, f] of [
        ["raw read(2**53-1)", () => raw.read(2 ** 53 - 1)],
        ["buffered read(2**53-1)", () => buffered.read(2 ** 53 - 1)],
        ["buffered read1(2**53-1)", () => buffered.read1(2 ** 53 - 1)],
      ] as const
    ) {
      assertThrows(f, RangeError, "cannot allocate a buffer of 9007199254740991 bytes", label);
    }
    assertEquals(new TextDecoder().decode(buffered.read1(10)), "ok");
    raw.close();
    buffered.close();
  } finally {
    a.close();
    b.close();
  }
});

Deno.test("SocketError and its subclasses built by a caller check their arguments' types", () => {
  const bad: [string, () => unknown][] = [
    ["errno", () => new SocketError(Symbol() as unknown as number, "x")],
    ["errno", () => new ConnectionResetError("1" as unknown as number, "x")],
    ["strerror", () => new SocketError(1, Symbol() as unknown as string)],
    ["strerror", () => new SocketError(1, new Uint8Array(1) as unknown as string)],
    ["syscall", () => new SocketError(1, "x", {} as unknown as string)],
    ["code", () => new SocketError(1, "x", "", 5 as unknown as string)],
    ["errno", () => new TimeoutError(Symbol() as unknown as number, "x")],
    ["errno", () => new herror(Object.create(null), "x")],
    ["strerror", () => new herror(1, new Uint8Array(2) as unknown as string)],
    ["errno", () => new gaierror({} as unknown as number, "x")],
  ];
  for (const [what, f] of bad) assertThrows(f, TypeError, `SocketError: ${what} must be`);
  const e = new ConnectionResetError(104, "Connection reset by peer", "recv");
  assertEquals([e.message, e.code, e.syscall], [
    "[Errno 104] Connection reset by peer",
    "ECONNRESET",
    "recv",
  ]);
});
