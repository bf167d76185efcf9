/**
 * Descriptor passing (SCM_RIGHTS): a parent accepts a TCP connection and
 * hands the open connection to a worker process, which serves it — the
 * pre-fork server pattern, something Deno's own networking cannot do.
 *
 *     deno run --allow-ffi --allow-run examples/fd_passing.ts
 *
 * The parent and the worker (this same script) talk over a unix socket in
 * Linux's abstract namespace, so no file is created. The worker gets only
 * `--allow-ffi`.
 *
 * @module
 */

import { AF_INET, AF_UNIX, recv_fds, send_fds, SOCK_STREAM, type Socket, socket } from "../mod.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

if (Deno.args[0] === "--worker") {
  // The worker: connect to the parent, receive a connection, serve it.
  using control = socket(AF_UNIX, SOCK_STREAM);
  control.connect(enc.encode(`\0${Deno.args[1]}`)); // a leading zero byte: abstract namespace
  const [note, [fd]] = recv_fds(control, 64, 1);
  using conn = socket(undefined, undefined, undefined, fd); // adopt: family/type read from fd
  const request = dec.decode(conn.recv(1024));
  conn.sendall(enc.encode(`worker ${Deno.pid} ("${dec.decode(note)}") answers: ${request}`));
} else {
  const name = `sockffi-fd-passing-${Deno.pid}`;
  using control = socket(AF_UNIX, SOCK_STREAM);
  control.bind(enc.encode(`\0${name}`)); // a leading zero byte: abstract namespace
  control.listen(1);
  const worker = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-ffi", import.meta.filename!, "--worker", name],
  }).spawn();
  const [toWorker] = control.accept();

  // A TCP server on loopback, and a client of it.
  using server = socket(AF_INET, SOCK_STREAM);
  server.bind(["127.0.0.1", 0]);
  server.listen();
  using client = socket(AF_INET, SOCK_STREAM);
  client.connect(server.getsockname()!);
  const [conn]: [Socket, unknown] = server.accept();

  // Hand the accepted connection to the worker, and let go of it here.
  send_fds(toWorker, [enc.encode("take this connection")], [conn.fileno()]);
  conn.close();
  toWorker.close();

  client.sendall(enc.encode(`hello from the client, parent ${Deno.pid}`));
  console.log(dec.decode(client.recv(1024)));
  await worker.status;
}
