/**
 * The sync hot paths after issue 11's wrapper trimming: recvfrom's IPv4
 * source address is decoded through a one-entry cache of the host text, so
 * results must still be right when the sender changes, and each result must
 * be its own array.
 *
 * @module
 */

import { assertEquals, assertNotStrictEquals } from "@std/assert";
import { AF_INET, SOCK_DGRAM, socket } from "../mod.ts";

Deno.test("recvfrom_into/recvfrom: the source address follows the sender, and each result is a fresh array", () => {
  const rx = socket(AF_INET, SOCK_DGRAM);
  const tx1 = socket(AF_INET, SOCK_DGRAM);
  const tx2 = socket(AF_INET, SOCK_DGRAM);
  try {
    rx.bind(["127.0.0.1", 0]);
    tx1.bind(["127.0.0.1", 0]);
    // 127.0.0.2 is loopback too on Linux (the whole 127/8 is routed to lo).
    tx2.bind(["127.0.0.2", 0]);
    const to = rx.getsockname() as [string, number];
    const p1 = (tx1.getsockname() as [string, number])[1];
    const p2 = (tx2.getsockname() as [string, number])[1];
    const buf = new Uint8Array(16);
    const seen: unknown[] = [];
    for (let i = 0; i < 6; i++) {
      const [tx, host, port] = i % 3 === 2 ? [tx2, "127.0.0.2", p2] : [tx1, "127.0.0.1", p1];
      tx.sendto(new Uint8Array([i]), to);
      if (i % 2 === 0) {
        const [n, from] = rx.recvfrom_into(buf);
        assertEquals([n, buf[0], from], [1, i, [host, port]]);
        seen.push(from);
      } else {
        const [data, from] = rx.recvfrom(16);
        assertEquals([data[0], from], [i, [host, port]]);
        seen.push(from);
      }
    }
    // Same sender twice in a row: equal contents, distinct arrays the caller may change.
    assertNotStrictEquals(seen[0], seen[1]);
    (seen[0] as [string, number])[0] = "changed";
    tx1.sendto(new Uint8Array([9]), to);
    assertEquals(rx.recvfrom_into(buf)[1], ["127.0.0.1", p1]);
  } finally {
    rx.close();
    tx1.close();
    tx2.close();
  }
});
