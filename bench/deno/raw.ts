/**
 * The raw `Deno.dlopen` side of bench/compare.ts: the synchronous workloads
 * of bench/c/workloads.c, calling libc through bench/_raw.ts with no wrapper
 * at all. This is what sockffi's synchronous calls must come close to.
 *
 * @module
 */

import {
  C,
  check,
  close,
  decodeSockaddrIn,
  errno,
  listen,
  rawAccept,
  rawBound,
  rawConnect,
  rawSocketpair,
  recv,
  recvfrom,
  send,
  sendto,
  shutdown,
  sockaddrIn,
} from "../_raw.ts";
import { expect, main, nowNs, out, timedLoop } from "./_common.ts";

function listener(): number {
  const [fd, port] = rawBound(C.SOCK_STREAM);
  check(listen(fd, 1024), "listen");
  out({ port });
  return fd;
}

/** recv() that retries EINTR. */
function recvRetry(fd: number, buf: Uint8Array, len: bigint): number {
  for (;;) {
    const n = recv(fd, buf, len, 0);
    if (n >= 0 || errno() !== C.EINTR) return check(n, "recv");
  }
}

/** send() of the whole buffer, retrying EINTR and short writes. */
function sendAll(fd: number, data: Uint8Array): void {
  let off = 0;
  while (off < data.length) {
    const view = off === 0 ? data : data.subarray(off);
    const n = send(fd, view, BigInt(view.length), 0);
    if (n < 0 && errno() === C.EINTR) continue;
    off += check(n, "send");
  }
}

function pair(maxIters: number, budgetMs: number, warmup: number): void {
  const [a, b] = rawSocketpair();
  const one = new Uint8Array([120]);
  const buf = new Uint8Array(64);
  timedLoop(
    () => {
      expect(send(a, one, 1n, 0), 1, "send");
      expect(recv(b, buf, 64n, 0), 1, "recv");
    },
    maxIters,
    budgetMs,
    warmup,
    256,
  );
  close(a);
  close(b);
}

function udp(maxIters: number, budgetMs: number, warmup: number): void {
  const [a] = rawBound(C.SOCK_DGRAM);
  const [b, port] = rawBound(C.SOCK_DGRAM);
  const to = sockaddrIn("127.0.0.1", port);
  const from = new Uint8Array(16);
  const fromLen = new Uint32Array(1);
  const msg = new Uint8Array(64).fill(120);
  const buf = new Uint8Array(2048);
  timedLoop(
    () => {
      expect(sendto(a, msg, 64n, 0, to, 16), 64, "sendto");
      fromLen[0] = 16;
      expect(recvfrom(b, buf, 2048n, 0, from, fromLen), 64, "recvfrom");
      // Decoding the source address is part of recvfrom's job in every runtime.
      decodeSockaddrIn(from);
    },
    maxIters,
    budgetMs,
    warmup,
    256,
  );
  close(a);
  close(b);
}

function pingpongServer(): void {
  const l = listener();
  const c = rawAccept(l);
  const buf = new Uint8Array(64);
  for (;;) {
    const n = recvRetry(c, buf, 64n);
    if (n === 0) break;
    sendAll(c, buf.subarray(0, n));
  }
  close(c);
  close(l);
  out({ done: true });
}

function pingpongClient(port: number, maxIters: number, budgetMs: number, warmup: number): void {
  const c = rawConnect(port);
  const one = new Uint8Array([120]);
  const buf = new Uint8Array(64);
  timedLoop(
    () => {
      expect(send(c, one, 1n, 0), 1, "send");
      expect(recvRetry(c, buf, 64n), 1, "recv");
    },
    maxIters,
    budgetMs,
    warmup,
    64,
  );
  close(c);
}

function bulkServer(): void {
  const l = listener();
  const c = rawAccept(l);
  const buf = new Uint8Array(65536);
  const len = BigInt(buf.length);
  let total = 0;
  for (;;) {
    const n = recvRetry(c, buf, len);
    if (n === 0) break;
    total += n;
  }
  sendAll(c, new Uint8Array([107]));
  close(c);
  close(l);
  out({ received: total });
}

function bulkClient(port: number, total: number, chunk: number): void {
  const c = rawConnect(port);
  const data = new Uint8Array(chunk).fill(120);
  const t0 = nowNs();
  let sent = 0;
  while (sent < total) {
    const want = Math.min(chunk, total - sent);
    sendAll(c, want === chunk ? data : data.subarray(0, want));
    sent += want;
  }
  check(shutdown(c, C.SHUT_WR), "shutdown");
  expect(recvRetry(c, new Uint8Array(1), 1n), 1, "ack");
  const t1 = nowNs();
  close(c);
  out({ bytes: sent, ns: Math.round(t1 - t0) });
}

await main({
  "pair": pair,
  "udp": udp,
  "pingpong-server": pingpongServer,
  "pingpong-client": pingpongClient,
  "bulk-server": bulkServer,
  "bulk-client": bulkClient,
});
