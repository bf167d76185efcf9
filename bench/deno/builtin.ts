/**
 * Deno's built-in networking side of bench/compare.ts: the workloads of
 * bench/c/workloads.c with `Deno.listen`, `Deno.connect` and
 * `Deno.listenDatagram` (the last needs `--unstable-net`). Deno has no
 * socketpair: "pair" uses a unix stream connection inside one process.
 *
 * @module
 */

import { join } from "@std/path";
import {
  asyncClients,
  expect,
  FAIR,
  fairness,
  fill,
  main,
  nowNs,
  out,
  rng,
  timedLoopAsync,
} from "./_common.ts";

const HOST = "127.0.0.1";

function listenTcp(): Deno.TcpListener {
  const l = Deno.listen({ hostname: HOST, port: 0 });
  out({ port: l.addr.port });
  return l;
}

async function connectTcp(port: number): Promise<Deno.TcpConn> {
  const c = await Deno.connect({ hostname: HOST, port });
  c.setNoDelay(true);
  return c;
}

async function writeAll(conn: Deno.Conn, data: Uint8Array): Promise<void> {
  for (let off = 0; off < data.length;) off += await conn.write(data.subarray(off));
}

async function echo(conn: Deno.Conn, size = 4096): Promise<void> {
  const buf = new Uint8Array(size);
  try {
    for (;;) {
      const n = await conn.read(buf);
      if (n === null) break;
      await writeAll(conn, buf.subarray(0, n));
    }
  } finally {
    conn.close();
  }
}

async function pair(maxIters: number, budgetMs: number, warmup: number): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "sockffi-bench-" });
  const path = join(dir, "s");
  const l = Deno.listen({ transport: "unix", path });
  const [a, b] = await Promise.all([Deno.connect({ transport: "unix", path }), l.accept()]);
  const one = new Uint8Array([120]);
  const buf = new Uint8Array(64);
  await timedLoopAsync(
    async () => {
      expect(await a.write(one), 1, "write");
      expect(await b.read(buf), 1, "read");
    },
    maxIters,
    budgetMs,
    warmup,
    64,
  );
  a.close();
  b.close();
  l.close();
  await Deno.remove(dir, { recursive: true });
}

async function udp(maxIters: number, budgetMs: number, warmup: number): Promise<void> {
  if (typeof Deno.listenDatagram !== "function") {
    out({ unavailable: "Deno.listenDatagram needs --unstable-net" });
    return;
  }
  const a = Deno.listenDatagram({ transport: "udp", hostname: HOST, port: 0 });
  const b = Deno.listenDatagram({ transport: "udp", hostname: HOST, port: 0 });
  const to = b.addr;
  const msg = new Uint8Array(64).fill(120);
  const buf = new Uint8Array(2048);
  await timedLoopAsync(
    async () => {
      expect(await a.send(msg, to), 64, "send");
      const [data] = await b.receive(buf);
      expect(data.length, 64, "receive");
    },
    maxIters,
    budgetMs,
    warmup,
    64,
  );
  a.close();
  b.close();
}

async function pingpongServer(): Promise<void> {
  const l = listenTcp();
  const c = await l.accept();
  c.setNoDelay(true);
  l.close();
  await echo(c);
  out({ done: true });
}

async function pingpongClient(
  port: number,
  maxIters: number,
  budgetMs: number,
  warmup: number,
): Promise<void> {
  const c = await connectTcp(port);
  const one = new Uint8Array([120]);
  const buf = new Uint8Array(64);
  await timedLoopAsync(
    async () => {
      expect(await c.write(one), 1, "write");
      expect(await c.read(buf), 1, "read");
    },
    maxIters,
    budgetMs,
    warmup,
    64,
  );
  c.close();
}

async function bulkServer(): Promise<void> {
  const l = listenTcp();
  const c = await l.accept();
  l.close();
  const buf = new Uint8Array(65536);
  let total = 0;
  for (;;) {
    const n = await c.read(buf);
    if (n === null) break;
    total += n;
  }
  await writeAll(c, new Uint8Array([107]));
  c.close();
  out({ received: total });
}

async function bulkClient(port: number, total: number, chunk: number): Promise<void> {
  const c = await connectTcp(port);
  const data = new Uint8Array(chunk).fill(120);
  const t0 = nowNs();
  let sent = 0;
  while (sent < total) {
    const want = Math.min(chunk, total - sent);
    await writeAll(c, want === chunk ? data : data.subarray(0, want));
    sent += want;
  }
  await c.closeWrite();
  expect(await c.read(new Uint8Array(1)), 1, "ack");
  const t1 = nowNs();
  c.close();
  out({ bytes: sent, ns: Math.round(t1 - t0) });
}

async function asyncServer(): Promise<void> {
  const l = listenTcp();
  for await (const c of l) {
    c.setNoDelay(true);
    echo(c).catch(() => {});
  }
}

async function asyncClient(
  port: number,
  conns: number,
  budgetMs: number,
  warmupMs: number,
): Promise<void> {
  const socks = await Promise.all(Array.from({ length: conns }, () => connectTcp(port)));
  const one = new Uint8Array([120]);
  const peers = socks.map((c) => ({ c, buf: new Uint8Array(1) }));
  await asyncClients(
    peers,
    async ({ c, buf }) => {
      expect(await c.write(one), 1, "write");
      expect(await c.read(buf), 1, "read");
    },
    budgetMs,
    warmupMs,
  );
  for (const c of socks) c.close();
}

/** The fairness workload of bench/deno/sockffi.ts's asyncFair, on Deno.listen/Deno.connect. */
async function fair(): Promise<void> {
  const l = Deno.listen({ hostname: HOST, port: 0 });
  const port = l.addr.port;
  const { clients, size, piece, warmup } = FAIR;
  const server = (async () => {
    for (let i = 0; i < warmup + clients; i++) {
      const c = await l.accept();
      echo(c, 16384).catch((e) => out({ error: `echo: ${e}` }));
    }
    l.close();
  })();
  // The data is made before the timer starts: generating it is not socket work.
  const datas = Array.from(
    { length: warmup + clients },
    (_, i) => fill(new Uint8Array(size), rng(i + 1)),
  );
  const client = async (i: number): Promise<void> => {
    const random = rng(~i);
    const data = datas[i];
    const c = await Deno.connect({ hostname: HOST, port });
    const sending = (async () => {
      for (let off = 0; off < size;) {
        const n = Math.min(size - off, 1 + Math.floor(random() * piece));
        await writeAll(c, data.subarray(off, off + n));
        off += n;
      }
      await c.closeWrite();
    })();
    const got = new Uint8Array(size + 1);
    let off = 0;
    for (;;) {
      const n = await c.read(got.subarray(off));
      if (n === null) break;
      off += n;
      if (off > size) throw new Error(`client ${i}: too much data`);
    }
    await sending;
    c.close();
    if (off !== size) throw new Error(`client ${i}: got ${off} bytes`);
    for (let k = 0; k < size; k++) {
      if (got[k] !== data[k]) throw new Error(`client ${i}: byte ${k} differs`);
    }
  };
  // A warm-up round (JIT, first calls), then the measured one.
  await Promise.all(Array.from({ length: warmup }, (_, i) => client(clients + i)));
  await fairness(async () => {
    await Promise.all(Array.from({ length: clients }, (_, i) => client(i)));
    await server;
  }, FAIR.tickMs);
}

await main({
  "fair": fair,
  "pair": pair,
  "udp": udp,
  "pingpong-server": pingpongServer,
  "pingpong-client": pingpongClient,
  "bulk-server": bulkServer,
  "bulk-client": bulkClient,
  "async-server": asyncServer,
  "async-client": asyncClient,
});
