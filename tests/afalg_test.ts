/**
 * sendmsg_afalg()'s control messages at the codec level (this kernel has no
 * AF_ALG): the layout of struct af_alg_iv and the u32 values against
 * CPython's struct module, and CPython's argument errors.
 */
import { assertEquals, assertThrows } from "@std/assert";
import { ALG_SET_AEAD_ASSOCLEN, ALG_SET_IV, ALG_SET_OP, SOL_ALG } from "../mod.ts";
import { ALG_OP_DECRYPT, ALG_OP_ENCRYPT } from "./_linux.ts";
import { afalgControl } from "../src/afalg.ts";
import { PYTHON, pythonJson } from "./_sock_util.ts";
import { linuxOnlyFile } from "./_platform.ts";

linuxOnlyFile("AF_ALG is the Linux kernel crypto API");

if (PYTHON === null) {
  console.log(
    "afalg_test: python3 not found, so the AF_ALG control messages are not compared with struct.pack",
  );
}

const hex = (b: Uint8Array): string =>
  Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");

Deno.test({
  name:
    "afalgControl() lays out ALG_SET_OP, ALG_SET_IV and ALG_SET_AEAD_ASSOCLEN as the kernel reads them",
  ignore: PYTHON === null,
  async fn(): Promise<void> {
    const iv = new Uint8Array(16).map((_, i) => i * 17);
    const want = await pythonJson<string[]>(`import json, struct
iv = bytes(i * 17 for i in range(16))
print(json.dumps([struct.pack("=I", 1).hex(), (struct.pack("=I", len(iv)) + iv).hex(), struct.pack("=I", 20).hex()]))`);
    const got = afalgControl({ op: ALG_OP_ENCRYPT, iv, assoclen: 20 });
    assertEquals(got.map(([l, t]) => [l, t]), [
      [SOL_ALG, ALG_SET_OP],
      [SOL_ALG, ALG_SET_IV],
      [SOL_ALG, ALG_SET_AEAD_ASSOCLEN],
    ]);
    assertEquals(got.map(([, , d]) => hex(d)), want);
  },
});

Deno.test("afalgControl() sends only what is given, and copies the IV through the real length", () => {
  const only = afalgControl({ op: ALG_OP_DECRYPT });
  assertEquals(only.length, 1);
  assertEquals(hex(only[0][2]), "00000000");
  const dv = new DataView(new Uint8Array([9, 8, 7, 6, 5]).buffer, 1, 3);
  assertEquals(hex(afalgControl({ op: 1, iv: dv })[1][2]), "03000000080706");
  // A view whose byteLength lies cannot make the length field disagree with the bytes.
  const liar = new Uint8Array([1, 2]);
  Object.defineProperty(liar, "byteLength", { get: () => 1000 });
  Object.defineProperty(liar, "length", { get: () => 1000 });
  assertEquals(hex(afalgControl({ op: 1, iv: liar })[1][2]), "020000000102");
  assertEquals(afalgControl({ op: 1, assoclen: 0 })[1][1], ALG_SET_AEAD_ASSOCLEN);
});

Deno.test("afalgControl() raises CPython's errors for op and assoclen", () => {
  assertThrows(() => afalgControl({} as never), TypeError, "Invalid or missing argument 'op'");
  assertThrows(() => afalgControl({ op: -1 }), TypeError, "Invalid or missing argument 'op'");
  assertThrows(() => afalgControl({ op: 1.5 }), TypeError, "must be int");
  assertThrows(() => afalgControl({ op: 1, assoclen: -1 }), TypeError, "assoclen must be positive");
  assertThrows(() => afalgControl({ op: 1, iv: "abc" as never }), TypeError, "encode it first");
  assertEquals(ALG_SET_OP, 3);
});
