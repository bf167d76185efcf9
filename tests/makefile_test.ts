/**
 * Socket.makefile(): text and binary file objects over sockets, buffering,
 * newline translation and decoding, timeouts, closing semantics (the
 * descriptor outlives the socket's close() while a file is open), and bad
 * arguments. Differential checks run against CPython 3 when `python3` is
 * installed.
 */
import { assert, assertEquals, assertThrows } from "@std/assert";
import {
  AF_INET,
  AF_UNIX,
  SHUT_WR,
  SOCK_STREAM,
  socket,
  SocketError,
  socketpair,
  timeout,
} from "../mod.ts";
import type { Socket } from "../mod.ts";
import { BufferedSocketFile, SocketIO, TextSocketFile } from "../src/file.ts";
import type { MakefileOptions } from "../src/file.ts";
import { isOpenFd } from "./_sock_util.ts";

const enc = new TextEncoder();

/** makefile() narrowed to the class its mode implies (checked at run time). */
function text(
  s: Socket,
  mode = "r",
  buffering: number | null = null,
  o: MakefileOptions = {},
): TextSocketFile {
  const f = s.makefile(mode, buffering, o);
  assert(f instanceof TextSocketFile, `makefile(${mode}) is a TextSocketFile`);
  return f;
}
function binary(s: Socket, mode = "rb", buffering: number | null = null): BufferedSocketFile {
  const f = s.makefile(mode, buffering);
  assert(f instanceof BufferedSocketFile, `makefile(${mode}) is a BufferedSocketFile`);
  return f;
}
function raw(s: Socket, mode = "rb"): SocketIO {
  const f = s.makefile(mode, 0);
  assert(f instanceof SocketIO, `makefile(${mode}, 0) is a SocketIO`);
  return f;
}

function pair(): [Socket, Socket] {
  const [a, b] = socketpair(AF_UNIX, SOCK_STREAM);
  a.settimeout(5); // a bug shows up as a timeout, never as a hang
  b.settimeout(5);
  return [a, b];
}

function pattern(size: number, seed: number): Uint8Array {
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

/** The real CPython interpreter behind `python3`, or null. */
async function findPython(): Promise<string | null> {
  try {
    const r = await new Deno.Command("python3", {
      args: ["-c", "import sys; print(sys.executable)"],
      stdin: "null",
      stderr: "null",
    }).output();
    const path = new TextDecoder().decode(r.stdout).trim();
    return r.code === 0 && path !== "" ? path : null;
  } catch {
    return null;
  }
}

async function pythonJson<T>(python: string, code: string): Promise<T> {
  const r = await new Deno.Command(python, { args: ["-c", code], stdin: "null" }).output();
  assertEquals(r.code, 0, new TextDecoder().decode(r.stderr));
  return JSON.parse(new TextDecoder().decode(r.stdout)) as T;
}

const PYTHON = await findPython();
if (PYTHON === null) {
  console.log("makefile_test: python3 not found, so the comparisons with CPython are ignored");
}

Deno.test("Socket.makefile() carries a line protocol over a socketpair in text mode", () => {
  const [client, server] = pair();
  const c = text(client, "rw");
  const s = text(server, "rw");
  try {
    const names = ["alice", "bob", "zoë", "名前"];
    for (const name of names) {
      assertEquals(c.write(`HELLO ${name}\n`), 7 + [...name].length);
      c.flush(); // "rw" files do not flush on read, as Python's BufferedRWPair
      const line = s.readline();
      assertEquals(line, `HELLO ${name}\n`);
      s.write(`HI ${line.slice(6, -1)}\n`);
      s.flush();
      assertEquals(c.readline(), `HI ${name}\n`);
    }
    c.writelines(["LIST\n", "a\n", "b\n"]);
    c.write("QUIT\n");
    c.flush();
    client.shutdown(SHUT_WR);
    assertEquals(s.readline(), "LIST\n");
    assertEquals(s.readlines(), ["a\n", "b\n", "QUIT\n"]);
    assertEquals(s.readline(), "", "end of stream reads as an empty line");
  } finally {
    c.close();
    s.close();
    client.close();
    server.close();
  }
});

Deno.test("Socket.makefile() iterates over lines, with readlines(hint) and readline(size)", () => {
  const [a, b] = pair();
  using f = text(b);
  try {
    a.sendall(enc.encode("one\ntwo\nthree\nfour\nfive"));
    a.shutdown(SHUT_WR);
    assertEquals(f.readline(2), "on");
    assertEquals(f.readline(10), "e\n");
    assertEquals(f.readlines(5), ["two\n", "three\n"]); // stops once 5 characters are read
    assertEquals([...f], ["four\n", "five"]);
  } finally {
    a.close();
    b.close();
  }
});

Deno.test("Socket.makefile('rb') reads a 10 MiB stream byte-exact from a child process", async () => {
  const SIZE = 10 * 1024 * 1024;
  const SEED = 4242;
  const expected = pattern(SIZE, SEED);
  using server = socket(AF_INET, SOCK_STREAM);
  server.bind(["127.0.0.1", 0]);
  server.listen();
  server.settimeout(30);
  const [, port] = server.getsockname() as [string, number];
  const writer = `
    ${pattern.toString()}
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: ${port} });
    const data = pattern(${SIZE}, ${SEED});
    // odd-sized writes, so that reads meet every kind of boundary
    for (let off = 0; off < data.length;) {
      const n = Math.min(data.length - off, 1 + ((off * 7919) % 300000));
      let done = 0;
      while (done < n) done += await conn.write(data.subarray(off + done, off + n));
      off += n;
    }
    conn.close();
  `;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["eval", "--quiet", writer],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const parts: Uint8Array[] = [];
  try {
    const [conn] = server.accept();
    conn.settimeout(30);
    const f = binary(conn, "rb");
    try {
      // every read method, then the rest in one read()
      parts.push(f.read(1));
      parts.push(f.read(100_000)); // waits for all of it
      assertEquals(parts[1].length, 100_000);
      parts.push(f.read1(5000));
      assert(parts[2].length >= 1 && parts[2].length <= 5000);
      const into = new Uint8Array(777_777);
      assertEquals(f.readinto(into), into.length);
      parts.push(into);
      parts.push(f.peek().subarray(0, 0)); // peeking consumes nothing
      for (let i = 0; i < 100; i++) parts.push(f.readline());
      parts.push(f.read());
      assertEquals(f.read().length, 0, "read() at end of stream is empty");
    } finally {
      f.close();
      conn.close();
    }
  } finally {
    const out = await child.output();
    assertEquals(out.code, 0, new TextDecoder().decode(out.stderr));
  }
  const total = parts.reduce((n, p) => n + p.length, 0);
  assertEquals(total, SIZE);
  const got = new Uint8Array(total);
  let off = 0;
  for (const p of parts) {
    got.set(p, off);
    off += p.length;
  }
  // compare digests, then bytes (a digest mismatch alone would hide where)
  const digest = async (d: Uint8Array) =>
    new Uint8Array(await crypto.subtle.digest("SHA-256", d as Uint8Array<ArrayBuffer>));
  assertEquals(await digest(got), await digest(expected));
});

Deno.test("Socket.makefile(): closing the file leaves the socket usable", () => {
  const [a, b] = pair();
  try {
    const f = text(a, "w");
    const fd = a.fileno();
    assertEquals(f.name, fd);
    f.write("through the file\n");
    f.close();
    assertEquals(f.closed, true);
    assertEquals(f.name, -1);
    assertEquals(a.fileno(), fd, "the socket keeps its descriptor");
    a.sendall(enc.encode("and the socket\n"));
    assertEquals(new TextDecoder().decode(b.recv(100)), "through the file\nand the socket\n");
    f.close(); // twice is a no-op
  } finally {
    a.close();
    b.close();
  }
});

Deno.test("Socket.makefile(): the descriptor stays open after socket.close() until every file is closed", () => {
  const [a, b] = pair();
  try {
    const fd = b.fileno();
    const r = text(b, "r");
    const w = binary(b, "wb");
    b.close();
    assert(isOpenFd(fd), "open while files are");
    assertEquals(b.fileno(), fd);
    a.sendall(enc.encode("still here\n"));
    assertEquals(r.readline(), "still here\n");
    w.write(enc.encode("reply\n"));
    w.flush();
    assertEquals(new TextDecoder().decode(a.recv(100)), "reply\n");
    r.close();
    assert(isOpenFd(fd), "open while one file is");
    w.close();
    assert(!isOpenFd(fd), "closed with the last file");
    assertEquals(b.fileno(), -1);
    assertThrows(() => r.readline(), RangeError, "I/O operation on closed file.");
  } finally {
    a.close();
    b.close();
  }
});

Deno.test("Socket.makefile(): a closed socket's descriptor closes at once when no file is open", () => {
  const [a, b] = pair();
  const fd = b.fileno();
  text(b).close();
  b.close();
  assert(!isOpenFd(fd));
  a.close();
});

Deno.test("Socket.makefile() rejects bad modes, buffering 0 in text mode and bad options, leaking no reference", async (t) => {
  const cases: [string, () => unknown, ErrorConstructor, string][] = [];
  const [a, b] = pair();
  const fd = a.fileno();
  for (const mode of ["a", "x", "rt", "R", "r+", "rwx", " "]) {
    cases.push([
      `mode ${JSON.stringify(mode)}`,
      () => a.makefile(mode),
      RangeError,
      `invalid mode '${mode}' (only r, w, b allowed)`,
    ]);
  }
  cases.push(
    [
      "mode 1",
      () => a.makefile(1 as unknown as string),
      TypeError,
      "mode must be a string, not number",
    ],
    [
      "buffering 0 in text mode",
      () => a.makefile("r", 0),
      RangeError,
      "unbuffered streams must be binary",
    ],
    [
      "buffering 0 in 'rw' mode",
      () => a.makefile("rw", 0),
      RangeError,
      "unbuffered streams must be binary",
    ],
    [
      "buffering 1.5",
      () => a.makefile("rb", 1.5),
      TypeError,
      "buffering must be an integer or null, not the non-integer 1.5",
    ],
    [
      "buffering '0'",
      () => a.makefile("rb", "0" as unknown as number),
      TypeError,
      "buffering must be an integer or null, not string",
    ],
    [
      "newline 'x'",
      () => a.makefile("r", null, { newline: "x" }),
      RangeError,
      'illegal newline value: "x"',
    ],
    [
      "newline 5",
      () => a.makefile("r", null, { newline: 5 as unknown as string }),
      TypeError,
      "newline must be a string or null, not number",
    ],
    [
      "encoding 'nope'",
      () => a.makefile("r", null, { encoding: "nope" }),
      RangeError,
      "unknown encoding: nope (LookupError)",
    ],
    [
      "encoding 5",
      () => a.makefile("r", null, { encoding: 5 as unknown as string }),
      TypeError,
      "encoding must be a string or null, not number",
    ],
    [
      "errors 'bogus'",
      () => a.makefile("r", null, { errors: "bogus" }),
      RangeError,
      'unknown error handler name "bogus"',
    ],
    [
      "a read-only encoding for writing",
      () => a.makefile("w", null, { encoding: "shift_jis" }),
      RangeError,
      "encoding shift_jis is supported for reading only here",
    ],
  );
  try {
    for (const [label, fn, type, message] of cases) {
      await t.step(label, () => {
        assertThrows(fn, type, message);
      });
    }
    await t.step("binary modes ignore the text options, as CPython", () => {
      binary(a, "rb", null).close();
      a.makefile("rb", null, { encoding: "nope", newline: "x" }).close();
    });
  } finally {
    a.close();
    b.close();
  }
  assert(!isOpenFd(fd), "no file reference was left behind");
});

Deno.test("Socket.makefile() accepts the modes CPython accepts, with the same mode attribute", async () => {
  const modes = ["r", "w", "b", "rb", "wb", "rw", "rwb", "wr", "br", "bw", "rrb", "", "wbr", "bwr"];
  const [a, b] = pair();
  const ours: Record<string, string> = {};
  try {
    for (const m of modes) {
      const f = a.makefile(m);
      ours[m] = f.mode;
      f.close();
    }
  } finally {
    a.close();
    b.close();
  }
  assertEquals({ ...ours }, {
    r: "r",
    w: "w",
    b: "rb",
    rb: "rb",
    wb: "wb",
    rw: "rw",
    rwb: "rwb",
    wr: "wr",
    br: "rb",
    bw: "wb",
    rrb: "rb",
    "": "",
    wbr: "rwb",
    bwr: "rwb",
  });
  if (PYTHON === null) return;
  const py = await pythonJson<Record<string, string | null>>(
    PYTHON,
    `import socket, json
a, b = socket.socketpair()
out = {}
for m in ${JSON.stringify(modes)}:
    f = a.makefile(m)
    out[m] = getattr(f, "mode", None)
    f.close()
print(json.dumps(out))`,
  );
  for (const m of modes) {
    // Python's BufferedRWPair has no mode attribute; ours says "rwb"
    assertEquals(ours[m], py[m] ?? "rwb", `mode ${JSON.stringify(m)}`);
  }
});

/** What a peer sends in the newline tests: every kind of line end, and \r at the end of stream. */
const NL_DATA = "a\r\nb\rc\nd\r\r\ne\r";
const NL_READ: Record<string, string[]> = {
  null: ["a\n", "b\n", "c\n", "d\n", "\n", "e\n"],
  '""': ["a\r\n", "b\r", "c\n", "d\r", "\r\n", "e\r"],
  '"\\n"': ["a\r\n", "b\rc\n", "d\r\r\n", "e\r"],
  '"\\r"': ["a\r", "\nb\r", "c\nd\r", "\r", "\ne\r"],
  '"\\r\\n"': ["a\r\n", "b\rc\nd\r\r\n", "e\r"],
};

Deno.test("Socket.makefile() text mode splits and translates lines for each newline value as TextIOWrapper", async () => {
  const ours: Record<string, { lines: string[]; newlines: string | string[] | null }> = {};
  for (const newline of [null, "", "\n", "\r", "\r\n"]) {
    const [a, b] = pair();
    try {
      const f = text(b, "r", null, { newline });
      a.sendall(enc.encode(NL_DATA));
      a.shutdown(SHUT_WR);
      const lines = f.readlines();
      ours[JSON.stringify(newline)] = { lines, newlines: f.newlines };
      assertEquals(
        lines,
        NL_READ[JSON.stringify(newline)],
        `newline ${JSON.stringify(newline)}`,
      );
      f.close();
    } finally {
      a.close();
      b.close();
    }
  }
  assertEquals(ours["null"].newlines, ["\r", "\n", "\r\n"]);
  if (PYTHON === null) return;
  const py = await pythonJson<
    Record<string, { lines: string[]; newlines: string | string[] | null }>
  >(
    PYTHON,
    `import socket, json
out = {}
for nl in [None, "", "\\n", "\\r", "\\r\\n"]:
    a, b = socket.socketpair()
    f = b.makefile("r", newline=nl)
    a.sendall(${JSON.stringify(NL_DATA)}.encode())
    a.shutdown(socket.SHUT_WR)
    lines = f.readlines()
    nls = f.newlines
    out[json.dumps(nl)] = {"lines": lines, "newlines": list(nls) if isinstance(nls, tuple) else nls}
    f.close(); a.close(); b.close()
print(json.dumps(out))`,
  );
  assertEquals(ours, py);
});

Deno.test("Socket.makefile() text mode holds a trailing \\r back until the next recv shows whether \\n follows", () => {
  for (
    const [newline, lines, newlines] of [
      [null, ["a\n", "b\n"], ["\n", "\r\n"]],
      ["", ["a\r\n", "b\n"], ["\n", "\r\n"]],
    ] as const
  ) {
    const [a, b] = pair();
    const f = text(b, "r", null, { newline });
    try {
      a.sendall(enc.encode("a\r"));
      const first = f.read(1); // one recv: "a", with the \r held back
      a.sendall(enc.encode("\nb\n")); // the next recv starts with the \n
      a.shutdown(SHUT_WR);
      const got = [first + f.readline(), ...f.readlines()];
      assertEquals<unknown>(got, lines, `newline ${JSON.stringify(newline)}`);
      assertEquals<unknown>(
        f.newlines,
        newlines,
        "\r\n split across recv calls counts as \r\n, not \r",
      );
    } finally {
      f.close();
      a.close();
      b.close();
    }
  }
});

Deno.test("Socket.makefile() text mode translates \\n on write as newline says", () => {
  const expect: [string | null, string][] = [
    [null, "a\nb\r\n"],
    ["", "a\nb\r\n"],
    ["\n", "a\nb\r\n"],
    ["\r", "a\rb\r\r"],
    ["\r\n", "a\r\nb\r\r\n"],
  ];
  for (const [newline, wire] of expect) {
    const [a, b] = pair();
    try {
      const f = text(a, "w", null, { newline });
      assertEquals(f.write("a\nb\r\n"), 5);
      f.close();
      assertEquals(
        new TextDecoder().decode(b.recv(100)),
        wire,
        `newline ${JSON.stringify(newline)}`,
      );
    } finally {
      a.close();
      b.close();
    }
  }
});

Deno.test("Socket.makefile() decodes a multi-byte character split across two recv calls", () => {
  const [a, b] = pair();
  const f = text(b);
  try {
    const bytes = enc.encode("aé😀z"); // 61 | c3 a9 | f0 9f 98 80 | 7a
    a.sendall(bytes.subarray(0, 2)); // "a" and half of "é"
    assertEquals(f.read(1), "a");
    a.sendall(bytes.subarray(2, 5)); // the rest of "é", half of "😀"
    assertEquals(f.read(1), "é");
    a.sendall(bytes.subarray(5));
    assertEquals(f.read(1), "😀", "read(n) counts code points, as Python's str");
    assertEquals(f.read(1), "z");
  } finally {
    f.close();
    a.close();
    b.close();
  }
});

Deno.test("Socket.makefile() errors: 'strict' throws RangeError on bad bytes, 'replace' substitutes", () => {
  for (const [errors, expect] of [["strict", null], ["replace", "a\uFFFDb\n"]] as const) {
    const [a, b] = pair();
    try {
      const f = text(b, "r", null, { errors });
      a.sendall(new Uint8Array([0x61, 0xff, 0x62, 0x0a]));
      if (expect === null) {
        assertThrows(
          () => f.readline(),
          RangeError,
          "'utf-8' codec can't decode the bytes received: invalid data (UnicodeDecodeError; use errors: \"replace\" to substitute U+FFFD)",
        );
      } else assertEquals(f.readline(), expect);
      f.close();
    } finally {
      a.close();
      b.close();
    }
  }
  const [a, b] = pair();
  try {
    const strict = text(a, "w", null, { encoding: "ascii" });
    assertThrows(
      () => strict.write("é"),
      RangeError,
      "'ascii' codec can't encode character '\\u00e9' in position 0: ordinal not in range(128) (UnicodeEncodeError)",
    );
    strict.close();
    const replace = text(a, "w", null, { encoding: "ascii", errors: "replace" });
    replace.write("é😀!");
    replace.close();
    assertEquals(new TextDecoder().decode(b.recv(100)), "??!");
  } finally {
    a.close();
    b.close();
  }
});

Deno.test("Socket.makefile() encodes and decodes latin-1 and utf-16-le", () => {
  for (
    const [encoding, wire] of [["latin-1", [0x63, 0x61, 0x66, 0xe9, 0x0a]], ["utf-16-le", [
      0x63,
      0,
      0x61,
      0,
      0x66,
      0,
      0xe9,
      0,
      0x0a,
      0,
    ]]] as const
  ) {
    const [a, b] = pair();
    try {
      const w = text(a, "w", null, { encoding });
      assertEquals(w.encoding, encoding);
      w.write("café\n");
      w.close();
      const got = b.recv(100);
      assertEquals([...got], [...wire]);
      a.sendall(got);
      const r = text(b, "r", null, { encoding });
      assertEquals(r.readline(), "café\n");
      r.close();
    } finally {
      a.close();
      b.close();
    }
  }
});

Deno.test("Socket.makefile() buffering: binary writes wait for flush, buffering 1 flushes text lines", () => {
  const [a, b] = pair();
  b.setblocking(false);
  const nothing = () =>
    assertThrows(() => b.recv(100), SocketError, "[Errno 11] Resource temporarily unavailable");
  try {
    const w = binary(a, "wb");
    w.write(enc.encode("held"));
    nothing();
    w.flush();
    assertEquals(new TextDecoder().decode(b.recv(100)), "held");
    w.write(new Uint8Array(10_000)); // larger than the 8192-byte buffer: sent at once
    assertEquals(b.recv(20_000).length, 10_000);
    w.close();
    const lines = text(a, "w", 1);
    assertEquals(lines.line_buffering, true);
    lines.write("partial");
    nothing();
    lines.write(" line\nnext");
    assertEquals(new TextDecoder().decode(b.recv(100)), "partial line\nnext");
    lines.close();
  } finally {
    a.close();
    b.close();
  }
});

Deno.test("Socket.makefile(mode, 0) gives a raw SocketIO whose readline stops at the newline", () => {
  const [a, b] = pair();
  try {
    const f = raw(b, "rwb");
    assertEquals(f.mode, "rwb");
    a.sendall(enc.encode("line1\nrest"));
    assertEquals(f.readline(), enc.encode("line1\n"));
    assertEquals(
      new TextDecoder().decode(b.recv(100)),
      "rest",
      "nothing past the line was consumed",
    );
    assertEquals(f.write(enc.encode("out")), 3);
    assertEquals(new TextDecoder().decode(a.recv(100)), "out");
    const into = new Uint8Array(8);
    a.sendall(enc.encode("xyz"));
    assertEquals(f.readinto(into), 3);
    b.setblocking(false);
    assertEquals(f.read(10), null, "non-blocking with nothing there: null, as Python's None");
    assertEquals(f.readinto(into), null);
    f.close();
  } finally {
    a.close();
    b.close();
  }
});

Deno.test("Socket.makefile() on a non-blocking socket: a buffered read with nothing there throws EAGAIN", () => {
  const [a, b] = pair();
  try {
    b.setblocking(false);
    const f = binary(b);
    assertThrows(() => f.read(10), SocketError, "[Errno 11] Resource temporarily unavailable");
    assertThrows(() => f.readline(), SocketError, "[Errno 11] Resource temporarily unavailable");
    a.sendall(enc.encode("part"));
    assertEquals(f.read(10), enc.encode("part"), "what is there, when less than asked");
    f.close();
  } finally {
    a.close();
    b.close();
  }
});

Deno.test("Socket.makefile(): a timeout surfaces as timeout, and the file then refuses reads", () => {
  const [a, b] = pair();
  try {
    b.settimeout(0.05);
    const f = text(b);
    assertThrows(() => f.readline(), timeout, "timed out");
    a.sendall(enc.encode("late\n"));
    assertThrows(() => f.readline(), SocketError, "cannot read from timed out object");
    f.close();
    assertEquals(new TextDecoder().decode(b.recv(100)), "late\n", "the socket itself still reads");
  } finally {
    a.close();
    b.close();
  }
});

Deno.test("Socket.makefile() refuses the wrong data type and the wrong direction", () => {
  const [a, b] = pair();
  try {
    const bw = binary(a, "wb");
    assertThrows(
      () => bw.write("text" as unknown as Uint8Array),
      TypeError,
      "write() needs bytes (a Uint8Array or other BufferSource) in binary mode, not a string: encode it first, e.g. new TextEncoder().encode(s)",
    );
    assertThrows(() => bw.read(), RangeError, "File or stream is not readable.");
    bw.close();
    const tw = text(a, "w");
    assertThrows(
      () => tw.write(enc.encode("bytes") as unknown as string),
      TypeError,
      "write() argument must be a string, not Uint8Array",
    );
    assertThrows(() => tw.read(), RangeError, "not readable");
    tw.close();
    const tr = text(b, "r");
    assertThrows(() => tr.write("x"), RangeError, "not writable");
    assertThrows(
      () => tr.read(1.5),
      TypeError,
      "size must be an integer or null, not the non-integer 1.5",
    );
    tr.close();
    assertThrows(() => tr.read(), RangeError, "I/O operation on closed file.", "closed");
    assertThrows(() => tr.fileno(), RangeError, "I/O operation on closed file.", "closed");
  } finally {
    a.close();
    b.close();
  }
});
