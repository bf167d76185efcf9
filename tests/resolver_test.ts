// Tests for src/resolver.ts and src/async_module.ts: the name-service
// functions, sync and async.
//
// Traffic rule: nothing here may query the machine's DNS server. In-process
// tests use only names /etc/hosts answers (localhost, numeric addresses)
// or AI_NUMERICHOST / NI_NUMERICHOST. The comparisons with CPython that may
// fall through to DNS (a reverse lookup of ::1, the machine's own name)
// run both implementations inside `unshare -n`, a fresh network namespace
// whose only interface is a down loopback: a DNS query there fails at once
// and no packet leaves.
import { assert, assertEquals, assertRejects, assertThrows } from "@std/assert";
import * as S from "../mod.ts";
import { idnaEncode } from "../src/_idna.ts";
import { bufferSizes } from "../src/_resolve.ts";
import {
  type Arg,
  classify,
  findPython,
  type Outcome,
  outcome,
  python,
  run,
  same,
} from "./_oracle.ts";
import { nextTestOnLinux } from "./_platform.ts";

const PYTHON = await findPython();
if (PYTHON === null) {
  console.log("resolver_test: python3 not found, so the comparisons with CPython are ignored");
}
const UNSHARE_OK = (await run("unshare", ["-n", "true"]))?.code === 0;
if (!UNSHARE_OK) {
  console.log(
    "resolver_test: `unshare -n` is unavailable (needs root or user namespaces), so the " +
      "real-resolution comparisons in a private network namespace are ignored",
  );
}
const MOD_URL = new URL("../mod.ts", import.meta.url).href;

// ---- getaddrinfo ----

Deno.test("getaddrinfo() returns [family, type, proto, canonname, sockaddr] tuples", () => {
  const res = S.getaddrinfo("127.0.0.1", 80, S.AF_INET, S.SOCK_STREAM);
  assertEquals(res, [[S.AF_INET, S.SOCK_STREAM, S.IPPROTO_TCP, "", ["127.0.0.1", 80]]]);
  const v6 = S.getaddrinfo("::1", "8080", S.AF_INET6, S.SOCK_DGRAM);
  assertEquals(v6, [[S.AF_INET6, S.SOCK_DGRAM, S.IPPROTO_UDP, "", ["::1", 8080, 0, 0]]]);
});

Deno.test("getaddrinfo() resolves a service name and fills canonname with AI_CANONNAME", () => {
  const res = S.getaddrinfo("localhost", "http", S.AF_INET, S.SOCK_STREAM, 0, S.AI_CANONNAME);
  assertEquals(res[0][3], "localhost");
  assertEquals(res[0][4], ["127.0.0.1", 80]);
});

Deno.test("getaddrinfo() with a null host gives loopback, or the wildcard with AI_PASSIVE", () => {
  const lo = S.getaddrinfo(null, 7, S.AF_INET, S.SOCK_STREAM);
  assertEquals(lo[0][4], ["127.0.0.1", 7]);
  const any = S.getaddrinfo(null, 7, S.AF_INET6, S.SOCK_STREAM, 0, S.AI_PASSIVE);
  assertEquals(any[0][4], ["::", 7, 0, 0]);
});

Deno.test("getaddrinfo() takes bytes for host and port, and keeps the zone of a link-local address as scope_id", () => {
  const enc = new TextEncoder();
  const res = S.getaddrinfo(enc.encode("127.0.0.1"), enc.encode("22"), S.AF_INET, S.SOCK_STREAM);
  assertEquals(res[0][4], ["127.0.0.1", 22]);
  const ll = S.getaddrinfo("fe80::1%lo", 80, S.AF_INET6, S.SOCK_STREAM, 0, S.AI_NUMERICHOST);
  // CPython 3.11 formats the host without %zone; the index is the 4th element.
  assertEquals(ll[0][4], ["fe80::1", 80, 0, S.if_nametoindex("lo")]);
});

Deno.test("getaddrinfo() raises gaierror with the EAI code, name and gai_strerror text", () => {
  const e = assertThrows(
    () => S.getaddrinfo("not-numeric", 80, 0, 0, 0, S.AI_NUMERICHOST),
    S.gaierror,
    "[Errno -2] Name or service not known",
  );
  assert(e instanceof S.SocketError);
  assertEquals(e.errno, S.EAI_NONAME);
  assertEquals(e.code, "EAI_NONAME");
  assertEquals(e.strerror, "Name or service not known");
  assertEquals(e.message, `[Errno ${S.EAI_NONAME}] Name or service not known`);
  const svc = assertThrows(
    () => S.getaddrinfo("127.0.0.1", "no-such-service"),
    S.gaierror,
    "[Errno -8] Servname not supported for ai_socktype",
  );
  assertEquals(svc.errno, S.EAI_SERVICE);
  const fam = assertThrows(
    () => S.getaddrinfo("127.0.0.1", 80, 12345),
    S.gaierror,
    "[Errno -6] ai_family not supported",
  );
  assertEquals(fam.errno, S.EAI_FAMILY);
});

Deno.test("getaddrinfo() rejects wrong argument types and out-of-range integers", () => {
  assertThrows(
    () => S.getaddrinfo(1 as unknown as string, 80),
    TypeError,
    "getaddrinfo() argument 1 must be string or None, not number",
  );
  assertThrows(
    () => S.getaddrinfo("127.0.0.1", 1.5),
    TypeError,
    "getaddrinfo() argument 2 must be integer or string, not the non-integer 1.5",
  );
  assertThrows(
    () => S.getaddrinfo("127.0.0.1", {} as unknown as number),
    TypeError,
    "getaddrinfo() argument 2 must be integer or string, not Object",
  );
  assertThrows(
    () => S.getaddrinfo("127.0.0.1", 80, 1.5),
    TypeError,
    "getaddrinfo() family must be an integer, not the non-integer 1.5",
  );
  assertThrows(
    () => S.getaddrinfo("127.0.0.1", 80, 0, 0, 0, 2 ** 31),
    RangeError,
    "getaddrinfo() flags: signed integer is greater than maximum",
  );
  assertThrows(
    () => S.getaddrinfo("127.0.0.1", 2 ** 70),
    RangeError,
    "getaddrinfo(): port: Python int too large to convert to C long",
  );
  // IDNA: an over-long label is Python's UnicodeError, before any lookup.
  assertThrows(
    () => S.getaddrinfo("a".repeat(64), 80),
    RangeError,
    "encoding with 'idna' codec failed (UnicodeError: label too long)",
  );
  assertThrows(
    () => S.getaddrinfo("a..b", 80),
    RangeError,
    "encoding with 'idna' codec failed (UnicodeError: label empty or too long)",
  );
});

Deno.test("getaddrinfo() passes a port as CPython does: negative is EAI_SERVICE, past 65535 wraps in glibc", () => {
  assertEquals(
    assertThrows(
      () => S.getaddrinfo("127.0.0.1", -1, 0, 1),
      S.gaierror,
      "[Errno -8] Servname not supported for ai_socktype",
    ).errno,
    S.EAI_SERVICE,
  );
  assertEquals(S.getaddrinfo("127.0.0.1", 70000, 0, 1)[0][4], ["127.0.0.1", 70000 - 65536]);
});

// ---- IDNA ----

Deno.test({
  name: "host names are IDNA-encoded as Python's 'idna' codec",
  ignore: PYTHON === null,
  async fn(): Promise<void> {
    const names = [
      "localhost",
      "bücher.de",
      "Straße.de",
      "ÉCOLE.fr",
      "日本語.jp",
      "пример.испытание",
      "a。b．c｡d",
      "münchen.",
      "mañana.com",
      "ab\u00ad.com",
      "\u05d0\u05d1.il",
      "\u05d0a.il",
      "ü".repeat(70),
      "a".repeat(63) + ".b",
      "a".repeat(64),
      "x..y",
      ".",
      "",
      "\udcff.com",
      "ﬀ.com",
      "ＡＢＣ.com",
    ];
    const cases: [string, Arg[]][] = names.map((n) => ["idna", [n]]);
    const js: Outcome[] = names.map((n) =>
      outcome(() => ({
        bytes: Array.from(idnaEncode(n), (b) => b.toString(16).padStart(2, "0")).join(""),
      }))
    );
    const py = await python(PYTHON!, "FUNCS = {'idna': lambda s: s.encode('idna')}", cases);
    for (let i = 0; i < names.length; i++) {
      assert(
        same(js[i], py[i]),
        `${JSON.stringify(names[i])}: ours ${JSON.stringify(js[i])}, CPython ${
          JSON.stringify(py[i])
        }`,
      );
    }
  },
});

// ---- getnameinfo ----

Deno.test("getnameinfo() formats numeric hosts and ports, and the zone from scope_id", () => {
  const NUM = S.NI_NUMERICHOST | S.NI_NUMERICSERV;
  assertEquals(S.getnameinfo(["127.0.0.1", 80], NUM), ["127.0.0.1", "80"]);
  assertEquals(S.getnameinfo(["::1", 443, 0, 0], NUM), ["::1", "443"]);
  assertEquals(S.getnameinfo(["127.0.0.1", 80], S.NI_NUMERICHOST), ["127.0.0.1", "http"]);
  assertEquals(S.getnameinfo(["fe80::1", 80, 0, S.if_nametoindex("lo")], NUM), [
    "fe80::1%lo",
    "80",
  ]);
});

Deno.test("getnameinfo() raises CPython's errors for bad sockaddrs", () => {
  const NUM = S.NI_NUMERICHOST | S.NI_NUMERICSERV;
  assertThrows(
    () => S.getnameinfo("127.0.0.1" as unknown as [string, number], NUM),
    TypeError,
    "getnameinfo() argument 1 must be a tuple (an array), not string",
  );
  assertThrows(
    () => S.getnameinfo(["127.0.0.1"], NUM),
    TypeError,
    "getnameinfo(): illegal sockaddr argument",
  );
  assertThrows(
    () => S.getnameinfo(["127.0.0.1", 80, 0, 0, 0], NUM),
    TypeError,
    "getnameinfo(): illegal sockaddr argument",
  );
  assertThrows(
    () => S.getnameinfo(["127.0.0.1", "80"], NUM),
    TypeError,
    "getnameinfo() port must be an integer, not string",
  );
  assertThrows(
    () => S.getnameinfo(["::1", 80, 0x100000], NUM),
    RangeError,
    "getnameinfo(): flowinfo must be 0-1048575.",
  );
  const v4 = assertThrows(
    () => S.getnameinfo(["127.0.0.1", 80, 0], NUM),
    S.SocketError,
    "IPv4 sockaddr must be 2 tuple",
  );
  assertEquals(v4.strerror, "IPv4 sockaddr must be 2 tuple");
  const name = assertThrows(
    () => S.getnameinfo(["localhost", 80], NUM),
    S.gaierror,
    "[Errno -2] Name or service not known",
  );
  assertEquals(name.errno, S.EAI_NONAME);
  assertThrows(
    () => S.getnameinfo(["127.0.0.1\0", 80], NUM),
    RangeError,
    "getnameinfo() host: embedded null character",
  );
});

// ---- gethostby* ----

Deno.test("gethostbyname() parses numbers, knows '' and '<broadcast>', and resolves localhost", () => {
  assertEquals(S.gethostbyname("127.0.0.1"), "127.0.0.1");
  assertEquals(S.gethostbyname("127.1"), "127.0.0.1"); // through getaddrinfo, inet_aton forms
  assertEquals(S.gethostbyname(""), "0.0.0.0");
  assertEquals(S.gethostbyname("<broadcast>"), "255.255.255.255");
  assertEquals(S.gethostbyname("localhost"), "127.0.0.1");
  assertEquals(S.gethostbyname(new TextEncoder().encode("localhost")), "127.0.0.1");
  assertEquals(
    assertThrows(
      () => S.gethostbyname("::1"),
      S.gaierror,
      "[Errno -9] Address family for hostname not supported",
    ).errno,
    S.EAI_ADDRFAMILY,
  );
  assertThrows(
    () => S.gethostbyname("local\0host"),
    TypeError,
    "gethostbyname() argument 1 must be encoded string without null bytes, not str",
  );
  assertThrows(
    () => S.gethostbyname(42 as unknown as string),
    TypeError,
    "gethostbyname() argument 1 must be str, bytes or bytearray, not number",
  );
});

Deno.test("gethostbyname_ex() and gethostbyaddr() return [name, aliases, addresses]", () => {
  assertEquals(S.gethostbyname_ex("localhost"), ["localhost", [], ["127.0.0.1"]]);
  assertEquals(S.gethostbyname_ex("127.0.0.1"), ["127.0.0.1", [], ["127.0.0.1"]]);
  assertEquals(S.gethostbyaddr("127.0.0.1"), ["localhost", [], ["127.0.0.1"]]);
  // A name is resolved first, then its address is looked up (CPython's setipaddr).
  assertEquals(S.gethostbyaddr("localhost"), ["localhost", [], ["127.0.0.1"]]);
});

Deno.test("gethostbyname_ex() raises herror with h_errno and hstrerror's text", () => {
  // '' passes setipaddr (the wildcard) but gethostbyname_r("") fails: NO_RECOVERY.
  const e = assertThrows(() => S.gethostbyname_ex(""), S.herror, "[Errno 3] Unknown server error");
  assert(e instanceof S.SocketError);
  assertEquals(e.errno, 3);
  assertEquals(e.code, "NO_RECOVERY");
  assertEquals(e.strerror, "Unknown server error");
});

Deno.test("gethostbyaddr('') fails as CPython: the wildcard resolves to two addresses", () => {
  const e = assertThrows(
    () => S.gethostbyaddr(""),
    S.SocketError,
    "wildcard resolved to multiple address",
  );
  assertEquals(e.strerror, "wildcard resolved to multiple address");
});

// ---- hostname, getfqdn ----

Deno.test("gethostname() is the kernel's node name", () => {
  assertEquals(S.gethostname(), Deno.hostname());
});

Deno.test("getfqdn() checks its argument and falls back to the name itself", () => {
  assertThrows(
    () => S.getfqdn(1 as unknown as string),
    TypeError,
    "getfqdn() name must be a string, not number",
  );
  assertEquals(S.getfqdn("  localhost\t"), "localhost");
  // a numeric name with no entry is returned unchanged only after a failed lookup,
  // which may query DNS: that case runs in the network namespace below.
});

// ---- sethostname ----

Deno.test("sethostname() rejects bad arguments and reports the kernel's error", () => {
  assertThrows(
    () => S.sethostname(5 as unknown as string),
    TypeError,
    "sethostname() name must be a string or bytes, not number",
  );
  assertThrows(() => S.sethostname("a\0b"), RangeError, "sethostname(): embedded null byte");
  // Longer than 64 bytes: EINVAL as root, EPERM otherwise; the name never changes.
  const before = S.gethostname();
  const e = assertThrows(
    () => S.sethostname("x".repeat(65)),
    S.SocketError,
    "[Errno 22] Invalid argument",
  );
  assert(e.code === "EINVAL" || e.code === "EPERM", e.message);
  assertEquals(S.gethostname(), before);
});

nextTestOnLinux("runs in a UTS namespace (unshare --uts)");
Deno.test({
  name: "sethostname() changes the name inside a private UTS namespace",
  ignore: !UNSHARE_OK,
  async fn(): Promise<void> {
    const code = `import { gethostname, sethostname } from "${MOD_URL}";
sethostname("sockffi-uts-test");
console.log(gethostname());`;
    const before = S.gethostname();
    const r = await run("unshare", ["--uts", Deno.execPath(), "eval", "--no-check", code]);
    assert(r !== null && r.code === 0, r?.stderr);
    assertEquals(r.stdout.trim(), "sockffi-uts-test");
    assertEquals(S.gethostname(), before);
  },
});

// ---- services and protocols ----

Deno.test("getservbyname(), getservbyport() and getprotobyname() read /etc/services and /etc/protocols", () => {
  assertEquals(S.getservbyname("ssh"), 22);
  assertEquals(S.getservbyname("domain", "udp"), 53);
  assertEquals(S.getservbyport(53, "udp"), "domain");
  assertEquals(S.getprotobyname("udp"), S.IPPROTO_UDP);
  const e = assertThrows(
    () => S.getservbyname("http", "udp"),
    S.SocketError,
    "service/proto not found",
  );
  assertEquals(e.strerror, "service/proto not found");
  assertEquals(e.errno, null); // CPython: OSError("service/proto not found"), errno None
  assertEquals(
    assertThrows(
      () => S.getservbyport(1, "udp"),
      S.SocketError,
      "port/proto not found",
    ).strerror,
    "port/proto not found",
  );
  assertEquals(
    assertThrows(
      () => S.getprotobyname("nope"),
      S.SocketError,
      "protocol not found",
    ).strerror,
    "protocol not found",
  );
  assertThrows(() => S.getservbyport(65536), RangeError, "getservbyport: port must be 0-65535.");
  assertThrows(() => S.getservbyport(-1), RangeError, "getservbyport: port must be 0-65535.");
  assertThrows(
    () => S.getservbyname(new Uint8Array([1]) as unknown as string),
    TypeError,
    "getservbyname() servicename must be a string, not Uint8Array",
  );
});

// ---- real resolution against CPython, in a private network namespace ----

nextTestOnLinux("runs both resolvers in a network namespace (unshare -n)");
Deno.test({
  name: "real resolution of localhost, this host, 127.0.0.1 and ::1 matches CPython",
  ignore: PYTHON === null || !UNSHARE_OK,
  async fn(): Promise<void> {
    const me = S.gethostname();
    const hosts = ["localhost", me, "127.0.0.1", "::1"];
    const cases: [string, Arg[]][] = [];
    const combos: [number, number, number][] = [
      [0, 0, 0],
      [0, S.SOCK_STREAM, 0],
      [S.AF_INET, 0, S.AI_CANONNAME],
      [S.AF_INET6, S.SOCK_DGRAM, 0],
      [0, S.SOCK_STREAM, S.AI_CANONNAME | S.AI_ADDRCONFIG],
      [S.AF_INET6, S.SOCK_STREAM, S.AI_V4MAPPED | S.AI_ALL],
      [0, S.SOCK_STREAM, S.AI_PASSIVE],
    ];
    for (const h of hosts) {
      for (const port of [80, null, "http"]) {
        for (const [f, t, fl] of combos) cases.push(["getaddrinfo", [h, port, f, t, 0, fl]]);
      }
      for (const fn of ["gethostbyname", "gethostbyname_ex", "gethostbyaddr", "getfqdn"]) {
        cases.push([fn, [h]]);
      }
    }
    cases.push(["getfqdn", []], ["getfqdn", [""]], ["getfqdn", ["0.0.0.0"]], ["getfqdn", ["::"]]);
    cases.push(["gethostname", []]);
    for (const sa of [["127.0.0.1", 80], ["::1", 22, 0, 0]] as Arg[][]) {
      for (const fl of [0, S.NI_NAMEREQD, S.NI_NOFQDN, S.NI_NUMERICSERV]) {
        cases.push(["getnameinfo", [{ tuple: sa }, fl]]);
      }
    }
    // Ours, in a child process in a fresh network namespace.
    const child = `import * as S from "${MOD_URL}";
const cases = JSON.parse(await new Response(Deno.stdin.readable).text());
const dec = (a) => a && typeof a === "object" && "tuple" in a ? a.tuple : a;
const out = [];
for (const [name, args] of cases) {
  try { out.push({ ok: S[name](...args.map(dec)) }); }
  catch (e) {
    const c = e instanceof S.gaierror ? "gaierror" : e instanceof S.herror ? "herror"
      : e instanceof S.SocketError ? "OSError" : e instanceof RangeError ? "ValueError"
      : e instanceof TypeError ? "TypeError" : "JS:" + e;
    out.push({ err: [c, typeof e.errno === "number" ? e.errno : null] });
  }
}
console.log(JSON.stringify(out));`;
    const r = await run(
      "unshare",
      ["-n", Deno.execPath(), "eval", "--no-check", child],
      JSON.stringify(cases),
    );
    assert(r !== null && r.code === 0, r?.stderr);
    const js = JSON.parse(r.stdout) as Outcome[];
    const py = await python(
      PYTHON!,
      String.raw`
def gai(*a):
    return [(int(f), int(t), p, c, sa) for f, t, p, c, sa in socket.getaddrinfo(*a)]
FUNCS = {n: getattr(socket, n) for n in ('gethostbyname', 'gethostbyname_ex', 'gethostbyaddr',
         'getfqdn', 'gethostname', 'getnameinfo')}
FUNCS['getaddrinfo'] = gai`,
      cases,
      ["unshare", "-n"],
    );
    const diffs: string[] = [];
    for (let i = 0; i < cases.length; i++) {
      if (!same(js[i], py[i])) {
        diffs.push(
          `${cases[i][0]}(${JSON.stringify(cases[i][1])}): ours ${JSON.stringify(js[i])}, CPython ${
            JSON.stringify(py[i])
          }`,
        );
      }
    }
    assertEquals(diffs, []);
    // The cases did resolve: localhost's forward and reverse lookups succeeded on both sides.
    const i = cases.findIndex(([n, a]) => n === "gethostbyaddr" && a[0] === "127.0.0.1");
    assertEquals(py[i], { ok: ["localhost", [], ["127.0.0.1"]] });
  },
});

// ---- async ----

Deno.test("async.getaddrinfo() and friends give the results of the sync functions", async () => {
  assertEquals(
    await S.async.getaddrinfo("localhost", 80, 0, S.SOCK_STREAM),
    S.getaddrinfo("localhost", 80, 0, S.SOCK_STREAM),
  );
  assertEquals(
    await S.async.getnameinfo(["127.0.0.1", 22], S.NI_NUMERICHOST),
    S.getnameinfo(["127.0.0.1", 22], S.NI_NUMERICHOST),
  );
  assertEquals(await S.async.gethostbyname("localhost"), "127.0.0.1");
  assertEquals(await S.async.gethostbyname_ex("localhost"), S.gethostbyname_ex("localhost"));
  assertEquals(await S.async.gethostbyaddr("127.0.0.1"), S.gethostbyaddr("127.0.0.1"));
  assertEquals(await S.async.getfqdn("127.0.0.1"), S.getfqdn("127.0.0.1"));
});

Deno.test("async resolver calls reject with the sync functions' errors", async () => {
  const e = await assertRejects(
    () => S.async.getaddrinfo("x", 80, 0, 0, 0, S.AI_NUMERICHOST),
    S.gaierror,
    "Name or service not known",
  );
  assertEquals(classify(e), ["gaierror", S.EAI_NONAME]);
  await assertRejects(
    () => S.async.getaddrinfo(3 as unknown as string, 80),
    TypeError,
    "getaddrinfo() argument 1 must be string or None, not number",
  );
  await assertRejects(
    () => S.async.getnameinfo(["127.0.0.1", 80, 1], 3),
    S.SocketError,
    "IPv4 sockaddr must be 2 tuple",
  );
  await assertRejects(() => S.async.gethostbyname_ex(""), S.herror, "Unknown server error");
  await assertRejects(
    () => S.async.gethostbyaddr(""),
    S.SocketError,
    "wildcard resolved to multiple address",
  );
});

Deno.test("async resolver calls run concurrently and each gets its own result", async () => {
  const ports = Array.from({ length: 40 }, (_, i) => 1000 + i);
  const res = await Promise.all(
    ports.map((p) => S.async.getaddrinfo("127.0.0.1", p, S.AF_INET, S.SOCK_STREAM)),
  );
  assertEquals(res.map((r) => (r[0][4] as [string, number])[1]), ports);
});

Deno.test("async resolver calls leave the event loop free: a timer keeps firing", async () => {
  // Each lookup waits on a worker thread, so timers run between (and during)
  // them. A lookup that blocked the loop would leave `ticks` at 0 through the
  // whole (bounded) batch, since an awaited settled promise never yields to timers.
  let ticks = 0;
  const timer = setInterval(() => ticks++, 1);
  try {
    let lookups = 0;
    while (ticks < 3 && lookups < 20000) {
      const [name] = await S.async.gethostbyaddr("127.0.0.1");
      assertEquals(name, "localhost");
      lookups++;
    }
    assert(ticks >= 3, `the timer fired ${ticks} times during ${lookups} lookups`);
  } finally {
    clearInterval(timer);
  }
});

Deno.test("an aborted signal rejects an async call before it starts", async () => {
  const ac = new AbortController();
  ac.abort(new Error("stop"));
  await assertRejects(
    () => S.async.getaddrinfo("localhost", 80, 0, 0, 0, 0, { signal: ac.signal }),
    Error,
    "stop",
  );
});

Deno.test({
  name: "aborting an async call in flight rejects it at once",
  // The libc call cannot be interrupted: it finishes on its worker thread
  // after the test, and its results are freed then.
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(): Promise<void> {
    const ac = new AbortController();
    const p = S.async.gethostbyaddr("127.0.0.1", { signal: ac.signal });
    ac.abort(new Error("cancelled"));
    await assertRejects(() => p, Error, "cancelled");
  },
});

Deno.test("the _r lookups grow their buffer on ERANGE until the entry fits", async () => {
  const saved = { ...bufferSizes };
  bufferSizes.hostent = 8;
  bufferSizes.entry = 8;
  try {
    assertEquals(S.gethostbyname_ex("localhost"), ["localhost", [], ["127.0.0.1"]]);
    assertEquals(S.gethostbyaddr("127.0.0.1"), ["localhost", [], ["127.0.0.1"]]);
    assertEquals(await S.async.gethostbyaddr("127.0.0.1"), ["localhost", [], ["127.0.0.1"]]);
    assertEquals(S.getservbyname("http", "tcp"), 80);
    assertEquals(S.getservbyport(80, "tcp"), "http");
    assertEquals(S.getprotobyname("tcp"), 6);
  } finally {
    Object.assign(bufferSizes, saved);
  }
});
