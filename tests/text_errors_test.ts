/**
 * makefile()'s error handlers (errors=ignore, surrogateescape,
 * backslashreplace, replace, strict) on utf-8, ascii and latin-1 text files,
 * compared with CPython's bytes.decode()/str.encode() on the same input.
 */
import { assertEquals, assertThrows } from "@std/assert";
import { socketpair } from "../mod.ts";
import { PYTHON, pythonJson } from "./_sock_util.ts";

if (PYTHON === null) {
  console.log(
    "text_errors_test: python3 not found, so the error handlers are not compared with CPython's",
  );
}

const hex = (b: Uint8Array): string =>
  Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
const unhex = (h: string): Uint8Array =>
  new Uint8Array(h.match(/../g)?.map((x) => parseInt(x, 16)) ?? []);

const INPUTS = [
  "68656c6c6f", // hello
  "c3a9", // é
  "ff", // a byte that never starts UTF-8
  "e282", // a truncated 3-byte sequence
  "e28261", // truncated, then 'a'
  "eda080", // an encoded surrogate
  "f09f9880", // 😀
  "f0908080", // overlong? (no: U+10000), valid
  "c0af", // overlong '/'
  "f4908080", // above U+10FFFF
  "61ff62fe63", // a, bad, b, bad, c
  "e2", // a lone lead byte at the end
];
const TEXTS = ["hello", "é", "\u20ac", "😀", "\udcff", "a\udc80b", "\ud800x"];
const ENCODINGS = ["utf-8", "ascii", "latin-1"];
const HANDLERS = ["strict", "replace", "ignore", "surrogateescape", "backslashreplace"];

type Result = { ok: string } | { err: string };

/** Reads `bytes` back through a text makefile() with the handler. */
function readBack(bytes: Uint8Array, encoding: string, errors: string): Result {
  const [a, b] = socketpair();
  try {
    a.sendall(bytes);
    a.close();
    const f = b.makefile("r", null, { encoding, errors, newline: "" });
    try {
      return { ok: f.read() };
    } catch (e) {
      if (e instanceof RangeError) return { err: "UnicodeDecodeError" };
      throw e;
    } finally {
      f.close();
    }
  } finally {
    b.close();
  }
}

/** Writes `text` through a text makefile() with the handler and returns the bytes sent. */
function writeOut(text: string, encoding: string, errors: string): Result {
  const [a, b] = socketpair();
  try {
    const f = a.makefile("w", null, { encoding, errors, newline: "" });
    try {
      f.write(text);
      f.flush();
    } catch (e) {
      if (e instanceof RangeError) return { err: "UnicodeEncodeError" };
      throw e;
    } finally {
      try {
        f.close();
      } catch {
        // a failed write leaves nothing to flush
      }
    }
    a.close();
    const chunks: number[] = [];
    for (;;) {
      const got = b.recv(4096);
      if (got.length === 0) break;
      chunks.push(...got);
    }
    return { ok: hex(new Uint8Array(chunks)) };
  } finally {
    a.close();
    b.close();
  }
}

Deno.test({
  name: "makefile() text files decode and encode with Python's five error handlers, as CPython",
  ignore: PYTHON === null,
  async fn(): Promise<void> {
    const py = await pythonJson<{ dec: Result[]; enc: Result[] }>(
      String.raw`
import json, sys
inputs, texts, encs, handlers = json.loads(sys.argv[1])
dec, enc = [], []
for e in encs:
    for h in handlers:
        for i in inputs:
            try: dec.append({"ok": bytes.fromhex(i).decode(e, h)})
            except UnicodeDecodeError: dec.append({"err": "UnicodeDecodeError"})
        for t in texts:
            try: enc.append({"ok": t.encode(e, h).hex()})
            except UnicodeEncodeError: enc.append({"err": "UnicodeEncodeError"})
print(json.dumps({"dec": dec, "enc": enc}))`,
      [JSON.stringify([INPUTS, TEXTS, ENCODINGS, HANDLERS])],
    );

    const dec: Result[] = [], enc: Result[] = [];
    for (const e of ENCODINGS) {
      for (const h of HANDLERS) {
        for (const i of INPUTS) dec.push(readBack(unhex(i), e, h));
        for (const t of TEXTS) enc.push(writeOut(t, e, h));
      }
    }
    assertEquals(dec, py.dec);
    assertEquals(enc, py.enc);
  },
});

Deno.test("surrogateescape round-trips bytes that are not UTF-8, split across reads", () => {
  const [a, b] = socketpair();
  const r = b.makefile("r", null, { errors: "surrogateescape" });
  const w = b.makefile("w", null, { errors: "surrogateescape" });
  try {
    a.sendall(new Uint8Array([0x61, 0xe2, 0x82])); // a truncated sequence: wait for more
    a.sendall(new Uint8Array([0xac, 0xff, 0x0a]));
    const line = r.readline();
    assertEquals(line, "a\u20ac\udcff\n");
    w.write(line);
    w.flush();
    assertEquals(hex(a.recv(16)), "61e282acff0a");
  } finally {
    r.close();
    w.close();
    a.close();
    b.close();
  }
});

Deno.test("the extra handlers are refused where this package has only strict and replace", () => {
  const [a, b] = socketpair();
  try {
    assertThrows(
      () => a.makefile("r", null, { encoding: "utf-16-le", errors: "ignore" }),
      RangeError,
    );
    assertThrows(
      () => a.makefile("r", null, { errors: "xmlcharrefreplace" }),
      RangeError,
      "LookupError",
    );
  } finally {
    a.close();
    b.close();
  }
});
