/**
 * Port of sendfile.py: socket.sendfile(): a file sent whole and in part over
 * a socket pair, with its SHA-256 on both sides and the file position
 * afterwards.
 */
import {
  create_connection,
  create_server,
  SO_RCVBUF,
  type Socket,
  SOL_SOCKET,
} from "@sockffi/socket";

const SIZE = 150_000;
const payload = new Uint8Array(SIZE);
for (let i = 0; i < SIZE; i++) payload[i] = (i * 7 + Math.floor(i / 256)) & 0xff;

function recvExactly(sock: Socket, n: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(n);
  let got = 0;
  while (got < n) {
    const chunk = sock.recv(Math.min(n - got, 65536));
    if (chunk.length === 0) break;
    out.set(chunk, got);
    got += chunk.length;
  }
  return out.slice(0, got);
}

async function sha256(data: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", data));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

const d = Deno.makeTempDirSync();
try {
  const path = `${d}/payload.bin`;
  Deno.writeFileSync(path, payload);
  const srv = create_server(["127.0.0.1", 0]);
  const a = create_connection(srv.getsockname());
  const [b] = srv.accept();
  srv.close();
  b.setsockopt(SOL_SOCKET, SO_RCVBUF, 1 << 20);
  {
    using f = Deno.openSync(path);
    const tell = (): number => f.seekSync(0, Deno.SeekMode.Current);
    let sent = a.sendfile(f);
    console.log("sent whole:", sent, "position:", tell());
    let got = recvExactly(b, sent);
    console.log("sha256 equal:", (await sha256(got)) === (await sha256(payload)));
    console.log("sha256:", (await sha256(got)).slice(0, 16));
    sent = a.sendfile(f, 1000, 5000);
    console.log("sent part:", sent, "position:", tell());
    got = recvExactly(b, sent);
    console.log("part equal:", equal(got, payload.subarray(1000, 6000)));
    f.seekSync(SIZE - 100, Deno.SeekMode.Start);
    sent = a.sendfile(f); // offset defaults to 0: from the start, wherever the position was
    console.log(
      "sent after seek:",
      sent,
      "position:",
      tell(),
      "whole:",
      equal(recvExactly(b, sent), payload),
    );
    sent = a.sendfile(f, SIZE - 100);
    console.log(
      "sent tail:",
      sent,
      "position:",
      tell(),
      "equal:",
      equal(recvExactly(b, sent), payload.subarray(SIZE - 100)),
    );
  }
  a.close();
  console.log("after close:", b.recv(10).length === 0 ? "b''" : "data");
  b.close();
} finally {
  Deno.removeSync(d, { recursive: true });
}
