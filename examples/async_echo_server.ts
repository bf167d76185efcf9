/**
 * An async TCP echo server: every connection is served by its own async
 * function, and all of them wait on the library's one reactor, so the event
 * loop stays free for timers and other work.
 *
 *     deno run --allow-ffi examples/async_echo_server.ts [port]
 *
 * Try it with `nc 127.0.0.1 8007`. Without a port argument it serves on an
 * ephemeral port, talks to itself through three clients, and exits once
 * they are done.
 *
 * @module
 */

import { async, create_server, type Socket } from "../mod.ts";

/** Echoes everything `conn` sends until it closes its side. */
async function serve(conn: Socket): Promise<void> {
  const peer = conn.getpeername();
  const buf = new Uint8Array(16384);
  try {
    for (;;) {
      const n = await conn.async.recv_into(buf); // waits without blocking the loop
      if (n === 0) break; // the peer closed its side
      await conn.async.sendall(buf.subarray(0, n));
    }
  } catch (e) {
    console.error(`connection ${peer}: ${e}`);
  } finally {
    conn.close();
  }
}

/** Accepts connections until `signal` aborts. */
async function run(server: Socket, signal: AbortSignal): Promise<void> {
  for (;;) {
    let conn: Socket;
    try {
      [conn] = await server.async.accept({ signal });
    } catch (e) {
      if (signal.aborted) return; // shutting down
      throw e;
    }
    serve(conn); // each connection runs on its own; errors are reported in serve()
  }
}

const port = Deno.args[0] === undefined ? 0 : Number(Deno.args[0]);
using server = create_server(["127.0.0.1", port]);
const [host, actual] = server.getsockname();
console.log(`echo server on ${host}:${actual}`);
const stop = new AbortController();
const serving = run(server, stop.signal);

if (port === 0) {
  // Demo mode: three clients at once, then shut down.
  const enc = new TextEncoder();
  await Promise.all(["alpha", "beta", "gamma"].map(async (word) => {
    using client = await async.create_connection([host, actual], 5);
    await client.async.sendall(enc.encode(`hello from ${word}`));
    client.shutdown(1); // SHUT_WR: we are done sending
    console.log(`${word} got back: ${await new Response(client.readable).text()}`);
  }));
  stop.abort();
}
await serving;
