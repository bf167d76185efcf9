/**
 * Per-call cost of sockffi's wrappers, each in a group with the raw
 * `Deno.dlopen` call it wraps (bench/_raw.ts) as the baseline, so `deno bench`
 * prints the wrapper's overhead as a ratio.
 *
 * Functions the library does not export yet (or `s.async` methods it lacks)
 * are registered with `ignore: true`, so they show up as ignored instead of
 * failing the run.
 *
 * Run: `deno task bench` (or `deno bench --allow-ffi bench/socket_bench.ts`).
 *
 * @module
 */

import * as sockffi from "../mod.ts";
import {
  C,
  check,
  connect,
  decodeSockaddrIn,
  freeaddrinfo,
  getaddrinfo,
  getsockname,
  getsockopt,
  inet_pton,
  rawBound,
  rawSocketpair,
  recv,
  recvfrom,
  send,
  sendto,
  setsockopt,
  sockaddrIn,
} from "./_raw.ts";

/** What this file expects of the library beyond what its types may already say. */
interface Expected {
  inet_pton(family: number, ip: string): Uint8Array;
  getaddrinfo(
    host: string | null,
    port: string | number | null,
    family?: number,
    type?: number,
    proto?: number,
    flags?: number,
  ): [number, number, number, string, unknown][];
}

/** The `s.async` methods benchmarked here. */
interface AsyncOps {
  send(data: BufferSource): Promise<number>;
  recv_into(buffer: ArrayBufferView, nbytes?: number): Promise<number>;
}

const lib = sockffi as unknown as Partial<Expected>;
const {
  AF_INET,
  AF_UNIX,
  AI_NUMERICHOST,
  SO_RCVBUF,
  SOCK_DGRAM,
  SOCK_STREAM,
  SOL_SOCKET,
  socket,
  socketpair,
} = sockffi;

function expect(n: number, want: number): void {
  if (n !== want) throw new Error(`got ${n}, want ${want}`);
}

// ---- send+recv on a unix socketpair ----

const [ra, rb] = rawSocketpair();
const [sa, sb] = socketpair(AF_UNIX, SOCK_STREAM);
const one = new Uint8Array([120]);
const buf = new Uint8Array(64);

Deno.bench({
  name: "raw: send() + recv() 1 B",
  group: "send+recv (socketpair)",
  baseline: true,
  fn: () => {
    expect(send(ra, one, 1n, 0), 1);
    expect(recv(rb, buf, 64n, 0), 1);
  },
});

Deno.bench({
  name: "sockffi: a.send(u8) + b.recv_into(buf)",
  group: "send+recv (socketpair)",
  fn: () => {
    expect(sa.send(one), 1);
    expect(sb.recv_into(buf), 1);
  },
});

// Same calls, but both lengths equal: src/_syscall.ts caches one BigInt
// length, so send(1) + recv_into(64) alternate and miss it on every call.
Deno.bench({
  name: "sockffi: a.send(u8) + b.recv_into(buf, 1) (equal lengths)",
  group: "send+recv (socketpair)",
  fn: () => {
    expect(sa.send(one), 1);
    expect(sb.recv_into(buf, 1), 1);
  },
});

Deno.bench({
  name: "sockffi: a.send(u8) + b.recv(64) (allocates the result)",
  group: "send+recv (socketpair)",
  fn: () => {
    expect(sa.send(one), 1);
    expect(sb.recv(64).length, 1);
  },
});

const asyncA = (sa as unknown as { async?: Partial<AsyncOps> }).async;
const asyncB = (sb as unknown as { async?: Partial<AsyncOps> }).async;
Deno.bench({
  name: "sockffi: await a.async.send(u8) + await b.async.recv_into(buf)",
  group: "send+recv (socketpair)",
  ignore: typeof asyncA?.send !== "function" || typeof asyncB?.recv_into !== "function",
  fn: async () => {
    expect(await asyncA!.send!(one), 1);
    expect(await asyncB!.recv_into!(buf), 1);
  },
});

// ---- sendto+recvfrom on UDP 127.0.0.1 ----

const [rua] = rawBound(C.SOCK_DGRAM);
const [rub, rubPort] = rawBound(C.SOCK_DGRAM);
const rawTo = sockaddrIn("127.0.0.1", rubPort);
const rawFrom = new Uint8Array(16);
const rawFromLen = new Uint32Array(1);
const msg = new Uint8Array(64).fill(120);
const dgram = new Uint8Array(2048);

const ua = socket(AF_INET, SOCK_DGRAM);
const ub = socket(AF_INET, SOCK_DGRAM);
ua.bind(["127.0.0.1", 0]);
ub.bind(["127.0.0.1", 0]);
const to = ub.getsockname() as [string, number];

Deno.bench({
  name: "raw: sendto() + recvfrom() 64 B, source address decoded",
  group: "sendto+recvfrom (UDP)",
  baseline: true,
  fn: () => {
    expect(sendto(rua, msg, 64n, 0, rawTo, 16), 64);
    rawFromLen[0] = 16;
    expect(recvfrom(rub, dgram, 2048n, 0, rawFrom, rawFromLen), 64);
    decodeSockaddrIn(rawFrom);
  },
});

Deno.bench({
  name: "sockffi: a.sendto(u8, addr) + b.recvfrom_into(buf)",
  group: "sendto+recvfrom (UDP)",
  ignore: typeof (ub as { recvfrom_into?: unknown }).recvfrom_into !== "function",
  fn: () => {
    expect(ua.sendto(msg, to), 64);
    const r = (ub as unknown as {
      recvfrom_into(b: Uint8Array): [number, unknown];
    }).recvfrom_into(dgram);
    expect(r[0], 64);
  },
});

Deno.bench({
  name: "sockffi: a.sendto(u8, addr) + b.recvfrom(2048) (allocates)",
  group: "sendto+recvfrom (UDP)",
  fn: () => {
    expect(ua.sendto(msg, to), 64);
    expect(ub.recvfrom(2048)[0].length, 64);
  },
});

// ---- socket options ----

const [roptFd] = rawBound(C.SOCK_DGRAM);
const optval = new Int32Array(1);
const optlen = new Uint32Array(1);
const setval = new Int32Array([65536]);
const os = socket(AF_INET, SOCK_DGRAM);

Deno.bench({
  name: "raw: getsockopt(SOL_SOCKET, SO_RCVBUF)",
  group: "getsockopt",
  baseline: true,
  fn: () => {
    optlen[0] = 4;
    check(getsockopt(roptFd, C.SOL_SOCKET, C.SO_RCVBUF, optval, optlen), "getsockopt");
  },
});

Deno.bench({
  name: "sockffi: s.getsockopt(SOL_SOCKET, SO_RCVBUF)",
  group: "getsockopt",
  fn: () => {
    os.getsockopt(SOL_SOCKET, SO_RCVBUF);
  },
});

Deno.bench({
  name: "raw: setsockopt(SOL_SOCKET, SO_RCVBUF, 65536)",
  group: "setsockopt",
  baseline: true,
  fn: () => {
    check(setsockopt(roptFd, C.SOL_SOCKET, C.SO_RCVBUF, setval, 4), "setsockopt");
  },
});

Deno.bench({
  name: "sockffi: s.setsockopt(SOL_SOCKET, SO_RCVBUF, 65536)",
  group: "setsockopt",
  fn: () => {
    os.setsockopt(SOL_SOCKET, SO_RCVBUF, 65536);
  },
});

// ---- addresses: decode (getsockname) and encode (connect on UDP) ----

const nameBuf = new Uint8Array(128);
const nameLen = new Uint32Array(1);

Deno.bench({
  name: "raw: getsockname() + decode sockaddr_in",
  group: "getsockname (address decode)",
  baseline: true,
  fn: () => {
    nameLen[0] = 128;
    check(getsockname(rub, nameBuf, nameLen), "getsockname");
    decodeSockaddrIn(nameBuf);
  },
});

Deno.bench({
  name: "sockffi: s.getsockname()",
  group: "getsockname (address decode)",
  fn: () => {
    ub.getsockname();
  },
});

// connect() on a UDP socket only records the peer: a cheap syscall whose cost
// beyond the kernel is encoding the address.
const [rcFd] = rawBound(C.SOCK_DGRAM);
const cs = socket(AF_INET, SOCK_DGRAM);
const rawPeer = new Uint8Array(16);

Deno.bench({
  name: "raw: encode sockaddr_in into a reused buffer + connect() (UDP)",
  group: "connect (address encode)",
  baseline: true,
  fn: () => {
    check(connect(rcFd, sockaddrIn("127.0.0.1", rubPort, rawPeer), 16), "connect");
  },
});

Deno.bench({
  name: "sockffi: s.connect([host, port]) (UDP)",
  group: "connect (address encode)",
  fn: () => {
    cs.connect(to);
  },
});

// ---- inet_pton ----

const enc = new TextEncoder();
const ipText = new Uint8Array(64);
const ipOut = new Uint8Array(16);

// Both return a new 4-byte array, as Python returns new bytes.
Deno.bench({
  name: 'raw: inet_pton(AF_INET, "192.168.10.200") (string encoded, result copied)',
  group: "inet_pton",
  baseline: true,
  fn: () => {
    const { written } = enc.encodeInto("192.168.10.200", ipText);
    ipText[written] = 0;
    expect(inet_pton(C.AF_INET, ipText, ipOut), 1);
    ipOut.slice(0, 4);
  },
});

Deno.bench({
  name: 'sockffi: inet_pton(AF_INET, "192.168.10.200")',
  group: "inet_pton",
  ignore: typeof lib.inet_pton !== "function",
  fn: () => {
    lib.inet_pton!(AF_INET, "192.168.10.200");
  },
});

// ---- getaddrinfo, numeric ----

const hints = new Uint8Array(48); // struct addrinfo on x86_64
new DataView(hints.buffer).setInt32(0, C.AI_NUMERICHOST, true); // ai_flags
new DataView(hints.buffer).setInt32(4, C.AF_INET, true); // ai_family
new DataView(hints.buffer).setInt32(8, C.SOCK_STREAM, true); // ai_socktype
const host = enc.encode("127.0.0.1\0");
const service = enc.encode("80\0");
const res = new BigUint64Array(1);

Deno.bench({
  name: 'raw: getaddrinfo("127.0.0.1", "80", AI_NUMERICHOST) + read first + freeaddrinfo',
  group: "getaddrinfo (numeric)",
  baseline: true,
  fn: () => {
    expect(getaddrinfo(host, service, hints, res), 0);
    const ai = Deno.UnsafePointer.create(res[0])!;
    const view = new Deno.UnsafePointerView(ai);
    const addr = view.getPointer(24)!; // ai_addr
    const sa = new Uint8Array(Deno.UnsafePointerView.getArrayBuffer(addr, 16));
    decodeSockaddrIn(sa);
    freeaddrinfo(ai);
  },
});

Deno.bench({
  name: 'sockffi: getaddrinfo("127.0.0.1", 80, AF_INET, SOCK_STREAM, 0, AI_NUMERICHOST)',
  group: "getaddrinfo (numeric)",
  ignore: typeof lib.getaddrinfo !== "function",
  fn: () => {
    lib.getaddrinfo!("127.0.0.1", 80, AF_INET, SOCK_STREAM, 0, AI_NUMERICHOST);
  },
});
