/** The exception classes: fields, names, messages and the class hierarchy of Python's. */
import assert from "node:assert/strict";
import { errnoValues, error, gaierror, herror, SocketError, timeout } from "../mod.ts";

Deno.test("SocketError carries errno, strerror, its symbolic code and the syscall", () => {
  const e = new SocketError(errnoValues.ECONNREFUSED, "Connection refused", "connect");
  assert.equal(e.errno, 111);
  assert.equal(e.code, "ECONNREFUSED");
  assert.equal(e.syscall, "connect");
  assert.equal(e.message, "[Errno 111] Connection refused (ECONNREFUSED, connect)");
  assert.ok(e instanceof Error);
  assert.equal(error, SocketError); // Python's socket.error alias
});

Deno.test("herror names its h_errno value from <netdb.h>", () => {
  const e = new herror(1, "Unknown host", "gethostbyaddr");
  assert.ok(e instanceof SocketError);
  assert.equal(e.code, "HOST_NOT_FOUND");
  assert.equal(new herror(2, "Host name lookup failure").code, "TRY_AGAIN");
  assert.equal(new herror(4, "No address associated with name").code, "NO_DATA");
  assert.equal(e.message, "[Errno 1] Unknown host");
});

Deno.test("gaierror and timeout are SocketErrors with Python's messages", () => {
  const g = new gaierror(-2, "Name or service not known", "getaddrinfo", "EAI_NONAME");
  assert.ok(g instanceof SocketError);
  assert.equal(g.message, "[Errno -2] Name or service not known");
  assert.equal(g.code, "EAI_NONAME");
  const t = new timeout("recv");
  assert.ok(t instanceof SocketError);
  assert.equal(t.message, "timed out");
  assert.equal(t.code, "ETIMEDOUT");
  assert.equal(t.errno, errnoValues.ETIMEDOUT);
});
