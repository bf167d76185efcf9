/**
 * What it costs that every recv() result owns its ArrayBuffer (issue 9,
 * item 3): the pooled copy-out the library used before (small results as
 * views on a shared 16 KiB slab, Node's Buffer pool) against the owned copy
 * it uses now (`scratch.slice(0, n)`), side by side, then whole calls:
 * `b.recv(64)` (owned result) against `b.recv_into(buf)` (no allocation).
 *
 * Run: `deno bench -A bench/recv_result_bench.ts`
 */

import { AF_UNIX, SOCK_STREAM, socketpair } from "../mod.ts";
import { received, recvBuffer } from "../src/_pool.ts";

// ---- copy-out only: the shared scratch buffer holds n received bytes ----

const scratch = recvBuffer(64);

// The old pooled copy-out (src/_pool.ts before issue 9 item 3), kept here
// only for the comparison.
const SLAB = 16384;
const POOLED = 2048;
let slab = new Uint8Array(SLAB);
let slabOff = 0;
function pooled(n: number): Uint8Array {
  if (n > POOLED || n === 0) return scratch.slice(0, n);
  if (slabOff + n > slab.length) {
    slab = new Uint8Array(SLAB);
    slabOff = 0;
  }
  const out = slab.subarray(slabOff, slabOff + n);
  slabOff = (slabOff + n + 7) & ~7;
  if (n <= 32) { for (let i = 0; i < n; i++) out[i] = scratch[i]; }
  else out.set(scratch.subarray(0, n));
  return out;
}

let sink = 0;
for (const n of [1, 64, 1024]) {
  const group = `copy out a ${n} B result`;
  Deno.bench({
    name: `pooled view on a shared slab (old), ${n} B`,
    group,
    baseline: true,
    fn: () => {
      sink += pooled(n).length;
    },
  });
  Deno.bench({
    name: `own ArrayBuffer (now: received()), ${n} B`,
    group,
    fn: () => {
      sink += received(scratch, n, 65536).length;
    },
  });
}

// ---- whole calls on a unix socketpair ----

const [a, b] = socketpair(AF_UNIX, SOCK_STREAM);
const msg = new Uint8Array(64).fill(7);
const buf = new Uint8Array(64);

function expect(n: number, want: number): void {
  if (n !== want) throw new Error(`got ${n}, want ${want}`);
}

Deno.bench({
  name: "a.send(64 B) + b.recv_into(buf) (no allocation)",
  group: "send + receive 64 B",
  baseline: true,
  fn: () => {
    expect(a.send(msg), 64);
    expect(b.recv_into(buf), 64);
  },
});

Deno.bench({
  name: "a.send(64 B) + b.recv(64) (result owns its buffer)",
  group: "send + receive 64 B",
  fn: () => {
    expect(a.send(msg), 64);
    expect(b.recv(64).length, 64);
  },
});

globalThis.addEventListener("unload", () => {
  a.close();
  b.close();
  if (sink < 0) console.log(sink);
});
