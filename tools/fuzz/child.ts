// One fuzz batch, run in its own Deno process by tools/fuzz/main.ts:
//
//   deno run -A --v8-flags=--expose-gc tools/fuzz/child.ts <seed> <batch> <calls> <mode> <tmpdir> [verbose]
//
// Prints "C <i> <call>" before every call (so the parent can name the call a
// crash or hang happened in) and one "R <json>" summary line at the end.
// Writes nothing outside <tmpdir> (its working directory).

// ---- typed-error detection --------------------------------------------------
// The library throws `new TypeError(...)` / `new RangeError(...)`, which reads
// the global binding at the time of the throw. V8's builtins and Deno's FFI
// layer (Rust, and ext: code through primordials) create the intrinsic
// classes instead. Replacing the globals with subclasses before the library
// runs therefore marks every error the library (or other user code) made.
const IntrinsicTypeError = TypeError;
const IntrinsicRangeError = RangeError;
class LibTypeError extends IntrinsicTypeError {}
class LibRangeError extends IntrinsicRangeError {}
Object.defineProperty(LibTypeError, "name", { value: "TypeError" });
Object.defineProperty(LibRangeError, "name", { value: "RangeError" });
globalThis.TypeError = LibTypeError as TypeErrorConstructor;
globalThis.RangeError = LibRangeError as RangeErrorConstructor;

import { Rng } from "./rng.ts";
import { Gen, ProbeError, trueBytes, type V } from "./values.ts";
import { fdTable, watchLibraryFds } from "./fdwatch.ts";
import type { Socket as SocketT } from "../../mod.ts";

// Descriptors the library's C calls create (see fdwatch.ts), by /proc link. The watch stays
// on: the library opens the C library lazily, at its first call.
const madeByLibrary = watchLibraryFds(() => `#${current} ${currentDesc}`);
const m = await import("../../mod.ts");
type Socket = SocketT;

const [seed, batchArg, callsArg, mode, tmpdir, verboseArg] = Deno.args;
const batch = Number(batchArg);
const CALLS = Number(callsArg);
const NETNS = mode === "netns";
const VERBOSE = verboseArg === "verbose";
const ONLY = Deno.env.get("FUZZ_ONLY")?.split(",") ?? null;
const KINDS = Deno.env.get("FUZZ_KINDS")?.split(",") ?? null;
/** A planted defect at call 5, for tests/fuzz_selftest_test.ts to check each detector. */
const SELFTEST = Deno.env.get("FUZZ_SELFTEST") ?? "";
Deno.chdir(tmpdir);

const gc = (globalThis as unknown as { gc?: () => void }).gc ?? ((): void => {});
const enc = new TextEncoder();
const out = (line: string): void => {
  Deno.stdout.writeSync(enc.encode(line + "\n"));
};

// Our own libc handle, independent of the library: closing descriptors we
// received and checking whether a descriptor is open.
const libc = Deno.dlopen("libc.so.6", {
  close: { parameters: ["i32"], result: "i32" },
  fcntl: { parameters: ["i32", "i32", "i32"], result: "i32" },
}).symbols;
const fdOpen = (fd: number): boolean => libc.fcntl(fd, 1, /* F_GETFD */ 0) !== -1;

/** The kind of socket behind an inode, from /proc/net (unix, tcp6, udp...), for leak reports. */
function socketKind(link: string): string {
  const inode = /^socket:\[(\d+)\]$/.exec(link)?.[1];
  if (!inode) return link;
  for (const t of ["unix", "tcp", "tcp6", "udp", "udp6", "raw", "raw6", "netlink", "packet"]) {
    try {
      const lines = Deno.readTextFileSync(`/proc/net/${t}`).split("\n");
      const hit = lines.find((l) => l.split(/\s+/).includes(inode));
      if (hit) return `${t} ${hit.trim().replace(/\s+/g, " ")}`;
    } catch { /* not there */ }
  }
  return link;
}

/** getsockname/getpeername of a descriptor, through a dup (for leak reports). */
function peerOf(fd: number): string {
  try {
    const d = m.fromfd(fd, m.AF_UNIX, m.SOCK_STREAM);
    try {
      let name: unknown = null, peer: unknown = null;
      try {
        name = d.getsockname();
      } catch { /* not a socket we can ask */ }
      try {
        peer = d.getpeername();
      } catch { /* unconnected */ }
      return `[name ${JSON.stringify(name)} peer ${
        JSON.stringify(peer)
      } blocking ${d.getblocking()}]`;
    } finally {
      d.close();
    }
  } catch (e) {
    return `[${(e as Error).message}]`;
  }
}

// ---- results ------------------------------------------------------------------
interface Finding {
  kind: string;
  call: number;
  desc: string;
  detail: string;
}
const stats = {
  calls: 0,
  ok: 0,
  os: 0,
  typed: 0,
  propagated: 0,
  aborted: 0,
  untyped: 0,
  unhandled: 0,
  uncaught: 0,
  violations: 0,
  stuck: 0,
  syncThrows: 0,
  leakedFds: 0,
  fuzzerErrors: 0,
  retained: 0,
  streamState: 0,
};
const findings: Finding[] = [];
let current = -1;
let currentDesc = "";

function find(kind: string, detail: string, call = current, desc = currentDesc): void {
  const max = kind === "fd-leak" ? 4000 : 400; // a leak report names every descriptor
  if (findings.length < 200) findings.push({ kind, call, desc, detail: detail.slice(0, max) });
  if (VERBOSE) out(`F ${kind} #${call} ${desc}: ${detail.slice(0, 400)}`);
}

const intrinsicPatterns = [
  /Invalid FFI/,
  /Cannot perform/,
  /detached/i,
  /is not a function/,
  /Cannot convert/,
  /Cannot mix BigInt/,
  /Cannot read properties/,
  /is not iterable/,
  /out of bounds/i,
  /Invalid typed array length/,
  /Maximum call stack/,
];

/** Sorts a thrown value into the categories the report counts. */
function classify(e: unknown, call: number, desc: string, late = false, streamOp = false): void {
  const where = late ? " (async, settled later)" : "";
  if (
    streamOp && e instanceof IntrinsicTypeError && /stream/i.test((e as Error).message)
  ) {
    stats.streamState++;
  } else if (e instanceof m.SocketError) {
    stats.os++;
  } else if (e instanceof ProbeError) {
    stats.propagated++;
  } else if (e instanceof DOMException && e.name === "AbortError") {
    stats.aborted++;
  } else if (e instanceof LibTypeError || e instanceof LibRangeError) {
    stats.typed++;
  } else if (e instanceof AggregateError && e.errors.every((x) => x instanceof m.SocketError)) {
    stats.os++;
  } else {
    stats.untyped++;
    const err = e as Error;
    const cls = e instanceof IntrinsicTypeError
      ? "intrinsic TypeError"
      : e instanceof IntrinsicRangeError
      ? "intrinsic RangeError"
      : (err?.constructor?.name ?? typeof e);
    const msg = String(err?.message ?? e);
    const pat = intrinsicPatterns.find((p) => p.test(msg));
    const top = String(err?.stack ?? "").split("\n").slice(1, 3).map((l) => l.trim()).join(" / ");
    find(
      "untyped",
      `${cls}${pat ? ` [${pat.source}]` : ""}: ${msg}${where} @ ${top}`,
      call,
      desc,
    );
  }
}

globalThis.addEventListener("unhandledrejection", (ev) => {
  ev.preventDefault();
  stats.unhandled++;
  const r = ev.reason as Error;
  find("unhandled-rejection", `${r?.name}: ${r?.message ?? r} @ ${r?.stack?.split("\n")[1]}`);
});
globalThis.addEventListener("error", (ev) => {
  ev.preventDefault();
  stats.uncaught++;
  find("uncaught", String(ev.error?.stack ?? ev.message));
  console.error("uncaught:", ev.error?.stack ?? ev.message);
});

// ---- the world a batch plays in ---------------------------------------------------
const rng = new Rng(`${seed}:${batch}`);
let target: Socket | null = null;
const gen = new Gen(rng, {
  closeMidCall(): void {
    const s = target ?? (pool.length ? rng.pick(pool) : null);
    try {
      s?.close();
    } catch {
      // closing is the point, not its result
    }
  },
});

const pool: Socket[] = [];
/** Sockets the fuzzer let go of without close(): the finalizer must close them once collected. */
const dropped: WeakRef<Socket>[] = [];
/** Which call made the socket last seen on each descriptor number (for leak reports). */
const creators = new Map<number, string>();
const everySocket = new Set<Socket>();
const files: { f: { close(): void } & Record<string, unknown>; text: boolean }[] = [];
const detached: number[] = [];
const pending = new Set<Promise<unknown>>();
const aborters: AbortController[] = [];
const C = m.socketValues;
const constNames = Object.keys(C);
const byPrefix = (p: string): number[] =>
  constNames.filter((n) => n.startsWith(p)).map((n) => C[n]);
const SO = byPrefix("SO_");
const IP = byPrefix("IP_");
const IPV6 = byPrefix("IPV6_");
const TCP = byPrefix("TCP_");
const MSG = byPrefix("MSG_");
const AI = byPrefix("AI_");
const NI = byPrefix("NI_");
// Options whose effect can leave the machine when not inside our own namespace.
const UNSAFE_OPTS = new Set(
  [
    "IP_ADD_MEMBERSHIP",
    "IP_ADD_SOURCE_MEMBERSHIP",
    "IP_MULTICAST_IF",
    "IPV6_JOIN_GROUP",
    "IPV6_ADD_MEMBERSHIP",
    "MCAST_JOIN_GROUP",
    "MCAST_JOIN_SOURCE_GROUP",
    "SO_BINDTODEVICE",
    "SO_BROADCAST",
    "IPV6_MULTICAST_IF",
  ].map((n) => C[n]).filter((v) => v !== undefined),
);

function track(s: unknown): void {
  if (!(s instanceof m.Socket)) return;
  if (!NETNS && !([m.AF_INET, m.AF_INET6, m.AF_UNIX] as number[]).includes(s.family)) {
    // outside our own network namespace only loopback and unix sockets may carry traffic
    try {
      s.close();
    } catch { /* ignore */ }
    return;
  }
  everySocket.add(s);
  pool.push(s);
  try {
    creators.set(s.fileno(), `#${current} ${currentDesc}`);
  } catch { /* closed already */ }
  if (pool.length > 48) {
    const old = pool.splice(rng.int(pool.length), 1)[0];
    try {
      old.close();
    } catch { /* ignore */ }
  }
}

const ports = { tcp4: 0, tcp6: 0, udp4: [0, 0], udp6: 0 };
const unixPath = `${tmpdir}/fz-listen`;
const abstractName = `\0sockffi-fuzz-${Deno.pid}-${batch}`;
const sendfilePath = `${tmpdir}/fz-sendfile`;
let sendfileFile: Deno.FsFile;
const receivers: Socket[] = [];

function setup(): void {
  Deno.writeFileSync(sendfilePath, rng.bytes(70000));
  sendfileFile = Deno.openSync(sendfilePath, { read: true });
  const l4 = m.socket(m.AF_INET, m.SOCK_STREAM);
  l4.bind(["127.0.0.1", 0]);
  l4.listen(64);
  ports.tcp4 = (l4.getsockname() as [string, number])[1];
  const l6 = m.socket(m.AF_INET6, m.SOCK_STREAM);
  l6.bind(["::1", 0]);
  l6.listen(64);
  ports.tcp6 = l6.getsockname()[1];
  const lu = m.socket(m.AF_UNIX, m.SOCK_STREAM);
  lu.bind(unixPath);
  lu.listen(16);
  for (const s of [l4, l6, lu]) track(s);
  for (
    const [fam, lst, host, port] of [
      [m.AF_INET, l4, "127.0.0.1", ports.tcp4],
      [m.AF_INET6, l6, "::1", ports.tcp6],
    ] as const
  ) {
    const c = m.socket(fam, m.SOCK_STREAM);
    c.connect([host, port]);
    const [a] = lst.accept();
    track(c);
    track(a);
  }
  for (let i = 0; i < 2; i++) {
    const u = m.socket(m.AF_INET, m.SOCK_DGRAM);
    u.bind(["127.0.0.1", 0]);
    ports.udp4[i] = (u.getsockname() as [string, number])[1];
    receivers.push(u);
    track(u);
  }
  const u6 = m.socket(m.AF_INET6, m.SOCK_DGRAM);
  u6.bind(["::1", 0]);
  ports.udp6 = u6.getsockname()[1];
  track(u6);
  const uc = m.socket(m.AF_INET, m.SOCK_DGRAM);
  uc.connect(["127.0.0.1", ports.udp4[0]]);
  track(uc);
  for (const t of [m.SOCK_STREAM, m.SOCK_DGRAM, m.SOCK_SEQPACKET]) {
    for (const s of m.socketpair(m.AF_UNIX, t)) track(s);
  }
  const ud = m.socket(m.AF_UNIX, m.SOCK_DGRAM);
  ud.bind(abstractName);
  track(ud);
  if (NETNS) {
    for (const [f, t, p] of [[m.AF_INET, m.SOCK_RAW, 1], [m.AF_NETLINK, m.SOCK_RAW, 0]]) {
      try {
        track(m.socket(f, t, p));
      } catch { /* not permitted here */ }
    }
  }
}

// ---- argument generators ------------------------------------------------------------
const randPort = (): number =>
  rng.pick([
    ports.tcp4,
    ports.tcp6,
    ports.udp4[0],
    ports.udp4[1],
    ports.udp6,
    0,
    rng.range(1, 65535),
  ]);

/** Outside our own namespace a host is a loopback literal, "localhost" or not a string at all. */
function safeHost(hosts: string[]): V {
  if (rng.chance(0.2)) return gen.junkNonString();
  const h = rng.pick(hosts);
  return { v: h, d: JSON.stringify(h) };
}

function host4(): V {
  if (!NETNS) return safeHost(["127.0.0.1", "127.0.0.2", "", "0.0.0.0", "localhost"]);
  if (rng.chance(0.7)) {
    return gen.str(() => rng.pick(["127.0.0.1", "127.0.0.2", "", "0.0.0.0", "localhost"]));
  }
  return gen.str(() =>
    rng.pick(["<broadcast>", "no-such-host.invalid", "10.1.2.3", "1.2.3", "255.255.255.255"])
  );
}

function host6(): V {
  if (!NETNS) return safeHost(["::1", "", "::", "::ffff:127.0.0.1"]);
  if (rng.chance(0.7)) return gen.str(() => rng.pick(["::1", "", "::", "::1%lo"]));
  return gen.str(() => rng.pick(["fe80::1%lo", "ff02::1", "2001:db8::1", "::ffff:10.0.0.1"]));
}

/** An address for a socket of `family`, mostly valid, often not. */
function address(family: number): V {
  const r = rng;
  if (r.chance(0.1)) return NETNS || family === m.AF_UNIX ? gen.junk() : gen.junkNonString();
  if (family === m.AF_UNIX) {
    const name = r.pick([
      unixPath,
      `fz-${r.int(1000)}`,
      `${abstractName}`,
      `\0sockffi-fuzz-${Deno.pid}-${r.int(100)}`,
      "",
      "x".repeat(200),
      "fz\0tail",
      `fz-\ud800`,
    ]);
    const asBytes = r.chance(0.25);
    return asBytes
      ? { v: enc.encode(name), d: `bytes ${JSON.stringify(name.slice(0, 40))}` }
      : { v: name, d: JSON.stringify(name.slice(0, 40)) };
  }
  if (family === m.AF_INET || family === m.AF_INET6) {
    const h = family === m.AF_INET ? host4() : host6();
    const p = gen.int(randPort, 0.8);
    const parts: V[] = [h, p];
    if (family === m.AF_INET6 && r.chance(0.5)) {
      parts.push(gen.int(() => r.pick([0, 1, 0xfffff])), gen.int(() => r.pick([0, 1])));
    }
    if (r.chance(0.08)) parts.pop();
    if (r.chance(0.05)) parts.push(gen.int(() => 0));
    const arr = parts.map((x) => x.v);
    const d = `[${parts.map((x) => x.d).join(", ")}]`;
    switch (r.int(10)) {
      case 0:
        return { v: new Proxy(arr, {}), d: `Proxy(${d})` };
      case 1: {
        let n = 0;
        const port = arr[1];
        const live = [arr[0]];
        Object.defineProperty(live, 1, {
          get: () => (n++ === 0 ? port : ports.udp4[1]),
          enumerable: true,
        });
        return { v: live, d: `${d} with a port getter that changes` };
      }
      case 2: {
        const live = [arr[0]];
        Object.defineProperty(live, 1, {
          get(): unknown {
            gen.hooks.closeMidCall();
            return arr[1];
          },
        });
        return { v: live, d: `${d} whose port getter closes a socket` };
      }
      case 3:
        return { v: { 0: arr[0], 1: arr[1], length: 2 }, d: `array-like ${d}` };
      default:
        return { v: arr, d };
    }
  }
  if (family === m.AF_NETLINK) {
    return { v: [r.pick([0, Deno.pid, 2 ** 32]), r.pick([0, 1, -1])], d: "netlink [pid, groups]" };
  }
  return r.chance(0.5)
    ? { v: ["lo", r.int(65536)], d: "[lo, proto]" }
    : { v: [r.int(10), r.int(10), r.int(10)], d: "[n, n, n]" };
}

const flags = (): V =>
  gen.int(() => (rng.chance(0.5) ? 0 : rng.pick(MSG) | (rng.chance(0.3) ? rng.pick(MSG) : 0)));
const size = (): V => gen.int(() => rng.pick([0, 1, 2, 16, 100, 1024, 65536]));
const timeoutArg = (): V =>
  rng.chance(0.15) ? { v: null, d: "null" } : gen.int(() => rng.pick([0, 0.01, 0.05, 1e-9]), 0.7);

function ancdata(): V {
  const r = rng;
  if (r.chance(0.4)) return { v: [], d: "[]" };
  const item = (): V => {
    switch (r.int(8)) {
      case 0: {
        const fds = Array.from(
          { length: r.range(0, 4) },
          () =>
            pool.length && r.chance(0.8)
              ? rng.pick(pool).fileno()
              : r.pick([-1, 2 ** 31 - 1, 999999]),
        );
        return {
          v: [m.SOL_SOCKET, m.SCM_RIGHTS, new Int32Array(fds)],
          d: `[SOL_SOCKET, SCM_RIGHTS, fds ${fds}]`,
        };
      }
      case 1:
        return {
          v: [m.SOL_SOCKET, m.SCM_RIGHTS, new Uint8Array(r.range(1, 7))],
          d: "[SOL_SOCKET, SCM_RIGHTS, odd bytes]",
        };
      case 2:
        return {
          v: [m.SOL_SOCKET, C.SCM_CREDENTIALS, r.bytes(12)],
          d: "[SOL_SOCKET, SCM_CREDENTIALS, random 12 bytes]",
        };
      case 3: {
        const lv = gen.int(() => r.pick([0, 1, 41, 6])), ty = gen.int(() => r.int(64));
        const data = gen.bytes(r.chance(0.1) ? 1 << 17 : 32);
        return { v: [lv.v, ty.v, data.v], d: `[${lv.d}, ${ty.d}, ${data.d}]` };
      }
      case 4:
        return { v: [m.SOL_SOCKET, m.SCM_RIGHTS], d: "2-element item" };
      case 5:
        return { v: [1, 1, new Uint8Array(4), 7], d: "4-element item" };
      case 6:
        return { v: new Proxy([1, 1, new Uint8Array(4)], {}), d: "Proxy item" };
      default:
        return gen.junk();
    }
  };
  if (r.chance(0.1)) return gen.junk();
  if (r.chance(0.05)) {
    const many = Array.from(
      { length: 2000 },
      () => [m.SOL_SOCKET, m.SCM_RIGHTS, new Int32Array([0])],
    );
    return { v: many, d: "2000 SCM_RIGHTS items" };
  }
  const items = Array.from({ length: r.range(1, 3) }, item);
  return { v: items.map((x) => x.v), d: `[${items.map((x) => x.d).join(", ")}]` };
}

function asyncOptions(): V {
  const r = rng;
  switch (r.int(10)) {
    case 0: {
      const ac = new AbortController();
      ac.abort(r.chance(0.5) ? new ProbeError("abort reason") : undefined);
      return { v: { signal: ac.signal }, d: "{signal: aborted}" };
    }
    case 1: {
      const ac = new AbortController();
      aborters.push(ac);
      setTimeout(() => ac.abort(), r.int(20));
      return { v: { signal: ac.signal }, d: "{signal: aborts soon}" };
    }
    case 2:
      return { v: { signal: null }, d: "{signal: null}" };
    case 3:
      return { v: { signal: {} }, d: "{signal: {}}" };
    case 4:
      return {
        v: {
          get signal() {
            throw new ProbeError("signal getter");
          },
        },
        d: "{get signal throws}",
      };
    case 5:
      return gen.junk();
    default:
      return { v: undefined, d: "" };
  }
}

function sockopt(): { level: V; opt: V } {
  const r = rng;
  const which = r.int(5);
  const lists = [SO, IP, IPV6, TCP, [...SO, ...IP]];
  const levels = [m.SOL_SOCKET, m.IPPROTO_IP, m.IPPROTO_IPV6, m.IPPROTO_TCP, m.IPPROTO_UDP];
  let opt = gen.int(() => (r.chance(0.8) ? r.pick(lists[which]) : r.int(100)), 0.85);
  if (!NETNS && UNSAFE_OPTS.has(opt.v as number)) opt = { v: m.SO_KEEPALIVE, d: "SO_KEEPALIVE" };
  return { level: gen.int(() => levels[which], 0.85), opt };
}

// ---- targets -----------------------------------------------------------------------------
interface Call {
  d: string;
  run: () => unknown;
  /** The call returns a Promise by contract: a synchronous throw is a violation. */
  async?: boolean;
  /** A web-stream operation: the streams' own state errors (closed, locked) are expected. */
  streamOp?: boolean;
  /** Checks the successful result; returns a violation message or null. */
  check?: (r: unknown) => string | null;
}
type Maker = () => Call | null;

const fmt = (name: string, args: V[]): string => `${name}(${args.map((a) => a.d).join(", ")})`;
const call = (
  name: string,
  fn: (...a: unknown[]) => unknown,
  args: V[],
  isAsync = false,
): Call => ({
  d: fmt(name, args),
  run: () => fn(...args.map((a) => a.v)),
  async: isAsync,
});

function pickSocket(): Socket | null {
  if (pool.length === 0) return null;
  const s = rng.pick(pool);
  target = s;
  return s;
}

/** Checks that a send-like result does not claim more than the data held. */
function sentAtMost(data: V): (r: unknown) => string | null {
  const tb = trueBytes(data.v);
  return (r) => {
    if (typeof r !== "number") return null;
    if (tb === null && r > 0) return `accepted a non-buffer (${data.d}) and sent ${r} bytes`;
    if (tb !== null && r > tb.length) return `sent ${r} bytes from a buffer of ${tb.length}`;
    return null;
  };
}

const moduleTargets: Record<string, Maker> = {
  socket: () => {
    const fam = gen.int(
      // (the families and flags a system lacks are undefined there: leave them out)
      () => rng.pick([m.AF_INET, m.AF_INET6, m.AF_UNIX, m.AF_NETLINK ?? 0, m.AF_PACKET ?? 0]),
      0.8,
    );
    const type = gen.int(
      () =>
        rng.pick([m.SOCK_STREAM, m.SOCK_DGRAM, m.SOCK_SEQPACKET, m.SOCK_RAW]) |
        (rng.chance(0.2) ? (m.SOCK_NONBLOCK ?? 0) | (m.SOCK_CLOEXEC ?? 0) : 0),
      0.8,
    );
    const proto = gen.int(() => 0, 0.8);
    const args = [fam, type, proto];
    if (rng.chance(0.15)) {
      if (detached.length && rng.chance(0.5)) {
        const fd = detached.pop()!;
        args.push({ v: fd, d: `detached fd ${fd}` });
        const c = call("socket", m.socket as never, args);
        return {
          ...c,
          run: () => {
            try {
              return c.run();
            } catch (e) {
              detached.push(fd);
              throw e;
            }
          },
        };
      }
      args.push(badFd());
    }
    return call(
      rng.chance(0.2) ? "new Socket" : "socket",
      rng.chance(0.2) ? ((...a: unknown[]) => new m.Socket(...(a as []))) : (m.socket as never),
      args,
    );
  },
  socketpair: () =>
    call("socketpair", m.socketpair as never, [
      gen.int(() => m.AF_UNIX, 0.8),
      gen.int(() => rng.pick([m.SOCK_STREAM, m.SOCK_DGRAM, m.SOCK_SEQPACKET]), 0.8),
      gen.int(() => 0, 0.9),
    ]),
  fromfd: () => {
    const s = pickSocket();
    const fd = s && rng.chance(0.7) ? { v: s.fileno(), d: `fileno ${s.fileno()}` } : badFd();
    return call("fromfd", m.fromfd as never, [
      fd,
      gen.int(() => s?.family ?? m.AF_INET, 0.8),
      gen.int(() => s?.type ?? m.SOCK_STREAM, 0.8),
      gen.int(() => 0, 0.9),
    ]);
  },
  close: () => {
    if (detached.length && rng.chance(0.5)) {
      const fd = detached.pop()!;
      return call("close", m.close as never, [{ v: fd, d: `detached fd ${fd}` }]);
    }
    return call("close", m.close as never, [badFd()]);
  },
  fromshare: () => call("fromshare", m.fromshare as never, [gen.bytes()]),
  dup: () => {
    const s = pickSocket();
    const fd = s && rng.chance(0.7) ? { v: s.fileno(), d: `fileno ${s.fileno()}` } : badFd();
    const c = call("dup", (m as unknown as { dup: (fd: number) => number }).dup as never, [fd]);
    c.check = (r) => {
      if (typeof r === "number" && r >= 0) detached.push(r); // closed at the end of the batch
      return null;
    };
    return c;
  },
  getdefaulttimeout: () => call("getdefaulttimeout", m.getdefaulttimeout as never, []),
  setdefaulttimeout: () => call("setdefaulttimeout", m.setdefaulttimeout as never, [timeoutArg()]),
  create_connection: () => {
    const fam = rng.pick([m.AF_INET, m.AF_INET6]);
    const args = [address(fam), timeoutArg()];
    if (rng.chance(0.3)) args.push(address(fam));
    if (rng.chance(0.2)) {
      args.push(rng.chance(0.5) ? { v: { all_errors: true }, d: "{all_errors}" } : gen.junk());
    }
    return call("create_connection", m.create_connection as never, args);
  },
  create_server: () => {
    const fam = rng.pick([m.AF_INET, m.AF_INET6, m.AF_UNIX]);
    const opts: V = rng.chance(0.5)
      ? {
        v: {
          family: fam,
          backlog: rng.pick([null, 0, 5, -1, 2 ** 31]),
          reuse_port: rng.chance(0.3),
          dualstack_ipv6: rng.chance(0.3),
        },
        d: "{family, backlog, ...}",
      }
      : gen.junk();
    return call("create_server", m.create_server as never, [address(fam), opts]);
  },
  has_dualstack_ipv6: () => call("has_dualstack_ipv6", m.has_dualstack_ipv6 as never, []),
  getaddrinfo: () => resolverCall("getaddrinfo", false),
  getnameinfo: () => resolverCall("getnameinfo", false),
  gethostbyname: () => resolverCall("gethostbyname", false),
  gethostbyname_ex: () => resolverCall("gethostbyname_ex", false),
  gethostbyaddr: () => resolverCall("gethostbyaddr", false),
  getfqdn: () => resolverCall("getfqdn", false),
  gethostname: () => call("gethostname", m.gethostname as never, []),
  sethostname: () => {
    // only inside our own UTS namespace may a valid name reach the kernel
    if (!NETNS && Deno.uid() === 0) return null;
    return call("sethostname", m.sethostname as never, [
      rng.chance(0.5) ? gen.str(() => `fz${rng.int(100)}`) : gen.bytes(),
    ]);
  },
  getprotobyname: () =>
    call("getprotobyname", m.getprotobyname as never, [
      gen.str(() => rng.pick(["tcp", "udp", "icmp", "nope"])),
    ]),
  getservbyname: () =>
    call("getservbyname", m.getservbyname as never, [
      gen.str(() => rng.pick(["http", "ssh", "nope"])),
      rng.chance(0.5) ? gen.str(() => rng.pick(["tcp", "udp"])) : { v: undefined, d: "" },
    ]),
  getservbyport: () =>
    call("getservbyport", m.getservbyport as never, [
      gen.int(() => rng.pick([22, 80, 0, 65535])),
      rng.chance(0.5) ? gen.str(() => "tcp") : { v: null, d: "null" },
    ]),
  htonl: () => call("htonl", m.htonl as never, [gen.int(() => rng.u32())]),
  htons: () => call("htons", m.htons as never, [gen.int(() => rng.int(65536))]),
  ntohl: () => call("ntohl", m.ntohl as never, [gen.int(() => rng.u32())]),
  ntohs: () => call("ntohs", m.ntohs as never, [gen.int(() => rng.int(65536))]),
  inet_aton: () =>
    call("inet_aton", m.inet_aton as never, [
      gen.str(() => rng.pick(["127.0.0.1", "1.2.3", "0x7f.1", "256.1.1.1"])),
    ]),
  inet_ntoa: () => call("inet_ntoa", m.inet_ntoa as never, [gen.bytes(8)]),
  inet_ntop: () =>
    call("inet_ntop", m.inet_ntop as never, [
      gen.int(() => rng.pick([m.AF_INET, m.AF_INET6])),
      gen.bytes(20),
    ]),
  inet_pton: () =>
    call("inet_pton", m.inet_pton as never, [
      gen.int(() => rng.pick([m.AF_INET, m.AF_INET6])),
      gen.str(() => rng.pick(["::1", "127.0.0.1", "1::2::3", "::ffff:1.2.3.4"])),
    ]),
  if_indextoname: () =>
    call("if_indextoname", m.if_indextoname as never, [gen.int(() => rng.range(0, 3))]),
  if_nameindex: () => call("if_nameindex", m.if_nameindex as never, []),
  if_nametoindex: () =>
    call("if_nametoindex", m.if_nametoindex as never, [
      rng.chance(0.7) ? gen.str(() => rng.pick(["lo", "eth0", "x".repeat(16)])) : gen.bytes(20),
    ]),
  CMSG_LEN: () => call("CMSG_LEN", m.CMSG_LEN as never, [gen.int(() => rng.int(1000))]),
  CMSG_SPACE: () => call("CMSG_SPACE", m.CMSG_SPACE as never, [gen.int(() => rng.int(1000))]),
  send_fds: () => {
    const s = pickSocket();
    const fds: V = rng.chance(0.7)
      ? (() => {
        const l = Array.from(
          { length: rng.range(0, 3) },
          () => (pool.length ? rng.pick(pool).fileno() : 0),
        );
        return { v: l, d: `fds [${l}]` };
      })()
      : rng.chance(0.5)
      ? { v: [-1, 2 ** 31, 1.5], d: "bad fds" }
      : gen.junk();
    const data = gen.buffers();
    const args: V[] = [{ v: s, d: sockName(s) }, data, fds];
    if (rng.chance(0.3)) args.push(flags());
    return call("send_fds", m.send_fds as never, args);
  },
  recv_fds: () => {
    const s = pickSocket();
    return call("recv_fds", m.recv_fds as never, [
      rng.chance(0.95) ? { v: s, d: sockName(s) } : gen.junk(),
      size(),
      gen.int(() => rng.range(0, 8)),
      flags(),
    ]);
  },
  "new SocketError": () => {
    const a = [gen.int(() => rng.int(200)), gen.str(() => "msg"), gen.str(() => "connect")];
    return call(
      "new SocketError",
      (...x: unknown[]) => new m.SocketError(...(x as [number, string, string])),
      a,
    );
  },
  "AddressFamily[n]": () => {
    // a property key: JavaScript itself converts it (an object without toString fails there)
    const n = rng.chance(0.7)
      ? { v: rng.int(50), d: "n" }
      : { v: rng.pick([-1, 2 ** 31, NaN, "AF_INET", "__proto__", "constructor"]), d: "key" };
    return {
      d: `AddressFamily[${n.d}]`,
      run: () => (m.AddressFamily as Record<PropertyKey, unknown>)[n.v as number],
    };
  },
};

/** Arguments for a function or method without a maker of its own: a few of anything. */
function genericArgs(): V[] {
  return Array.from({ length: rng.int(5) }, () =>
    rng.pick([
      () => gen.int(() => rng.pick([0, 1, 2, 16, 1024])),
      () => gen.bytes(),
      () => gen.str(() => "lo"),
      () => gen.junk(),
      () => address(m.AF_INET),
    ])());
}

/** Function exports of mod.ts that have no maker above: called with generic arguments. */
const genericExports: [string, (...a: unknown[]) => unknown][] = Object.entries(m)
  .filter(([name, v]) =>
    typeof v === "function" && !/^[A-Z][A-Z0-9_]*$/.test(name) && !(name in moduleTargets) &&
    !["Socket", "SocketAsync", "SocketType", "SocketIO"].includes(name)
  )
  .map(([name, v]) => {
    const f = v as (...a: unknown[]) => unknown;
    const isClass = /^class\b/.test(Function.prototype.toString.call(f));
    return [name, isClass ? (...a: unknown[]) => Reflect.construct(f, a) : f];
  });

function badFd(): V {
  const v = rng.pick([
    -1,
    -2,
    -(2 ** 31),
    -(2 ** 31) - 1,
    2 ** 31,
    2 ** 32,
    2 ** 53,
    1e6,
    1.5,
    NaN,
    Infinity,
    -0,
  ]);
  if (rng.chance(0.8)) return { v, d: Object.is(v, -0) ? "-0" : String(v) };
  // never a plain number that could be a descriptor of this process (Deno's own epoll
  // descriptor is 3): closing or adopting one of those is the caller's fault, not a finding
  const j = gen.junk();
  const n = j.v;
  return typeof n === "number" && Number.isInteger(n) && n >= 0 && n < 1e6 ? { v: -1, d: "-1" } : j;
}

function resolverHost(): V {
  if (!NETNS) {
    // outside our own namespace: numeric hosts only (no lookup can leave the machine)
    if (rng.chance(0.3)) return gen.junkNonString();
    const h = rng.pick(["127.0.0.1", "::1", "0.0.0.0", "127.1"]);
    return { v: h, d: JSON.stringify(h) };
  }
  return rng.chance(0.6) ? host4() : rng.chance(0.5) ? host6() : gen.junk();
}

function resolverCall(name: string, isAsync: boolean): Call | null {
  const ns = isAsync
    ? (m.async as unknown as Record<string, (...a: unknown[]) => unknown>)
    : (m as unknown as Record<string, (...a: unknown[]) => unknown>);
  const fn = ns[name].bind(ns);
  let args: V[];
  switch (name) {
    case "getaddrinfo":
      args = [
        resolverHost(),
        rng.chance(0.7)
          ? gen.int(() => rng.pick([0, 80, 65535]))
          : gen.str(() => rng.pick(["http", "80", "nope"])),
        gen.int(() => rng.pick([0, m.AF_INET, m.AF_INET6, m.AF_UNIX])),
        gen.int(() => rng.pick([0, m.SOCK_STREAM, m.SOCK_DGRAM])),
        gen.int(() => 0),
        // outside our own namespace: always numeric (a flags value that is not a valid
        // integer could be read as 0 by a faulty check, and 0 may look a name up)
        NETNS ? gen.int(() => rng.pick(AI)) : {
          v: m.AI_NUMERICHOST | (rng.chance(0.5) ? m.AI_PASSIVE : 0),
          d: "AI_NUMERICHOST",
        },
      ];
      break;
    case "getnameinfo": {
      const fam = rng.pick([m.AF_INET, m.AF_INET6]);
      const a = NETNS
        ? address(fam)
        : { v: [fam === m.AF_INET ? "127.0.0.1" : "::1", 80], d: "numeric" };
      // outside our own namespace: NI_NUMERICHOST always (a reverse lookup of ::1 or 0.0.0.0
      // that /etc/hosts does not answer goes to the DNS server)
      args = [
        a,
        NETNS ? gen.int(() => rng.pick([0, ...NI])) : {
          v: m.NI_NUMERICHOST | m.NI_NUMERICSERV,
          d: "NI_NUMERICHOST|NI_NUMERICSERV",
        },
      ];
      break;
    }
    case "getfqdn":
      if (!NETNS) return null;
      args = rng.chance(0.3) ? [] : [host4()];
      break;
    case "gethostbyaddr":
      if (!NETNS) return null;
      args = [resolverHost()];
      break;
    default:
      args = [resolverHost()];
  }
  if (isAsync) {
    while (args.length < { getaddrinfo: 6, getnameinfo: 2, getfqdn: 1 }[name as "getfqdn"]!) {
      args.push({ v: undefined, d: "undefined" });
    }
    args.push(asyncOptions());
  }
  return call(`${isAsync ? "async." : ""}${name}`, fn, args, isAsync);
}

function sockName(s: Socket | null): string {
  if (s === null) return "null";
  try {
    return `s${s.fileno()}(${m.AddressFamily[s.family] ?? s.family}/${
      m.SocketKind[s.type] ?? s.type
    })`;
  } catch {
    return "s(closed)";
  }
}

/** Methods shared by Socket and SocketAsync, with their argument makers. */
function methodArgs(s: Socket, name: string): V[] | null {
  const fam = s.family;
  switch (name) {
    case "accept":
    case "close":
    case "detach":
    case "dup":
    case "fileno":
    case "get_inheritable":
    case "getpeername":
    case "getsockname":
    case "gettimeout":
    case "getblocking":
    case "toString":
      return [];
    case "bind":
    case "connect":
    case "connect_ex":
      return [address(fam)];
    case "set_inheritable":
    case "setblocking":
      return [rng.chance(0.8) ? { v: rng.chance(0.5), d: "bool" } : gen.junk()];
    case "settimeout":
      return [timeoutArg()];
    case "getsockopt": {
      const o = sockopt();
      const a = [o.level, o.opt];
      if (rng.chance(0.5)) a.push(gen.int(() => rng.pick([0, 1, 4, 16, 256, 1024]), 0.7));
      return a;
    }
    case "setsockopt": {
      const o = sockopt();
      const val = rng.chance(0.5) ? gen.int(() => rng.pick([0, 1, 4096])) : gen.bytes(16);
      const a = [o.level, o.opt, val];
      if (rng.chance(0.15)) {
        a.splice(
          2,
          1,
          { v: null, d: "null" },
          gen.int(() => rng.pick([0, 4, 16])),
        );
      }
      return a;
    }
    case "listen":
      return rng.chance(0.3) ? [] : [gen.int(() => rng.pick([0, 1, 128]))];
    case "shutdown":
      return [gen.int(() => rng.pick([m.SHUT_RD, m.SHUT_WR, m.SHUT_RDWR]), 0.8)];
    case "recv":
    case "recvfrom":
      return [size(), flags()];
    case "recv_into":
    case "recvfrom_into":
      return [gen.intoBuffer(), gen.int(() => rng.pick([0, 1, 8, 64, 4096])), flags()];
    case "recvmsg":
      return [
        size(),
        gen.int(() => rng.pick([0, 16, m.CMSG_SPACE(4), m.CMSG_SPACE(16), 4096])),
        flags(),
      ];
    case "recvmsg_into":
      return [gen.buffers(true), gen.int(() => rng.pick([0, m.CMSG_SPACE(4), 4096])), flags()];
    case "send":
    case "sendall":
      return [gen.bytes(), flags()];
    case "sendto":
      return rng.chance(0.5) ? [gen.bytes(), address(fam)] : [gen.bytes(), flags(), address(fam)];
    case "sendmsg": {
      const a = [gen.buffers(), ancdata()];
      if (rng.chance(0.6)) a.push(flags());
      if (rng.chance(0.4)) a.push(address(fam));
      return a;
    }
    case "sendfile": {
      const f: V = rng.chance(0.7)
        ? { v: sendfileFile, d: "FsFile" }
        : rng.chance(0.5)
        ? badFd()
        : gen.junk();
      return [
        f,
        gen.int(() => rng.pick([0, 1, 69999, 70000, 80000])),
        rng.chance(0.5) ? gen.int(() => rng.pick([0, 1, 100, 65536])) : { v: null, d: "null" },
      ];
    }
    case "makefile": {
      const mode = gen.str(() => rng.pick(["r", "w", "rw", "rb", "wb", "rwb", "br", "b", ""]));
      const a: V[] = [mode];
      if (rng.chance(0.6)) a.push(gen.int(() => rng.pick([-1, 0, 1, 16, 8192, 2 ** 53 - 1]), 0.7));
      if (rng.chance(0.4)) {
        let n = 0;
        a.push(rng.pick<V>([
          {
            v: {
              encoding: rng.pick(["utf-8", "latin-1", "utf-16-le", "nope", null]),
              errors: rng.pick(["strict", "replace", "nope", null]),
              newline: rng.pick([null, "", "\n", "\r\n", "x"]),
            },
            d: "{encoding, errors, newline}",
          },
          {
            v: {
              get encoding() {
                return n++ === 0 ? "utf-8" : 5;
              },
            },
            d: "{encoding getter changes}",
          },
          {
            v: {
              get newline() {
                throw new ProbeError("newline getter");
              },
            },
            d: "{newline getter throws}",
          },
          gen.junk(),
        ]));
      }
      return a;
    }
    case "ioctl":
      return [gen.int(() => 0), gen.junk()];
    case "share":
      return [gen.int(() => 1)];
    default:
      return null;
  }
}

const SYNC_METHODS = Object.getOwnPropertyNames(m.Socket.prototype).filter((n) =>
  n !== "constructor" &&
  typeof Object.getOwnPropertyDescriptor(m.Socket.prototype, n)!.value === "function"
);
const ASYNC_METHODS = Object.getOwnPropertyNames(m.SocketAsync.prototype).filter((n) =>
  n !== "constructor" &&
  typeof Object.getOwnPropertyDescriptor(m.SocketAsync.prototype, n)!.value === "function"
);

function socketCall(isAsync: boolean): Call | null {
  const s = pickSocket();
  if (s === null) return null;
  const name = rng.pick(isAsync ? ASYNC_METHODS : SYNC_METHODS);
  // a method added to Socket since the makers were written still gets called, generically
  const args = methodArgs(s, name) ?? genericArgs();
  if (isAsync && rng.chance(0.7)) args.push(asyncOptions());
  const label = `${sockName(s)}.${isAsync ? "async." : ""}${name}`;
  const recv = isAsync ? s.async : s;
  const fn = (recv as unknown as Record<string, (...a: unknown[]) => unknown>)[name].bind(recv);
  const c = call(label, fn, args, isAsync);
  if (/^send(to|msg)?$/.test(name)) {
    const data = name === "sendmsg" ? null : args[0];
    if (data) c.check = sentAtMost(data);
  }
  if (/^recv(from)?_into$/.test(name)) c.check = canaryCheck(args[0]);
  if (name === "detach") {
    c.check = (r) => {
      if (typeof r === "number" && r >= 0) detached.push(r);
      return null;
    };
  }
  return c;
}

function canaryCheck(
  buf: V & { canary?: { ab: ArrayBuffer; start: number; end: number } },
): (r: unknown) => string | null {
  return (r) => {
    const c = buf.canary;
    if (!c || c.ab.detached) return null;
    const all = new Uint8Array(c.ab);
    for (let i = 0; i < all.length; i++) {
      if ((i < c.start || i >= c.end) && all[i] !== 0xa5) {
        return `wrote outside the view: byte ${i} of its buffer (view ${c.start}..${c.end}), result ${
          JSON.stringify(r)
        }`;
      }
    }
    if (typeof r === "number" && r > c.end - c.start) {
      return `claims ${r} bytes into a ${c.end - c.start}-byte view`;
    }
    return null;
  };
}

function fileCall(): Call | null {
  if (files.length === 0) return null;
  const { f, text } = rng.pick(files);
  const names = Object.getOwnPropertyNames(Object.getPrototypeOf(f)).filter((n) =>
    n !== "constructor"
  );
  const name = rng.pick(names);
  const desc = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(f), name)!;
  if (desc.get) return { d: `file.${name}`, run: () => (f as Record<string, unknown>)[name] };
  let args: V[] = [];
  switch (name) {
    case "read":
    case "read1":
    case "peek":
    case "readline":
    case "readlines":
      args = rng.chance(0.3) ? [] : [gen.int(() => rng.pick([-1, 0, 1, 10, 100]))];
      break;
    case "readinto":
    case "readinto1":
      args = [gen.intoBuffer()];
      break;
    case "write":
      args = [text && rng.chance(0.7) ? gen.str(() => "line\n") : gen.bytes()];
      break;
    case "writelines":
      args = [text ? { v: ["a\n", "b"], d: "[strs]" } : gen.buffers()];
      break;
  }
  const c = call(`file.${name}`, (f[name] as (...a: unknown[]) => unknown).bind(f), args);
  if (name === "write" && !text) c.check = sentAtMost(args[0]);
  if (name.startsWith("readinto")) c.check = canaryCheck(args[0]);
  return c;
}

function streamCall(): Call | null {
  const s = pickSocket();
  if (s === null) return null;
  switch (rng.int(5)) {
    case 0:
    case 1:
      return {
        d: `${sockName(s)}.readable read`,
        async: false,
        streamOp: true,
        run: async () => {
          const rd = s.readable.getReader();
          try {
            return await Promise.race([rd.read(), new Promise((r) => setTimeout(r, 10))]);
          } finally {
            rd.releaseLock();
          }
        },
      };
    case 2: {
      const chunk = gen.bytes();
      return {
        d: `${sockName(s)}.writable write(${chunk.d})`,
        streamOp: true,
        run: async () => {
          const w = s.writable.getWriter();
          try {
            await Promise.race([
              w.write(chunk.v as Uint8Array),
              new Promise((r) => setTimeout(r, 10)),
            ]);
          } finally {
            w.releaseLock();
          }
        },
      };
    }
    case 3:
      return {
        d: `${sockName(s)}.readable.cancel()`,
        run: () => s.readable.cancel(),
        streamOp: true,
      };
    default:
      return {
        d: `${sockName(s)}.writable.close()`,
        run: () => s.writable.close(),
        streamOp: true,
      };
  }
}

/** Names what a scenario is about to do, for the log and for a hang report. */
function say(desc: string): void {
  currentDesc = desc;
  out(`C ${current} ${desc}`);
}

/** Closes each socket, whatever the others do (a failing close() is counted, not fatal). */
function closeAll(...socks: Socket[]): void {
  for (const s of socks) {
    try {
      s.close();
    } catch (e) {
      classify(e, current, `${currentDesc} (close)`);
    }
  }
}

// ---- scenarios for the contract items the exception counts cannot see ----------------
const scenarios: Record<string, () => Promise<string | null> | string | null> = {
  // item 2: a lying length must not send bytes beyond the buffer
  async sendallLying(): Promise<string | null> {
    const [a, b] = m.socketpair();
    try {
      const data = rng.chance(0.7) ? gen.lyingBytes(48) : gen.bytes(48);
      const tb = trueBytes(data.v);
      const how = rng.pick([
        "sendall",
        "send",
        "sendmsg",
        "async.sendall",
        "async.send",
        "async.sendmsg",
        "makefile(wb).write",
        "makefile(wb,0).write",
        "writable.write",
        "send_fds",
      ]);
      say(`scenario sendallLying: ${how}(${data.d})`);
      let ok = true;
      const d = data.v as Uint8Array;
      try {
        switch (how) {
          case "sendall":
            a.sendall(d);
            break;
          case "send":
            a.send(d);
            break;
          case "sendmsg":
            a.sendmsg([d]);
            break;
          case "async.sendall":
            await a.async.sendall(d);
            break;
          case "async.send":
            await a.async.send(d);
            break;
          case "async.sendmsg":
            await a.async.sendmsg([d]);
            break;
          case "makefile(wb).write": {
            const f = a.makefile("wb");
            try {
              f.write(d);
              f.flush();
            } finally {
              f.close();
            }
            break;
          }
          case "makefile(wb,0).write": {
            const f = a.makefile("wb", 0);
            try {
              f.write(d);
            } finally {
              f.close();
            }
            break;
          }
          case "writable.write": {
            const w = a.writable.getWriter();
            try {
              await w.write(d);
            } finally {
              w.releaseLock();
            }
            break;
          }
          default:
            m.send_fds(a, [d], []);
        }
      } catch (e) {
        ok = false;
        classify(e, current, currentDesc);
      }
      // a partial send (send, sendmsg) may send less: only bytes beyond the buffer are wrong
      const partial = /^(async\.)?send(msg)?$|send_fds|makefile\(wb,0\)/.test(how);
      b.setblocking(false);
      const got: number[] = [];
      try {
        for (;;) got.push(...b.recv(1 << 16));
      } catch { /* drained */ }
      if (ok && tb === null && got.length > 0) {
        return `accepted a non-buffer and sent ${got.length} bytes`;
      }
      if (ok && tb !== null && (partial ? got.length > tb.length : got.length !== tb.length)) {
        return `peer got ${got.length} bytes of a ${tb.length}-byte buffer`;
      }
      if (tb !== null && got.some((x, i) => x !== tb[i])) {
        return `peer got bytes that were not in the buffer`;
      }
      return null;
    } finally {
      closeAll(a, b);
    }
  },
  // item 3: one result's buffer must not be shared with another's
  async resultsIndependent(): Promise<string | null> {
    const [a, b] = m.socketpair(m.AF_UNIX, m.SOCK_DGRAM);
    try {
      a.send(new Uint8Array([1, 2, 3]));
      a.send(new Uint8Array([4, 5, 6]));
      const useAsync = rng.chance(0.5);
      const r1 = useAsync ? await b.async.recv(10) : b.recv(10);
      const r2 = useAsync
        ? await b.async.recv(10)
        : rng.chance(0.5)
        ? b.recv(10)
        : b.recvfrom(10)[0];
      say(`scenario resultsIndependent (${useAsync ? "async" : "sync"})`);
      if (r1.buffer === r2.buffer) return "two recv results share one ArrayBuffer";
      (r1.buffer as ArrayBuffer).transfer();
      if (r2.length !== 3 || r2[0] !== 4) {
        return `transferring one result's buffer changed another (now ${r2.length} bytes)`;
      }
      return null;
    } finally {
      closeAll(a, b);
    }
  },
  // item 8: the sendto address cache must not follow a live user object
  async sendtoCache(): Promise<string | null> {
    const fresh = (): [Socket, number] => {
      const r = m.socket(m.AF_INET, m.SOCK_DGRAM);
      r.bind(["127.0.0.1", 0]);
      r.setblocking(false);
      return [r, (r.getsockname() as [string, number])[1]];
    };
    const [r1, p1] = fresh();
    const [r2, p2] = fresh();
    const u = m.socket(m.AF_INET, m.SOCK_DGRAM);
    const drain = (r: Socket): number[] => {
      const got: number[] = [];
      try {
        for (;;) got.push(r.recv(10)[0]);
      } catch { /* drained */ }
      return got;
    };
    try {
      let n = 0;
      const live = ["127.0.0.1"];
      Object.defineProperty(live, 1, { get: () => (n++ < 1 ? p1 : p2) });
      const first = rng.chance(0.5) ? live : new Proxy(["127.0.0.1", p1], {});
      say("scenario sendtoCache: sendto(getter or Proxy address), then sendto([127.0.0.1, p2])");
      try {
        u.sendto(new Uint8Array([1]), first);
      } catch (e) {
        classify(e, current, currentDesc);
      }
      u.sendto(new Uint8Array([2]), ["127.0.0.1", p2]);
      await new Promise((r) => setTimeout(r, 5));
      const at1 = drain(r1), at2 = drain(r2);
      if (at1.includes(2) || !at2.includes(2)) {
        return `the plain sendto to port 2 went elsewhere (port 1 got ${at1}, port 2 got ${at2})`;
      }
      return null;
    } finally {
      closeAll(u, r1, r2);
    }
  },
  // item 1: a socket dropped with a pending async recv must not steal a later socket's data
  async droppedPending(): Promise<string | null> {
    say("scenario droppedPending: drop a socket with a pending async.recv, gc, reuse its number");
    const ac = new AbortController();
    aborters.push(ac);
    let oldFd = -1;
    let keep: Socket | null = null;
    (() => {
      const [a, b] = m.socketpair();
      oldFd = a.fileno();
      dropped.push(new WeakRef(a)); // judged at teardown as any dropped socket
      const p = a.async.recv(10, 0, { signal: ac.signal });
      p.catch(() => {});
      keep = b; // the peer stays open, so the recv stays pending
      // a is dropped without close
    })();
    for (let i = 0; i < 3; i++) {
      gc();
      await new Promise((r) => setTimeout(r, 1));
    }
    const [c, d] = m.socketpair();
    try {
      const p = c.async.recv(10);
      d.send(new Uint8Array([9]));
      const r = await Promise.race([
        p,
        new Promise((res) => setTimeout(() => res("timeout"), 500)),
      ]);
      if (r === "timeout") {
        return `new socket (fd ${c.fileno()}, old fd ${oldFd}) never received its data`;
      }
      return null;
    } finally {
      // whatever happened above: end the dropped socket's call, close the rest
      ac.abort();
      const peer = keep as Socket | null;
      if (peer !== null) closeAll(peer);
      closeAll(c, d);
    }
  },
  // item 7: a makefile() that fails must not keep the descriptor open after close()
  makefileFailLeak(): string | null {
    const [a, b] = m.socketpair();
    const fd = a.fileno();
    const buffering = rng.pick([2 ** 53 - 1, 2 ** 31, -5, 1.5]);
    say(`scenario makefileFailLeak: makefile("rb", ${buffering}) then close()`);
    try {
      a.makefile("rb", buffering as 0);
    } catch (e) {
      classify(e, current, currentDesc);
      a.close();
      b.close();
      if (fdOpen(fd)) {
        // number possibly reused by someone else? only our own sockets are created here
        return `descriptor ${fd} still open after close()`;
      }
      return null;
    }
    a.close();
    b.close();
    return null;
  },
  // item 6: async functions report argument errors as rejections, never synchronous throws
  async asyncNeverThrows(): Promise<string | null> {
    const name = rng.pick([
      "getaddrinfo",
      "getnameinfo",
      "gethostbyname",
      "gethostbyname_ex",
      "gethostbyaddr",
      "getfqdn",
      "create_connection",
    ]);
    const opts = asyncOptions();
    say(`scenario asyncNeverThrows: async.${name}(127.0.0.1…, ${opts.d})`);
    const fn = (m.async as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[name];
    const args: unknown[] = name === "getnameinfo"
      ? [["127.0.0.1", 80], m.NI_NUMERICHOST]
      : name === "create_connection"
      ? [["127.0.0.1", ports.tcp4], 1, null]
      : name === "getaddrinfo"
      ? ["127.0.0.1", 80, 0, 0, 0, 0]
      : ["127.0.0.1"];
    let p: Promise<unknown>;
    try {
      p = fn.call(m.async, ...args, opts.v);
    } catch (e) {
      return `threw synchronously: ${(e as Error)?.message}`;
    }
    try {
      const r = await p;
      if (r instanceof m.Socket) r.close();
    } catch (e) {
      classify(e, current, currentDesc);
    }
    return null;
  },
};

/** The defects the self-test plants: each must be counted in its own category. */
const keepAlive: unknown[] = [];
function planted(kind: string): Call {
  const d = `selftest ${kind}`;
  switch (kind) {
    case "crash": // a read through a bad pointer: SIGSEGV
      return {
        d,
        run: () => new Deno.UnsafePointerView(Deno.UnsafePointer.create(8n)!).getUint8(),
      };
    case "hang":
      return {
        d,
        run: () => {
          for (;;) { /* spins */ }
        },
      };
    case "leak": // a library socket kept reachable and never closed
      return { d, run: () => void keepAlive.push(m.socket(m.AF_INET, m.SOCK_DGRAM)) };
    case "untyped": // V8's own TypeError
      return { d, run: () => (null as unknown as { x: number }).x };
    case "unhandled":
      return { d, run: () => void Promise.reject(new Error("planted")) };
    case "stuck": // an async call that never settles
      return { d, async: true, run: () => new Promise(() => {}) };
    case "syncthrow":
      return {
        d,
        async: true,
        run: () => {
          throw new RangeError("planted");
        },
      };
    default: // "typed": the library's kind of error
      return {
        d,
        run: () => {
          throw new TypeError("planted");
        },
      };
  }
}

// ---- the batch -------------------------------------------------------------------------------
function chooseCall(): Call | null {
  let kind = rng.weighted<string>([
    [30, "module"],
    [40, "sync"],
    [20, "async"],
    [6, "async-module"],
    [8, "file"],
    [5, "stream"],
    [3, "drop"],
    [3, "closeMidAsync"],
  ]);
  if (KINDS !== null && !KINDS.includes(kind)) kind = KINDS[rng.int(KINDS.length)];
  switch (kind) {
    case "module": {
      if (!ONLY && genericExports.length > 0 && rng.chance(0.12)) {
        const [name, f] = rng.pick(genericExports);
        return call(name, f, genericArgs());
      }
      const names = Object.keys(moduleTargets);
      const n = rng.pick(
        ONLY ? names.filter((x) => ONLY.includes(x)) : names,
      );
      return moduleTargets[n]();
    }
    case "sync":
      return socketCall(false);
    case "async":
      return socketCall(true);
    case "async-module":
      return resolverCall(
        rng.pick([
          "getaddrinfo",
          "getnameinfo",
          "gethostbyname",
          "gethostbyname_ex",
          "gethostbyaddr",
          "getfqdn",
        ]),
        true,
      );
    case "file":
      return fileCall();
    case "stream":
      return streamCall();
    case "drop": {
      // a socket dropped without close(): the finalizer must close it
      const i = rng.int(pool.length);
      if (pool.length < 4) return null;
      const s = pool[i];
      return {
        d: `drop ${sockName(s)} without close`,
        run: () => {
          if (s.async.pending > 0 || receivers.includes(s)) return;
          pool.splice(pool.indexOf(s), 1);
          everySocket.delete(s);
          dropped.push(new WeakRef(s));
          const fd = s.fileno();
          if (fd >= 0) {
            creators.set(fd, `${creators.get(fd)}, dropped without close at #${current}`);
          }
        },
      };
    }
    default: {
      // an async call, then the socket closed while it is pending
      const s = pickSocket();
      if (s === null) return null;
      const name = rng.pick(["recv", "accept", "recvfrom", "recvmsg", "sendall"]);
      return {
        d: `${sockName(s)}.async.${name} then close()`,
        async: true,
        run: () => {
          const fn =
            (s.async as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[name]
              .bind(s.async);
          const p = name === "sendall"
            ? fn(new Uint8Array(1 << 20))
            : name === "accept"
            ? fn()
            : fn(100);
          if (rng.chance(0.5)) s.close();
          else queueMicrotask(() => s.close());
          return p;
        },
      };
    }
  }
}

function absorb(r: unknown, desc: string): void {
  if (r instanceof m.Socket) return track(r);
  if (Array.isArray(r)) {
    for (const x of r) if (x instanceof m.Socket) track(x);
    // recvmsg: [data, ancdata, flags, address]; recv_fds: [data, fds, flags, address]: close
    // the descriptors received (only for those calls: other results hold plain numbers)
    const receives = /(^|\.)(recv_fds|recvmsg|recvmsg_into)\(/.test(desc);
    if (receives && r.length === 4 && Array.isArray(r[1])) {
      for (const a of r[1]) {
        if (typeof a === "number") libc.close(a);
        else if (
          Array.isArray(a) && a[0] === m.SOL_SOCKET && a[1] === m.SCM_RIGHTS &&
          a[2] instanceof Uint8Array
        ) {
          const b = a[2] as Uint8Array;
          const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
          for (let i = 0; i + 4 <= b.byteLength; i += 4) libc.close(dv.getInt32(i, true));
        }
      }
    }
  }
  if (
    r !== null && typeof r === "object" && "closed" in r && "mode" in r &&
    typeof (r as { close?: unknown }).close === "function"
  ) {
    files.push({ f: r as never, text: !String((r as { mode: string }).mode).includes("b") });
  }
}

function resetTimeouts(): void {
  for (const s of pool) {
    try {
      s.settimeout(0.02);
    } catch { /* closed */ }
  }
  try {
    m.setdefaulttimeout(0.05);
  } catch { /* ignore */ }
}

async function runOne(i: number, c: Call): Promise<void> {
  current = i;
  currentDesc = c.d;
  out(`C ${i} ${c.d}`);
  stats.calls++;
  let r: unknown;
  try {
    r = c.run();
  } catch (e) {
    if (c.async) {
      stats.syncThrows++;
      find(
        "sync-throw",
        `async API threw synchronously: ${(e as Error)?.name}: ${(e as Error)?.message}`,
      );
    }
    classify(e, i, c.d, false, c.streamOp);
    return;
  }
  if (r instanceof Promise) {
    const desc = c.d;
    const settled = r.then(
      (v) => {
        stats.ok++;
        post(v, c, i, desc);
      },
      (e) => classify(e, i, desc, true, c.streamOp),
    );
    pending.add(settled);
    settled.finally(() => pending.delete(settled));
    let t: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([settled, new Promise((res) => (t = setTimeout(res, 20)))]);
    clearTimeout(t);
    return;
  }
  stats.ok++;
  post(r, c, i, c.d);
}

function post(r: unknown, c: Call, i: number, desc: string): void {
  try {
    const v = c.check?.(r) ?? null;
    if (v !== null) {
      stats.violations++;
      find("violation", v, i, desc);
    }
    absorb(r, desc);
  } catch (e) {
    stats.fuzzerErrors++;
    find("fuzzer", `post-processing: ${(e as Error)?.stack}`, i, desc);
  }
}

async function main(): Promise<void> {
  // warm up what the library opens once per process (the reactor, the resolver's threads)
  {
    const [a, b] = m.socketpair();
    const p = a.async.recv(1);
    b.send(new Uint8Array([1]));
    await p;
    await a.async.send(new Uint8Array([1]));
    a.close();
    b.close();
    await m.async.getaddrinfo("127.0.0.1", 80, 0, 0, 0, m.AI_NUMERICHOST).catch(() => {});
    gc();
    await new Promise((r) => setTimeout(r, 5));
  }
  const before = fdTable();
  setup();
  const skip = Deno.env.get("FUZZ_SKIP")?.split(",") ?? [];
  const scenarioNames = Object.keys(scenarios).filter((n) => !skip.includes(n));
  for (let i = 0; i < CALLS; i++) {
    resetTimeouts();
    target = null;
    if (scenarioNames.length > 0 && rng.chance(0.03)) {
      const name = rng.pick(scenarioNames);
      current = i;
      currentDesc = `scenario ${name}`;
      out(`C ${i} scenario ${name}`);
      stats.calls++;
      try {
        const v = await scenarios[name]();
        if (v !== null) {
          stats.violations++;
          find("violation", v);
        }
      } catch (e) {
        classify(e, i, currentDesc);
      }
      continue;
    }
    let c: Call | null;
    try {
      c = chooseCall();
    } catch (e) {
      stats.fuzzerErrors++;
      find("fuzzer", `making arguments: ${(e as Error)?.stack}`, i, "(argument generation)");
      continue;
    }
    if (c === null) {
      i--;
      continue;
    }
    await runOne(i, i === 5 && SELFTEST ? planted(SELFTEST) : c);
  }
  // tear down: close everything we made, then wait for pending calls to settle
  out(`C ${CALLS} teardown`);
  for (const ac of aborters) ac.abort();
  for (const { f } of files) {
    try {
      f.close();
    } catch { /* ignore */ }
  }
  for (const s of everySocket) {
    try {
      s.close();
    } catch { /* ignore */ }
  }
  for (const fd of detached) libc.close(fd);
  sendfileFile.close();
  let t: ReturnType<typeof setTimeout> | undefined;
  const all = Promise.allSettled([...pending]);
  const res = await Promise.race([
    all.then(() => "done"),
    new Promise((r) => (t = setTimeout(() => r("stuck"), 3000))),
  ]);
  clearTimeout(t);
  if (res === "stuck") {
    stats.stuck += pending.size;
    find(
      "stuck",
      `${pending.size} async calls never settled after their sockets were closed`,
      CALLS,
      "teardown",
    );
  }
  pool.length = 0;
  everySocket.clear();
  files.length = 0;
  aborters.length = 0;
  target = null;
  for (let k = 0; k < 4; k++) {
    gc();
    await new Promise((r) => setTimeout(r, 10));
  }
  // A dropped socket that is still reachable (V8 keeps it, or the library does on purpose)
  // cannot have been finalized: close it, so that only collected-but-open ones count.
  let retained = 0;
  for (const ref of dropped) {
    const s = ref.deref();
    if (s !== undefined && s.fileno() >= 0) {
      retained++;
      s.close();
    }
  }
  stats.retained = retained;
  const after = fdTable();
  const extra = [...after].filter(([fd, what]) =>
    before.get(fd) !== what && madeByLibrary.has(what)
  );
  stats.leakedFds = extra.length;
  if (stats.leakedFds > 0) {
    find(
      "fd-leak",
      `${stats.leakedFds} more descriptors than before the batch: ${
        extra.map(([fd, w]) =>
          `${fd}→${socketKind(w)} ${peerOf(fd)} (made by ${madeByLibrary.get(w)}; ` +
          `last tracked socket on fd ${fd}: ${creators.get(fd) ?? "none"})`
        ).join(" ")
      }`,
      CALLS,
      "teardown",
    );
  }
  out(`R ${JSON.stringify({ seed, batch, stats, findings })}`);
}

try {
  await main();
} catch (e) {
  // the fuzzer itself failed (its unhandledrejection listener would swallow this)
  console.error("fuzz child failed:", (e as Error)?.stack ?? e);
  Deno.exit(3);
}
