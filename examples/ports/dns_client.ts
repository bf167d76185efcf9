/**
 * Port of dns_client.py: a DNS client over UDP that asks a server for A
 * records and prints the answers.
 *
 * Usage: deno run --allow-ffi dns_client.ts PORT NAME...
 */
import {
  AF_INET,
  inet_ntoa,
  type InetAddress,
  SOCK_DGRAM,
  type Socket,
  socket,
} from "@sockffi/socket";

const QTYPE_A = 1;
const RCODES: Record<number, string> = { 0: "NOERROR", 2: "SERVFAIL", 3: "NXDOMAIN" };

function encodeName(name: string): Uint8Array {
  const out: number[] = [];
  for (const label of name.replace(/\.$/, "").split(".")) {
    out.push(label.length, ...new TextEncoder().encode(label));
  }
  return new Uint8Array([...out, 0]);
}

function skipName(msg: Uint8Array, off: number): number {
  for (;;) {
    const n = msg[off];
    if (n === 0) return off + 1;
    if ((n & 0xc0) === 0xc0) return off + 2;
    off += 1 + n;
  }
}

function query(
  sock: Socket<InetAddress, InetAddress>, // a UDP socket: every datagram has a sender
  server: InetAddress,
  name: string,
): [string, Array<[string, number]>] {
  const qid = Math.floor(Math.random() * 65536);
  const header = new DataView(new ArrayBuffer(12));
  header.setUint16(0, qid);
  header.setUint16(2, 0x0100);
  header.setUint16(4, 1);
  const qname = encodeName(name);
  const packet = new Uint8Array(12 + qname.length + 4);
  packet.set(new Uint8Array(header.buffer));
  packet.set(qname, 12);
  new DataView(packet.buffer).setUint16(12 + qname.length, QTYPE_A);
  new DataView(packet.buffer).setUint16(12 + qname.length + 2, 1);
  sock.sendto(packet, server);
  let data: Uint8Array;
  for (;;) {
    const [d, addr] = sock.recvfrom(512);
    const v = new DataView(d.buffer, d.byteOffset, d.byteLength);
    if (
      addr[0] === server[0] && addr[1] === server[1] && d.length >= 12 && v.getUint16(0) === qid
    ) {
      data = d;
      break;
    }
  }
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const flags = v.getUint16(2), qd = v.getUint16(4), an = v.getUint16(6);
  let off = 12;
  for (let i = 0; i < qd; i++) off = skipName(data, off) + 4;
  const answers: Array<[string, number]> = [];
  for (let i = 0; i < an; i++) {
    off = skipName(data, off);
    const rtype = v.getUint16(off), ttl = v.getUint32(off + 4), rdlen = v.getUint16(off + 8);
    off += 10;
    if (rtype === QTYPE_A && rdlen === 4) {
      answers.push([inet_ntoa(data.subarray(off, off + 4)), ttl]);
    }
    off += rdlen;
  }
  return [RCODES[flags & 0xf] ?? String(flags & 0xf), answers];
}

function main(): void {
  const server: InetAddress = ["127.0.0.1", Number(Deno.args[0])];
  using sock = socket(AF_INET, SOCK_DGRAM);
  sock.settimeout(5.0);
  for (const name of Deno.args.slice(1)) {
    const [rcode, answers] = query(sock, server, name);
    console.log(`${name}: ${rcode}`);
    for (const [address, ttl] of answers) console.log(`  A ${address} ttl=${ttl}`);
  }
}

main();
