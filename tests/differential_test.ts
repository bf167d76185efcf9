// Differential tests: the module functions against CPython on hundreds of
// generated inputs each, valid and invalid. The inputs come from a seeded
// PRNG (SOCKFFI_SEED picks the seed; a failure prints it). One python3
// process per test computes every CPython result.
//
// No case here sends a packet: hosts are numeric with AI_NUMERICHOST,
// getnameinfo runs with NI_NUMERICHOST, and services and protocols come
// from /etc/services and /etc/protocols.
import { assertEquals } from "@std/assert";
import * as S from "../mod.ts";
import {
  type Arg,
  compare,
  dec,
  enc,
  findPython,
  Gen,
  hex,
  type Outcome,
  outcome,
  prng,
  python,
  run,
} from "./_oracle.ts";

const PYTHON = await findPython();
if (PYTHON === null) {
  console.log("differential_test: python3 not found, so the comparisons with CPython are ignored");
}
const SEED = Number(Deno.env.get("SOCKFFI_SEED") ?? Math.floor(Math.random() * 2 ** 32));

function gen(salt: number): Gen {
  return new Gen(prng((SEED ^ Math.imul(salt, 0x9e3779b1)) >>> 0));
}

type Fn = (...args: unknown[]) => unknown;

/** Runs every case through `fns` here and through FUNCS in CPython, and compares. */
async function check(
  what: string,
  fns: Record<string, Fn>,
  pyFuncs: string,
  cases: [string, Arg[]][],
): Promise<void> {
  const js: Outcome[] = cases.map(([name, args]) => outcome(() => fns[name](...args.map(dec))));
  const py = await python(PYTHON!, pyFuncs, cases);
  compare(what, SEED, cases, js, py);
}

// ---- input generators ----

function numberPart(g: Gen): string {
  const bits = g.int(0, 34);
  const v = Math.floor(g.r() * 2 ** bits);
  switch (g.int(0, 5)) {
    case 0:
      return `0x${v.toString(16)}`;
    case 1:
      return `0X${v.toString(16).toUpperCase()}`;
    case 2:
      return `0${v.toString(8)}`;
    case 3:
      return g.pick(["0x", "08", "09", "0x1g", "00", "0", "1e3", "0xFFFFFFFFF", "4294967296"]);
    default:
      return String(v);
  }
}

/** inet_aton-style text: 1-5 parts, mixed bases, junk, whitespace. */
function atonText(g: Gen): string {
  if (g.chance(0.1)) {
    let s = "";
    const n = g.int(0, 12);
    for (let i = 0; i < n; i++) s += g.pick([..."0123456789abcdefxX. \t-+\n"]);
    return s;
  }
  const n = g.int(1, 5);
  const parts: string[] = [];
  for (let i = 0; i < n; i++) {
    parts.push(g.chance(0.6) ? String(g.int(0, 300)) : numberPart(g));
  }
  if (g.chance(0.05)) parts[g.int(0, n - 1)] = "";
  let s = parts.join(".");
  if (g.chance(0.2)) {
    s += g.pick([
      " ",
      "\t",
      "\n",
      " junk",
      "\tx",
      "x",
      ".",
      "..",
      "\u00e9",
      "\v1",
      "\f",
      "\r",
      "\0",
    ]);
  }
  if (g.chance(0.04)) s = g.pick([" ", "+", "-", "."]) + s;
  return s;
}

/** Dotted quads, mostly valid, some with leading zeros, big parts or junk. */
function quadText(g: Gen): string {
  if (g.chance(0.3)) return atonText(g);
  const parts = [0, 1, 2, 3].map(() => String(g.chance(0.1) ? g.int(256, 999) : g.int(0, 255)));
  if (g.chance(0.1)) parts[g.int(0, 3)] = "0" + parts[0];
  return parts.join(".");
}

/** 16 bytes biased towards zero runs, IPv4-mapped and IPv4-compatible forms. */
function v6Bytes(g: Gen): Uint8Array {
  const b = new Uint8Array(16);
  const dv = new DataView(b.buffer);
  switch (g.int(0, 9)) {
    case 0: // ::ffff:a.b.c.d
      dv.setUint16(10, 0xffff);
      b.set(g.bytes(4), 12);
      return b;
    case 1: // ::a.b.c.d (IPv4-compatible), including ::1 and ::0.0.0.1-like
      b.set(g.chance(0.5) ? g.bytes(4) : [0, 0, g.int(0, 2), g.int(0, 255)], 12);
      return b;
    case 2: // ::ffff:0:a.b.c.d and other near-misses
      dv.setUint16(g.pick([8, 10]), g.pick([0xffff, 0xfffe, 1]));
      b.set(g.bytes(4), 12);
      return b;
    case 3:
      return g.bytes(16);
    default:
      for (let i = 0; i < 8; i++) {
        const k = g.r();
        dv.setUint16(
          2 * i,
          k < 0.55 ? 0 : k < 0.65 ? 0xffff : k < 0.8 ? g.int(1, 255) : g.int(0, 0xffff),
        );
      }
      return b;
  }
}

/** IPv6 text: valid forms written many ways, and near-misses. */
function v6Text(g: Gen): string {
  const b = v6Bytes(g);
  if (g.chance(0.3)) return S.inet_ntop(S.AF_INET6, b);
  const groups: string[] = [];
  for (let i = 0; i < 8; i++) {
    const v = (b[2 * i] << 8) | b[2 * i + 1];
    let t = v.toString(16);
    if (g.chance(0.2)) t = t.padStart(4, "0");
    if (g.chance(0.02)) t = "0" + t.padStart(4, "0");
    if (g.chance(0.2)) t = t.toUpperCase();
    groups.push(t);
  }
  let s: string;
  const form = g.int(0, 9);
  if (form < 4) {
    // compress a run of zeros (maybe not the longest, maybe length 1)
    const start = g.int(0, 7);
    const len = g.int(1, 8 - start);
    s = groups.slice(0, start).join(":") + "::" + groups.slice(start + len).join(":");
  } else if (form < 6) {
    s = groups.slice(0, 6).join(":") + ":" + `${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
    if (g.chance(0.3)) s = "::" + groups[5] + ":" + s.split(":").pop();
  } else {
    s = groups.join(":");
  }
  if (g.chance(0.15)) {
    s = g.pick([
      s + ":",
      ":" + s,
      s + "::",
      s.replace("::", ":::"),
      s + ":1",
      s + "%lo",
      s + " ",
      s.replace(/[0-9a-f]$/i, "g"),
      s + "::1",
      "1:" + s,
      s.replace(":", "::"),
      s + ".1",
    ]);
  }
  return s;
}

/** Groups of 16 bits as CPython / glibc would reject or accept, as text hosts for the resolver. */
function numericHost(g: Gen): Arg {
  switch (g.int(0, 9)) {
    case 0:
    case 1:
    case 2:
      return quadText(g);
    case 3:
      return atonText(g);
    case 4:
    case 5:
    case 6:
      return v6Text(g);
    case 7: {
      const base = S.inet_ntop(S.AF_INET6, v6Bytes(g));
      return base + g.pick(["%lo", "%1", "%eth0", "%nonexistent", "%4294967296", "%0", "%"]);
    }
    case 8:
      return g.pick(["", "localhost", "not-a-number", "::1", "127.0.0.1", "fe80::1%lo", "0"]);
    default:
      return enc.bytes(new TextEncoder().encode(quadText(g)));
  }
}

/** The entries of /etc/services: `[name or alias, port, protocol]`. */
function services(): [string, number, string][] {
  const out: [string, number, string][] = [];
  for (const line of Deno.readTextFileSync("/etc/services").split("\n")) {
    const body = line.replace(/#.*/, "").trim();
    if (body === "") continue;
    const [name, portProto, ...aliases] = body.split(/\s+/);
    const [port, proto] = portProto.split("/");
    for (const n of [name, ...aliases]) out.push([n, Number(port), proto]);
  }
  return out;
}

function protocols(): string[] {
  const names = new Set<string>();
  for (const line of Deno.readTextFileSync("/etc/protocols").split("\n")) {
    const body = line.replace(/#.*/, "").trim();
    if (body === "") continue;
    const [name, , ...aliases] = body.split(/\s+/);
    names.add(name);
    for (const a of aliases) names.add(a);
  }
  return [...names];
}

// ---- tests ----

Deno.test({
  name: "inet_aton() and inet_ntoa() agree with CPython on generated inputs",
  ignore: PYTHON === null,
  async fn(): Promise<void> {
    const g = gen(1);
    const cases: [string, Arg[]][] = [];
    for (let i = 0; i < 700; i++) cases.push(["inet_aton", [atonText(g)]]);
    for (const s of ["1", "1.2", "1.2.3", "1.2.3.4", "255.255.255.255", "4294967295", "0x7f.1"]) {
      cases.push(["inet_aton", [s]]);
    }
    for (let i = 0; i < 300; i++) {
      const n = g.chance(0.8) ? 4 : g.int(0, 8);
      cases.push(["inet_ntoa", [enc.bytes(g.bytes(n))]]);
    }
    await check(
      "inet_aton/inet_ntoa",
      { inet_aton: S.inet_aton as Fn, inet_ntoa: S.inet_ntoa as Fn },
      "FUNCS = {'inet_aton': socket.inet_aton, 'inet_ntoa': socket.inet_ntoa}",
      cases,
    );
  },
});

Deno.test({
  name: "inet_pton() agrees with CPython for AF_INET and AF_INET6 text",
  ignore: PYTHON === null,
  async fn(): Promise<void> {
    const g = gen(2);
    const cases: [string, Arg[]][] = [];
    for (let i = 0; i < 500; i++) cases.push(["inet_pton", [S.AF_INET, quadText(g)]]);
    for (let i = 0; i < 900; i++) cases.push(["inet_pton", [S.AF_INET6, v6Text(g)]]);
    for (const af of [0, S.AF_UNIX, 99, -1]) cases.push(["inet_pton", [af, "1.2.3.4"]]);
    for (
      const s of [
        "::",
        "::1",
        "1::",
        "::ffff:1.2.3.4",
        "::1.2.3.4",
        "1:2:3:4:5:6:7::",
        "::2:3:4:5:6:7:8",
      ]
    ) {
      cases.push(["inet_pton", [S.AF_INET6, s]]);
    }
    await check(
      "inet_pton",
      { inet_pton: S.inet_pton as Fn },
      "FUNCS = {'inet_pton': socket.inet_pton}",
      cases,
    );
  },
});

Deno.test({
  name: "inet_ntop() agrees with CPython, zero runs and embedded IPv4 included",
  ignore: PYTHON === null,
  async fn(): Promise<void> {
    const g = gen(3);
    const cases: [string, Arg[]][] = [];
    for (let i = 0; i < 1000; i++) cases.push(["inet_ntop", [S.AF_INET6, enc.bytes(v6Bytes(g))]]);
    for (let i = 0; i < 200; i++) cases.push(["inet_ntop", [S.AF_INET, enc.bytes(g.bytes(4))]]);
    for (let i = 0; i < 40; i++) {
      cases.push(["inet_ntop", [
        g.pick([S.AF_INET, S.AF_INET6]),
        enc.bytes(g.bytes(g.int(0, 20))),
      ]]);
    }
    for (const af of [0, S.AF_UNIX, 99]) cases.push(["inet_ntop", [af, enc.bytes(g.bytes(4))]]);
    // Every single zero group and every run position, one at a time.
    for (let start = 0; start < 8; start++) {
      for (let len = 1; start + len <= 8; len++) {
        const b = new Uint8Array(16).fill(0x11);
        b.fill(0, 2 * start, 2 * (start + len));
        cases.push(["inet_ntop", [S.AF_INET6, enc.bytes(b)]]);
      }
    }
    await check(
      "inet_ntop",
      { inet_ntop: S.inet_ntop as Fn },
      "FUNCS = {'inet_ntop': socket.inet_ntop}",
      cases,
    );
  },
});

Deno.test({
  name: "the socket address decoder formats IPv6 hosts as CPython's inet_ntop",
  ignore: PYTHON === null,
  async fn(): Promise<void> {
    // getaddrinfo(AI_NUMERICHOST) on text formatted by inet_ntop returns the
    // host through the sockaddr decoder (src/_sockaddr.ts).
    const g = gen(4);
    const cases: [string, Arg[]][] = [];
    for (let i = 0; i < 300; i++) {
      cases.push(["host", [hex(v6Bytes(g))]]);
    }
    const fns = {
      host: (h: unknown): unknown => {
        const b = new Uint8Array((h as string).match(/../g)!.map((x) => parseInt(x, 16)));
        const text = S.inet_ntop(S.AF_INET6, b);
        return S.getaddrinfo(text, 0, S.AF_INET6, S.SOCK_STREAM, 0, S.AI_NUMERICHOST)[0][4][0];
      },
    };
    await check(
      "sockaddr decode",
      fns,
      String.raw`
def host(h):
    t = socket.inet_ntop(socket.AF_INET6, bytes.fromhex(h))
    return socket.getaddrinfo(t, 0, socket.AF_INET6, socket.SOCK_STREAM, 0, socket.AI_NUMERICHOST)[0][4][0]
FUNCS = {'host': host}`,
      cases,
    );
  },
});

Deno.test({
  name: "htons(), ntohs(), htonl() and ntohl() agree with CPython, range errors included",
  ignore: PYTHON === null,
  async fn(): Promise<void> {
    const g = gen(5);
    const cases: [string, Arg[]][] = [];
    const edges = [
      0,
      1,
      255,
      256,
      65535,
      65536,
      -1,
      -65536,
      2 ** 31 - 1,
      2 ** 31,
      2 ** 32 - 1,
      2 ** 32,
      -(2 ** 31),
      -(2 ** 31) - 1,
      2 ** 53,
      2 ** 63,
      2 ** 64,
      2 ** 70,
      -(2 ** 64),
    ];
    for (const fn of ["htons", "ntohs", "htonl", "ntohl"]) {
      for (const x of edges) cases.push([fn, [enc.int(x)]]);
      for (let i = 0; i < 150; i++) {
        const x = g.pick([
          () => g.int(0, 65535),
          () => g.int(0, 2 ** 32 - 1),
          () => g.int(-1000, -1),
          () => g.int(2 ** 32, 2 ** 40),
        ])();
        cases.push([fn, [enc.int(x)]]);
      }
      cases.push([fn, [enc.float(1.5)]], [fn, ["80"]], [fn, [null]]);
    }
    await check(
      "byte order",
      { htons: S.htons as Fn, ntohs: S.ntohs as Fn, htonl: S.htonl as Fn, ntohl: S.ntohl as Fn },
      "FUNCS = {n: getattr(socket, n) for n in ('htons', 'ntohs', 'htonl', 'ntohl')}",
      cases,
    );
  },
});

Deno.test({
  name: "CMSG_LEN() and CMSG_SPACE() agree with CPython up to and past their limits",
  ignore: PYTHON === null,
  async fn(): Promise<void> {
    const g = gen(6);
    const cases: [string, Arg[]][] = [];
    for (const fn of ["CMSG_LEN", "CMSG_SPACE"]) {
      for (let d = -40; d <= 40; d++) cases.push([fn, [enc.int(2 ** 31 - 1 + d)]]);
      for (const x of [0, 1, 7, 8, 9, -1, -(2 ** 31), 2 ** 32, 2 ** 53, 2 ** 63, -(2 ** 63)]) {
        cases.push([fn, [enc.int(x)]]);
      }
      for (let i = 0; i < 150; i++) cases.push([fn, [enc.int(g.int(0, 1 << 20))]]);
      cases.push([fn, [enc.float(4.5)]], [fn, ["4"]]);
    }
    await check(
      "CMSG sizes",
      { CMSG_LEN: S.CMSG_LEN as Fn, CMSG_SPACE: S.CMSG_SPACE as Fn },
      "FUNCS = {'CMSG_LEN': socket.CMSG_LEN, 'CMSG_SPACE': socket.CMSG_SPACE}",
      cases,
    );
  },
});

Deno.test({
  name: "getaddrinfo() with AI_NUMERICHOST agrees with CPython",
  ignore: PYTHON === null,
  async fn(): Promise<void> {
    const g = gen(7);
    const names = services().map(([name]) => name);
    const cases: [string, Arg[]][] = [];
    const extraFlags = [S.AI_PASSIVE, S.AI_CANONNAME, S.AI_NUMERICSERV, S.AI_V4MAPPED, S.AI_ALL];
    for (let i = 0; i < 700; i++) {
      const nullHost = g.chance(0.08);
      const host: Arg = nullHost
        ? null
        : g.chance(0.5)
        ? g.pick([S.inet_ntop(S.AF_INET, g.bytes(4)), S.inet_ntop(S.AF_INET6, v6Bytes(g))])
        : numericHost(g);
      const port: Arg = g.pick<() => Arg>([
        () => null,
        () => g.int(0, 65535),
        () => g.int(0, 65535),
        () => g.int(-3, 70000),
        () => g.pick(names),
        () => g.pick(["", "0", "http", "no-such-service", "80x", "-1", "65536"]),
        () => String(g.int(0, 65535)),
        () => enc.bytes(new TextEncoder().encode(String(g.int(0, 9999)))),
      ])();
      if (nullHost && port === null) continue;
      const family = g.chance(0.05) ? g.pick([S.AF_UNIX, 99]) : g.pick([0, S.AF_INET, S.AF_INET6]);
      const type = g.chance(0.05)
        ? g.pick([S.SOCK_SEQPACKET, 99])
        : g.pick([0, 0, S.SOCK_STREAM, S.SOCK_DGRAM, S.SOCK_RAW]);
      const proto = g.chance(0.1) ? g.pick([6, 17, 132, 99]) : 0;
      let flags = nullHost ? 0 : S.AI_NUMERICHOST;
      for (const f of extraFlags) if (g.chance(0.2)) flags |= f;
      if (g.chance(0.03)) flags |= 0x4000;
      cases.push(["getaddrinfo", [host, port, family, type, proto, flags]]);
    }
    await check(
      "getaddrinfo",
      { getaddrinfo: S.getaddrinfo as Fn },
      String.raw`
def gai(*a):
    return [(int(f), int(t), p, c, sa) for f, t, p, c, sa in socket.getaddrinfo(*a)]
FUNCS = {'getaddrinfo': gai}`,
      cases,
    );
  },
});

Deno.test({
  name: "getnameinfo() with NI_NUMERICHOST agrees with CPython",
  ignore: PYTHON === null,
  async fn(): Promise<void> {
    const g = gen(8);
    const cases: [string, Arg[]][] = [];
    for (let i = 0; i < 600; i++) {
      const host = g.chance(0.5)
        ? g.pick([S.inet_ntop(S.AF_INET, g.bytes(4)), S.inet_ntop(S.AF_INET6, v6Bytes(g))])
        : g.chance(0.5)
        ? quadText(g)
        : g.chance(0.5)
        ? v6Text(g)
        : numericHost(g);
      const port = g.chance(0.9) ? g.int(-2, 70000) : g.pick<Arg>([
        enc.int(2 ** 31 - 1),
        enc.int(2 ** 31),
        enc.int(-(2 ** 31) - 1),
        "80",
      ]);
      const tuple: Arg[] = [typeof host === "string" ? host : "1.2.3.4", port];
      const n = g.chance(0.05) ? g.pick([1, 5]) : g.pick([2, 2, 3, 4, 4]);
      if (n >= 3) {
        tuple.push(
          g.chance(0.8) ? g.int(0, 0xfffff) : g.pick<Arg>([0x100000, -1, enc.int(2 ** 32 + 5)]),
        );
      }
      if (n >= 4) {
        tuple.push(g.pick<Arg>([0, 0, 1, 2, 5, 99999, -1, enc.int(2 ** 32 + 1)]));
      }
      if (n === 5) tuple.push(0);
      const t = n === 1 ? [tuple[0]] : tuple;
      let flags = S.NI_NUMERICHOST;
      if (g.chance(0.7)) flags |= S.NI_NUMERICSERV;
      if (g.chance(0.2)) flags |= S.NI_DGRAM;
      if (g.chance(0.1)) flags |= S.NI_NAMEREQD;
      if (g.chance(0.1)) flags |= S.NI_NOFQDN;
      cases.push(["getnameinfo", [enc.tuple(t), flags]]);
    }
    cases.push(["getnameinfo", [enc.tuple([enc.bytes(new Uint8Array([49])), 80]), 3]]);
    await check(
      "getnameinfo",
      { getnameinfo: S.getnameinfo as Fn },
      "FUNCS = {'getnameinfo': socket.getnameinfo}",
      cases,
    );
  },
});

Deno.test({
  name:
    "getservbyname(), getservbyport() and getprotobyname() agree with CPython on /etc/services and /etc/protocols",
  ignore: PYTHON === null,
  async fn(): Promise<void> {
    const g = gen(9);
    const entries = services();
    const other = (): string | undefined =>
      g.pick([undefined, "tcp", "udp", "sctp", "ddp", "xyz", "TCP"]);
    const cases: [string, Arg[]][] = [];
    for (const [name, port, proto] of entries) {
      const p = g.chance(0.3) ? proto : other();
      cases.push(["getservbyname", p === undefined ? [name] : [name, p]]);
      const q = g.chance(0.3) ? proto : other();
      cases.push(["getservbyport", q === undefined ? [port] : [port, q]]);
    }
    for (let i = 0; i < 40; i++) {
      cases.push(["getservbyname", [g.pick(["", "nope", "HTTP", "http ", "ht\0tp", "домен"])]]);
    }
    for (let i = 0; i < 100; i++) {
      cases.push(["getservbyport", [g.int(-5, 70000)]]);
    }
    cases.push(["getservbyport", [enc.int(2 ** 31)]], ["getservbyport", [enc.float(80.5)]]);
    for (const name of [...protocols(), "nope", "", "TCP", "Udp", "t\0cp"]) {
      cases.push(["getprotobyname", [name]]);
    }
    await check(
      "services and protocols",
      {
        getservbyname: S.getservbyname as Fn,
        getservbyport: S.getservbyport as Fn,
        getprotobyname: S.getprotobyname as Fn,
      },
      "FUNCS = {n: getattr(socket, n) for n in ('getservbyname', 'getservbyport', 'getprotobyname')}",
      cases,
    );
  },
});

Deno.test({
  name:
    "AddressFamily, SocketKind, MsgFlag and AddressInfo name every CPython member as CPython does",
  ignore: PYTHON === null,
  async fn(): Promise<void> {
    const r = await run(PYTHON!, [
      "-c",
      String.raw`
import socket, json
print(json.dumps({E.__name__: [[k, v.name, int(v)] for k, v in E.__members__.items()]
                  for E in (socket.AddressFamily, socket.SocketKind, socket.MsgFlag, socket.AddressInfo)}))`,
    ]);
    if (r === null || r.code !== 0) throw new Error(`python failed: ${r?.stderr}`);
    const py = JSON.parse(r.stdout) as Record<string, [string, string, number][]>;
    const ours: Record<string, Record<string | number, string | number | undefined>> = {
      AddressFamily: S.AddressFamily,
      SocketKind: S.SocketKind,
      MsgFlag: S.MsgFlag,
      AddressInfo: S.AddressInfo,
    };
    for (const [enumName, members] of Object.entries(py)) {
      const e = ours[enumName];
      for (const [alias, canonical, value] of members) {
        assertEquals(e[alias], value, `${enumName}.${alias}`);
        assertEquals(e[value], canonical, `${enumName}[${value}]`);
      }
    }
    assertEquals(S.AddressFamily[S.AF_UNIX], "AF_UNIX"); // not AF_LOCAL or AF_FILE
    assertEquals(S.AddressFamily.AF_LOCAL, S.AF_UNIX);
    assertEquals(S.SocketKind[1], "SOCK_STREAM"); // not SOCK_SNDBUF_LOCK
    assertEquals(S.AddressFamily[12345], undefined);
  },
});
