/**
 * tests/_platform.ts: off Linux, `linuxOnly()` and `linuxOnlyFile()` skip
 * tests with their reason printed (run as macOS would, in a child whose
 * Deno.build says darwin); on Linux they skip nothing.
 */
import { assertEquals, assertStringIncludes } from "@std/assert";
import { IS_LINUX, linuxOnly } from "./_platform.ts";

Deno.test("linuxOnly(), nextTestOnLinux() and linuxOnlyFile() skip Linux tests off Linux, saying why", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["test", "-A", new URL("./fixtures/as_darwin_tests.ts", import.meta.url).pathname],
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  assertEquals(out.code, 0, text);
  assertStringIncludes(text, "skipped here: a Linux thing (Linux only; this is darwin)");
  assertStringIncludes(text, "skipped here: the rest of this file is Linux's (Linux only");
  assertStringIncludes(text, "skipped here: only the next test (Linux only; this is darwin)");
  assertStringIncludes(text, "portable ... ok");
  assertStringIncludes(text, "after next ... ok");
  for (
    const name of ["one Linux test", "next", "string and fn", "definition", "string, options, fn"]
  ) {
    assertStringIncludes(text, `${name} ... ignored`);
  }
  assertStringIncludes(text, "namedFunction ... ignored");
  assertStringIncludes(text, "2 passed | 0 failed | 6 ignored");
});

Deno.test("linuxOnly() skips nothing on Linux", () => {
  assertEquals(linuxOnly("anything").ignore, !IS_LINUX);
});
