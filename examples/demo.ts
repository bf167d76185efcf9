/**
 * A short tour of sockffi: Python's socket module, in Deno, over libc.
 *
 * Run it with `deno task demo` (or `npx --yes deno@2.9.6 task demo`).
 * Everything here uses Python's names: a Python programmer reads it as the
 * socket code they already know.
 *
 * @module
 */

import {
  AF_INET,
  AF_UNIX,
  IPPROTO_TCP,
  SO_RCVBUF,
  SO_REUSEADDR,
  SO_TYPE,
  SOCK_DGRAM,
  SOCK_STREAM,
  socket,
  SocketError,
  socketpair,
  SOL_SOCKET,
  TCP_NODELAY,
} from "../mod.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

console.log("1. A TCP echo server and client on 127.0.0.1");
{
  using server = socket(AF_INET, SOCK_STREAM);
  server.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1);
  server.bind(["127.0.0.1", 0]); // port 0: the kernel picks a free port
  server.listen();
  const [host, port] = server.getsockname();
  console.log(`   server listening on ${host}:${port}`);

  using client = socket(AF_INET, SOCK_STREAM);
  client.connect([host, port]); // completes through the listen backlog
  const [conn, peer] = server.accept();
  using _conn = conn;
  console.log(`   server accepted a connection from ${JSON.stringify(peer)}`);

  client.sendall(enc.encode("Hello, world"));
  const data = conn.recv(1024); // the server echoes what it receives
  conn.sendall(data);
  console.log(`   client received the echo: ${JSON.stringify(dec.decode(client.recv(1024)))}`);
}

console.log("2. A unix socketpair: two connected sockets, no address needed");
{
  const [a, b] = socketpair(AF_UNIX, SOCK_STREAM);
  using _a = a;
  using _b = b;
  a.sendall(enc.encode("ping"));
  console.log(`   b received ${JSON.stringify(dec.decode(b.recv(16)))}`);
  b.sendall(enc.encode("pong"));
  console.log(`   a received ${JSON.stringify(dec.decode(a.recv(16)))}`);
}

console.log("3. Socket options with getsockopt/setsockopt");
{
  using s = socket(AF_INET, SOCK_STREAM);
  console.log(`   SO_TYPE is SOCK_STREAM: ${s.getsockopt(SOL_SOCKET, SO_TYPE) === SOCK_STREAM}`);
  console.log(`   TCP_NODELAY before: ${s.getsockopt(IPPROTO_TCP, TCP_NODELAY)}`);
  s.setsockopt(IPPROTO_TCP, TCP_NODELAY, 1);
  console.log(`   TCP_NODELAY after:  ${s.getsockopt(IPPROTO_TCP, TCP_NODELAY)}`);
  s.setsockopt(SOL_SOCKET, SO_RCVBUF, 65536);
  console.log(
    `   SO_RCVBUF set to 65536 reads back ${s.getsockopt(SOL_SOCKET, SO_RCVBUF)}` +
      " (Linux doubles it for bookkeeping)",
  );
}

console.log("4. UDP datagrams, with a timeout");
{
  using rx = socket(AF_INET, SOCK_DGRAM);
  rx.bind(["127.0.0.1", 0]);
  using tx = socket(AF_INET, SOCK_DGRAM);
  tx.sendto(enc.encode("a datagram"), rx.getsockname()!);
  const [data, from] = rx.recvfrom(1500);
  console.log(`   received ${JSON.stringify(dec.decode(data))} from ${JSON.stringify(from)}`);
  rx.settimeout(0.1);
  try {
    rx.recvfrom(1500);
  } catch (e) {
    console.log(`   a second recvfrom raised ${(e as Error).name}: ${(e as Error).message}`);
  }
}

console.log("5. Errors are Python's: OSError is SocketError, with errno and its name");
{
  using s = socket(AF_INET, SOCK_STREAM);
  try {
    s.connect(["127.0.0.1", 1]);
  } catch (e) {
    if (e instanceof SocketError) {
      console.log(`   connect: errno ${e.errno} (${e.code}): ${e.strerror}`);
    }
  }
}
