/** Loading the C library: permissions, laziness, and the error that says what to do. */
import { assertEquals, assertMatch, assertNotMatch } from "@std/assert";

const modUrl = new URL("../mod.ts", import.meta.url).href;

async function runDeno(args: string[], code: string): Promise<Deno.CommandOutput> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", ...args, "-"],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const w = child.stdin.getWriter();
  await w.write(new TextEncoder().encode(code));
  await w.close();
  return await child.output();
}

Deno.test("without --allow-ffi, importing works and the first call says to run with --allow-ffi", async () => {
  const out = await runDeno(
    ["--no-prompt"],
    `import { AF_INET, socket } from ${JSON.stringify(modUrl)};
     console.log("AF_INET", AF_INET);
     try { socket(); console.log("no error"); }
     catch (e) { console.log(e.constructor.name + ": " + e.message); }`,
  );
  const text = new TextDecoder().decode(out.stdout);
  assertEquals(out.code, 0, new TextDecoder().decode(out.stderr));
  assertMatch(text, /AF_INET 2/);
  assertMatch(text, /--allow-ffi/);
  assertNotMatch(text, /no error/);
  assertMatch(text, /NotCapable|PermissionDenied/);
});

Deno.test("with --allow-ffi the library opens and a socket works", async () => {
  const out = await runDeno(
    ["--allow-ffi"],
    `import { socketpair } from ${JSON.stringify(modUrl)};
     const [a, b] = socketpair();
     a.send(new Uint8Array([42]));
     console.log(b.recv(1)[0]);`,
  );
  assertEquals(new TextDecoder().decode(out.stdout).trim(), "42");
});
