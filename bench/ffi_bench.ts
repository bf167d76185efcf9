/**
 * Raw `Deno.dlopen` call costs, with no sockffi code involved: the FFI no-op,
 * and the symbol-definition choices DESIGN.md's "Rules for the FFI layer" ask
 * to measure (BigInt vs number vs `u32` for `size_t` lengths, `i32` vs `isize`
 * results, `buffer` vs cached `pointer` parameters).
 *
 * Run: `deno task bench` (or `deno bench --allow-ffi bench/ffi_bench.ts`).
 *
 * @module
 */

import { abs, getpid, inet_pton, raw, rawSocketpair } from "./_raw.ts";

const {
  send,
  recv,
  send_u32,
  recv_u32,
  send_isize,
  recv_isize,
  send_ptr,
  recv_ptr,
  strnlen,
  strnlen_u32,
  strnlen_isize,
} = raw.symbols;

Deno.bench({
  name: "js: empty function call",
  group: "ffi no-op",
  fn: () => {
    noop(1);
  },
});

Deno.bench({
  name: "raw: abs(i32) (userland, no syscall)",
  group: "ffi no-op",
  baseline: true,
  fn: () => {
    abs(-1);
  },
});

Deno.bench({
  name: "raw: getpid() (a real syscall in glibc >= 2.25)",
  group: "ffi no-op",
  fn: () => {
    getpid();
  },
});

// strnlen(const char *, size_t) never enters the kernel: these show what a
// parameter or result type costs per call without a syscall's noise on top.
// Measured here (Deno 2.9.6, interleaved, medians): BigInt 28 ns, u32 26 ns,
// JS number 174 ns (it leaves the fast path), isize result +11 ns. So: BigInt
// for usize; u32 gains nothing measurable and is not ABI-safe for size_t.
const text = new Uint8Array([65, 65, 65, 0, 0, 0, 0, 0]);
const eight = 8n;
const eightNum = 8 as unknown as bigint;

Deno.bench({
  name: "raw: strnlen(buf, usize) given a BigInt, i32 result",
  group: "size_t parameter, no syscall (strnlen)",
  baseline: true,
  fn: () => {
    strnlen(text, eight);
  },
});

Deno.bench({
  name: "raw: strnlen(buf, usize) given a JS number",
  group: "size_t parameter, no syscall (strnlen)",
  fn: () => {
    strnlen(text, eightNum);
  },
});

Deno.bench({
  name: "raw: strnlen(buf, u32) given a JS number (ABI-unsafe for size_t)",
  group: "size_t parameter, no syscall (strnlen)",
  fn: () => {
    strnlen_u32(text, 8);
  },
});

Deno.bench({
  name: "raw: strnlen(buf, usize) with an isize (BigInt) result",
  group: "size_t parameter, no syscall (strnlen)",
  fn: () => {
    strnlen_isize(text, eight);
  },
});

const [a, b] = rawSocketpair();
const one = new Uint8Array([42]);
const buf = new Uint8Array(64);
const oneLen = 1n;
const bufLen = 64n;
// Deno's types demand a bigint for `usize`; at run time a number is accepted.
const oneNum = 1 as unknown as bigint;
const bufNum = 64 as unknown as bigint;

function check(n: number | bigint): void {
  if (n !== 1 && n !== 1n) throw new Error(`short transfer: ${n}`);
}

Deno.bench({
  name: "raw: send+recv, usize length as BigInt, i32 result",
  group: "send+recv length type",
  baseline: true,
  fn: () => {
    check(send(a, one, oneLen, 0));
    check(recv(b, buf, bufLen, 0));
  },
});

Deno.bench({
  name: "raw: send+recv, usize length as JS number",
  group: "send+recv length type",
  fn: () => {
    check(send(a, one, oneNum, 0));
    check(recv(b, buf, bufNum, 0));
  },
});

// On x86_64 SysV the upper half of a 32-bit argument register is unspecified,
// and size_t reads all 64 bits: this variant is measured, not recommended.
Deno.bench({
  name: "raw: send+recv, length declared u32 (ABI-unsafe for size_t)",
  group: "send+recv length type",
  fn: () => {
    check(send_u32(a, one, 1, 0));
    check(recv_u32(b, buf, 64, 0));
  },
});

Deno.bench({
  name: "raw: send+recv, i32 result",
  group: "send+recv result type",
  baseline: true,
  fn: () => {
    check(send(a, one, oneLen, 0));
    check(recv(b, buf, bufLen, 0));
  },
});

Deno.bench({
  name: "raw: send+recv, isize result (BigInt)",
  group: "send+recv result type",
  fn: () => {
    check(send_isize(a, one, oneLen, 0));
    check(recv_isize(b, buf, bufLen, 0));
  },
});

const onePtr = Deno.UnsafePointer.of(one);
const bufPtr = Deno.UnsafePointer.of(buf);

Deno.bench({
  name: "raw: send+recv, buffer parameters",
  group: "send+recv buffer vs pointer",
  baseline: true,
  fn: () => {
    check(send(a, one, oneLen, 0));
    check(recv(b, buf, bufLen, 0));
  },
});

Deno.bench({
  name: "raw: send+recv, cached pointer parameters",
  group: "send+recv buffer vs pointer",
  fn: () => {
    check(send_ptr(a, onePtr, oneLen, 0));
    check(recv_ptr(b, bufPtr, bufLen, 0));
  },
});

Deno.bench({
  name: "raw: send+recv, UnsafePointer.of() per call",
  group: "send+recv buffer vs pointer",
  fn: () => {
    check(send_ptr(a, Deno.UnsafePointer.of(one), oneLen, 0));
    check(recv_ptr(b, Deno.UnsafePointer.of(buf), bufLen, 0));
  },
});

// Measured here: every new ArrayBuffer (so every `new Uint8Array(n)` and
// `slice()`) costs about 650 ns in Deno 2.9.6 (Node 20: about 40 ns), while a
// view on an existing buffer costs about 45 ns. Results that must be fresh
// bytes (recv, recvfrom, inet_pton) pay this per call unless carved out of a
// shared slab, as Node's Buffer pool does.
const ipText = new TextEncoder().encode("10.1.2.3\0");
const ipOut = new Uint8Array(4);

Deno.bench({
  name: "raw: inet_pton() into a reused Uint8Array(4)",
  group: "buffer parameter: reused vs fresh",
  baseline: true,
  fn: () => {
    inet_pton(2, ipText, ipOut);
  },
});

Deno.bench({
  name: "raw: inet_pton() into a new Uint8Array(4) each call",
  group: "buffer parameter: reused vs fresh",
  fn: () => {
    inet_pton(2, ipText, new Uint8Array(4));
  },
});

const slab = new ArrayBuffer(1 << 16);
let slabOff = 0;

Deno.bench({
  name: "js: new Uint8Array(4)",
  group: "fresh bytes: allocation vs a view on a slab",
  baseline: true,
  fn: () => {
    new Uint8Array(4)[0] = 1;
  },
});

Deno.bench({
  name: "js: new Uint8Array(slab, off, 4)",
  group: "fresh bytes: allocation vs a view on a slab",
  fn: () => {
    if (slabOff + 4 > slab.byteLength) slabOff = 0;
    new Uint8Array(slab, slabOff, 4)[0] = 1;
    slabOff += 4;
  },
});

function noop(x: number): number {
  return x;
}
