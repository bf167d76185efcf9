/**
 * The sockaddr codecs' text handling: AF_UNIX paths decode as Python's
 * os.fsdecode (UTF-8 with surrogateescape) so that any name the kernel
 * gives back can be used again.
 */
import { assert, assertEquals } from "@std/assert";
import { AF_UNIX, SOCK_DGRAM, socket } from "../mod.ts";
import { fsdecode, fsencode } from "../src/_sockaddr.ts";
import { PYTHON, pythonJson, tempDir } from "./_sock_util.ts";

/** Seeded byte strings: UTF-8 text, with invalid bytes and truncated sequences mixed in. */
function samples(seed: number, count: number): Uint8Array[] {
  let x = seed >>> 0;
  const next = (): number => {
    x = (x * 1664525 + 1013904223) >>> 0;
    return x;
  };
  const pieces = [
    [0x61],
    [0x2f],
    [0xc3, 0xa9], // é
    [0xe2, 0x82, 0xac], // €
    [0xf0, 0x9f, 0x98, 0x80], // 😀
    [0xff],
    [0x80],
    [0xc3], // truncated
    [0xe2, 0x82], // truncated
    [0xed, 0xa0, 0x80], // an encoded surrogate: invalid UTF-8
    [0xc0, 0xaf], // overlong
    [0xf4, 0x90, 0x80, 0x80], // above U+10FFFF
  ];
  const out: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const bytes: number[] = [];
    const n = 1 + (next() % 8);
    for (let j = 0; j < n; j++) bytes.push(...pieces[next() % pieces.length]);
    out.push(new Uint8Array(bytes));
  }
  return out;
}

Deno.test("fsdecode() and fsencode() agree with CPython's os.fsdecode/os.fsencode", {
  ignore: PYTHON === null,
}, async () => {
  const seed = 20261125;
  const inputs = samples(seed, 400);
  const hex = inputs.map((b) => [...b].map((x) => x.toString(16).padStart(2, "0")).join(""));
  // Python reports each decoded string as its UTF-16 code units, lone surrogates included.
  const want = await pythonJson<number[][]>(
    `import os, sys, json
out = []
for h in json.loads(sys.argv[1]):
    s = os.fsdecode(bytes.fromhex(h))
    units = []
    for ch in s:
        o = ord(ch)
        if o > 0xffff:
            o -= 0x10000
            units += [0xd800 + (o >> 10), 0xdc00 + (o & 0x3ff)]
        else:
            units.append(o)
    assert os.fsencode(s) == bytes.fromhex(h)
    out.append(units)
print(json.dumps(out))`,
    [JSON.stringify(hex)],
  );
  for (let i = 0; i < inputs.length; i++) {
    const got = fsdecode(inputs[i]);
    const units = [...Array(got.length).keys()].map((k) => got.charCodeAt(k));
    assertEquals(units, want[i], `seed ${seed}, input ${hex[i]}`);
    assertEquals(
      [...fsencode(got)],
      [...inputs[i]],
      `round trip, seed ${seed}, input ${hex[i]}`,
    );
  }
});

Deno.test("an AF_UNIX path that is not UTF-8 comes back as a string that binds and connects again", () => {
  using dir = tempDir();
  const enc = new TextEncoder();
  const raw = new Uint8Array([...enc.encode(`${dir.path}/s-`), 0xff, 0xfe, 0x41]);
  using server = socket(AF_UNIX, SOCK_DGRAM);
  server.bind(raw);
  const name = server.getsockname() as string;
  assertEquals(typeof name, "string");
  assert(name.endsWith("s-\udcff\udcfeA"), JSON.stringify(name));
  using client = socket(AF_UNIX, SOCK_DGRAM);
  client.sendto(enc.encode("hi"), name); // the decoded name reaches the same socket
  const [data] = server.recvfrom(16);
  assertEquals(new TextDecoder().decode(data), "hi");
});
