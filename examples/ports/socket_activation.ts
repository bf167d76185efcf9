/**
 * Port of socket_activation.py: a systemd socket-activated service: the
 * listening socket arrives as descriptor 3 (SD_LISTEN_FDS_START) with
 * LISTEN_FDS and LISTEN_PID set. Serves one connection: reads a line,
 * answers "hello <line>".
 */
import { AddressFamily, SO_ACCEPTCONN, socket, SocketKind, SOL_SOCKET } from "@sockffi/socket";

const SD_LISTEN_FDS_START = 3;

function listenFds(): number[] {
  if (Deno.env.get("LISTEN_PID") !== String(Deno.pid)) return [];
  const count = Number(Deno.env.get("LISTEN_FDS") ?? "0");
  return Array.from({ length: count }, (_, i) => SD_LISTEN_FDS_START + i);
}

const fds = listenFds();
if (fds.length === 0) {
  console.error("not socket-activated");
  Deno.exit(1);
}
const listener = socket(undefined, undefined, undefined, fds[0]);
console.log(
  "service: got",
  fds.length,
  "socket(s):",
  AddressFamily[listener.family],
  SocketKind[listener.type],
  "listening:",
  listener.getsockopt(SOL_SOCKET, SO_ACCEPTCONN) === 1,
);
const [conn, addr] = listener.accept();
{
  using _conn = conn;
  using f = conn.makefile("rwb", 0);
  const name = new TextDecoder().decode(f.readline()).trim();
  // The family is only known at run time here (it came with the descriptor).
  const host = Array.isArray(addr) ? addr[0] : addr;
  console.log("service: greeting", name, "from", host);
  f.write(new TextEncoder().encode(`hello ${name}\n`));
}
listener.close();
