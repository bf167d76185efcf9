/**
 * Port of http_client.py: an HTTP/1.1 client over a socket and its
 * makefile(): GET a path, print the status, two headers and the body.
 *
 * Usage: deno run --allow-ffi http_client.ts PORT PATH...
 */
import { create_connection } from "@sockffi/socket";

const latin1 = new TextDecoder("latin1");

function get(port: number, path: string): [string, Map<string, string>, Uint8Array] {
  using sock = create_connection(["127.0.0.1", port], 5);
  const request = `GET ${path} HTTP/1.1\r\n` +
    `Host: 127.0.0.1:${port}\r\n` +
    "User-Agent: port-test\r\n" +
    "Connection: close\r\n\r\n";
  sock.sendall(new TextEncoder().encode(request));
  using f = sock.makefile("rb");
  const status = latin1.decode(f.readline()).replace(/[\r\n]+$/, "");
  const headers = new Map<string, string>();
  for (;;) {
    const line = latin1.decode(f.readline());
    if (line === "\r\n" || line === "\n" || line === "") break;
    const colon = line.indexOf(":");
    headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  const length = Number(headers.get("content-length") ?? "0");
  const body = f.read(length);
  return [status, headers, body];
}

function main(): void {
  const port = Number(Deno.args[0]);
  for (const path of Deno.args.slice(1)) {
    const [status, headers, body] = get(port, path);
    console.log(status);
    console.log("content-type:", headers.get("content-type"));
    console.log("content-length:", headers.get("content-length"));
    const first = body.subarray(0, body.indexOf(10) < 0 ? body.length : body.indexOf(10));
    console.log("body:", body.length, "bytes, first line:", new TextDecoder().decode(first));
  }
}

main();
