/**
 * send_fds / recv_fds (descriptor passing with SCM_RIGHTS): with a real
 * CPython peer in both directions, several descriptors in one message, more
 * descriptors than the ancillary buffer holds, and bad input. Leaks are
 * checked against /proc/self/fd.
 */
import { assert, assertEquals, assertThrows } from "@std/assert";
import { join } from "@std/path";
import {
  AF_UNIX,
  close,
  MSG_CTRUNC,
  recv_fds,
  send_fds,
  SOCK_DGRAM,
  SOCK_STREAM,
  Socket,
  socket,
  SocketError,
  socketpair,
} from "../mod.ts";
import { lib } from "../src/_syscall.ts";
import { nextTestOnLinux, nextTestUnlessEmulated } from "./_platform.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

function openFds(): string[] {
  return [...Deno.readDirSync("/dev/fd")].map((e) => e.name).sort();
}

/** Reads a descriptor to its end with read(2): the file is read through the descriptor itself. */
function readFd(fd: number): string {
  const L = lib();
  const buf = new Uint8Array(4096);
  const parts: Uint8Array[] = [];
  for (;;) {
    const n = L.read(fd, buf, BigInt(buf.length));
    assert(n >= 0, `read(${fd}) failed`);
    if (n === 0) break;
    parts.push(buf.slice(0, n));
  }
  return dec.decode(new Uint8Array(parts.flatMap((p) => [...p])));
}

/** The descriptor number Deno uses for an open file, found through /proc/self/fd. */
function fdOfPath(path: string): number {
  const real = Deno.realPathSync(path);
  for (const e of Deno.readDirSync("/proc/self/fd")) {
    try {
      if (Deno.readLinkSync(`/proc/self/fd/${e.name}`) === real) return Number(e.name);
    } catch {
      // the descriptor of the directory listing itself is gone by now
    }
  }
  throw new Error(`no descriptor open on ${path}`);
}

/** The real CPython interpreter (the pyenv shim is slow), or null with the reason printed. */
const python: string | null = (() => {
  try {
    const out = new Deno.Command("python3", {
      args: ["-c", "import sys;print(sys.executable)"],
      stdout: "piped",
      stderr: "null",
    }).outputSync();
    if (out.success) return dec.decode(out.stdout).trim();
  } catch {
    // not installed
  }
  console.log("fds_test: no python3 on PATH: the tests with a CPython peer are skipped");
  return null;
})();

Deno.test({
  name:
    "recv_fds() receives open files' descriptors from a Python peer and reads the files through them",
  ignore: python === null,
  async fn(): Promise<void> {
    const dir = Deno.makeTempDirSync({ prefix: "sockffi-fds-" });
    const before = openFds();
    const server = socket(AF_UNIX, SOCK_STREAM);
    try {
      const path = join(dir, "s");
      server.bind(path);
      server.listen(1);
      server.settimeout(20);
      Deno.writeTextFileSync(join(dir, "one.txt"), "first file, opened by Python\n");
      Deno.writeTextFileSync(join(dir, "two.txt"), "second file\n");
      const child = new Deno.Command(python!, {
        args: [
          "-c",
          `
import socket, sys
d = sys.argv[1]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(d + "/s")
f1 = open(d + "/one.txt", "rb")
f2 = open(d + "/two.txt", "rb")
socket.send_fds(s, [b"two files"], [f1.fileno(), f2.fileno()])
f1.close(); f2.close()
s.recv(1)  # wait until the peer has read them
`,
          dir,
        ],
        stderr: "piped",
      }).spawn();
      const [conn] = server.accept();
      try {
        conn.settimeout(20);
        const [data, fds, flags, addr] = recv_fds(conn, 64, 4);
        assertEquals(dec.decode(data), "two files");
        assertEquals(flags, 0);
        assertEquals(addr, null);
        assertEquals(fds.length, 2);
        try {
          // Python closed its copies: these descriptors alone keep the files open.
          assertEquals(readFd(fds[0]), "first file, opened by Python\n");
          assertEquals(readFd(fds[1]), "second file\n");
        } finally {
          for (const fd of fds) close(fd);
        }
        conn.send(enc.encode("k"));
      } finally {
        conn.close();
      }
      const st = await child.output();
      assert(st.success, dec.decode(st.stderr));
    } finally {
      server.close();
      Deno.removeSync(dir, { recursive: true });
    }
    assertEquals(openFds(), before);
  },
});

nextTestOnLinux("finds a file's descriptor through /proc/self/fd links");
Deno.test({
  name: "send_fds() passes an open file's descriptor that a Python peer reads",
  ignore: python === null,
  async fn(): Promise<void> {
    const dir = Deno.makeTempDirSync({ prefix: "sockffi-fds-" });
    const server = socket(AF_UNIX, SOCK_STREAM);
    const file = join(dir, "ours.txt");
    Deno.writeTextFileSync(file, "sent from Deno through SCM_RIGHTS");
    const f = Deno.openSync(file, { read: true });
    try {
      server.bind(join(dir, "s"));
      server.listen(1);
      server.settimeout(20);
      const child = new Deno.Command(python!, {
        args: [
          "-c",
          `
import socket, sys, os, json
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
msg, fds, flags, addr = socket.recv_fds(s, 64, 4)
out = {"msg": msg.decode(), "n": len(fds), "flags": flags,
       "content": os.read(fds[0], 1000).decode()}
for fd in fds: os.close(fd)
print(json.dumps(out))
`,
          join(dir, "s"),
        ],
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      const [conn] = server.accept();
      try {
        assertEquals(
          send_fds(conn, [enc.encode("here"), enc.encode(" it is")], [fdOfPath(file)]),
          10,
        );
      } finally {
        conn.close();
      }
      const out = await child.output();
      assert(out.success, dec.decode(out.stderr));
      assertEquals(JSON.parse(dec.decode(out.stdout)), {
        msg: "here it is",
        n: 1,
        flags: 0,
        content: "sent from Deno through SCM_RIGHTS",
      });
    } finally {
      f.close();
      server.close();
      Deno.removeSync(dir, { recursive: true });
    }
  },
});

nextTestOnLinux("checks a descriptor's file through its /proc/self/fd link");
Deno.test("send_fds()/recv_fds() pass several descriptors in one message, each usable", () => {
  const dir = Deno.makeTempDirSync({ prefix: "sockffi-fds-" });
  const [a, b] = socketpair();
  const [c, d] = socketpair();
  const file = join(dir, "f.txt");
  Deno.writeTextFileSync(file, "several");
  const f = Deno.openSync(file, { read: true });
  const got: number[] = [];
  try {
    const sent = [c.fileno(), fdOfPath(file), d.fileno()];
    assertEquals(send_fds(a, [enc.encode("3")], sent), 1);
    const [data, fds, flags] = recv_fds(b, 8, 8);
    got.push(...fds);
    assertEquals(dec.decode(data), "3");
    assertEquals(flags, 0);
    assertEquals(fds.length, 3);
    for (const fd of fds) assert(!sent.includes(fd), "new descriptor numbers");
    // each one refers to what was sent
    assertEquals(Deno.readLinkSync(`/proc/self/fd/${fds[1]}`), Deno.realPathSync(file));
    assertEquals(readFd(fds[1]), "several");
    const c2 = new Socket(undefined, undefined, undefined, fds[0]);
    got.splice(got.indexOf(fds[0]), 1);
    try {
      c2.send(enc.encode("via c"));
      assertEquals(dec.decode(d.recv(16)), "via c");
    } finally {
      c2.close();
    }
  } finally {
    for (const fd of got) close(fd);
    f.close();
    for (const s of [a, b, c, d]) s.close();
    Deno.removeSync(dir, { recursive: true });
  }
});

nextTestUnlessEmulated("qemu-user does not set MSG_CTRUNC");
Deno.test("recv_fds() with room for fewer descriptors than sent sets MSG_CTRUNC and leaks none", () => {
  const [a, b] = socketpair();
  const extra = [socketpair(), socketpair()].flat();
  try {
    const before = openFds();
    const sent = [...extra.map((s) => s.fileno()), extra[0].fileno()]; // 5 descriptors
    send_fds(a, [enc.encode("many")], sent);
    const [data, fds, flags] = recv_fds(b, 8, 2);
    assertEquals(dec.decode(data), "many");
    assertEquals(fds.length, 2);
    assertEquals(flags & MSG_CTRUNC, MSG_CTRUNC);
    for (const fd of fds) close(fd);
    // the 3 that did not fit were never installed here
    assertEquals(openFds(), before);
    // and with no room at all (maxfds 0) every descriptor is dropped
    send_fds(a, [enc.encode("none")], sent);
    const [, none, flags0] = recv_fds(b, 8, 0);
    assertEquals(none, []);
    assertEquals(flags0 & MSG_CTRUNC, MSG_CTRUNC);
    assertEquals(openFds(), before);
  } finally {
    for (const s of [a, b, ...extra]) s.close();
  }
});

Deno.test("send_fds() passes flags and address on to sendmsg for a datagram socket", () => {
  const name = new Uint8Array([0, ...enc.encode(`sockffi-fds-${Deno.pid}`)]);
  const rx = socket(AF_UNIX, SOCK_DGRAM);
  const tx = socket(AF_UNIX, SOCK_DGRAM);
  const [c, d] = socketpair();
  try {
    rx.bind(name);
    assertEquals(send_fds(tx, [enc.encode("dgram")], [c.fileno()], 0, name), 5);
    const [data, fds, , addr] = recv_fds(rx, 16, 1);
    assertEquals(dec.decode(data), "dgram");
    assertEquals(fds.length, 1);
    close(fds[0]);
    assertEquals(addr, null); // tx is unnamed
  } finally {
    for (const s of [rx, tx, c, d]) s.close();
  }
});

Deno.test("send_fds()/recv_fds() reject bad input with typed errors and leak nothing", () => {
  const before = openFds();
  const [a, b] = socketpair();
  try {
    const x = [enc.encode("x")];
    assertThrows(
      () => send_fds(a, x, 3 as never),
      TypeError,
      "send_fds() argument fds must be an iterable, not number",
    );
    assertThrows(
      () => send_fds(a, x, ["3"] as never),
      TypeError,
      "send_fds() descriptor must be an integer, not string",
    );
    assertThrows(
      () => send_fds(a, x, [1.5]),
      TypeError,
      "send_fds() descriptor must be an integer, not the non-integer 1.5",
    );
    assertThrows(
      () => send_fds(a, x, [2 ** 31]),
      RangeError,
      "send_fds() descriptor: signed integer is greater than maximum",
    );
    assertThrows(() => send_fds(a, ["x"] as never, [0]), TypeError, "encode it first");
    assertThrows(() => send_fds(a, x, [1 << 20]), SocketError, "[Errno 9] Bad file descriptor");
    assertThrows(
      () => recv_fds(b, 8, -1),
      RangeError,
      "recv_fds() maxfds must not be negative: -1",
    );
    assertThrows(
      () => recv_fds(b, 8, 0.5),
      TypeError,
      "recv_fds() maxfds must be an integer, not the non-integer 0.5",
    );
    assertThrows(() => recv_fds(b, -1, 1), RangeError, "negative buffer size in recvmsg(): -1");
  } finally {
    a.close();
    b.close();
  }
  assertEquals(openFds(), before);
});
