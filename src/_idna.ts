/**
 * Host names to the bytes the resolver gets, as CPython's `"idna"` codec
 * encodes them (IDNA 2003, RFC 3490): ASCII names pass through unchanged
 * after the label-length checks; other names are split on the four IDNA
 * dots, each label is nameprep'd (RFC 3491) and Punycode-encoded (RFC 3492)
 * with the `xn--` prefix.
 *
 * ASCII names (nearly every name in practice) are encoded exactly as
 * CPython does. For non-ASCII labels nameprep is approximated with the
 * JavaScript engine's Unicode tables (case folding as upper-then-lower,
 * NFKC) instead of Unicode 3.2's stringprep tables, so rare characters
 * whose mappings changed since Unicode 3.2 may encode differently.
 *
 * @module
 */

/** Python's UnicodeError (a ValueError): a RangeError with the codec's message. */
function codecError(reason: string): RangeError {
  return new RangeError(`encoding with 'idna' codec failed (UnicodeError: ${reason})`);
}

/** Whether every code unit of `s` is ASCII. */
function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}

function asciiBytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

// ---- nameprep (RFC 3491) ----

/** Table B.1: characters mapped to nothing. */
function inB1(c: number): boolean {
  return c === 0xad || c === 0x34f || c === 0x1806 || (c >= 0x180b && c <= 0x180d) ||
    (c >= 0x200b && c <= 0x200d) || c === 0x2060 || (c >= 0xfe00 && c <= 0xfe0f) ||
    c === 0xfeff;
}

/** Tables C.1.2 to C.9: characters nameprep prohibits. */
function prohibited(c: number): boolean {
  // C.1.2 non-ASCII space characters
  if (
    c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200b) || c === 0x202f ||
    c === 0x205f || c === 0x3000
  ) return true;
  // C.2.2 non-ASCII control characters
  if (
    (c >= 0x80 && c <= 0x9f) || c === 0x6dd || c === 0x70f || c === 0x180e || c === 0x200c ||
    c === 0x200d || c === 0x2028 || c === 0x2029 || (c >= 0x2060 && c <= 0x2063) ||
    (c >= 0x206a && c <= 0x206f) || c === 0xfeff || (c >= 0xfff9 && c <= 0xfffc) ||
    (c >= 0x1d173 && c <= 0x1d17a)
  ) return true;
  // C.3 private use
  if ((c >= 0xe000 && c <= 0xf8ff) || (c >= 0xf0000 && c <= 0xffffd)) return true;
  if (c >= 0x100000 && c <= 0x10fffd) return true;
  // C.4 non-character code points
  if ((c >= 0xfdd0 && c <= 0xfdef) || (c & 0xfffe) === 0xfffe) return true;
  // C.5 surrogate codes
  if (c >= 0xd800 && c <= 0xdfff) return true;
  // C.6 inappropriate for plain text
  if (c >= 0xfff9 && c <= 0xfffd) return true;
  // C.7 inappropriate for canonical representation
  if (c >= 0x2ff0 && c <= 0x2ffb) return true;
  // C.8 change display properties or deprecated
  if (
    c === 0x340 || c === 0x341 || c === 0x200e || c === 0x200f || (c >= 0x202a && c <= 0x202e) ||
    (c >= 0x206a && c <= 0x206f)
  ) return true;
  // C.9 tagging characters
  return c === 0xe0001 || (c >= 0xe0020 && c <= 0xe007f);
}

/** Table D.1 (RandALCat), approximated by the right-to-left scripts' letters. */
const RANDAL =
  /[\p{Script=Hebrew}\p{Script=Arabic}\p{Script=Syriac}\p{Script=Thaana}\p{Script=Nko}]/u;
const LETTER = /\p{L}/u;

function isRandAL(ch: string): boolean {
  return RANDAL.test(ch) && LETTER.test(ch);
}

/** Table B.2 (case folding for NFKC), approximated as CPython's map_table_b2. */
function mapB2(ch: string): string {
  const al = ch.toUpperCase().toLowerCase();
  const b = al.normalize("NFKC");
  const bl = [...b].map((x) => x.toUpperCase().toLowerCase()).join("");
  const c = bl.normalize("NFKC");
  return b !== c ? c : al;
}

/** The escape Python's repr() shows for a non-printable character. */
function escape(c: number): string {
  const hex = c.toString(16);
  if (c < 0x100) return `\\x${hex.padStart(2, "0")}`;
  if (c < 0x10000) return `\\u${hex.padStart(4, "0")}`;
  return `\\U${hex.padStart(8, "0")}`;
}

function nameprep(label: string): string {
  let mapped = "";
  for (const ch of label) {
    if (inB1(ch.codePointAt(0)!)) continue;
    mapped += mapB2(ch);
  }
  const out = mapped.normalize("NFKC");
  const chars = [...out];
  for (const ch of chars) {
    if (prohibited(ch.codePointAt(0)!)) {
      throw codecError(`Invalid character '${escape(ch.codePointAt(0)!)}'`);
    }
  }
  const randal = chars.map(isRandAL);
  if (randal.some((x) => x)) {
    if (chars.some((ch, i) => !randal[i] && LETTER.test(ch))) {
      throw codecError("Violation of BIDI requirement 2");
    }
    if (!randal[0] || !randal[randal.length - 1]) {
      throw codecError("Violation of BIDI requirement 3");
    }
  }
  return out;
}

// ---- Punycode (RFC 3492) ----

const BASE = 36;
const TMIN = 1;
const TMAX = 26;
const SKEW = 38;
const DAMP = 700;

function adapt(delta: number, numPoints: number, first: boolean): number {
  delta = first ? Math.floor(delta / DAMP) : delta >> 1;
  delta += Math.floor(delta / numPoints);
  let k = 0;
  while (delta > ((BASE - TMIN) * TMAX) >> 1) {
    delta = Math.floor(delta / (BASE - TMIN));
    k += BASE;
  }
  return k + Math.floor(((BASE - TMIN + 1) * delta) / (delta + SKEW));
}

function digit(d: number): string {
  return String.fromCharCode(d < 26 ? 97 + d : 22 + d);
}

/** Punycode-encodes a label (no prefix). */
export function punycode(label: string): string {
  const cps = [...label].map((ch) => ch.codePointAt(0)!);
  let out = "";
  for (const c of cps) if (c < 0x80) out += String.fromCharCode(c);
  const basic = out.length;
  let handled = basic;
  if (basic > 0) out += "-";
  let n = 0x80;
  let delta = 0;
  let bias = 72;
  while (handled < cps.length) {
    let m = Infinity;
    for (const c of cps) if (c >= n && c < m) m = c;
    delta += (m - n) * (handled + 1);
    n = m;
    for (const c of cps) {
      if (c < n) delta++;
      if (c === n) {
        let q = delta;
        for (let k = BASE;; k += BASE) {
          const t = k <= bias ? TMIN : k >= bias + TMAX ? TMAX : k - bias;
          if (q < t) break;
          out += digit(t + ((q - t) % (BASE - t)));
          q = Math.floor((q - t) / (BASE - t));
        }
        out += digit(q);
        bias = adapt(delta, handled + 1, handled === basic);
        delta = 0;
        handled++;
      }
    }
    delta++;
    n++;
  }
  return out;
}

function toAscii(label: string): string {
  if (isAscii(label)) {
    if (label.length > 0 && label.length < 64) return label;
    throw codecError("label empty or too long");
  }
  const prepped = nameprep(label);
  if (isAscii(prepped)) {
    if (prepped.length > 0 && prepped.length < 64) return prepped;
    throw codecError("label empty or too long");
  }
  if (prepped.startsWith("xn--")) throw codecError("Label starts with ACE prefix");
  const ace = "xn--" + punycode(prepped);
  if (ace.length < 64) return ace;
  throw codecError("label empty or too long");
}

/**
 * Encodes a host name as Python's `str.encode("idna")`.
 *
 * @throws {RangeError} for an empty or over-long label, a lone surrogate or
 * a character nameprep prohibits (Python's UnicodeError)
 */
export function idnaEncode(host: string): Uint8Array {
  if (host.length === 0) return new Uint8Array(0);
  if (isAscii(host)) {
    const labels = host.split(".");
    for (let i = 0; i < labels.length - 1; i++) {
      const n = labels[i].length;
      if (n === 0 || n >= 64) throw codecError("label empty or too long");
    }
    if (labels[labels.length - 1].length >= 64) throw codecError("label too long");
    return asciiBytes(host);
  }
  const labels = host.split(/[.\u3002\uff0e\uff61]/);
  let trailing = "";
  if (labels.length > 0 && labels[labels.length - 1] === "") {
    trailing = ".";
    labels.pop();
  }
  const out = labels.map(toAscii).join(".") + trailing;
  return asciiBytes(out);
}
