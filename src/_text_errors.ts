/**
 * Python's codec error handlers for makefile()'s text files: `strict`,
 * `replace`, `ignore`, `surrogateescape` and `backslashreplace`, applied to
 * what an encoding cannot decode (one maximal ill-formed subpart at a time,
 * as CPython's UTF-8 decoder reports them) or encode (one code point).
 *
 * @module
 */

/** The error handlers makefile() takes (Python's `errors=`). */
export const ERROR_HANDLERS: readonly string[] = [
  "strict",
  "replace",
  "ignore",
  "surrogateescape",
  "backslashreplace",
];

const hex2 = (n: number): string => n.toString(16).padStart(2, "0");

/**
 * The text that stands for the undecodable bytes `bad` under `handler`, or
 * null when the handler cannot (strict; surrogateescape for a byte below
 * 0x80, as CPython).
 */
export function decodeReplacement(handler: string, bad: Uint8Array): string | null {
  switch (handler) {
    case "replace":
      return "\ufffd";
    case "ignore":
      return "";
    case "backslashreplace":
      return Array.from(bad, (b) => `\\x${hex2(b)}`).join("");
    case "surrogateescape":
      if (bad.some((b) => b < 0x80)) return null;
      return String.fromCharCode(...Array.from(bad, (b) => 0xdc00 + b));
  }
  return null;
}

/**
 * The bytes that stand for code point `cp`, which the encoding cannot
 * encode, under `handler` (ASCII-compatible encodings), or null when the
 * handler cannot (strict; surrogateescape for anything but U+DC80..U+DCFF).
 */
export function encodeReplacement(handler: string, cp: number): number[] | null {
  switch (handler) {
    case "replace":
      return [0x3f]; // "?"
    case "ignore":
      return [];
    case "surrogateescape":
      return cp >= 0xdc80 && cp <= 0xdcff ? [cp - 0xdc00] : null;
    case "backslashreplace": {
      const text = cp <= 0xff
        ? `\\x${hex2(cp)}`
        : cp <= 0xffff
        ? `\\u${cp.toString(16).padStart(4, "0")}`
        : `\\U${cp.toString(16).padStart(8, "0")}`;
      return Array.from(text, (c) => c.charCodeAt(0));
    }
  }
  return null;
}

/** [second-byte low, high, sequence length] for each UTF-8 lead byte (Unicode Table 3-7). */
function leadInfo(b: number): [number, number, number] | null {
  if (b >= 0xc2 && b <= 0xdf) return [0x80, 0xbf, 2];
  if (b === 0xe0) return [0xa0, 0xbf, 3];
  if ((b >= 0xe1 && b <= 0xec) || b === 0xee || b === 0xef) return [0x80, 0xbf, 3];
  if (b === 0xed) return [0x80, 0x9f, 3];
  if (b === 0xf0) return [0x90, 0xbf, 4];
  if (b >= 0xf1 && b <= 0xf3) return [0x80, 0xbf, 4];
  if (b === 0xf4) return [0x80, 0x8f, 4];
  return null;
}

const utf8 = new TextDecoder("utf-8");

/**
 * A streaming UTF-8 decoder that hands every maximal ill-formed subpart to
 * an error handler (`decodeReplacement`); an incomplete sequence at the end
 * of a chunk waits for the next one unless `final`.
 */
export class Utf8HandlerDecoder {
  #pending = new Uint8Array(0);
  #handler: string;
  #fail: (bad: Uint8Array, at: number) => never;

  /**
   * @param handler the error handler's name
   * @param fail throws the UnicodeDecodeError for bytes the handler cannot take
   */
  constructor(handler: string, fail: (bad: Uint8Array, at: number) => never) {
    this.#handler = handler;
    this.#fail = fail;
  }

  /** Decodes `chunk` after what was pending; `final` flushes an incomplete tail as an error. */
  decode(chunk: Uint8Array, final: boolean): string {
    let b = chunk;
    if (this.#pending.length > 0) {
      b = new Uint8Array(this.#pending.length + chunk.length);
      b.set(this.#pending);
      b.set(chunk, this.#pending.length);
    }
    this.#pending = new Uint8Array(0);
    let out = "";
    let run = 0; // start of the current well-formed run
    let i = 0;
    const n = b.length;
    while (i < n) {
      const b0 = b[i];
      if (b0 < 0x80) {
        i++;
        continue;
      }
      const info = leadInfo(b0);
      let j = i + 1;
      let ok = info !== null;
      if (info !== null) {
        const [lo, hi, len] = info;
        for (; j < i + len; j++) {
          if (j >= n) {
            if (!final) {
              out += utf8.decode(b.subarray(run, i));
              this.#pending = b.slice(i);
              return out;
            }
            ok = false;
            break;
          }
          const c = b[j];
          const second = j === i + 1; // the lead byte narrows the second byte's range only
          if (c < (second ? lo : 0x80) || c > (second ? hi : 0xbf)) {
            ok = false;
            break;
          }
        }
      }
      if (ok) {
        i = j;
        continue;
      }
      // b[i..j) is a maximal ill-formed subpart.
      out += utf8.decode(b.subarray(run, i));
      const bad = b.subarray(i, j);
      const text = decodeReplacement(this.#handler, bad);
      if (text === null) this.#fail(bad, i);
      out += text;
      i = j;
      run = j;
    }
    return out + utf8.decode(b.subarray(run, n));
  }
}
