/**
 * `s.readable` / `s.writable`: web streams over stream sockets — pipeTo from
 * a file, TextDecoderStream, BYOB reads, backpressure, half-close, cancel,
 * abort, and errors.
 */
import {
  assert,
  assertEquals,
  assertNotStrictEquals,
  assertRejects,
  assertStrictEquals,
  assertThrows,
} from "@std/assert";
import { createHash } from "node:crypto";
import {
  AF_INET,
  AF_UNIX,
  SO_RCVBUF,
  SO_SNDBUF,
  SOCK_DGRAM,
  SOCK_STREAM,
  type Socket,
  socket,
  SocketError,
  socketpair,
  SOL_SOCKET,
} from "../mod.ts";
import { reactor } from "../src/reactor.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function tcpPair(): Promise<[Socket, Socket]> {
  using l = socket(AF_INET, SOCK_STREAM);
  l.bind(["127.0.0.1", 0]);
  l.listen();
  const c = socket(AF_INET, SOCK_STREAM);
  const accepting = l.async.accept();
  await c.async.connect(l.getsockname() as [string, number]);
  return [c, (await accepting)[0]];
}

async function idle(): Promise<void> {
  await reactor().whenIdle();
  assertEquals(reactor().stats().waiting, 0);
}

Deno.test("s.readable and s.writable return the same stream object on every access", () => {
  const [a, b] = socketpair();
  try {
    assertStrictEquals(a.readable, a.readable);
    assertStrictEquals(a.writable, a.writable);
    assertNotStrictEquals(a.readable, b.readable);
    assert(a.readable instanceof ReadableStream);
    assert(a.writable instanceof WritableStream);
  } finally {
    a.close();
    b.close();
  }
});

Deno.test("s.readable/s.writable refuse a socket that is not SOCK_STREAM", () => {
  using u = socket(AF_INET, SOCK_DGRAM);
  assertThrows(
    () => u.readable,
    TypeError,
    "Socket.readable needs a SOCK_STREAM socket (this one's type is 2): use s.async.recv()/send() for message-based sockets",
  );
  assertThrows(
    () => u.writable,
    TypeError,
    "Socket.writable needs a SOCK_STREAM socket (this one's type is 2): use s.async.recv()/send() for message-based sockets",
  );
});

Deno.test("pipeTo from a 50 MiB file through the socket gives the peer the same SHA-256", async () => {
  const path = await Deno.makeTempFile();
  const [c, s] = await tcpPair();
  try {
    const data = new Uint8Array(50 << 20);
    for (let i = 0; i < data.length; i += 65536) {
      crypto.getRandomValues(data.subarray(i, i + 65536));
    }
    await Deno.writeFile(path, data);
    const want = createHash("sha256").update(data).digest("hex");
    const file = await Deno.open(path);
    const sending = file.readable.pipeTo(c.writable); // closes the file, half-closes c
    const hash = createHash("sha256");
    let total = 0;
    await s.readable.pipeTo(
      new WritableStream({
        write(chunk: Uint8Array): void {
          hash.update(chunk);
          total += chunk.length;
        },
      }),
    );
    await sending;
    assertEquals(total, data.length);
    assertEquals(hash.digest("hex"), want);
  } finally {
    c.close();
    s.close();
    await Deno.remove(path);
  }
});

Deno.test("TextDecoderStream over s.readable reads lines", async () => {
  const [a, b] = socketpair();
  try {
    const lines: string[] = [];
    const reading = (async () => {
      let rest = "";
      for await (const text of b.readable.pipeThrough(new TextDecoderStream())) {
        const parts = (rest + text).split("\n");
        rest = parts.pop()!;
        lines.push(...parts);
      }
      if (rest) lines.push(rest);
    })();
    // Sent in pieces that split lines and a multi-byte character.
    const bytes = enc.encode("first line\nsecond — line\nthird\n");
    for (const cut of [[0, 5], [5, 18], [18, 19], [19, bytes.length]]) {
      await a.async.sendall(bytes.subarray(cut[0], cut[1]));
      await delay(2);
    }
    a.shutdown(1);
    await reading;
    assertEquals(lines, ["first line", "second — line", "third"]);
  } finally {
    a.close();
    b.close();
  }
});

Deno.test("a BYOB reader receives into its own buffer, and sees end of file", async () => {
  const [a, b] = socketpair();
  try {
    const reader = b.readable.getReader({ mode: "byob" });
    const pending = reader.read(new Uint8Array(8));
    await delay(5);
    a.send(enc.encode("abcdefghijkl"));
    const r1 = await pending;
    assertEquals(r1.done, false);
    assertEquals(dec.decode(r1.value), "abcdefgh");
    assertEquals(r1.value!.byteLength, 8);
    const r2 = await reader.read(new Uint8Array(new ArrayBuffer(16), 4, 10));
    assertEquals(dec.decode(r2.value), "ijkl");
    assertEquals(r2.value!.byteOffset, 4, "the view's offset is honoured");
    a.shutdown(1);
    const r3 = await reader.read(new Uint8Array(4));
    assertEquals(r3.done, true);
    reader.releaseLock();
  } finally {
    a.close();
    b.close();
  }
});

Deno.test("s.writable applies backpressure: a write waits until the peer reads", async () => {
  const [a, b] = socketpair(AF_UNIX, SOCK_STREAM);
  try {
    a.setsockopt(SOL_SOCKET, SO_SNDBUF, 4096);
    b.setsockopt(SOL_SOCKET, SO_RCVBUF, 4096);
    const writer = a.writable.getWriter();
    const chunk = new Uint8Array(1 << 20).fill(1);
    let done = false;
    const writing = writer.write(chunk).then(() => done = true);
    await delay(50);
    assertEquals(done, false, "1 MiB cannot be taken by the kernel without a reader");
    assert((writer.desiredSize ?? 1) <= 0, "the stream reports backpressure");
    let got = 0;
    const buf = new Uint8Array(65536);
    while (got < chunk.length) got += await b.async.recv_into(buf);
    await writing;
    assertEquals(done, true);
    assertEquals(writer.desiredSize, 1);
    writer.releaseLock();
  } finally {
    a.close();
    b.close();
  }
});

Deno.test("closing s.writable half-closes: the peer reads end of file, and can still answer", async () => {
  const [c, s] = await tcpPair();
  try {
    const writer = c.writable.getWriter();
    await writer.write(enc.encode("request"));
    await writer.close();
    let req = "";
    for (;;) {
      const d = await s.async.recv(100);
      if (d.length === 0) break;
      req += dec.decode(d);
    }
    assertEquals(req, "request");
    await s.async.sendall(enc.encode("response"));
    s.close();
    const reply = await new Response(c.readable).text();
    assertEquals(reply, "response");
  } finally {
    c.close();
    s.close();
  }
});

Deno.test("cancelling s.readable aborts the pending read and shuts down the read half", async () => {
  const [a, b] = socketpair();
  try {
    const reader = b.readable.getReader();
    const pending = reader.read();
    await delay(10);
    await reader.cancel("done reading");
    const r = await pending;
    assertEquals(r.done, true);
    await idle();
    // SHUT_RD: reads on b now see end of file at once.
    assertEquals(b.recv(10).length, 0);
    // the socket is still open and writable
    b.send(enc.encode("still here"));
    assertEquals(dec.decode(a.recv(20)), "still here");
  } finally {
    a.close();
    b.close();
  }
});

Deno.test("aborting s.writable rejects the pending write at once and sends no end of file", async () => {
  const [a, b] = socketpair();
  try {
    a.setsockopt(SOL_SOCKET, SO_SNDBUF, 4096);
    const writer = a.writable.getWriter();
    const writing = writer.write(new Uint8Array(4 << 20));
    await delay(20);
    const reason = new Error("give up");
    await writer.abort(reason);
    await assertRejects(() => writing, Error, "give up");
    await idle();
    // b gets the bytes that went out, then nothing more: no FIN, so a
    // non-blocking read says EAGAIN rather than end of file.
    b.setblocking(false);
    let n = 0;
    for (;;) {
      try {
        const d = b.recv(65536);
        assert(d.length > 0, "no end of file after abort");
        n += d.length;
      } catch (e) {
        assert(e instanceof SocketError && e.code === "EAGAIN");
        break;
      }
    }
    assert(n < 4 << 20);
  } finally {
    a.close();
    b.close();
  }
});

Deno.test("closing the socket under a pending read errors s.readable with EBADF", async () => {
  const [a, b] = socketpair();
  try {
    const reader = b.readable.getReader();
    const pending = reader.read();
    await delay(10);
    b.close();
    await assertRejects(() => pending, SocketError, "[Errno 9] Bad file descriptor");
    await idle();
  } finally {
    a.close();
    b.close();
  }
});

Deno.test("writing a string to s.writable is a TypeError", async () => {
  const [a, b] = socketpair();
  try {
    const writer = a.writable.getWriter();
    await assertRejects(
      () => writer.write("text" as unknown as Uint8Array),
      TypeError,
      "sendall() needs bytes (a Uint8Array or other BufferSource), not a string: encode it first, e.g. new TextEncoder().encode(s)",
    );
  } finally {
    a.close();
    b.close();
  }
});
