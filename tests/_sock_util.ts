// Helpers shared by socket_test.ts, echo_test.ts, python_peer_test.ts and
// timeout_test.ts: the real CPython interpreter, descriptor inspection through
// /proc, connected pairs on loopback, temporary directories, subprocesses and
// the peer Worker. Not a test file itself (no `_test` suffix).
import { assert, assertEquals } from "@std/assert";
import { fromFileUrl } from "@std/path";
import { AF_INET, AF_INET6, SOCK_STREAM, type Socket, socket } from "../mod.ts";
import { TIME_SCALE } from "./_platform.ts";

const dec = new TextDecoder();

/** Output of a finished program. */
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a program to completion; null when it is not installed. */
export async function run(cmd: string, args: readonly string[]): Promise<RunResult | null> {
  try {
    const r = await new Deno.Command(cmd, { args: [...args], stdin: "null" }).output();
    return { code: r.code, stdout: dec.decode(r.stdout), stderr: dec.decode(r.stderr) };
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    throw e;
  }
}

/**
 * The real CPython interpreter behind `python3` (resolved once through the
 * pyenv shim, which is slow), or null when there is none.
 */
export const PYTHON: string | null = await (async () => {
  const r = await run("python3", ["-c", "import sys; print(sys.executable)"]);
  const path = r?.code === 0 ? r.stdout.trim() : "";
  return path === "" ? null : path;
})();

/** Runs a Python snippet that prints one JSON document, and parses it. */
export async function pythonJson<T>(code: string, args: readonly string[] = []): Promise<T> {
  assert(PYTHON !== null);
  const r = await run(PYTHON, ["-c", code, ...args]);
  assert(r !== null && r.code === 0, `python failed: ${r?.stderr}`);
  return JSON.parse(r.stdout) as T;
}

// Descriptor state is read with the test's own libc calls (fcntl, readlink),
// independently of src/: Deno refuses /proc/self/* reads without --allow-all,
// while an FFI call is not subject to --allow-read.
// Opened at the first use, so that a module importing this one loads
// anywhere (tests/macos_marking_test.ts imports it as darwin on Linux).
let lib: Deno.DynamicLibrary<typeof probeSymbols> | null = null;
const probeSymbols = {
  /** int fcntl(int fd, int cmd, ...) — called with a third int, harmless for F_GETFD/F_GETFL */
  fcntl: { parameters: ["i32", "i32", "i32"], result: "i32" },
  /** ssize_t readlink(const char *path, char *buf, size_t bufsiz) */
  readlink: { parameters: ["buffer", "buffer", "usize"], result: "isize" },
} as const;
function probe(): Deno.DynamicLibrary<typeof probeSymbols>["symbols"] {
  lib ??= Deno.dlopen(
    Deno.build.os === "darwin" ? "/usr/lib/libSystem.B.dylib" : "libc.so.6",
    probeSymbols,
  );
  return lib.symbols;
}
const F_GETFD = 1; // <fcntl.h> on Linux and macOS
const F_GETFL = 3;
const FD_CLOEXEC = 1;

const DARWIN = Deno.build.os === "darwin";
/** O_CLOEXEC as reported by {@linkcode fdFlags} (octal 02000000 on Linux, 0x1000000 on macOS). */
export const O_CLOEXEC: number = DARWIN ? 0x1000000 : 0o2000000;
/** O_NONBLOCK as reported by {@linkcode fdFlags} (octal 04000 on Linux, 4 on macOS). */
export const O_NONBLOCK: number = DARWIN ? 4 : 0o4000;

/**
 * The file status flags of descriptor `fd` (fcntl F_GETFL), with O_CLOEXEC
 * set when the descriptor has FD_CLOEXEC (as /proc/self/fdinfo reports them).
 */
export function fdFlags(fd: number): number {
  const fl = probe().fcntl(fd, F_GETFL, 0);
  const fdf = probe().fcntl(fd, F_GETFD, 0);
  assert(fl >= 0 && fdf >= 0, `descriptor ${fd} is not open`);
  return (fl & ~O_CLOEXEC) | ((fdf & FD_CLOEXEC) !== 0 ? O_CLOEXEC : 0);
}

/** What descriptor `fd` refers to (`socket:[inode]`), or null when it is not open. */
export function fdTarget(fd: number): string | null {
  const path = new TextEncoder().encode(`/proc/self/fd/${fd}\0`);
  const buf = new Uint8Array(256);
  const n = Number(probe().readlink(path, buf, BigInt(buf.length)));
  return n < 0 ? null : dec.decode(buf.subarray(0, n));
}

/** A connected stream triple: the listener, the connecting client and the accepted socket. */
export interface Triple {
  listener: Socket;
  client: Socket;
  conn: Socket;
  [Symbol.dispose](): void;
}

/** A listener on `host` port 0, a client connected to it and the accepted end. */
export function tcpTriple(family: number = AF_INET, host = "127.0.0.1"): Triple {
  const listener = socket(family, SOCK_STREAM);
  try {
    listener.bind([host, 0]);
    listener.listen();
    const client = socket(family, SOCK_STREAM);
    try {
      client.connect(listener.getsockname()!);
      const [conn] = listener.accept();
      return {
        listener,
        client,
        conn,
        [Symbol.dispose](): void {
          conn.close();
          client.close();
          listener.close();
        },
      };
    } catch (e) {
      client.close();
      throw e;
    }
  } catch (e) {
    listener.close();
    throw e;
  }
}

/** Whether IPv6 loopback is usable here (`::1` bindable). */
export const HAS_IPV6: boolean = (() => {
  try {
    const s = socket(AF_INET6, SOCK_STREAM);
    try {
      s.bind(["::1", 0]);
      return true;
    } finally {
      s.close();
    }
  } catch {
    return false;
  }
})();

/** A temporary directory that removes itself with `using`. */
export function tempDir(): { path: string; [Symbol.dispose](): void } {
  const path = Deno.makeTempDirSync({ prefix: "sockffi_test_" });
  return {
    path,
    [Symbol.dispose](): void {
      Deno.removeSync(path, { recursive: true });
    },
  };
}

/** Bytes 0..n-1 of a repeating, position-dependent pattern. */
export function pattern(n: number, seed = 0): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + (i >>> 8) + seed) & 0xff;
  return b;
}

/** A cheap order-sensitive checksum (FNV-1a, 32-bit). */
export function checksum(b: Uint8Array, h = 0x811c9dc5): number {
  for (let i = 0; i < b.length; i++) {
    h ^= b[i];
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/**
 * A child process whose stdout is read line by line (each helper script
 * prints what the test needs, such as the port it listens on).
 */
export class Child {
  readonly proc: Deno.ChildProcess;
  #reader: ReadableStreamDefaultReader<string>;
  #buf = "";
  #lines: string[] = [];
  #stderr: Promise<string>;

  constructor(cmd: string, args: readonly string[], stdin: "piped" | "null" = "null") {
    this.proc = new Deno.Command(cmd, {
      args: [...args],
      stdin,
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#reader = this.proc.stdout.pipeThrough(new TextDecoderStream()).getReader();
    this.#stderr = new Response(this.proc.stderr).text();
  }

  /** The next line of stdout (without the newline); fails after `ms`. */
  async line(ms = 10000): Promise<string> {
    ms *= TIME_SCALE;
    const deadline = Date.now() + ms;
    while (this.#lines.length === 0) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const left = deadline - Date.now();
      const r = await Promise.race([
        this.#reader.read(),
        new Promise<"timeout">((res) => timer = setTimeout(() => res("timeout"), left)),
      ]);
      clearTimeout(timer);
      if (r === "timeout") throw new Error(`no line from the child in ${ms} ms`);
      if (r.done) {
        throw new Error(`the child ended without printing a line; stderr:\n${await this.#stderr}`);
      }
      this.#buf += r.value;
      const parts = this.#buf.split("\n");
      this.#buf = parts.pop()!;
      this.#lines.push(...parts);
    }
    return this.#lines.shift()!;
  }

  /** Waits for the exit (killing the child after `ms`) and returns the rest of its output. */
  async finish(ms = 10000): Promise<{ code: number; rest: string; stderr: string }> {
    ms *= TIME_SCALE;
    const timer = setTimeout(() => {
      try {
        this.proc.kill("SIGKILL");
      } catch {
        // already gone
      }
    }, ms);
    let rest = this.#lines.map((l) => l + "\n").join("") + this.#buf;
    for (;;) {
      const r = await this.#reader.read();
      if (r.done) break;
      rest += r.value;
    }
    const status = await this.proc.status;
    clearTimeout(timer);
    return { code: status.code, rest, stderr: await this.#stderr };
  }

  /** Kills the child (if still running) and drains its pipes. */
  async kill(): Promise<void> {
    try {
      this.proc.kill("SIGKILL");
    } catch {
      // already gone
    }
    await this.finish(1000);
  }
}

/** A Deno child running `script` with the permissions the library needs. */
export function denoChild(script: string | URL, args: readonly string[] = []): Child {
  const path = script instanceof URL ? fromFileUrl(script) : script;
  return new Child(Deno.execPath(), [
    "run",
    "--allow-ffi",
    "--allow-read",
    "--allow-write",
    "--allow-env",
    path,
    ...args,
  ]);
}

/** What the peer process (fixtures/peer.ts) reports. */
export interface PeerReport {
  count: number;
  checksum: number;
  error?: string;
}

/** A running peer process: its final report, and a way to stop it early. */
export interface Peer {
  done: Promise<PeerReport>;
  kill(): Promise<void>;
}

/**
 * Starts fixtures/peer.ts in its own process on a copy of `sock`'s
 * descriptor (inherited: the descriptor is made inheritable only for the
 * spawn) and resolves once it is running, so that the caller may then block
 * its own thread in a socket call. "drain" reads to EOF; "slow" reads `chunk`
 * bytes every `delayMs` until EOF; "send" waits `delayMs`, then sends `chunk`
 * bytes 0, 1, 2... (mod 256).
 */
export async function peerProcess(
  sock: Socket,
  mode: "drain" | "slow" | "send",
  chunk = 65536,
  delayMs = 0,
): Promise<Peer> {
  const fd = sock.fileno();
  sock.set_inheritable(true);
  let child: Child;
  try {
    child = new Child(Deno.execPath(), [
      "run",
      "--no-check",
      "--allow-ffi",
      fromFileUrl(new URL("./fixtures/peer.ts", import.meta.url)),
      String(fd),
      mode,
      String(chunk),
      String(delayMs),
    ]);
  } finally {
    sock.set_inheritable(false);
  }
  try {
    assertEquals(await child.line(), "ready");
  } catch (e) {
    await child.kill();
    throw e;
  }
  const done = (async (): Promise<PeerReport> => {
    const { code, rest, stderr } = await child.finish(20000);
    assertEquals(code, 0, `peer failed: ${stderr}`);
    return JSON.parse(rest.trim().split("\n").pop()!) as PeerReport;
  })();
  return {
    done,
    async kill(): Promise<void> {
      try {
        child.proc.kill("SIGKILL");
      } catch {
        // already gone
      }
      await done.catch(() => {});
    },
  };
}

/** Whether descriptor `fd` is open (fcntl F_GETFD succeeds), on any system. */
export function isOpenFd(fd: number): boolean {
  return probe().fcntl(fd, F_GETFD, 0) >= 0;
}
