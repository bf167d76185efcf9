/**
 * Python's `repr()` and `str()` of the values addresses are made of, for
 * messages and a socket's repr that read as CPython's.
 *
 * @module
 */

/** The quote character Python's repr picks for a text with these characters. */
function quoteFor(text: string): string {
  return text.includes("'") && !text.includes('"') ? '"' : "'";
}

function bytesRepr(b: Uint8Array): string {
  const q = b.includes(0x27) && !b.includes(0x22) ? '"' : "'";
  let out = "";
  for (const c of b) {
    if (c === 0x5c) out += "\\\\";
    else if (c === q.charCodeAt(0)) out += `\\${q}`;
    else if (c === 0x09) out += "\\t";
    else if (c === 0x0a) out += "\\n";
    else if (c === 0x0d) out += "\\r";
    else if (c < 0x20 || c >= 0x7f) out += `\\x${c.toString(16).padStart(2, "0")}`;
    else out += String.fromCharCode(c);
  }
  return `b${q}${out}${q}`;
}

function strRepr(v: string): string {
  const q = quoteFor(v);
  let out = "";
  for (const ch of v) {
    const c = ch.codePointAt(0)!;
    if (ch === "\\") out += "\\\\";
    else if (ch === q) out += `\\${q}`;
    else if (ch === "\t") out += "\\t";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (c < 0x20 || (c >= 0x7f && c < 0xa0)) out += `\\x${c.toString(16).padStart(2, "0")}`;
    else if (c >= 0xd800 && c <= 0xdfff) out += `\\u${c.toString(16)}`; // a lone surrogate (surrogateescape)
    else out += ch;
  }
  return `${q}${out}${q}`;
}

/** Python's `repr(v)` for str, bytes, int, None and tuples of them. */
export function pyRepr(v: unknown): string {
  if (typeof v === "string") return strRepr(v);
  if (v instanceof Uint8Array) return bytesRepr(v);
  if (Array.isArray(v)) return `(${v.map(pyRepr).join(", ")}${v.length === 1 ? "," : ""})`;
  if (v === null || v === undefined) return "None";
  return String(v);
}

/** Python's `str(v)`: a string as is, anything else as its repr. */
export function pyStr(v: unknown): string {
  return typeof v === "string" ? v : pyRepr(v);
}
