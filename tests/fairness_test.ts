/**
 * The reactor's fairness to the event loop (src/reactor.ts: the turn budget,
 * nextTurn, the bounded busy-poll) and that an idle program uses no CPU and
 * exits by itself.
 *
 * @module
 */

import { assert, assertEquals, assertLess, assertThrows } from "@std/assert";
import { socketpair } from "../mod.ts";
import {
  DEFAULT_SPIN_US,
  DEFAULT_TURN_MS,
  DEFAULT_WAIT_MS,
  nextTurn,
  reactor,
  type ReactorTuning,
  settled,
  tuneReactor,
  TurnBudget,
  useReactor,
} from "../src/reactor.ts";
import { nextTestOnLinux, nextTestUnlessEmulated } from "./_platform.ts";

const dec = new TextDecoder();

/** A budget on a clock the test moves; `spent()` asked `n` times. */
function asked(b: TurnBudget, n: number): boolean {
  let r = false;
  for (let i = 0; i < n; i++) r = b.spent();
  return r;
}

Deno.test("TurnBudget: spent once a stretch has run its budget, and a restart begins a new one", () => {
  let now = 1000;
  const b = new TurnBudget(2, () => now);
  b.restart();
  assertEquals(asked(b, 64), false, "no time has passed");
  now += 1.5;
  assertEquals(asked(b, 16), false, "1.5 ms of a 2 ms budget");
  now += 0.6;
  assertEquals(asked(b, 16), true, "2.1 ms: spent");
  assertEquals(b.spent(), true, "spent stays spent until the event loop's turn");
  b.restart();
  assertEquals(asked(b, 16), false, "a new stretch");
});

Deno.test("TurnBudget: a pause of a whole budget between calls starts a new stretch", () => {
  let now = 0;
  const b = new TurnBudget(2, () => now);
  b.restart();
  for (let i = 0; i < 10; i++) {
    now += 1;
    asked(b, 16);
  }
  // The calls came every 1 ms for 10 ms: one stretch, spent.
  assertEquals(b.spent(), true);
  b.restart();
  now += 1;
  assertEquals(asked(b, 16), false);
  // Calls after an idle 5 ms (the event loop ran meanwhile) are a fresh stretch.
  now += 5;
  assertEquals(asked(b, 16), false);
  now += 1.9;
  assertEquals(asked(b, 16), false);
});

Deno.test("TurnBudget: the clock is read once per 16 calls", () => {
  let reads = 0;
  const b = new TurnBudget(2, () => {
    reads++;
    return 0;
  });
  b.restart();
  reads = 0;
  asked(b, 160);
  assertEquals(reads, 10);
});

Deno.test("tuneReactor: reads, changes and checks the tuning", () => {
  const before = tuneReactor();
  assertEquals(before, {
    turnMs: DEFAULT_TURN_MS,
    spinUs: DEFAULT_SPIN_US,
    waitMs: DEFAULT_WAIT_MS,
  });
  try {
    assertEquals(tuneReactor({ spinUs: 5 }), {
      turnMs: DEFAULT_TURN_MS,
      spinUs: 5,
      waitMs: DEFAULT_WAIT_MS,
    });
    assertThrows(() => tuneReactor({ waitMs: 0.5 }), RangeError, "waitMs");
    assertThrows(() => tuneReactor({ turnMs: -1 }), RangeError, "turnMs");
    assertThrows(
      () => tuneReactor({ spinUs: "5" as unknown as number }),
      TypeError,
      "tuneReactor: spinUs must be a number, not string",
    );
    assertThrows(
      () => tuneReactor(null as unknown as Partial<ReactorTuning>),
      TypeError,
      "tuneReactor: expected an options object, not null",
    );
    // busy-polling and the JavaScript thread's own wait stay bounded
    assertThrows(() => tuneReactor({ spinUs: Infinity }), RangeError, "spinUs must be");
    assertThrows(() => tuneReactor({ waitMs: 2 ** 31 }), RangeError, "waitMs must be");
    assertThrows(() => tuneReactor({ turnMs: NaN }), RangeError, "turnMs must be");
    // a getter is read once: it cannot pass the check and then change its answer
    let reads = 0;
    const liar = {
      get spinUs(): number {
        return reads++ === 0 ? 7 : -1;
      },
    };
    assertEquals(tuneReactor(liar).spinUs, 7);
    assertEquals(reads, 1);
    assertEquals(tuneReactor({ turnMs: Infinity }).turnMs, Infinity);
  } finally {
    tuneReactor(before);
  }
});

Deno.test("settled(): a chain of at-once results lets a timer fire", async () => {
  let fired = 0;
  const t = setTimeout(() => fired++, 5);
  const t0 = performance.now();
  // Without the budget this loop would never return to the event loop.
  while (fired === 0 && performance.now() - t0 < 2000) await settled(1);
  clearTimeout(t);
  assertEquals(fired, 1, "the timer fired while the loop ran");
  assertLess(performance.now() - t0, 1000);
});

Deno.test("nextTurn(): callers are released in order", async () => {
  const order: number[] = [];
  await Promise.all([0, 1, 2, 3].map((i) => nextTurn().then(() => order.push(i))));
  assertEquals(order, [0, 1, 2, 3]);
});

Deno.test("s.async on a socket that always has data: a 5 ms interval timer keeps firing", async () => {
  const [a, b] = socketpair();
  try {
    const msg = new Uint8Array(64);
    const buf = new Uint8Array(64);
    let ticks = 0;
    const iv = setInterval(() => ticks++, 5);
    const t0 = performance.now();
    // Every recv finds its data: no call ever waits on the reactor.
    while (performance.now() - t0 < 200) {
      await a.async.send(msg);
      await b.async.recv_into(buf);
    }
    clearInterval(iv);
    const elapsed = performance.now() - t0;
    // 40 ticks are due; a starved loop gets 0-1 (measured without the turn
    // budget). Allow for a busy machine: 7-30 were seen here.
    assert(ticks >= 4, `${ticks} ticks in ${elapsed.toFixed(0)} ms`);
  } finally {
    a.close();
    b.close();
  }
});

Deno.test("a dispatch that runs out of turn budget lets a timer run before the rest of its ready list", async () => {
  const pairs = Array.from({ length: 200 }, () => socketpair());
  const before = tuneReactor();
  try {
    const order: string[] = [];
    // Every recv waits on the reactor (nothing sent yet)...
    const recvs = pairs.map(([, b], i) => b.async.recv(8).then(() => order.push(`recv${i}`)));
    await new Promise((r) => setTimeout(r, 20));
    // ...then all 200 become readable at once: one wait reports them all.
    tuneReactor({ turnMs: 0 });
    for (const [a] of pairs) a.send(new Uint8Array([1]));
    setTimeout(() => order.push("timer"), 0);
    await Promise.all(recvs);
    await new Promise((r) => setTimeout(r, 5));
    const t = order.indexOf("timer");
    assertEquals(order.length, 201);
    // Without the budget the whole list is called back in one stretch and
    // the timer runs last (index 200).
    assertLess(t, 200, `the timer ran at position ${t}`);
  } finally {
    tuneReactor(before);
    for (const [a, b] of pairs) {
      a.close();
      b.close();
    }
  }
});

/** Runs `code` in its own Deno process; its exit status and output. */
async function run(code: string): Promise<{ code: number; out: string; err: string }> {
  const dir = await Deno.makeTempDir();
  try {
    const script = `${dir}/child.ts`;
    await Deno.writeTextFile(
      script,
      code
        .replaceAll("MOD_URL", new URL("../mod.ts", import.meta.url).href)
        .replaceAll("REACTOR_URL", new URL("../src/reactor.ts", import.meta.url).href),
    );
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-all", script],
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const killer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    const out = await child.output();
    clearTimeout(killer);
    return { code: out.code, out: dec.decode(out.stdout), err: dec.decode(out.stderr) };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

nextTestUnlessEmulated(
  "it counts round trips and CPU milliseconds in fixed windows that 10x slower emulation cannot meet",
);
nextTestOnLinux("reads the CPU time from /proc/self/stat");
Deno.test("after busy ping-pong (the reactor spinning), an idle program uses no CPU and exits by itself", async () => {
  const r = await run(`
import { socketpair } from "MOD_URL";
import { reactor } from "REACTOR_URL";
function cpu() {
  const s = Deno.readTextFileSync("/proc/self/stat");
  const f = s.slice(s.lastIndexOf(")") + 2).split(" ");
  return (Number(f[11]) + Number(f[12])) * 10; // ms
}
const [a, b] = socketpair();
const one = new Uint8Array(1), buf = new Uint8Array(1);
// Ping-pong through the reactor: every recv waits (the reply comes later).
const echo = (async () => {
  for (;;) {
    const n = await b.async.recv_into(buf);
    if (n === 0) return;
    await b.async.send(buf);
  }
})();
const t0 = performance.now();
let rts = 0;
while (performance.now() - t0 < 300) {
  await a.async.send(one);
  await a.async.recv_into(buf);
  rts++;
}
// Idle, with a recv waiting that nothing answers for 500 ms.
const c0 = cpu();
const pending = a.async.recv_into(buf);
await new Promise((r) => setTimeout(r, 500));
const idle = cpu() - c0;
a.close();
await pending.catch(() => {});
await echo.catch(() => {});
b.close();
const s = reactor().stats();
console.log(JSON.stringify({ rts, idle, waiting: s.waiting, spinWakes: s.spinWakes }));
// No Deno.exit: the process must end by itself.
`);
  assertEquals(r.code, 0, r.err);
  const res = JSON.parse(r.out.trim().split("\n").at(-1)!);
  assert(res.rts > 100, `ping-pong ran: ${r.out}`);
  assertEquals(res.waiting, 0);
  // 500 ms idle with a waiting recv: one bounded spin, then a blocked wait.
  assertLess(res.idle, 60, `CPU ms while idle: ${r.out}`);
});

Deno.test("reactor stats count spins and turns", () => {
  const s = reactor().stats();
  assertEquals(typeof s.spinWakes, "number");
  assertEquals(typeof s.turns, "number");
});

Deno.test("a busy-poll gives the event loop its turn: a timer that sends the awaited byte ends the spin", async () => {
  // spinUs 1 s: a spin that never yielded (the previous design) would run a
  // whole second before the timer below could fire and send the byte it
  // waits for. A spin gives the event loop a turn every 0.25 ms, so the
  // timer fires on time and the spin itself finds the byte.
  const before = tuneReactor();
  const r = useReactor();
  const [a, b] = socketpair();
  try {
    // turnMs Infinity: the spin's own turns (every 0.25 ms) are what let the timer run.
    tuneReactor({ spinUs: 1_000_000, turnMs: Infinity, waitMs: 0 });
    // One round trip first, so the spin's condition (recent waits short) holds.
    const warm = b.async.recv(1);
    a.send(new Uint8Array([1]));
    await warm;
    const s0 = r.stats();
    const t0 = performance.now();
    const got = b.async.recv(1);
    setTimeout(() => a.send(new Uint8Array([2])), 5);
    assertEquals([...await got], [2]);
    const ms = performance.now() - t0;
    const s1 = r.stats();
    assertLess(ms, 500, `the timer waited for the spin: ${ms.toFixed(1)} ms`);
    assertEquals(s1.spinWakes - s0.spinWakes, 1, "the spin found the byte");
    assertEquals(s1.waits, s0.waits, "no hand-off to the worker thread");
    assert(s1.spinTurns > s0.spinTurns, "the spin gave the event loop turns");
  } finally {
    a.close();
    b.close();
    tuneReactor(before);
  }
});
