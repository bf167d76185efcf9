/**
 * What `s.async` costs, in one process on unix socketpairs:
 *
 * 1. The fast path: `await s.async.recv()` / `recv_into()` with the data
 *    already there, next to the sync call (target: within 2x). No thread
 *    hand-off: one non-blocking syscall and one Promise.
 * 2. The reactor's wake-up: a recv that finds nothing waits, the data
 *    arrives, the Promise resolves. "quick" is the reactor's normal path,
 *    where a zero-timeout `epoll_wait` on the JavaScript thread finds the
 *    data before any hand-off; "hand-off" forces the `nonblocking: true`
 *    `epoll_wait` (what every wait costs when the data comes later, as
 *    from another process), for each mechanism: epoll level-triggered with
 *    lazy MOD/DEL (the default), epoll one-shot, and poll().
 * 3. Batching: 100 sockets waiting, all made ready at once, served by one
 *    wake, against the same 100 woken one at a time.
 *
 * The cross-process async echo comparison with Node's `net` and Deno's
 * `Deno.listen`/`Deno.connect` (1 and 100 connections) is in
 * bench/compare.ts: `deno task bench:compare --only async1,async100`.
 *
 * Run: `deno bench --allow-ffi bench/async_bench.ts`.
 *
 * @module
 */

import { socketpair } from "../mod.ts";
import { type BackendKind, reactor, useReactor } from "../src/reactor.ts";

const one = new Uint8Array([120]);
const buf = new Uint8Array(64);
const [a, b] = socketpair();

// ---- 1. data already waiting ----

Deno.bench({
  name: "sync: send 1 B + recv(64)",
  group: "recv, data waiting",
  baseline: true,
  fn: () => {
    a.send(one);
    b.recv(64);
  },
});

Deno.bench({
  name: "async: send 1 B + await s.async.recv(64)",
  group: "recv, data waiting",
  fn: async () => {
    a.send(one);
    await b.async.recv(64);
  },
});

Deno.bench({
  name: "sync: send 1 B + recv_into(buf)",
  group: "recv_into, data waiting",
  baseline: true,
  fn: () => {
    a.send(one);
    b.recv_into(buf);
  },
});

Deno.bench({
  name: "async: send 1 B + await s.async.recv_into(buf)",
  group: "recv_into, data waiting",
  fn: async () => {
    a.send(one);
    await b.async.recv_into(buf);
  },
});

// ---- 2. the wake-up ----

let current = "";
/** Switches the process's reactor (between benchmarks, never while one waits). */
async function use(kind: BackendKind, quick: boolean): Promise<void> {
  const key = `${kind}/${quick}`;
  if (key === current) return;
  await reactor().whenIdle();
  useReactor(kind, undefined, { quick });
  current = key;
}

function wake(kind: BackendKind, quick: boolean, baseline = false): void {
  Deno.bench({
    name: `${quick ? "quick" : "hand-off"}: ${kind}`,
    group: "wake-up: recv waits, then 1 B arrives",
    baseline,
    fn: async (t) => {
      await use(kind, quick);
      t.start();
      const p = b.async.recv_into(buf); // EAGAIN: registers with the reactor
      a.send(one);
      await p;
      t.end();
    },
  });
}
wake("epoll", true, true);
wake("epoll", false);
wake("epoll-oneshot", false);
wake("poll", false);

// ---- 3. one wake for many sockets ----

const pairs = Array.from({ length: 100 }, () => socketpair());
const bufs = pairs.map(() => new Uint8Array(8));

Deno.bench({
  name: "100 sockets ready at once, one batch (hand-off, epoll)",
  group: "100 waiting sockets",
  baseline: true,
  fn: async (t) => {
    await use("epoll", false);
    t.start();
    const waits = pairs.map(([, y], i) => y.async.recv_into(bufs[i]));
    for (const [x] of pairs) x.send(one);
    await Promise.all(waits);
    t.end();
  },
});

Deno.bench({
  name: "the same 100, woken one at a time (hand-off, epoll)",
  group: "100 waiting sockets",
  fn: async (t) => {
    await use("epoll", false);
    t.start();
    for (let i = 0; i < pairs.length; i++) {
      const p = pairs[i][1].async.recv_into(bufs[i]);
      pairs[i][0].send(one);
      await p;
    }
    t.end();
  },
});
