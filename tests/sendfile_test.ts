/**
 * Socket.sendfile(): sendfile(2) for a Deno.FsFile or a descriptor, the
 * read + send fallback, offset/count and the file position afterwards,
 * timeouts, and bad input. Peers are socketpairs (small files, which fit
 * in the socket buffer) and, for the 64 MiB transfer, a child `deno`
 * process reading from TCP loopback.
 */
import { assert, assertEquals, assertThrows } from "@std/assert";
import {
  AF_INET,
  AF_UNIX,
  SO_RCVBUF,
  SO_SNDBUF,
  SOCK_DGRAM,
  SOCK_STREAM,
  socket,
  SocketError,
  socketpair,
  SOL_SOCKET,
  timeout,
} from "../mod.ts";
import type { Socket } from "../mod.ts";
import { sendfileUseSend } from "../src/sendfile.ts";
import { nextTestOnLinux } from "./_platform.ts";

/** Deterministic pseudo-random bytes (xorshift32), the same in every process. */
function pattern(size: number, seed = 0x9e3779b9): Uint8Array {
  const words = new Uint32Array(Math.ceil(size / 4));
  let x = seed >>> 0;
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    words[i] = x;
  }
  return new Uint8Array(words.buffer, 0, size);
}

async function sha256(data: Uint8Array): Promise<string> {
  const h = new Uint8Array(await crypto.subtle.digest("SHA-256", data as Uint8Array<ArrayBuffer>));
  return Array.from(h, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** A temporary file holding `data`, opened for reading; removed by the returned cleanup. */
function tempFile(data: Uint8Array): { path: string; file: Deno.FsFile; [Symbol.dispose](): void } {
  const path = Deno.makeTempFileSync({ prefix: "sockffi_sendfile_" });
  Deno.writeFileSync(path, data);
  const file = Deno.openSync(path, { read: true });
  return {
    path: Deno.realPathSync(path),
    file,
    [Symbol.dispose](): void {
      try {
        file.close();
      } catch {
        // closed by the test
      }
      Deno.removeSync(path);
    },
  };
}

/** Receives exactly `n` bytes (the reader has a timeout, so a short transfer fails, never hangs). */
function recvExactly(s: Socket, n: number): Uint8Array {
  const out = new Uint8Array(n);
  let got = 0;
  while (got < n) {
    const r = s.recv_into(out.subarray(got));
    if (r === 0) break;
    got += r;
  }
  return out.subarray(0, got);
}

/** Asserts nothing more is waiting on `s`. */
function assertDrained(s: Socket): void {
  const t = s.gettimeout();
  s.setblocking(false);
  try {
    assertThrows(() => s.recv(1), SocketError, "[Errno 11] Resource temporarily unavailable");
  } finally {
    s.settimeout(t);
  }
}

/** The descriptor number behind an open path (found through /proc/self/fd). */
function fdOfPath(path: string): number {
  for (const e of Deno.readDirSync("/proc/self/fd")) {
    try {
      if (Deno.readLinkSync(`/proc/self/fd/${e.name}`) === path) return Number(e.name);
    } catch {
      // closed while listing
    }
  }
  throw new Error(`no descriptor for ${path}`);
}

function position(file: Deno.FsFile): number {
  return file.seekSync(0, Deno.SeekMode.Current);
}

Deno.test("Socket.sendfile() moves a 64 MiB file over TCP loopback byte-exact", async () => {
  const SIZE = 64 * 1024 * 1024;
  const data = pattern(SIZE);
  const expected = await sha256(data);
  using tmp = tempFile(data);
  using server = socket(AF_INET, SOCK_STREAM);
  server.bind(["127.0.0.1", 0]);
  server.listen();
  server.settimeout(30);
  const [, port] = server.getsockname() as [string, number];
  // The reader is another process: a synchronous sendfile of 64 MiB blocks
  // this thread until someone drains the socket.
  const reader = `
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: ${port} });
    const chunks = [];
    let total = 0;
    for (;;) {
      const buf = new Uint8Array(1 << 20);
      const n = await conn.read(buf);
      if (n === null) break;
      chunks.push(buf.subarray(0, n));
      total += n;
    }
    conn.close();
    const all = new Uint8Array(total);
    let off = 0;
    for (const c of chunks) { all.set(c, off); off += c.length; }
    const h = new Uint8Array(await crypto.subtle.digest("SHA-256", all));
    console.log(JSON.stringify({ total, sha: Array.from(h, (b) => b.toString(16).padStart(2, "0")).join("") }));
  `;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["eval", "--quiet", reader],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let sent = -1;
  try {
    const [conn] = server.accept();
    try {
      conn.settimeout(30); // timeout mode: the EAGAIN + poll path, each wait bounded
      sent = conn.sendfile(tmp.file);
    } finally {
      conn.close();
    }
  } finally {
    const out = await child.output();
    const text = new TextDecoder().decode(out.stdout);
    assertEquals(out.code, 0, new TextDecoder().decode(out.stderr));
    const result = JSON.parse(text) as { total: number; sha: string };
    assertEquals(sent, SIZE);
    assertEquals(result.total, SIZE);
    assertEquals(result.sha, expected);
  }
  assertEquals(position(tmp.file), SIZE, "the position is offset + bytes sent");
});

const SMALL = pattern(64 * 1024, 12345);

/** offset, count → the bytes expected (the file holds SMALL). */
const CASES: [offset: number, count: number | null, expect: number][] = [
  [0, null, SMALL.length],
  [1000, 5000, 5000],
  [1000, null, SMALL.length - 1000],
  [60000, 10000, SMALL.length - 60000], // count past end of file: up to EOF
  [SMALL.length, null, 0], // offset at EOF: nothing
  [SMALL.length + 10, 5, 0], // offset past EOF: nothing
];

for (
  const [label, send] of [
    [
      "sendfile(2)",
      (s: Socket, f: Deno.FsFile | number, o: number, c: number | null) => s.sendfile(f, o, c),
    ],
    ["the read + send fallback", sendfileUseSend],
  ] as const
) {
  nextTestOnLinux("finds a file's descriptor through /proc/self/fd links");
  Deno.test(`Socket.sendfile() through ${label} sends count bytes from offset and leaves the position at offset + sent`, async (t) => {
    using tmp = tempFile(SMALL);
    const [a, b] = socketpair(AF_UNIX, SOCK_STREAM);
    b.settimeout(5);
    try {
      for (const [offset, count, expect] of CASES) {
        await t.step(`offset ${offset}, count ${count}`, () => {
          tmp.file.seekSync(7, Deno.SeekMode.Start); // the offset counts from the start, not from here
          const sent = send(a, tmp.file, offset, count);
          assertEquals(sent, expect);
          const got = recvExactly(b, expect);
          assertEquals(got, SMALL.subarray(offset, offset + expect));
          assertDrained(b);
          assertEquals(position(tmp.file), expect > 0 ? offset + expect : 7);
        });
      }
      await t.step("a numeric descriptor: the same bytes, and its position moves", () => {
        const fd = fdOfPath(tmp.path);
        tmp.file.seekSync(0, Deno.SeekMode.Start);
        assertEquals(send(a, fd, 100, 1000), 1000);
        assertEquals(recvExactly(b, 1000), SMALL.subarray(100, 1100));
        assertDrained(b);
        // the FsFile shares the descriptor's open file description
        assertEquals(position(tmp.file), 1100);
      });
      await t.step("an empty file sends nothing and keeps the position", () => {
        using empty = tempFile(new Uint8Array(0));
        assertEquals(send(a, empty.file, 0, null), 0);
        assertEquals(position(empty.file), 0);
        assertDrained(b);
      });
    } finally {
      a.close();
      b.close();
    }
  });
}

Deno.test("Socket.sendfile() falls back to read + send for a descriptor sendfile(2) refuses (a socket)", () => {
  const [src, feeder] = socketpair(AF_UNIX, SOCK_STREAM);
  const [a, b] = socketpair(AF_UNIX, SOCK_STREAM);
  b.settimeout(5);
  try {
    const data = pattern(50_000, 7);
    feeder.sendall(data);
    feeder.shutdown(1); // SHUT_WR: the source ends after data
    // sendfile(2) with an offset gives ESPIPE for a socket: the fallback reads it
    assertEquals(a.sendfile(src.fileno()), data.length);
    assertEquals(recvExactly(b, data.length), data);
    assertDrained(b);
    // a stream cannot start at another offset
    assertThrows(() => a.sendfile(src.fileno(), 10), SocketError, "[Errno 29] Illegal seek");
  } finally {
    for (const s of [src, feeder, a, b]) s.close();
  }
});

Deno.test("Socket.sendfile() falls back to read + send for an FsFile that is a device (/dev/zero)", () => {
  const [a, b] = socketpair(AF_UNIX, SOCK_STREAM);
  b.settimeout(5);
  const zero = Deno.openSync("/dev/zero");
  try {
    // /dev/zero has no position to find its descriptor with, and no end: count bounds it
    assertEquals(a.sendfile(zero, 0, 100_000), 100_000);
    const got = recvExactly(b, 100_000);
    assertEquals(got.length, 100_000);
    assert(got.every((x) => x === 0));
    assertDrained(b);
  } finally {
    zero.close();
    a.close();
    b.close();
  }
});

Deno.test("Socket.sendfile() in timeout mode throws timeout when the peer stops reading, the position telling what was sent", () => {
  const [a, b] = socketpair(AF_UNIX, SOCK_STREAM);
  const data = pattern(4 * 1024 * 1024, 99);
  using tmp = tempFile(data);
  try {
    a.setsockopt(SOL_SOCKET, SO_SNDBUF, 16384);
    b.setsockopt(SOL_SOCKET, SO_RCVBUF, 16384);
    a.settimeout(0.2);
    const paths = [
      ["sendfile(2)", (f: Deno.FsFile, o: number) => a.sendfile(f, o)],
      ["the fallback", (f: Deno.FsFile, o: number) => sendfileUseSend(a, f, o)],
    ] as const;
    for (const [label, send] of paths) {
      assertThrows(() => send(tmp.file, 10), timeout, "timed out", label);
      const pos = position(tmp.file);
      assert(pos > 10 && pos < 4 * 1024 * 1024, `${label}: position ${pos}`);
      // what the peer can read is exactly what the position says was sent
      b.setblocking(false);
      let drained = 0;
      for (;;) {
        try {
          const chunk = b.recv(65536);
          assertEquals(chunk, data.subarray(10 + drained, 10 + drained + chunk.length));
          drained += chunk.length;
        } catch (e) {
          if (e instanceof SocketError && e.code === "EAGAIN") break;
          throw e;
        }
      }
      b.setblocking(true);
      assertEquals(drained, pos - 10, label);
    }
  } finally {
    a.close();
    b.close();
  }
});

Deno.test("Socket.sendfile() rejects bad arguments with typed errors and sends nothing", async (t) => {
  using tmp = tempFile(SMALL);
  const [a, b] = socketpair(AF_UNIX, SOCK_STREAM);
  try {
    const bad: [string, () => unknown, ErrorConstructor | typeof SocketError, string][] = [
      [
        "count 0",
        () => a.sendfile(tmp.file, 0, 0),
        RangeError,
        "count must be a positive integer (got 0)",
      ],
      [
        "count -5",
        () => a.sendfile(tmp.file, 0, -5),
        RangeError,
        "count must be a positive integer (got -5)",
      ],
      [
        "count 1.5",
        () => a.sendfile(tmp.file, 0, 1.5),
        TypeError,
        "count must be a positive integer (got the non-integer 1.5)",
      ],
      [
        "count '10'",
        () => a.sendfile(tmp.file, 0, "10" as unknown as number),
        TypeError,
        "count must be a positive integer (got string)",
      ],
      ["offset -1", () => a.sendfile(tmp.file, -1), RangeError, "negative seek position -1"],
      [
        "offset 2.5",
        () => a.sendfile(tmp.file, 2.5),
        TypeError,
        "sendfile() offset must be an integer, not the non-integer 2.5",
      ],
      [
        "offset NaN",
        () => a.sendfile(tmp.file, NaN),
        TypeError,
        "sendfile() offset must be an integer, not the non-integer NaN",
      ],
      [
        "a path string",
        () => a.sendfile(tmp.path as unknown as number),
        TypeError,
        "sendfile() needs a Deno.FsFile or a file descriptor number, not string",
      ],
      [
        "a Uint8Array",
        () => a.sendfile(SMALL as unknown as number),
        TypeError,
        "sendfile() needs a Deno.FsFile or a file descriptor number, not Uint8Array",
      ],
      [
        "descriptor -1",
        () => a.sendfile(-1),
        RangeError,
        "sendfile() file descriptor out of range: -1",
      ],
      [
        "descriptor 1.5",
        () => a.sendfile(1.5),
        TypeError,
        "sendfile() file descriptor must be an integer, not the non-integer 1.5",
      ],
    ];
    for (const [label, fn, type, message] of bad) {
      await t.step(label, () => {
        assertThrows(fn, type, message);
        assertEquals(position(tmp.file), 0);
        assertDrained(b);
      });
    }
    await t.step("a SOCK_DGRAM socket (only SOCK_STREAM, as CPython)", () => {
      using d = socket(AF_INET, SOCK_DGRAM);
      assertThrows(
        () => d.sendfile(tmp.file),
        RangeError,
        "only SOCK_STREAM type sockets are supported",
      );
    });
    await t.step("a non-blocking socket", () => {
      a.setblocking(false);
      try {
        assertThrows(
          () => a.sendfile(tmp.file),
          RangeError,
          "non-blocking sockets are not supported",
        );
      } finally {
        a.setblocking(true);
      }
    });
    await t.step("a closed socket: EBADF", () => {
      const c = socket(AF_INET, SOCK_STREAM);
      c.close();
      assertThrows(() => c.sendfile(tmp.file), SocketError, "[Errno 9] Bad file descriptor");
    });
    await t.step("a closed FsFile: Deno's BadResource", () => {
      using other = tempFile(SMALL);
      other.file.close();
      assertThrows(() => a.sendfile(other.file), Deno.errors.BadResource, "Bad resource ID");
      assertDrained(b);
    });
  } finally {
    a.close();
    b.close();
  }
});
