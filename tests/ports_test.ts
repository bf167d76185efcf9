/**
 * The ported programs of examples/ports/: each `<name>.ts` runs against the
 * same peers as its CPython original `<name>.py`, and both print the same
 * output (Python's `True`/`False` read as `true`/`false`). The ports
 * type-check with no casts to address tuples.
 */
import { assert, assertEquals, assertMatch } from "@std/assert";
import { Child, HAS_IPV6, PYTHON, run } from "./_sock_util.ts";
import { EMULATED } from "./_platform.ts";

if (PYTHON === null) {
  console.log(
    "ports_test: python3 not found, so the ports are not compared with their CPython originals",
  );
}

const PORTS = new URL("../examples/ports/", import.meta.url);
const CONFIG = new URL("../deno.json", import.meta.url).pathname;
const at = (name: string): string => new URL(name, PORTS).pathname;

/** The deno command line that runs a port as a user would (`--allow-ffi` and what it touches). */
function denoArgs(name: string): string[] {
  return [
    "run",
    "--no-check", // type-checked once, below
    "--config",
    CONFIG,
    "--allow-ffi",
    "--allow-read",
    "--allow-write",
    "--allow-env",
    "--allow-sys",
    at(name),
  ];
}

/** Python's spelling of booleans as the ports print them. */
function normalize(out: string): string {
  return out.replace(/\bTrue\b/g, "true").replace(/\bFalse\b/g, "false");
}

/** Runs `<name>.py` and `<name>.ts` with `args` (through `launcher`, if any) and compares. */
async function compare(
  name: string,
  args: string[] = [],
  launcher: string[] = [],
): Promise<string> {
  // `program rest...`, or `launcher... program rest...` when there is a launcher
  const start = (program: string, rest: string[]) =>
    launcher.length
      ? run(launcher[0], [...launcher.slice(1), program, ...rest])
      : run(program, rest);
  const py = await start(PYTHON!, [at(`${name}.py`), ...args]);
  const ts = await start(Deno.execPath(), [...denoArgs(`${name}.ts`), ...args]);
  assert(py !== null && py.code === 0, `${name}.py failed: ${py?.stderr}`);
  assert(ts !== null && ts.code === 0, `${name}.ts failed: ${ts?.stderr}`);
  assert(py.stdout.trim().length > 0, `${name}.py printed nothing`);
  assertEquals(normalize(ts.stdout), normalize(py.stdout), `${name}: outputs differ`);
  return py.stdout;
}

/** A CPython peer from examples/ports/ (or a module) that prints its port first. */
async function peer(args: string[], portOf = (line: string): number => Number(line)): Promise<{
  port: number;
  [Symbol.asyncDispose](): Promise<void>;
}> {
  const child = new Child(PYTHON!, ["-u", ...args]);
  const port = portOf(await child.line());
  assert(port > 0, `no port from ${args.join(" ")}`);
  return { port, [Symbol.asyncDispose]: () => child.kill() };
}

const py = { ignore: PYTHON === null, sanitizeResources: false, sanitizeOps: false };

Deno.test({
  name: "ports: programs that need no peer print what their CPython originals print",
  ...py,
  async fn(t): Promise<void> {
    for (
      const name of [
        "multicast",
        "peercred",
        "netlink_addrs",
        "syslog_unix",
        "sendfile",
        "dualstack",
        "ipv6_scope",
      ]
    ) {
      if (name === "ipv6_scope" && !HAS_IPV6) {
        console.log("ports_test: ::1 is not bindable here, so ipv6_scope is skipped");
        continue;
      }
      if (name === "multicast" && EMULATED !== null) {
        console.log(
          `ports_test: qemu-user does not translate IP_MULTICAST_IF, so multicast is skipped`,
        );
        continue;
      }
      await t.step(name, async () => void await compare(name));
    }
  },
});

Deno.test({
  name: "ports: dns_client asks a CPython DNS responder over UDP",
  ...py,
  async fn(): Promise<void> {
    await using dns = await peer([at("_dns_responder.py")]);
    const out = await compare("dns_client", [
      String(dns.port),
      "www.example.test",
      "nope.example.test",
      "mail.example.test",
    ]);
    assertMatch(out, /A 192\.0\.2\.11 ttl=300\nnope\.example\.test: NXDOMAIN/);
  },
});

Deno.test({
  name: "ports: http_client reads python -m http.server's replies through makefile()",
  ...py,
  async fn(): Promise<void> {
    const root = Deno.makeTempDirSync();
    try {
      Deno.writeTextFileSync(`${root}/hello.txt`, "Hello from http.server\nsecond line\n");
      await using http = await peer(
        ["-m", "http.server", "0", "--bind", "127.0.0.1", "--directory", root],
        (line) => Number(line.match(/port (\d+)/)?.[1]),
      );
      const out = await compare("http_client", [String(http.port), "/hello.txt", "/missing", "/"]);
      assertMatch(out, /200 OK\ncontent-type: text\/plain\ncontent-length: 35\n/);
      assertMatch(out, /404 File not found/);
    } finally {
      Deno.removeSync(root, { recursive: true });
    }
  },
});

Deno.test({
  name: "ports: smtp_client talks a line protocol with a CPython socketserver",
  ...py,
  async fn(): Promise<void> {
    await using smtp = await peer([at("_line_server.py")]);
    const out = await compare("smtp_client", [String(smtp.port)]);
    assertMatch(out, /< 250 queued 59 bytes for 2 recipients\n/);
  },
});

Deno.test({
  name: "ports: socket_activation serves on descriptor 3 handed over as systemd does",
  ...py,
  async fn(): Promise<void> {
    const out = await compare("socket_activation", [], [PYTHON!, at("_activate.py")]);
    assertMatch(out, /manager: reply hello world\nmanager: service exited with 0/);
  },
});

/** Runs a selectors echo server, then 50 concurrent CPython clients against it. */
async function echoRound(server: string[]): Promise<{ clients: string; log: string }> {
  const child = new Child(server[0], server.slice(1));
  try {
    const port = Number((await child.line()).split(" ")[1]);
    const r = await run(PYTHON!, [at("_echo_clients.py"), String(port), "50"]);
    assert(r !== null && r.code === 0, r?.stderr);
    child.proc.kill("SIGTERM");
    const { rest } = await child.finish();
    return { clients: r.stdout, log: rest };
  } catch (e) {
    await child.kill();
    throw e;
  }
}

/** How many lines of the server's log start with each word. */
function kinds(log: string): Record<string, number> {
  const count: Record<string, number> = {};
  for (const line of log.split("\n").filter((l) => l !== "")) {
    const word = line.split(" ")[0];
    count[word] = (count[word] ?? 0) + 1;
  }
  return count;
}

Deno.test({
  name: "ports: the selectors echo server of Python's docs serves 50 concurrent CPython clients",
  ...py,
  async fn(): Promise<void> {
    const ts = await echoRound([Deno.execPath(), ...denoArgs("selectors_echo.ts"), "0"]);
    const orig = await echoRound([PYTHON!, "-u", at("selectors_echo.py"), "0"]);
    const want = Array.from({ length: 50 }, (_, i) => `client ${i}: 3/3 echoed, eof: True`);
    assertEquals(ts.clients.trim().split("\n"), want);
    assertEquals(orig.clients, ts.clients);
    assertEquals(kinds(ts.log), { accepted: 50, echoing: 150, closing: 50 });
    assertEquals(kinds(ts.log), kinds(orig.log));
  },
});

Deno.test("ports: every port has its CPython original, and none casts to an address tuple", () => {
  const names = [...Deno.readDirSync(PORTS)].map((e) => e.name);
  const ports = names.filter((n) => n.endsWith(".ts"));
  assert(ports.length >= 8, `${ports.length} ports`);
  for (const ts of ports) {
    assert(names.includes(ts.replace(/\.ts$/, ".py")), `${ts} has no .py original`);
    const src = Deno.readTextFileSync(at(ts));
    const casts = src.match(/\bas\s+(\[|readonly\s*\[|InetAddress|Inet6Address|Address)/g);
    assertEquals(casts, null, `${ts} casts to an address type`);
  }
});
