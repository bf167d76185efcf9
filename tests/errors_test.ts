/** The exception classes: fields, names, messages and the class hierarchy of Python's. */
import { assert, assertEquals, assertStrictEquals } from "@std/assert";
import { errnoValues, error, gaierror, herror, SocketError, timeout } from "../mod.ts";

Deno.test("SocketError carries errno, strerror, its symbolic code and the syscall", () => {
  const e = new SocketError(errnoValues.ECONNREFUSED, "Connection refused", "connect");
  assertEquals(e.errno, errnoValues.ECONNREFUSED);
  assertEquals(e.code, "ECONNREFUSED");
  assertEquals(e.syscall, "connect");
  assertEquals(e.message, `[Errno ${errnoValues.ECONNREFUSED}] Connection refused`);
  assert(e instanceof Error);
  assertStrictEquals(error, SocketError); // Python's socket.error alias
});

Deno.test("herror names its h_errno value from <netdb.h>", () => {
  const e = new herror(1, "Unknown host", "gethostbyaddr");
  assert(e instanceof SocketError);
  assertEquals(e.code, "HOST_NOT_FOUND");
  assertEquals(new herror(2, "Host name lookup failure").code, "TRY_AGAIN");
  assertEquals(new herror(4, "No address associated with name").code, "NO_DATA");
  assertEquals(e.message, "[Errno 1] Unknown host");
});

Deno.test("gaierror and timeout are SocketErrors with Python's messages", () => {
  const g = new gaierror(-2, "Name or service not known", "getaddrinfo", "EAI_NONAME");
  assert(g instanceof SocketError);
  assertEquals(g.message, "[Errno -2] Name or service not known");
  assertEquals(g.code, "EAI_NONAME");
  const t = new timeout("recv");
  assert(t instanceof SocketError);
  assertEquals(t.message, "timed out");
  assertEquals(t.code, "");
  assertEquals(t.errno, null); // CPython: TimeoutError("timed out").errno is None
});
