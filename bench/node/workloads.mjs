// deno-lint-ignore-file explicit-function-return-type -- plain JavaScript run by Node, no type annotations
// Node's side of bench/compare.ts: the workloads of bench/c/workloads.c with
// `net` and `dgram`. Same command line and one-line JSON output as the C
// program. Node has no socketpair: "pair" uses the closest thing, a unix
// stream connection inside one process (write 1 byte, wait for its 'data').

import dgram from "node:dgram";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

const nowNs = () => process.hrtime.bigint();
const out = (obj) => console.log(JSON.stringify(obj));
const ms = (n) => BigInt(n) * 1000000n;

const cpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

// `cpu`: this process's CPU seconds since cpu0 (cpuSeconds() when the measured part began).
function reportOps(ops, ns, cpu0) {
  if (cpu0 === undefined) out({ ops, ns: Number(ns) });
  else out({ ops, ns: Number(ns), cpu: cpuSeconds() - cpu0 });
}

// Runs `step(next)` back to back: warmup iterations first, then timed ones
// until maxIters or the budget is reached, then reports.
function timedAsyncLoop(step, maxIters, budgetMs, warmup, done) {
  let i = -warmup;
  let t0 = 0n;
  let deadline = 0n;
  let cpu0 = 0;
  const next = () => {
    if (i === 0) {
      cpu0 = cpuSeconds();
      t0 = nowNs();
      deadline = t0 + ms(budgetMs);
    }
    if (i > 0 && (i & 63) === 0) {
      const t = nowNs();
      if (i >= maxIters || t >= deadline) {
        reportOps(i, t - t0, cpu0);
        done();
        return;
      }
    }
    i++;
    step();
  };
  return next;
}

function listen(server) {
  return new Promise((resolve) =>
    server.listen({ host: "127.0.0.1", port: 0, backlog: 1024 }, resolve)
  );
}

function connect(port) {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: "127.0.0.1", port, noDelay: true }, () => resolve(s));
    s.once("error", reject);
  });
}

async function runPair(maxIters, budgetMs, warmup) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sockffi-bench-"));
  const sockPath = path.join(dir, "s");
  let b;
  const accepted = new Promise((resolve) => {
    const server = net.createServer((c) => {
      b = c;
      server.close();
      resolve();
    });
    server.listen(sockPath);
  });
  await new Promise((r) => setTimeout(r, 0));
  const a = await new Promise((resolve) => {
    const s = net.connect(sockPath, () => resolve(s));
  });
  await accepted;
  const one = Buffer.from("x");
  const next = timedAsyncLoop(() => a.write(one), maxIters, budgetMs, warmup, () => {
    a.destroy();
    b.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  b.on("data", (d) => {
    if (d.length !== 1) throw new Error(`coalesced ${d.length} bytes`);
    next();
  });
  next();
}

async function runUdp(maxIters, budgetMs, warmup) {
  const bind = (s) => new Promise((r) => s.bind(0, "127.0.0.1", r));
  const a = dgram.createSocket("udp4");
  const b = dgram.createSocket("udp4");
  await bind(a);
  await bind(b);
  const port = b.address().port;
  const msg = Buffer.alloc(64, "x");
  const next = timedAsyncLoop(
    () => a.send(msg, port, "127.0.0.1"),
    maxIters,
    budgetMs,
    warmup,
    () => {
      a.close();
      b.close();
    },
  );
  b.on("message", (m) => {
    if (m.length !== 64) throw new Error("short datagram");
    next();
  });
  next();
}

async function runPingpongServer() {
  const server = net.createServer({ noDelay: true }, (c) => {
    c.setNoDelay(true);
    c.on("data", (d) => c.write(d));
    c.on("end", () => {
      c.end();
      server.close();
      out({ done: true });
    });
  });
  await listen(server);
  out({ port: server.address().port });
}

async function runPingpongClient(port, maxIters, budgetMs, warmup) {
  const s = await connect(port);
  const one = Buffer.from("x");
  const next = timedAsyncLoop(() => s.write(one), maxIters, budgetMs, warmup, () => s.end());
  s.on("data", (d) => {
    if (d.length !== 1) throw new Error("coalesced reply");
    next();
  });
  next();
}

async function runBulkServer() {
  const server = net.createServer((c) => {
    c.setNoDelay(true);
    let total = 0;
    c.on("data", (d) => {
      total += d.length;
    });
    c.on("end", () => {
      c.end("k");
      server.close();
      out({ received: total });
    });
  });
  await listen(server);
  out({ port: server.address().port });
}

async function runBulkClient(port, total, chunk) {
  const s = await connect(port);
  const data = Buffer.alloc(chunk, "x");
  const t0 = nowNs();
  let sent = 0;
  await new Promise((resolve) => {
    const pump = () => {
      while (sent < total) {
        const want = Math.min(chunk, total - sent);
        sent += want;
        if (!s.write(want === chunk ? data : data.subarray(0, want))) {
          s.once("drain", pump);
          return;
        }
      }
      s.end();
      resolve();
    };
    pump();
  });
  await new Promise((resolve) => s.once("data", resolve));
  const t1 = nowNs();
  s.destroy();
  out({ bytes: sent, ns: Number(t1 - t0) });
}

async function runAsyncServer() {
  const server = net.createServer({ noDelay: true }, (c) => {
    c.setNoDelay(true);
    c.on("data", (d) => c.write(d));
    c.on("error", () => {});
  });
  await listen(server);
  out({ port: server.address().port });
}

async function runAsyncClient(port, conns, budgetMs, warmupMs) {
  const start = nowNs();
  const t0 = start + ms(warmupMs);
  const t1 = t0 + ms(budgetMs);
  let measured = 0;
  let cpu0;
  const one = Buffer.from("x");
  const socks = await Promise.all(Array.from({ length: conns }, () => connect(port)));
  await Promise.all(socks.map((s) =>
    new Promise((resolve) => {
      s.on("data", () => {
        const t = nowNs();
        if (t >= t1) {
          s.end();
          resolve();
          return;
        }
        if (t >= t0) {
          cpu0 ??= cpuSeconds();
          measured++;
        }
        s.write(one);
      });
      s.write(one);
    })
  ));
  reportOps(measured, ms(budgetMs), cpu0);
}

// The fairness workload (bench/deno/sockffi.ts asyncFair): 300 in-process
// echo clients of 16 KiB in random pieces while a 10 ms interval counts ticks.
const FAIR = { clients: 300, size: 16384, piece: 8192, tickMs: 10, warmup: 20 };

function rng(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function runFair() {
  const { clients, size, piece, warmup, tickMs } = FAIR;
  const server = net.createServer((c) => {
    c.on("data", (d) => c.write(d));
    c.on("end", () => c.end());
    c.on("error", () => {});
  });
  await listen(server);
  const port = server.address().port;
  const datas = Array.from({ length: warmup + clients }, (_, i) => {
    const r = rng(i + 1);
    const d = Buffer.alloc(size);
    for (let k = 0; k < size; k++) d[k] = (r() * 256) | 0;
    return d;
  });
  const client = (i) =>
    new Promise((resolve, reject) => {
      const random = rng(~i);
      const data = datas[i];
      const chunks = [];
      let got = 0;
      const s = net.connect({ host: "127.0.0.1", port }, () => {
        let off = 0;
        const pump = () => {
          while (off < size) {
            const n = Math.min(size - off, 1 + Math.floor(random() * piece));
            const ok = s.write(data.subarray(off, off + n));
            off += n;
            if (!ok) {
              s.once("drain", pump);
              return;
            }
          }
          s.end();
        };
        pump();
      });
      s.on("data", (d) => {
        chunks.push(d);
        got += d.length;
      });
      s.on("error", reject);
      s.on("end", () => {
        s.destroy();
        if (got !== size || !Buffer.concat(chunks).equals(data)) {
          reject(new Error(`client ${i}: got ${got} bytes or different ones`));
        } else resolve();
      });
    });
  await Promise.all(Array.from({ length: warmup }, (_, i) => client(clients + i)));
  let ticks = 0;
  const timer = setInterval(() => ticks++, tickMs);
  const cpu0 = cpuSeconds();
  const t0 = nowNs();
  await Promise.all(Array.from({ length: clients }, (_, i) => client(i)));
  const ns = Number(nowNs() - t0);
  clearInterval(timer);
  server.close();
  out({ ticks, expected: Math.floor(ns / 1e6 / tickMs), ns, cpu: cpuSeconds() - cpu0 });
}

const [mode, ...rest] = process.argv.slice(2);
const args = rest.map(Number);
const modes = {
  "pair": runPair,
  "udp": runUdp,
  "pingpong-server": runPingpongServer,
  "pingpong-client": runPingpongClient,
  "bulk-server": runBulkServer,
  "bulk-client": runBulkClient,
  "async-server": runAsyncServer,
  "async-client": runAsyncClient,
  "fair": runFair,
};
if (!modes[mode]) {
  out({ error: `unknown mode ${mode}` });
  process.exit(2);
}
await modes[mode](...args);
