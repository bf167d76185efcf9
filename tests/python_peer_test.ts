// CPython as a real peer: a python3 client talking to our servers, and our
// clients talking to a python3 server, over TCP on 127.0.0.1 (and ::1) and a
// unix stream socket in a temporary directory. One Python process per
// direction. Each exchange sends 1 MiB each way, which spans many recv calls
// on both sides: the client sends the payload and shuts down its write half;
// the server reads to EOF, then sends back the payload with every byte
// inverted (x ^ 0xff) and closes; the client reads to EOF and checks.
import { assert, assertEquals } from "@std/assert";
import { join } from "@std/path";
import {
  type Address,
  AF_INET,
  AF_INET6,
  AF_UNIX,
  SHUT_WR,
  SOCK_STREAM,
  type Socket,
  socket,
} from "../mod.ts";
import { Child, HAS_IPV6, PYTHON, tempDir } from "./_sock_util.ts";

if (PYTHON === null) console.log("python_peer_test: python3 not found, so these tests are skipped");

const SIZE = 1 << 20;
/** The payload both sides know: bytes 0..255 repeated (Python: bytes(range(256)) * 4096). */
const PAYLOAD = new Uint8Array(SIZE).map((_, i) => i & 0xff);
/** Generous per-operation timeout so that a broken peer fails the test instead of hanging it. */
const TIMEOUT = 10;

/** Reads to EOF in recv() calls of at most `bufsize`; returns the bytes and the call count. */
function recvAll(s: Socket, bufsize: number): { data: Uint8Array; calls: number } {
  const parts: Uint8Array[] = [];
  let total = 0;
  let calls = 0;
  for (;;) {
    const chunk = s.recv(bufsize);
    calls++;
    if (chunk.length === 0) break;
    parts.push(chunk);
    total += chunk.length;
  }
  const data = new Uint8Array(total);
  let off = 0;
  for (const p of parts) {
    data.set(p, off);
    off += p.length;
  }
  return { data, calls };
}

/** Whether `got` is PAYLOAD with every byte inverted. */
function isInverted(got: Uint8Array): boolean {
  if (got.length !== SIZE) return false;
  for (let i = 0; i < SIZE; i++) if (got[i] !== ((i & 0xff) ^ 0xff)) return false;
  return true;
}

function isPayload(got: Uint8Array): boolean {
  if (got.length !== SIZE) return false;
  for (let i = 0; i < SIZE; i++) if (got[i] !== (i & 0xff)) return false;
  return true;
}

interface Endpoint {
  kind: "tcp4" | "tcp6" | "unix";
  family: number;
  /** A bind address (port 0 for TCP). */
  bindTo: Address;
}

function endpoints(dir: string): Endpoint[] {
  const list: Endpoint[] = [{ kind: "tcp4", family: AF_INET, bindTo: ["127.0.0.1", 0] }];
  if (HAS_IPV6) list.push({ kind: "tcp6", family: AF_INET6, bindTo: ["::1", 0] });
  list.push({ kind: "unix", family: AF_UNIX, bindTo: join(dir, "ours.sock") });
  return list;
}

// ---- a Python client talking to our servers ----

const PY_CLIENT = `
import json, socket, sys
SIZE = 1 << 20
payload = bytes(range(256)) * (SIZE // 256)
inverted = payload.translate(bytes(255 - i for i in range(256)))
for spec in json.loads(sys.argv[1]):
    fam = {"tcp4": socket.AF_INET, "tcp6": socket.AF_INET6, "unix": socket.AF_UNIX}[spec["kind"]]
    addr = tuple(spec["addr"]) if isinstance(spec["addr"], list) else spec["addr"]
    with socket.socket(fam, socket.SOCK_STREAM) as s:
        s.settimeout(10)
        s.connect(addr)
        s.sendall(payload)
        s.shutdown(socket.SHUT_WR)
        got, calls = [], 0
        while True:
            chunk = s.recv(65536)
            calls += 1
            if not chunk:
                break
            got.append(chunk)
        got = b"".join(got)
        print(json.dumps({"kind": spec["kind"], "sockname": s.getsockname(),
                          "ok": got == inverted, "len": len(got), "calls": calls}), flush=True)
`;

Deno.test({
  name: "A python3 client talks to our servers over TCP and a unix socket",
  ignore: PYTHON === null,
  async fn(): Promise<void> {
    using dir = tempDir();
    const eps = endpoints(dir.path);
    const listeners: Socket[] = [];
    let child: Child | undefined;
    try {
      const specs = eps.map((ep) => {
        const l = socket(ep.family, SOCK_STREAM);
        listeners.push(l);
        l.bind(ep.bindTo);
        l.listen(1);
        l.settimeout(TIMEOUT);
        return { kind: ep.kind, addr: l.getsockname() };
      });
      child = new Child(PYTHON!, ["-c", PY_CLIENT, JSON.stringify(specs)]);
      for (const [i, ep] of eps.entries()) {
        // The Python client connects to the endpoints in order; each accept
        // waits (up to TIMEOUT) while the child process runs.
        const [conn, addr] = listeners[i].accept();
        using _conn = conn;
        conn.settimeout(TIMEOUT);
        const { data, calls } = recvAll(conn, 65536);
        assert(
          isPayload(data),
          `${ep.kind}: the server got ${data.length} bytes, not the payload`,
        );
        assert(calls >= 16, `${ep.kind}: ${calls} recv calls`);
        const back = data.map((x) => x ^ 0xff);
        conn.sendall(back);
        conn.close();
        const report = JSON.parse(await child.line()) as {
          kind: string;
          sockname: unknown;
          ok: boolean;
          len: number;
          calls: number;
        };
        assertEquals(report.kind, ep.kind);
        assert(
          report.ok,
          `${ep.kind}: the Python client got ${report.len} bytes, not the reply`,
        );
        assert(
          report.calls > 2,
          `${ep.kind}: the Python client made ${report.calls} recv calls`,
        );
        // The address accept() returned is the one the client sees as its own
        // ('' for an unbound unix client, as CPython reports it).
        assertEquals(addr, ep.kind === "unix" ? "" : report.sockname);
        if (ep.kind === "unix") assertEquals(report.sockname, "");
      }
      const end = await child.finish();
      assertEquals(end.code, 0, end.stderr);
    } finally {
      await child?.kill();
      for (const l of listeners) l.close();
    }
  },
});

// ---- our clients talking to a Python server ----

const PY_SERVER = `
import json, socket, sys
SIZE = 1 << 20
payload = bytes(range(256)) * (SIZE // 256)
table = bytes(255 - i for i in range(256))
kinds = json.loads(sys.argv[1])
unix_path = sys.argv[2]
listeners = []
for kind in kinds:
    if kind == "unix":
        l = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); l.bind(unix_path)
    elif kind == "tcp6":
        l = socket.socket(socket.AF_INET6, socket.SOCK_STREAM); l.bind(("::1", 0))
    else:
        l = socket.socket(socket.AF_INET, socket.SOCK_STREAM); l.bind(("127.0.0.1", 0))
    l.listen(1)
    l.settimeout(10)
    listeners.append(l)
print(json.dumps([l.getsockname() for l in listeners]), flush=True)
for kind, l in zip(kinds, listeners):
    conn, addr = l.accept()
    with conn:
        conn.settimeout(10)
        got, calls = [], 0
        while True:
            chunk = conn.recv(65536)
            calls += 1
            if not chunk:
                break
            got.append(chunk)
        got = b"".join(got)
        conn.sendall(got.translate(table))
    print(json.dumps({"kind": kind, "peer": addr, "ok": got == payload, "len": len(got),
                      "calls": calls}), flush=True)
    l.close()
`;

Deno.test({
  name: "Our clients talk to a python3 server over TCP and a unix socket",
  ignore: PYTHON === null,
  async fn(): Promise<void> {
    using dir = tempDir();
    const eps = endpoints(dir.path);
    const child = new Child(PYTHON!, [
      "-c",
      PY_SERVER,
      JSON.stringify(eps.map((e) => e.kind)),
      join(dir.path, "python.sock"),
    ]);
    try {
      const names = JSON.parse(await child.line()) as Address[];
      assertEquals(names.length, eps.length);
      for (const [i, ep] of eps.entries()) {
        using c = socket(ep.family, SOCK_STREAM);
        c.settimeout(TIMEOUT);
        c.connect(names[i]);
        if (ep.kind === "unix") assertEquals(c.getpeername(), join(dir.path, "python.sock"));
        else assertEquals(c.getpeername(), names[i]);
        const mine = c.getsockname();
        c.sendall(PAYLOAD);
        c.shutdown(SHUT_WR);
        const { data, calls } = recvAll(c, 65536);
        assert(
          isInverted(data),
          `${ep.kind}: our client got ${data.length} bytes, not the reply`,
        );
        assert(calls >= 16, `${ep.kind}: ${calls} recv calls`);
        const report = JSON.parse(await child.line()) as {
          kind: string;
          peer: unknown;
          ok: boolean;
          len: number;
          calls: number;
        };
        assertEquals(report.kind, ep.kind);
        assert(
          report.ok,
          `${ep.kind}: the Python server got ${report.len} bytes, not the payload`,
        );
        assert(
          report.calls > 2,
          `${ep.kind}: the Python server made ${report.calls} recv calls`,
        );
        // CPython's accept() saw our client's own address (JSON turns its tuple into an array).
        assertEquals(report.peer, mine);
      }
      const end = await child.finish();
      assertEquals(end.code, 0, end.stderr);
    } finally {
      await child.kill();
    }
  },
});
