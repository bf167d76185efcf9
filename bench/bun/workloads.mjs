// deno-lint-ignore-file explicit-function-return-type no-undef -- plain JavaScript run by Bun (the Bun global), no type annotations
// Bun's own networking side of bench/compare.ts: the workloads of
// bench/c/workloads.c with `Bun.listen`, `Bun.connect` and `Bun.udpSocket`.
// Same command line and one-line JSON output as the C program. Bun's
// `node:net`/`node:dgram` are measured by running bench/node/workloads.mjs
// under Bun. Modes without a Bun-native form here ("pair": no socketpair;
// bulk) print an "unavailable" line.

const nowNs = () => process.hrtime.bigint();
const out = (obj) => console.log(JSON.stringify(obj));
const ms = (n) => BigInt(n) * 1000000n;
const HOST = "127.0.0.1";
const cpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

function reportOps(ops, ns, cpu0) {
  if (cpu0 === undefined) out({ ops, ns: Number(ns) });
  else out({ ops, ns: Number(ns), cpu: cpuSeconds() - cpu0 });
}

/** Writes all of `data` on a Bun socket, queueing what the kernel did not take. */
function writer(socket) {
  const queue = [];
  return {
    write(data) {
      if (queue.length) {
        queue.push(data);
        return;
      }
      const n = socket.write(data);
      if (n < data.length) queue.push(data.subarray(Math.max(n, 0)));
    },
    drain() {
      while (queue.length) {
        const d = queue[0];
        const n = socket.write(d);
        if (n < d.length) {
          queue[0] = d.subarray(Math.max(n, 0));
          return;
        }
        queue.shift();
      }
    },
  };
}

/** An echo server; `onClose` runs when a connection ends. */
function echoServer(onClose) {
  return Bun.listen({
    hostname: HOST,
    port: 0,
    socket: {
      open(s) {
        s.setNoDelay?.(true);
        s.data = writer(s);
      },
      data(s, d) {
        s.data.write(d);
      },
      drain(s) {
        s.data.drain();
      },
      close() {
        onClose?.();
      },
      error() {},
    },
  });
}

/** Connects; `onData(socket, bytes)` for every chunk. */
function connect(port, onData) {
  return Bun.connect({
    hostname: HOST,
    port,
    socket: {
      open(s) {
        s.setNoDelay?.(true);
        s.data = s.data ?? writer(s);
      },
      data(s, d) {
        onData(s, d);
      },
      drain(s) {
        s.data?.drain();
      },
      error() {},
    },
  });
}

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

async function runUdp(maxIters, budgetMs, warmup) {
  // deno-lint-ignore prefer-const -- assigned once, after the callback that reads it is created
  let next;
  const b = await Bun.udpSocket({
    hostname: HOST,
    port: 0,
    socket: {
      data(_s, buf) {
        if (buf.length !== 64) throw new Error("short datagram");
        next();
      },
    },
  });
  const a = await Bun.udpSocket({ hostname: HOST, port: 0 });
  const msg = new Uint8Array(64).fill(120);
  next = timedAsyncLoop(() => a.send(msg, b.port, HOST), maxIters, budgetMs, warmup, () => {
    a.close();
    b.close();
  });
  next();
}

function runPingpongServer() {
  // deno-lint-ignore prefer-const -- assigned once, after the callback that reads it is created
  let server;
  server = echoServer(() => {
    server.stop(true);
    out({ done: true });
  });
  out({ port: server.port });
}

async function runPingpongClient(port, maxIters, budgetMs, warmup) {
  const one = new Uint8Array([120]);
  // deno-lint-ignore prefer-const -- assigned once, after the callback that reads it is created
  let next;
  const s = await connect(port, (_s, d) => {
    if (d.length !== 1) throw new Error("coalesced reply");
    next();
  });
  next = timedAsyncLoop(() => s.write(one), maxIters, budgetMs, warmup, () => s.end());
  next();
}

function runAsyncServer() {
  const server = echoServer();
  out({ port: server.port });
}

async function runAsyncClient(port, conns, budgetMs, warmupMs) {
  const start = nowNs();
  const t0 = start + ms(warmupMs);
  const t1 = t0 + ms(budgetMs);
  let measured = 0;
  let cpu0;
  const one = new Uint8Array([120]);
  let left = conns;
  let finish;
  const finished = new Promise((r) => (finish = r));
  const socks = await Promise.all(Array.from({ length: conns }, () =>
    connect(port, (s) => {
      const t = nowNs();
      if (t >= t1) {
        s.end();
        if (--left === 0) finish();
        return;
      }
      if (t >= t0) {
        cpu0 ??= cpuSeconds();
        measured++;
      }
      s.write(one);
    })));
  for (const s of socks) s.write(one);
  await finished;
  reportOps(measured, ms(budgetMs), cpu0);
}

// The fairness workload (bench/deno/sockffi.ts asyncFair), on Bun.listen/Bun.connect.
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
  const server = echoServer();
  const datas = Array.from({ length: warmup + clients }, (_, i) => {
    const r = rng(i + 1);
    const d = new Uint8Array(size);
    for (let k = 0; k < size; k++) d[k] = (r() * 256) | 0;
    return d;
  });
  const client = (i) =>
    new Promise((resolve, reject) => {
      const random = rng(~i);
      const data = datas[i];
      const got = new Uint8Array(size);
      let off = 0;
      connect(server.port, (s, d) => {
        if (off + d.length > size) {
          reject(new Error(`client ${i}: too much data`));
          return;
        }
        got.set(d, off);
        off += d.length;
        if (off === size) {
          s.end();
          for (let k = 0; k < size; k++) {
            if (got[k] !== data[k]) {
              reject(new Error(`client ${i}: byte ${k} differs`));
              return;
            }
          }
          resolve();
        }
      }).then((s) => {
        for (let o = 0; o < size;) {
          const n = Math.min(size - o, 1 + Math.floor(random() * piece));
          s.data.write(data.subarray(o, o + n));
          o += n;
        }
      }, reject);
    });
  await Promise.all(Array.from({ length: warmup }, (_, i) => client(clients + i)));
  let ticks = 0;
  const timer = setInterval(() => ticks++, tickMs);
  const cpu0 = cpuSeconds();
  const t0 = nowNs();
  await Promise.all(Array.from({ length: clients }, (_, i) => client(i)));
  const ns = Number(nowNs() - t0);
  clearInterval(timer);
  server.stop(true);
  out({ ticks, expected: Math.floor(ns / 1e6 / tickMs), ns, cpu: cpuSeconds() - cpu0 });
}

const [mode, ...rest] = process.argv.slice(2);
const args = rest.map(Number);
const modes = {
  "udp": runUdp,
  "pingpong-server": runPingpongServer,
  "pingpong-client": runPingpongClient,
  "async-server": runAsyncServer,
  "async-client": runAsyncClient,
  "fair": runFair,
};
if (typeof Bun === "undefined") {
  out({ unavailable: "not running under Bun" });
} else if (!modes[mode]) {
  out({ unavailable: `no Bun-native form of ${mode} here` });
} else {
  await modes[mode](...args);
}
