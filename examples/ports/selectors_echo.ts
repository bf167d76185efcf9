// Port of selectors_echo.py, the echo server of Python's `selectors`
// documentation, line by line (the port comes from the command line, 0
// picks one, and is printed).
import { type Socket, socket } from "@sockffi/socket";
import * as selectors from "@sockffi/socket/select";

type Callback = (sock: Socket, mask: number) => void;
const sel = new selectors.DefaultSelector<Callback, Socket>();

function accept(sock: Socket, _mask: number): void {
  const [conn, addr] = sock.accept(); // Should be ready
  console.log("accepted", conn, "from", addr);
  conn.setblocking(false);
  sel.register(conn, selectors.EVENT_READ, read);
}

function read(conn: Socket, _mask: number): void {
  const data = conn.recv(1000); // Should be ready
  if (data.length) {
    console.log("echoing", new TextDecoder().decode(data), "to", conn);
    conn.send(data); // Hope it won't block
  } else {
    console.log("closing", conn);
    sel.unregister(conn);
    conn.close();
  }
}

const sock = socket();
sock.bind(["localhost", Number(Deno.args[0])]);
sock.listen(100);
sock.setblocking(false);
sel.register(sock, selectors.EVENT_READ, accept);
console.log("port", sock.getsockname()[1]);

for (;;) {
  const events = sel.select();
  for (const [key, mask] of events) {
    const callback = key.data;
    callback(key.fileobj, mask);
  }
}
