/** Port of peercred.py: SO_PEERCRED: who is at the other end of a unix socket. */
import {
  AF_UNIX,
  SO_PEERCRED,
  SOCK_STREAM,
  type Socket,
  socket,
  socketpair,
  SOL_SOCKET,
} from "@sockffi/socket";

const CRED_SIZE = 12; // struct ucred { pid_t pid; uid_t uid; gid_t gid; }
// SO_PEERCRED is Linux's (undefined elsewhere, as in CPython; macOS has LOCAL_PEERCRED).
if (SO_PEERCRED === undefined) throw new Error("SO_PEERCRED is not defined on this system");
const PEERCRED: number = SO_PEERCRED;

function show(label: string, sock: Socket): void {
  const raw = sock.getsockopt(SOL_SOCKET, PEERCRED, CRED_SIZE);
  const v = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const [pid, uid, gid] = [v.getInt32(0, true), v.getInt32(4, true), v.getInt32(8, true)];
  console.log(
    `${label}: pid is mine: ${pid === Deno.pid}, uid: ${uid === Deno.uid()}, gid: ${
      gid === Deno.gid()
    }`,
  );
}

const [a, b] = socketpair();
show("socketpair", a);
a.close();
b.close();

const d = Deno.makeTempDirSync();
try {
  const path = `${d}/cred.sock`;
  using srv = socket(AF_UNIX, SOCK_STREAM);
  srv.bind(path);
  srv.listen(1);
  using cli = socket(AF_UNIX, SOCK_STREAM);
  cli.connect(path);
  const [conn, addr] = srv.accept();
  using _conn = conn;
  console.log("accepted from:", `'${addr}'`);
  show("server side", conn);
  show("client side", cli);
  const peer = cli.getpeername();
  console.log(
    "client peer name ends with cred.sock:",
    typeof peer === "string" && peer.endsWith("cred.sock"),
  );
} finally {
  Deno.removeSync(d, { recursive: true });
}
