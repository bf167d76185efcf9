/**
 * select(), poll() and DefaultSelector: results compared with CPython's
 * select.select() and select.poll() on the same descriptors (inherited by a
 * python3 child), argument errors as CPython's, and timeouts.
 */
import { assert, assertEquals, assertInstanceOf, assertThrows } from "@std/assert";
import {
  AF_INET,
  AF_INET6,
  MSG_OOB,
  SOCK_DGRAM,
  SOCK_STREAM,
  type Socket,
  socket,
  SocketError,
  socketpair,
} from "../mod.ts";
import {
  DefaultSelector,
  EVENT_READ,
  EVENT_WRITE,
  KeyError,
  poll,
  POLLIN,
  POLLNVAL,
  POLLOUT,
  POLLPRI,
  select,
} from "../src/select.ts";
import { FileNotFoundError } from "../src/errors.ts";
import { PYTHON, run } from "./_sock_util.ts";

/** Makes `s` non-blocking and sends until its send buffer is full (a SocketError, EAGAIN). */
function fillSendBuffer(s: Socket): void {
  s.setblocking(false);
  try {
    for (;;) s.send(new Uint8Array(65536));
  } catch (e) {
    assertInstanceOf(e, SocketError);
  }
}

/** Sockets in a spread of readiness states, closed at dispose. */
function states(): { socks: Socket[]; [Symbol.dispose](): void } {
  const socks: Socket[] = [];
  const keep = (...s: Socket[]): void => void socks.push(...s);
  const [a1, a2] = socketpair(); // a1 has data waiting
  a2.send(new Uint8Array([1, 2, 3]));
  const [b1, b2] = socketpair(); // b1 idle
  const [c1, c2] = socketpair(); // c1's peer closed: end of file
  c2.close();
  const [d1, d2] = socketpair(); // d1's send buffer full
  fillSendBuffer(d1);
  const lis = socket(AF_INET, SOCK_STREAM); // a listener with a connection waiting
  lis.bind(["127.0.0.1", 0]);
  lis.listen();
  const cli = socket(AF_INET, SOCK_STREAM);
  cli.connect(lis.getsockname());
  const idle = socket(AF_INET, SOCK_STREAM); // a listener nobody connects to
  idle.bind(["127.0.0.1", 0]);
  idle.listen();
  const [conn] = lis.accept(); // conn gets urgent data
  cli.send(new Uint8Array([42]), MSG_OOB);
  const lis2 = socket(AF_INET, SOCK_STREAM);
  lis2.bind(["127.0.0.1", 0]);
  lis2.listen();
  const pending = socket(AF_INET, SOCK_STREAM);
  pending.connect(lis2.getsockname());
  const udp = socket(AF_INET, SOCK_DGRAM); // an unbound datagram socket
  const fresh = socket(AF_INET6, SOCK_STREAM); // never connected: POLLHUP
  keep(a1, a2, b1, b2, c1, d1, d2, lis, cli, idle, conn, lis2, pending, udp, fresh);
  // Let the urgent byte and the pending connection arrive.
  select([conn], [], [conn], 1.0);
  select([lis2], [], [], 1.0);
  return {
    socks: [a1, b1, c1, d1, d2, idle, conn, lis2, cli, udp, fresh],
    [Symbol.dispose]: () => socks.forEach((s) => s.close()),
  };
}

interface Readiness {
  select: [number[], number[], number[]];
  pollDefault: Array<[number, number]>;
  pollIn: Array<[number, number]>;
}

const PY_READINESS = String.raw`
import json, select, sys
fds = [int(a) for a in sys.argv[1:]]
r, w, x = select.select(fds, fds, fds, 0)
p = select.poll()
for fd in fds: p.register(fd)
q = select.poll()
for fd in fds: q.register(fd, select.POLLIN)
print(json.dumps({"select": [r, w, x], "pollDefault": p.poll(0), "pollIn": q.poll(0)}))
`;

if (PYTHON === null) {
  console.log("select_test: python3 not found, so select()/poll() are not compared with CPython's");
}

Deno.test({
  name: "select() and poll() report what CPython's select module reports on the same descriptors",
  ignore: PYTHON === null,
  async fn(): Promise<void> {
    using st = states();
    const fds = st.socks.map((s) => s.fileno());
    const p = poll();
    for (const fd of fds) p.register(fd);
    const q = poll();
    for (const s of st.socks) q.register(s, POLLIN);
    const ours: Readiness = {
      select: select(fds, fds, fds, 0),
      pollDefault: p.poll(0),
      pollIn: q.poll(0),
    };
    for (const s of st.socks) s.set_inheritable(true);
    let r;
    try {
      r = await run(PYTHON!, ["-c", PY_READINESS, ...fds.map(String)]);
    } finally {
      for (const s of st.socks) s.set_inheritable(false);
    }
    assert(r !== null && r.code === 0, r?.stderr);
    const theirs = JSON.parse(r.stdout) as Readiness;
    assertEquals(ours, theirs);
    // The states are distinct enough for the comparison to mean something.
    const [rd, wr, ex] = ours.select;
    assert(rd.length >= 4 && rd.length < fds.length, `readable: ${rd}`);
    assert(wr.length >= 4 && wr.length < fds.length, `writable: ${wr}`);
    assertEquals(ex, [st.socks[6].fileno()]);
  },
});

Deno.test("select() returns the objects given, in order, for sockets, file objects and numbers", () => {
  const [a, b] = socketpair();
  const f = a.makefile("rb");
  try {
    b.send(new Uint8Array([7]));
    const [r, w, x] = select([b, f, a.fileno(), f], [f], [], 1);
    assertEquals(r.length, 3);
    assert(r[0] === f && r[1] === a.fileno() && r[2] === f);
    assertEquals(w, [f]);
    assertEquals(x, []);
  } finally {
    f.close();
    a.close();
    b.close();
  }
});

Deno.test("select() and poll() wait out their timeout when nothing is ready", () => {
  const [a, b] = socketpair();
  try {
    let t0 = performance.now();
    assertEquals(select([a], [], [a], 0.05), [[], [], []]);
    assert(performance.now() - t0 >= 45);
    const p = poll();
    p.register(a, POLLIN);
    t0 = performance.now();
    assertEquals(p.poll(50), []);
    assert(performance.now() - t0 >= 45);
    b.send(new Uint8Array([1]));
    assertEquals(p.poll(), [[a.fileno(), POLLIN]]); // no timeout: ready at once
  } finally {
    a.close();
    b.close();
  }
});

Deno.test("select() rejects bad arguments as CPython does", () => {
  const [a, b] = socketpair();
  b.close();
  assertThrows(() => select(1 as never, [], []), TypeError, "arguments 1-3 must be sequences");
  assertThrows(() => select([1.5], [], [], 0), TypeError, "must be an int, or have a fileno()");
  assertThrows(() => select([{ fileno: () => "3" }] as never, [], [], 0), TypeError, "non-integer");
  assertThrows(() => select([-1], [], [], 0), RangeError, "cannot be a negative integer (-1)");
  assertThrows(() => select([b], [], [], 0), RangeError, "negative integer (-1)"); // closed
  assertThrows(() => select([], [], [], -1), RangeError, "timeout must be non-negative");
  assertThrows(() => select([], [], [], NaN), RangeError, "NaN");
  assertThrows(() => select([], [], [], "1" as never), TypeError, "timeout must be a float");
  // A descriptor number that is not open: EBADF, as CPython's select().
  const fd = a.fileno();
  a.close();
  const e = assertThrows(
    () => select([fd], [], [], 0),
    SocketError,
    "[Errno 9] Bad file descriptor",
  );
  assertEquals(e.errno, 9);
  // poll() reports it as POLLNVAL instead.
  const p = poll();
  p.register(fd);
  assertEquals(p.poll(0), [[fd, POLLNVAL]]);
});

Deno.test("poll objects: register, modify, unregister with CPython's errors", () => {
  const [a, b] = socketpair();
  try {
    const p = poll();
    p.register(a); // POLLIN | POLLPRI | POLLOUT
    assertEquals(p.poll(0), [[a.fileno(), POLLOUT]]);
    p.modify(a, POLLIN | POLLPRI);
    assertEquals(p.poll(0), []);
    b.send(new Uint8Array([1]));
    assertEquals(p.poll(0), [[a.fileno(), POLLIN]]);
    p.unregister(a.fileno());
    assertEquals(p.poll(0), []);
    assertThrows(() => p.unregister(a), KeyError, String(a.fileno()));
    const e = assertThrows(() => p.modify(a, POLLIN), FileNotFoundError);
    assertEquals(e.message, "[Errno 2] No such file or directory");
    assertThrows(() => p.register(a, -1), RangeError, "value must be positive");
    assertThrows(() => p.register(a, 65536), RangeError, "unsigned short");
    assertThrows(() => p.register(a, 1.5), TypeError, "an integer is required");
    assertThrows(() => p.poll("1" as never), TypeError, "timeout must be an integer or None");
    assertThrows(() => p.poll(2 ** 31), RangeError, "timeout is too large");
    assertEquals(POLLPRI, 2);
  } finally {
    a.close();
    b.close();
  }
});

Deno.test("DefaultSelector: keys, events, modify, get_map, and errors as Python's selectors", () => {
  const [a, b] = socketpair();
  using sel = new DefaultSelector<string | null>();
  try {
    const key = sel.register(a, EVENT_READ, "a");
    assertEquals([key.fd, key.events, key.data], [a.fileno(), EVENT_READ, "a"]);
    assert(key.fileobj === a);
    assertEquals(sel.select(0), []);
    b.send(new Uint8Array([1]));
    assertEquals(sel.select(0), [[key, EVENT_READ]]);
    const k2 = sel.modify(a, EVENT_READ | EVENT_WRITE, "rw");
    assertEquals(sel.select(0), [[k2, EVENT_READ | EVENT_WRITE]]);
    assertEquals(sel.get_key(a), k2);
    assertEquals([...sel.get_map()!.keys()], [a]);
    assertThrows(() => sel.register(a, EVENT_READ), KeyError, "is already registered");
    assertThrows(() => sel.register(a.fileno(), EVENT_READ), KeyError, "is already registered");
    assertThrows(() => sel.register(b, 0), RangeError, "Invalid events: 0");
    assertThrows(() => sel.register(b, 4), RangeError, "Invalid events: 4");
    assertThrows(() => sel.register({} as never, 1), RangeError, "Invalid file object");
    assertThrows(() => sel.register(-1, 1), RangeError, "Invalid file descriptor: -1");
    assertThrows(() => sel.unregister(b), KeyError, "is not registered");
    // A socket closed after registering can still be unregistered, as in Python.
    const fd = a.fileno();
    a.close();
    assertEquals(sel.unregister(a).fd, fd);
    assertEquals(sel.get_map()!.size, 0);
    sel.close();
    assertEquals(sel.get_map(), null);
    assertThrows(() => sel.select(0), RangeError);
  } finally {
    a.close();
    b.close();
  }
});

Deno.test("DefaultSelector reports a peer's close as readable, and a full buffer as not writable", () => {
  const [a, b] = socketpair();
  using sel = new DefaultSelector();
  try {
    fillSendBuffer(a);
    const key = sel.register(a, EVENT_READ | EVENT_WRITE);
    assertEquals(sel.select(0), []);
    b.close();
    assertEquals(sel.select(0), [[key, EVENT_READ | EVENT_WRITE]]);
  } finally {
    a.close();
    b.close();
  }
});
