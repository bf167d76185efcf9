// EINTR (issue 9, PEP 475): blocking and timeout-mode recv, accept, connect
// and sendall under a storm of real signals. tests/fixtures/eintr_child.ts
// installs a SIGUSR2 handler without SA_RESTART (SIGUSR1 would start Deno's
// inspector) and makes the calls; this process sends SIGUSR2 to its main
// thread with tgkill every 2 ms while it runs. Each call must complete as
// without signals: retried, and a timeout counted against the call's own
// deadline rather than restarted.
import { assert } from "@std/assert";

const linux = Deno.build.os === "linux";
if (!linux) {
  console.log("eintr_test: tgkill and the sigaction layout are Linux's, so it is ignored");
}

interface Result {
  rawEintr: boolean;
  results: { name: string; ms: number; ok: boolean; detail: string }[];
}

Deno.test({
  name: "EINTR: recv/accept/connect/sendall, blocking and with timeouts, under SIGUSR2 every 2 ms",
  ignore: !linux,
  async fn(): Promise<void> {
    const libc = Deno.dlopen("libc.so.6", {
      tgkill: { parameters: ["i32", "i32", "i32"], result: "i32" },
    });
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-all", new URL("./fixtures/eintr_child.ts", import.meta.url).pathname],
      env: { DENO_NO_UPDATE_CHECK: "1" },
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    let sent = 0;
    let timer: ReturnType<typeof setInterval> | undefined;
    const killer = setTimeout(() => child.kill("SIGKILL"), 90_000);
    let out = "";
    try {
      const decoder = new TextDecoderStream();
      const reading = (async () => {
        for await (const chunk of child.stdout.pipeThrough(decoder)) {
          out += chunk;
          if (timer === undefined && out.includes("READY\n")) {
            timer = setInterval(() => {
              // the child's main thread has the process id as its thread id
              if (libc.symbols.tgkill(child.pid, child.pid, 12 /* SIGUSR2 */) === 0) sent++;
            }, 2);
          }
        }
      })();
      const errText = new Response(child.stderr).text();
      const status = await child.status;
      clearInterval(timer);
      await reading;
      const stderr = await errText;
      assert(
        status.success,
        `child failed (${status.code}, ${status.signal}) after:\n${out.slice(-2000)}\n${stderr}`,
      );
      const r = JSON.parse(out.split("\n").find((l) => l.startsWith("{")) ?? "null") as Result;
      console.log(`eintr: ${sent} signals sent`);
      for (const c of r.results) {
        console.log(`  ${c.ok ? "ok " : "BAD"} ${c.name}: ${c.ms} ms, ${c.detail}`);
      }
      assert(r.rawEintr, "a raw poll() was never interrupted: the signals do not reach the calls");
      assert(sent > 100, `only ${sent} signals sent`);
      const bad = r.results.filter((c) => !c.ok);
      assert(bad.length === 0, bad.map((c) => `${c.name}: ${c.detail}`).join("\n"));
      assert(r.results.length >= 11, `only ${r.results.length} cases ran`);
    } finally {
      clearInterval(timer);
      clearTimeout(killer);
      libc.close();
    }
  },
});
