/**
 * Python's OSError subclasses: the class chosen for every errno of the
 * system checked against CPython's `type(OSError(e, "x")).__name__`, and the
 * classes, messages and fields of errors raised by real sockets.
 */
import {
  assert,
  assertEquals,
  assertInstanceOf,
  assertStrictEquals,
  assertThrows,
} from "@std/assert";
import {
  AF_INET,
  AF_UNIX,
  BlockingIOError,
  BrokenPipeError,
  ConnectionAbortedError,
  ConnectionError,
  ConnectionRefusedError,
  ConnectionResetError,
  errnoValues,
  errorcode,
  errorFromErrno,
  FileNotFoundError,
  inet_aton,
  SHUT_WR,
  SOCK_DGRAM,
  SOCK_STREAM,
  socket,
  SocketError,
  socketpair,
  timeout,
  TimeoutError,
} from "../mod.ts";
import { PYTHON, pythonJson } from "./_sock_util.ts";

if (PYTHON === null) {
  console.log(
    "exceptions_test: python3 not found, so the errno → class table is not compared with CPython's",
  );
}

Deno.test({
  name: "errorFromErrno() picks CPython's OSError subclass for every errno of the system",
  ignore: PYTHON === null,
  async fn(): Promise<void> {
    // Every errno the system names, and the numbers around them.
    const errnos = [...new Set([...Object.keys(errorcode).map(Number), 0, 134, 200, 4095])];
    const py = await pythonJson<Record<string, string>>(
      `import json, sys
print(json.dumps({e: type(OSError(int(e), "x")).__name__ for e in sys.argv[1:]}))`,
      errnos.map(String),
    );
    let subclasses = 0;
    for (const e of errnos) {
      const err = errorFromErrno(e, "x", "test");
      const want = py[String(e)] === "OSError" ? "SocketError" : py[String(e)];
      assertEquals(err.name, want, `errno ${e} (${errorcode[e]})`);
      assertEquals(err.constructor.name, want);
      assertInstanceOf(err, SocketError);
      assertEquals(err.errno, e);
      assertEquals(err.syscall, "test");
      if (want !== "SocketError") subclasses++;
    }
    assertEquals(subclasses, 18); // the Linux errnos PEP 3151 maps (EWOULDBLOCK is EAGAIN)
  },
});

Deno.test("the connection errors share ConnectionError as their parent, as in Python", () => {
  for (const name of ["EPIPE", "ESHUTDOWN", "ECONNABORTED", "ECONNREFUSED", "ECONNRESET"]) {
    assertInstanceOf(errorFromErrno(errnoValues[name], "x"), ConnectionError);
  }
  assertInstanceOf(errorFromErrno(errnoValues.ESHUTDOWN, "x"), BrokenPipeError);
  assertInstanceOf(errorFromErrno(errnoValues.ECONNABORTED, "x"), ConnectionAbortedError);
  assertInstanceOf(errorFromErrno(errnoValues.ECONNRESET, "x"), ConnectionResetError);
  assert(!(errorFromErrno(errnoValues.EAGAIN, "x") instanceof ConnectionError));
  assertInstanceOf(errorFromErrno(errnoValues.EINPROGRESS, "x"), BlockingIOError);
});

Deno.test("messages read as Python's str(e); the syscall and symbolic name are fields", () => {
  const e = errorFromErrno(111, "Connection refused", "connect");
  assertInstanceOf(e, ConnectionRefusedError);
  assertEquals(e.message, "[Errno 111] Connection refused");
  assertEquals(String(e), "ConnectionRefusedError: [Errno 111] Connection refused");
  assertEquals([e.errno, e.strerror, e.code, e.syscall], [
    111,
    "Connection refused",
    "ECONNREFUSED",
    "connect",
  ]);
  const plain = new SocketError(null, "illegal IP address string passed to inet_aton", "inet_aton");
  assertEquals(plain.message, "illegal IP address string passed to inet_aton");
  assertEquals([plain.errno, plain.code], [null, ""]);
});

Deno.test("timeout is TimeoutError: 'timed out' with errno null, as CPython's socket.timeout", () => {
  assertStrictEquals(timeout, TimeoutError);
  const t = new timeout("recv");
  assertInstanceOf(t, SocketError);
  assertEquals([t.message, t.errno, t.code, t.syscall, t.name], [
    "timed out",
    null,
    "",
    "recv",
    "TimeoutError",
  ]);
  const etimedout = errorFromErrno(110, "Connection timed out", "connect");
  assertInstanceOf(etimedout, timeout);
  assertEquals(etimedout.message, "[Errno 110] Connection timed out");
  assertEquals(etimedout.code, "ETIMEDOUT");
});

Deno.test("real sockets raise the subclass CPython raises, with Python's message", () => {
  // A port nobody listens on: bind one, close it.
  const probe = socket(AF_INET, SOCK_STREAM);
  probe.bind(["127.0.0.1", 0]);
  const port = probe.getsockname()[1];
  probe.close();
  using s = socket(AF_INET, SOCK_STREAM);
  const refused = assertThrows(() => s.connect(["127.0.0.1", port]), ConnectionRefusedError);
  assertInstanceOf(refused, ConnectionError);
  assertEquals(refused.message, "[Errno 111] Connection refused");
  assertEquals([refused.code, refused.syscall], ["ECONNREFUSED", "connect"]);

  const [a, b] = socketpair();
  a.setblocking(false);
  const again = assertThrows(() => a.recv(1), BlockingIOError);
  assertEquals(again.errno, errnoValues.EAGAIN);
  b.close();
  a.shutdown(SHUT_WR);
  assertThrows(() => a.send(new Uint8Array([1])), BrokenPipeError, "[Errno 32] Broken pipe");
  a.close();

  using u = socket(AF_UNIX, SOCK_STREAM);
  assertThrows(() => u.connect("/nonexistent/sockffi.sock"), FileNotFoundError, "[Errno 2]");
  using t = socket(AF_INET, SOCK_DGRAM);
  t.bind(["127.0.0.1", 0]);
  t.settimeout(0.01);
  const late = assertThrows(() => t.recv(1), TimeoutError, "timed out");
  assertEquals([late.errno, late.syscall], [null, "recv"]);
  assertInstanceOf(late, timeout);
});

Deno.test("inet_aton()'s error has errno null, as CPython's None", () => {
  const e = assertThrows(() => inet_aton("not an address"), SocketError);
  assertEquals(e.constructor, SocketError);
  assertEquals([e.errno, e.code, e.message], [
    null,
    "",
    "illegal IP address string passed to inet_aton",
  ]);
});
