/**
 * The turn budget (src/reactor.ts) when every call is slow: a gap of a
 * whole budget between two clock readings is taken for a pause only once
 * per stretch, so a run of slow calls (a reactor round retrying a
 * ready-but-EAGAIN descriptor, on a loaded machine) still yields to the
 * event loop (fuzzer finding F20, issue 9 item 4).
 *
 * @module
 */

import { assertEquals, assertLessOrEqual } from "@std/assert";
import { TurnBudget } from "../src/reactor.ts";

/** How many calls, each `step` ms after the last, until the budget is spent (-1: never). */
function callsUntilSpent(ms: number, step: number, limit = 10_000): number {
  let now = 1000;
  const b = new TurnBudget(ms, () => now);
  b.restart();
  for (let i = 1; i <= limit; i++) {
    now += step;
    if (b.spent()) return i;
  }
  return -1;
}

Deno.test("TurnBudget: calls slower than 1/16 of the budget each still use it up", () => {
  for (const step of [0.07, 0.1, 0.5, 1, 5]) {
    const n = callsUntilSpent(1, step);
    assertEquals(n > 0, true, `calls every ${step} ms never spent a 1 ms budget`);
    assertLessOrEqual(n, 32, `calls every ${step} ms: spent after ${n} calls`);
  }
});

Deno.test("TurnBudget: after the event loop's turn, one pause again starts a new stretch", () => {
  let now = 0;
  const b = new TurnBudget(2, () => now);
  const asked = (n: number): boolean => {
    let r = false;
    for (let i = 0; i < n; i++) r = b.spent();
    return r;
  };
  b.restart();
  now += 5; // idle: the event loop ran
  assertEquals(asked(16), false, "the first gap is a pause");
  now += 5; // a second gap in the same stretch counts
  assertEquals(asked(16), true, "the second gap is part of the stretch");
  b.restart();
  now += 5;
  assertEquals(asked(16), false, "a new stretch may pause once again");
});
