// Tests for src/inet.ts: byte order and address text. The generated
// comparisons with CPython are in differential_test.ts; these pin the
// documented forms and the error classes.
import { assert, assertEquals, assertThrows } from "@std/assert";
import * as S from "../mod.ts";

function bytes(...xs: number[]): Uint8Array {
  return new Uint8Array(xs);
}

Deno.test("htons() and ntohs() swap the two bytes of a 16-bit value", () => {
  assertEquals(S.htons(0x1234), 0x3412);
  assertEquals(S.ntohs(0x3412), 0x1234);
  assertEquals(S.htons(0), 0);
  assertEquals(S.htons(65535), 65535);
  for (let x = 0; x < 65536; x += 257) assertEquals(S.ntohs(S.htons(x)), x);
});

Deno.test("htonl() and ntohl() reverse the bytes of a 32-bit value, unsigned", () => {
  assertEquals(S.htonl(1), 0x01000000);
  assertEquals(S.htonl(0x7f000001), 0x0100007f);
  assertEquals(S.ntohl(0x000000ff), 0xff000000);
  assert(S.ntohl(0x000000ff) > 0);
  assertEquals(S.htonl(0xffffffff), 0xffffffff);
});

Deno.test("byte-order functions refuse negatives, values too large and non-integers", () => {
  for (const f of [S.htons, S.ntohs]) {
    assertThrows(
      () => f(-1),
      RangeError,
      `${f.name}: can't convert negative Python int to C 16-bit unsigned integer`,
    );
    assertThrows(
      () => f(65536),
      RangeError,
      `${f.name}: Python int too large to convert to C 16-bit unsigned integer`,
    );
    assertThrows(() => f(2 ** 40), RangeError, `${f.name}: signed integer is greater than maximum`);
  }
  for (const f of [S.htonl, S.ntohl]) {
    assertThrows(
      () => f(-1),
      RangeError,
      `${f.name}: can't convert negative value to unsigned int`,
    );
    assertThrows(() => f(2 ** 32), RangeError, `${f.name}: int larger than 32 bits`);
    assertThrows(
      () => f(2 ** 64),
      RangeError,
      `${f.name}: Python int too large to convert to C unsigned long`,
    );
  }
  for (const f of [S.htons, S.ntohs, S.htonl, S.ntohl]) {
    assertThrows(
      () => f(1.5),
      TypeError,
      `${f.name}() argument must be an integer, not the non-integer 1.5`,
    );
    assertThrows(
      () => f("80" as unknown as number),
      TypeError,
      `${f.name}() argument must be an integer, not string`,
    );
    assertThrows(
      () => f(NaN),
      TypeError,
      `${f.name}() argument must be an integer, not the non-integer NaN`,
    );
  }
});

Deno.test("inet_aton() accepts every inet(3) form: a, a.b, a.b.c, hex and octal parts", () => {
  assertEquals(S.inet_aton("1"), bytes(0, 0, 0, 1));
  assertEquals(S.inet_aton("1.2"), bytes(1, 0, 0, 2));
  assertEquals(S.inet_aton("1.2.3"), bytes(1, 2, 0, 3));
  assertEquals(S.inet_aton("1.2.3.4"), bytes(1, 2, 3, 4));
  assertEquals(S.inet_aton("127.65535"), bytes(127, 0, 255, 255));
  assertEquals(S.inet_aton("0x7f.1"), bytes(127, 0, 0, 1));
  assertEquals(S.inet_aton("0X7F.0.0.01"), bytes(127, 0, 0, 1));
  assertEquals(S.inet_aton("017.1.2.3"), bytes(15, 1, 2, 3));
  assertEquals(S.inet_aton("4294967295"), bytes(255, 255, 255, 255));
  assertEquals(S.inet_aton("0xffffffff"), bytes(255, 255, 255, 255));
  // glibc ignores whitespace and whatever follows it
  assertEquals(S.inet_aton("1.2.3.4 junk"), bytes(1, 2, 3, 4));
  assertEquals(S.inet_aton("1.2.3.4\n"), bytes(1, 2, 3, 4));
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
    assertThrows(
      () => S.inet_aton(s),
      S.SocketError,
      "illegal IP address string passed to inet_aton",
      JSON.stringify(s),
    );
  }
  assertThrows(
    () => S.inet_aton("1\0" as string),
    RangeError,
    "inet_aton(): embedded null character",
  );
  assertThrows(
    () => S.inet_aton(new Uint8Array(4) as unknown as string),
    TypeError,
    "inet_aton() argument 1 must be a string, not Uint8Array (decode bytes to a string first)",
  );
});

Deno.test("inet_ntoa() formats exactly 4 bytes from any BufferSource", () => {
  assertEquals(S.inet_ntoa(bytes(192, 0, 2, 1)), "192.0.2.1");
  assertEquals(S.inet_ntoa(bytes(192, 0, 2, 1).buffer), "192.0.2.1");
  assertEquals(S.inet_ntoa(new Uint8Array([9, 192, 0, 2, 1, 9]).subarray(1, 5)), "192.0.2.1");
  assertEquals(S.inet_ntoa(new Uint32Array([0x0100007f])), "127.0.0.1");
  // CPython raises OSError (not ValueError) for the wrong length
  assertThrows(
    () => S.inet_ntoa(bytes(1, 2, 3)),
    S.SocketError,
    "packed IP wrong length for inet_ntoa",
  );
  assertThrows(
    () => S.inet_ntoa(bytes(1, 2, 3, 4, 5)),
    S.SocketError,
    "packed IP wrong length for inet_ntoa",
  );
  assertThrows(
    () => S.inet_ntoa("1234" as unknown as BufferSource),
    TypeError,
    "inet_ntoa() needs bytes (a Uint8Array or other BufferSource), not a string: encode it first",
  );
});

Deno.test("inet_pton() and inet_ntop() round-trip IPv4 and IPv6", () => {
  assertEquals(S.inet_pton(S.AF_INET, "10.1.2.3"), bytes(10, 1, 2, 3));
  assertEquals(S.inet_ntop(S.AF_INET, bytes(10, 1, 2, 3)), "10.1.2.3");
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
    assertEquals(b.length, 16);
    assertEquals(S.inet_ntop(S.AF_INET6, b), s);
  }
  // the first longest zero run is compressed; uppercase and leading zeros normalize
  assertEquals(S.inet_ntop(S.AF_INET6, S.inet_pton(S.AF_INET6, "1:0:0:1:0:0:1:1")), "1::1:0:0:1:1");
  assertEquals(S.inet_ntop(S.AF_INET6, S.inet_pton(S.AF_INET6, "00AB:0:0:0:0:0:0:0001")), "ab::1");
});

Deno.test("inet_pton() rejects illegal text with SocketError and unknown families with EAFNOSUPPORT", () => {
  for (const s of ["1.2.3", "01.2.3.4", "256.0.0.0", "1.2.3.4 ", "0x1.2.3.4"]) {
    assertThrows(
      () => S.inet_pton(S.AF_INET, s),
      S.SocketError,
      "illegal IP address string passed to inet_pton",
      s,
    );
  }
  for (const s of ["", ":", ":::", "1:2:3:4:5:6:7:8:9", "::1%lo", "12345::", "g::", "1::2::3"]) {
    assertThrows(
      () => S.inet_pton(S.AF_INET6, s),
      S.SocketError,
      "illegal IP address string passed to inet_pton",
      s,
    );
  }
  assertThrows(
    () => S.inet_pton(S.AF_UNIX, "1.2.3.4"),
    S.SocketError,
    "[Errno 97] Address family not supported by protocol",
  );
  assertThrows(
    () => S.inet_pton(S.AF_INET, "1.2.3.4\0"),
    RangeError,
    "inet_pton(): embedded null character",
  );
  assertThrows(
    () => S.inet_pton(S.AF_INET, bytes(1) as unknown as string),
    TypeError,
    "inet_pton() argument 2 must be a string, not Uint8Array (decode bytes to a string first)",
  );
  assertThrows(
    () => S.inet_pton(1.5, "1.2.3.4"),
    TypeError,
    "inet_pton() argument must be an integer, not the non-integer 1.5",
  );
});

Deno.test("inet_ntop() raises RangeError for a wrong length or an unknown family", () => {
  assertThrows(
    () => S.inet_ntop(S.AF_INET, bytes(1, 2, 3)),
    RangeError,
    "invalid length of packed IP address string",
  );
  assertThrows(
    () => S.inet_ntop(S.AF_INET6, new Uint8Array(4)),
    RangeError,
    "invalid length of packed IP address string",
  );
  assertThrows(
    () => S.inet_ntop(S.AF_UNIX, new Uint8Array(4)),
    RangeError,
    "unknown address family",
  );
  assertThrows(
    () => S.inet_ntop(S.AF_INET, "1234" as unknown as BufferSource),
    TypeError,
    "inet_ntop() needs bytes (a Uint8Array or other BufferSource), not a string: encode it first",
  );
});
