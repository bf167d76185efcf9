// The fuzzer's detectors (tools/fuzz): a planted defect of each kind
// (FUZZ_SELFTEST, at call 5 of a batch of pure calls) must be counted in its
// own category and nowhere else, and a batch without one must count nothing.
// Not the fuzzing itself: that is `deno task fuzz` and .ci/fuzz.sh.
import { assertEquals } from "@std/assert";

const main = new URL("../tools/fuzz/main.ts", import.meta.url).pathname;
const CATEGORIES = [
  "crashes",
  "hangs",
  "unhandled",
  "uncaught",
  "untyped",
  "leakedFds",
  "stuck",
  "syncThrows",
  "violations",
  "fuzzerErrors",
] as const;

async function fuzz(planted: string): Promise<{ code: number; totals: Record<string, number> }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-all",
      main,
      "--seed",
      "1",
      "--calls",
      "20",
      "--timeout",
      "4000",
      "--json",
    ],
    env: {
      DENO_NO_UPDATE_CHECK: "1",
      FUZZ_SELFTEST: planted,
      // only calls that cannot fail on their own (byte-order conversions), and no scenarios
      FUZZ_KINDS: "module",
      FUZZ_ONLY: "htonl,ntohl,htons,ntohs",
      FUZZ_SKIP:
        "sendallLying,resultsIndependent,sendtoCache,droppedPending,makefileFailLeak,asyncNeverThrows",
    },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  const line = text.split("\n").find((l) => l.startsWith("JSON "));
  if (!line) throw new Error(`no summary: ${text}\n${new TextDecoder().decode(out.stderr)}`);
  return { code: out.code, totals: JSON.parse(line.slice(5)).totals };
}

const expected: Record<string, (typeof CATEGORIES)[number] | null> = {
  "": null,
  typed: null,
  crash: "crashes",
  hang: "hangs",
  unhandled: "unhandled",
  untyped: "untyped",
  leak: "leakedFds",
  stuck: "stuck",
  syncthrow: "syncThrows",
};

for (const [planted, category] of Object.entries(expected)) {
  Deno.test(`fuzzer self-test: ${planted || "nothing planted"} → ${category ?? "nothing found"}`, async () => {
    const { code, totals } = await fuzz(planted);
    const found = Object.fromEntries(CATEGORIES.map((c) => [c, totals[c] ?? 0]));
    const want = Object.fromEntries(CATEGORIES.map((c) => [c, c === category ? 1 : 0]));
    assertEquals(found, want);
    assertEquals(code, category === null ? 0 : 1);
  });
}
