/**
 * `Socket.sendfile()` with `sendfile(2)` against the read + send fallback
 * (and a plain user-space loop of `FsFile.readSync` + `sendall`), sending a
 * 16 MiB file over TCP loopback to a child process that drains the
 * connection as fast as it can (`recv_into` a 4 MiB buffer, through this
 * library, so the reader costs the same in every row).
 *
 * Not a test: timings depend on the machine. On the 2-core development VM
 * sendfile(2) ran 1.3-3x faster than either read + send loop (the VM is noisy:
 * run it a few times).
 *
 * Run: `deno bench --allow-all bench/sendfile_bench.ts`
 *
 * @module
 */

import { AF_INET, SOCK_STREAM, socket } from "../mod.ts";
import { sendfileUseSend } from "../src/sendfile.ts";

const SIZE = 16 * 1024 * 1024;

// ---- the file ----
const path = Deno.makeTempFileSync({ prefix: "sockffi_sendfile_bench_" });
{
  const data = new Uint8Array(SIZE);
  for (let off = 0; off < SIZE; off += 65536) {
    crypto.getRandomValues(data.subarray(off, Math.min(off + 65536, SIZE)));
  }
  Deno.writeFileSync(path, data);
}
const file = Deno.openSync(path, { read: true });

// ---- the reader: a child process draining a TCP connection ----
const server = socket(AF_INET, SOCK_STREAM);
server.bind(["127.0.0.1", 0]);
server.listen();
server.settimeout(30);
const [, port] = server.getsockname() as [string, number];
const reader = `
  import { AF_INET, SOCK_STREAM, socket } from ${JSON.stringify(import.meta.resolve("../mod.ts"))};
  const s = socket(AF_INET, SOCK_STREAM);
  s.connect(["127.0.0.1", ${port}]);
  const buf = new Uint8Array(4 << 20);
  while (s.recv_into(buf) > 0);
  s.close();
`;
const child = new Deno.Command(Deno.execPath(), {
  args: ["eval", "--quiet", reader],
  stdin: "null",
  stdout: "null",
  stderr: "inherit",
}).spawn();
child.unref();
const [conn] = server.accept();
server.close();

globalThis.addEventListener("unload", () => {
  conn.close(); // the reader sees end of stream and exits
  file.close();
  Deno.removeSync(path);
});

function check(sent: number): void {
  if (sent !== SIZE) throw new Error(`sent ${sent} of ${SIZE} bytes`);
}

Deno.bench({
  name: "sendfile(2): Socket.sendfile(FsFile), 16 MiB",
  group: "sendfile 16 MiB over TCP loopback",
  baseline: true,
  fn(): void {
    check(conn.sendfile(file));
  },
});

Deno.bench({
  name: "read + send fallback (sendfileUseSend, 64 KiB reads)",
  group: "sendfile 16 MiB over TCP loopback",
  fn(): void {
    check(sendfileUseSend(conn, file));
  },
});

const loopBuf = new Uint8Array(65536);
Deno.bench({
  name: "user loop: FsFile.readSync + Socket.sendall, 64 KiB",
  group: "sendfile 16 MiB over TCP loopback",
  fn(): void {
    file.seekSync(0, Deno.SeekMode.Start);
    let total = 0;
    for (;;) {
      const n = file.readSync(loopBuf);
      if (n === null) break;
      conn.sendall(loopBuf.subarray(0, n));
      total += n;
    }
    check(total);
  },
});
