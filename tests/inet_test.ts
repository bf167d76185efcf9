// Tests for src/inet.ts: byte order and address text. The generated
// comparisons with CPython are in differential_test.ts; these pin the
// documented forms and the error classes.
import assert from "node:assert/strict";
import * as S from "../mod.ts";

function bytes(...xs: number[]): Uint8Array {
  return new Uint8Array(xs);
}

Deno.test("htons() and ntohs() swap the two bytes of a 16-bit value", () => {
  assert.equal(S.htons(0x1234), 0x3412);
  assert.equal(S.ntohs(0x3412), 0x1234);
  assert.equal(S.htons(0), 0);
  assert.equal(S.htons(65535), 65535);
  for (let x = 0; x < 65536; x += 257) assert.equal(S.ntohs(S.htons(x)), x);
});

Deno.test("htonl() and ntohl() reverse the bytes of a 32-bit value, unsigned", () => {
  assert.equal(S.htonl(1), 0x01000000);
  assert.equal(S.htonl(0x7f000001), 0x0100007f);
  assert.equal(S.ntohl(0x000000ff), 0xff000000);
  assert.ok(S.ntohl(0x000000ff) > 0);
  assert.equal(S.htonl(0xffffffff), 0xffffffff);
});

Deno.test("byte-order functions refuse negatives, values too large and non-integers", () => {
  for (const f of [S.htons, S.ntohs]) {
    assert.throws(() => f(-1), RangeError);
    assert.throws(() => f(65536), RangeError);
    assert.throws(() => f(2 ** 40), RangeError);
  }
  for (const f of [S.htonl, S.ntohl]) {
    assert.throws(() => f(-1), RangeError);
    assert.throws(() => f(2 ** 32), RangeError);
    assert.throws(() => f(2 ** 64), RangeError);
  }
  for (const f of [S.htons, S.ntohs, S.htonl, S.ntohl]) {
    assert.throws(() => f(1.5), TypeError);
    assert.throws(() => f("80" as unknown as number), TypeError);
    assert.throws(() => f(NaN), TypeError);
  }
});

Deno.test("inet_aton() accepts every inet(3) form: a, a.b, a.b.c, hex and octal parts", () => {
  assert.deepEqual(S.inet_aton("1"), bytes(0, 0, 0, 1));
  assert.deepEqual(S.inet_aton("1.2"), bytes(1, 0, 0, 2));
  assert.deepEqual(S.inet_aton("1.2.3"), bytes(1, 2, 0, 3));
  assert.deepEqual(S.inet_aton("1.2.3.4"), bytes(1, 2, 3, 4));
  assert.deepEqual(S.inet_aton("127.65535"), bytes(127, 0, 255, 255));
  assert.deepEqual(S.inet_aton("0x7f.1"), bytes(127, 0, 0, 1));
  assert.deepEqual(S.inet_aton("0X7F.0.0.01"), bytes(127, 0, 0, 1));
  assert.deepEqual(S.inet_aton("017.1.2.3"), bytes(15, 1, 2, 3));
  assert.deepEqual(S.inet_aton("4294967295"), bytes(255, 255, 255, 255));
  assert.deepEqual(S.inet_aton("0xffffffff"), bytes(255, 255, 255, 255));
  // glibc ignores whitespace and whatever follows it
  assert.deepEqual(S.inet_aton("1.2.3.4 junk"), bytes(1, 2, 3, 4));
  assert.deepEqual(S.inet_aton("1.2.3.4\n"), bytes(1, 2, 3, 4));
});

Deno.test("inet_aton() raises SocketError for illegal text, as CPython's OSError", () => {
  for (
    const s of [
      "",
      "1.2.3.256",
      "1.2.3.4.5",
      "256.1",
      "1.16777216",
      "4294967296",
      " 1.2.3.4",
      "08",
      "0x",
      "1.",
      "1..2",
      "a.b.c.d",
      "1.2.3.4x",
      "１.2.3.4",
    ]
  ) {
    assert.throws(
      () => S.inet_aton(s),
      (e: unknown) =>
        e instanceof S.SocketError &&
        e.strerror === "illegal IP address string passed to inet_aton",
      JSON.stringify(s),
    );
  }
  assert.throws(() => S.inet_aton("1\0" as string), RangeError);
  assert.throws(() => S.inet_aton(new Uint8Array(4) as unknown as string), TypeError);
});

Deno.test("inet_ntoa() formats exactly 4 bytes from any BufferSource", () => {
  assert.equal(S.inet_ntoa(bytes(192, 0, 2, 1)), "192.0.2.1");
  assert.equal(S.inet_ntoa(bytes(192, 0, 2, 1).buffer), "192.0.2.1");
  assert.equal(S.inet_ntoa(new Uint8Array([9, 192, 0, 2, 1, 9]).subarray(1, 5)), "192.0.2.1");
  assert.equal(S.inet_ntoa(new Uint32Array([0x0100007f])), "127.0.0.1");
  // CPython raises OSError (not ValueError) for the wrong length
  assert.throws(() => S.inet_ntoa(bytes(1, 2, 3)), S.SocketError);
  assert.throws(() => S.inet_ntoa(bytes(1, 2, 3, 4, 5)), S.SocketError);
  assert.throws(() => S.inet_ntoa("1234" as unknown as BufferSource), /encode it/);
});

Deno.test("inet_pton() and inet_ntop() round-trip IPv4 and IPv6", () => {
  assert.deepEqual(S.inet_pton(S.AF_INET, "10.1.2.3"), bytes(10, 1, 2, 3));
  assert.equal(S.inet_ntop(S.AF_INET, bytes(10, 1, 2, 3)), "10.1.2.3");
  for (
    const s of [
      "::",
      "::1",
      "1::",
      "fe80::1",
      "2001:db8::8:800:200c:417a",
      "::ffff:192.0.2.1",
      "::192.0.2.1",
      "1:0:1:0:1:0:1:0",
      "1::1:0:0:1",
      "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
    ]
  ) {
    const b = S.inet_pton(S.AF_INET6, s);
    assert.equal(b.length, 16);
    assert.equal(S.inet_ntop(S.AF_INET6, b), s);
  }
  // the first longest zero run is compressed; uppercase and leading zeros normalize
  assert.equal(S.inet_ntop(S.AF_INET6, S.inet_pton(S.AF_INET6, "1:0:0:1:0:0:1:1")), "1::1:0:0:1:1");
  assert.equal(S.inet_ntop(S.AF_INET6, S.inet_pton(S.AF_INET6, "00AB:0:0:0:0:0:0:0001")), "ab::1");
});

Deno.test("inet_pton() rejects illegal text with SocketError and unknown families with EAFNOSUPPORT", () => {
  for (const s of ["1.2.3", "01.2.3.4", "256.0.0.0", "1.2.3.4 ", "0x1.2.3.4"]) {
    assert.throws(() => S.inet_pton(S.AF_INET, s), S.SocketError, s);
  }
  for (const s of ["", ":", ":::", "1:2:3:4:5:6:7:8:9", "::1%lo", "12345::", "g::", "1::2::3"]) {
    assert.throws(
      () => S.inet_pton(S.AF_INET6, s),
      (e: unknown) =>
        e instanceof S.SocketError &&
        e.strerror === "illegal IP address string passed to inet_pton",
      s,
    );
  }
  assert.throws(
    () => S.inet_pton(S.AF_UNIX, "1.2.3.4"),
    (e: unknown) => e instanceof S.SocketError && e.code === "EAFNOSUPPORT",
  );
  assert.throws(() => S.inet_pton(S.AF_INET, "1.2.3.4\0"), RangeError);
  assert.throws(() => S.inet_pton(S.AF_INET, bytes(1) as unknown as string), TypeError);
  assert.throws(() => S.inet_pton(1.5, "1.2.3.4"), TypeError);
});

Deno.test("inet_ntop() raises RangeError for a wrong length or an unknown family", () => {
  assert.throws(() => S.inet_ntop(S.AF_INET, bytes(1, 2, 3)), RangeError);
  assert.throws(() => S.inet_ntop(S.AF_INET6, new Uint8Array(4)), RangeError);
  assert.throws(() => S.inet_ntop(S.AF_UNIX, new Uint8Array(4)), /unknown address family/);
  assert.throws(() => S.inet_ntop(S.AF_INET, "1234" as unknown as BufferSource), TypeError);
});
