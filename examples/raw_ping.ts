/**
 * ping, with a raw ICMP socket: build an echo request by hand, send it, and
 * time the reply. Needs root (or CAP_NET_RAW) for SOCK_RAW.
 *
 *     sudo deno run --allow-ffi examples/raw_ping.ts [host] [count]
 *
 * The host defaults to 127.0.0.1.
 *
 * @module
 */

import {
  AF_INET,
  gethostbyname,
  IPPROTO_ICMP,
  SOCK_RAW,
  socket,
  SocketError,
  timeout,
} from "../mod.ts";

/** The Internet checksum (RFC 1071) of `b`. */
function checksum(b: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < b.length; i += 2) sum += (b[i] << 8) | (b[i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** An ICMP echo request (type 8) with `id`, `seq` and a payload. */
function echoRequest(id: number, seq: number, payload: Uint8Array): Uint8Array {
  const pkt = new Uint8Array(8 + payload.length);
  const dv = new DataView(pkt.buffer);
  dv.setUint8(0, 8); // type: echo request
  dv.setUint16(4, id);
  dv.setUint16(6, seq);
  pkt.set(payload, 8);
  dv.setUint16(2, checksum(pkt));
  return pkt;
}

const host = gethostbyname(Deno.args[0] ?? "127.0.0.1");
const count = Number(Deno.args[1] ?? 3);
let s;
try {
  s = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
} catch (e) {
  if (e instanceof SocketError && e.code === "EPERM") {
    console.error("raw sockets need root (or CAP_NET_RAW): run with sudo");
    Deno.exit(1);
  }
  throw e;
}
using sock = s;
sock.settimeout(1);
const id = Deno.pid & 0xffff;
console.log(`PING ${host}`);
for (let seq = 1; seq <= count; seq++) {
  const t0 = performance.now();
  sock.sendto(echoRequest(id, seq, new TextEncoder().encode("sockffi ping")), [host, 0]);
  try {
    for (;;) {
      // A raw ICMP socket receives the whole IP packet: skip its header.
      const [packet, from] = sock.recvfrom(1500);
      const ihl = (packet[0] & 0x0f) * 4;
      const icmp = new DataView(packet.buffer, packet.byteOffset + ihl);
      if (icmp.getUint8(0) !== 0 || icmp.getUint16(4) !== id || icmp.getUint16(6) !== seq) {
        continue; // not our reply (our own request on loopback, another ping)
      }
      const ms = (performance.now() - t0).toFixed(3);
      console.log(
        `reply from ${from[0]}: icmp_seq=${seq} ttl=${packet[8]} time=${ms} ms`,
      );
      break;
    }
  } catch (e) {
    if (!(e instanceof timeout)) throw e;
    console.log(`icmp_seq=${seq}: no reply within 1 s`);
  }
}
