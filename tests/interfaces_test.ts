// Tests for src/interfaces.ts: interface names and indexes, on this
// machine's interfaces and on veth interfaces made inside a private network
// namespace (`unshare -n`, root only; skipped with a note otherwise).
import { assert, assertEquals, assertThrows } from "@std/assert";
import * as S from "../mod.ts";
import { findPython, run } from "./_oracle.ts";
import { nextTestOnLinux } from "./_platform.ts";

const PYTHON = await findPython();
if (PYTHON === null) {
  console.log("interfaces_test: python3 not found, so the comparisons with CPython are ignored");
}
const NETNS_OK =
  (await run("unshare", ["-n", "ip", "link", "add", "sfa", "type", "veth", "peer", "name", "sfb"]))
    ?.code === 0;
if (!NETNS_OK) {
  console.log(
    "interfaces_test: cannot make veth interfaces in a private network namespace " +
      "(needs root, `unshare` and `ip`), so those tests are ignored",
  );
}
const MOD_URL = new URL("../mod.ts", import.meta.url).href;

Deno.test("if_nameindex() lists the interfaces, loopback included", () => {
  const list = S.if_nameindex();
  assert(list.length >= 1);
  assert(list.some(([i, n]) => n === "lo" && i >= 1), JSON.stringify(list));
  for (const [index, name] of list) {
    assert(Number.isInteger(index) && index > 0);
    assertEquals(S.if_nametoindex(name), index);
    assertEquals(S.if_indextoname(index), name);
  }
});

Deno.test({
  name: "if_nameindex() matches CPython's",
  ignore: PYTHON === null,
  async fn(): Promise<void> {
    const r = await run(PYTHON!, [
      "-c",
      "import socket, json; print(json.dumps(socket.if_nameindex()))",
    ]);
    assert(r !== null && r.code === 0, r?.stderr);
    assertEquals(S.if_nameindex(), JSON.parse(r.stdout));
  },
});

Deno.test("if_nametoindex() takes bytes and raises SocketError for an unknown name", () => {
  assertEquals(S.if_nametoindex(new TextEncoder().encode("lo")), S.if_nametoindex("lo"));
  for (const name of ["no-such-if0", "", "x".repeat(40)]) {
    const e = assertThrows(
      () => S.if_nametoindex(name),
      S.SocketError,
      "no interface with this name",
      name,
    );
    assertEquals(e.errno, null); // CPython: OSError("no interface with this name"), errno None
  }
  assertThrows(() => S.if_nametoindex("lo\0"), RangeError, "if_nametoindex(): embedded null byte");
  assertThrows(
    () => S.if_nametoindex(1 as unknown as string),
    TypeError,
    "if_nametoindex() expects a string or bytes, not number",
  );
});

Deno.test("if_indextoname() raises ENXIO for an unused index and RangeError outside C's unsigned int", () => {
  const used = new Set(S.if_nameindex().map(([i]) => i));
  let free = 1;
  while (used.has(free)) free++;
  for (const index of [0, free, 0xffffffff]) {
    assertThrows(
      () => S.if_indextoname(index),
      S.SocketError,
      "[Errno 6] No such device or address",
      String(index),
    );
  }
  assertThrows(
    () => S.if_indextoname(-1),
    RangeError,
    "if_indextoname(): can't convert negative value to unsigned int",
  );
  // CPython 3.11 truncates 2**32 to 0 (ENXIO); 3.12 and later raise OverflowError, as here.
  assertThrows(
    () => S.if_indextoname(2 ** 32),
    RangeError,
    "if_indextoname(): index too large to convert to C unsigned int",
  );
  assertThrows(
    () => S.if_indextoname(1.5),
    TypeError,
    "if_indextoname() index must be an integer, not the non-integer 1.5",
  );
  assertThrows(
    () => S.if_indextoname("1" as unknown as number),
    TypeError,
    "if_indextoname() index must be an integer, not string",
  );
});

/** Runs `script` (sh) in a new network namespace; returns stdout lines. */
async function inNetns(script: string): Promise<string[]> {
  const r = await run("unshare", ["-n", "sh", "-ec", script]);
  assert(r !== null && r.code === 0, `netns script failed: ${r?.stderr}`);
  return r.stdout.trim().split("\n");
}

nextTestOnLinux("makes interfaces in a network namespace (unshare -n, ip)");
Deno.test({
  name: "interfaces made in a private namespace are listed, named and indexed as CPython does",
  ignore: !NETNS_OK || PYTHON === null,
  async fn(): Promise<void> {
    const deno = `${Deno.execPath()} eval --no-check 'import * as S from "${MOD_URL}";
const l = S.if_nameindex();
console.log(JSON.stringify([l, l.map(([i, n]) => [S.if_nametoindex(n), S.if_indextoname(i)])]));'`;
    const py = `${PYTHON} -c 'import socket, json
l = socket.if_nameindex()
print(json.dumps([l, [[socket.if_nametoindex(n), socket.if_indextoname(i)] for i, n in l]]))'`;
    const [ours, theirs] = await inNetns(
      `ip link add sfa type veth peer name sfb
ip link add name sockffi-veth15 type veth peer name sf2
${deno}
${py}`,
    );
    const [list, pairs] = JSON.parse(ours) as [[number, string][], [number, string][]];
    assertEquals(JSON.parse(ours), JSON.parse(theirs));
    const names = list.map(([, n]) => n);
    for (const n of ["lo", "sfa", "sfb", "sockffi-veth15", "sf2"]) assert(names.includes(n), n);
    assertEquals(pairs, list.map(([i, n]) => [i, n]));
  },
});

nextTestOnLinux("makes interfaces in a network namespace (unshare -n, ip)");
Deno.test({
  name:
    "a link-local peer address carries its scope as the 4th element, without a %zone (CPython 3.11)",
  ignore: !NETNS_OK || PYTHON === null,
  async fn(): Promise<void> {
    // A UDP datagram from fe80::1 to fe80::2 over a veth pair, in both implementations.
    const deno = `${Deno.execPath()} eval --no-check 'import * as S from "${MOD_URL}";
const i = S.if_nametoindex("sfb");
using r = S.socket(S.AF_INET6, S.SOCK_DGRAM); r.bind(["fe80::2", 0, 0, i]);
using s = S.socket(S.AF_INET6, S.SOCK_DGRAM); s.bind(["fe80::1", 0, 0, S.if_nametoindex("sfa")]);
s.sendto(new Uint8Array([1]), r.getsockname());
const [, from] = r.recvfrom(16);
console.log(JSON.stringify([from[0], from[2], from[3] === S.if_nametoindex("sfb"), r.getsockname()[0]]));'`;
    const py = `${PYTHON} -c 'import socket, json
i = socket.if_nametoindex("sfb")
r = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); r.bind(("fe80::2", 0, 0, i))
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); s.bind(("fe80::1", 0, 0, socket.if_nametoindex("sfa")))
s.sendto(b"x", r.getsockname())
d, a = r.recvfrom(16)
print(json.dumps([a[0], a[2], a[3] == i, r.getsockname()[0]]))'`;
    const lines = await inNetns(
      `ip link add sfa type veth peer name sfb
ip addr add fe80::1/64 dev sfa nodad
ip addr add fe80::2/64 dev sfb nodad
ip link set sfa up
ip link set sfb up
ip link set lo up
${deno}
${py}`,
    );
    assertEquals(JSON.parse(lines[0]), JSON.parse(lines[1]));
    assertEquals(JSON.parse(lines[0]), ["fe80::1", 0, true, "fe80::2"]);
  },
});
