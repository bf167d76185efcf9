// Adversarial argument values for the fuzzer. Every generator returns a
// value together with a short description, printed with the call so that a
// failure can be read and reproduced (`--seed S --batch B --verbose`).

import type { Rng } from "./rng.ts";

/** A generated argument and how to print it. */
export interface V {
  v: unknown;
  d: string;
}

/** Thrown by the fuzzer's own getters, iterators and valueOf: an error the library must pass through. */
export class ProbeError extends Error {
  constructor(where: string) {
    super(`fuzz probe: ${where}`);
    this.name = "ProbeError";
  }
}

/** What a value generator may do to the world while the library reads an argument. */
export interface Hooks {
  /** Closes a socket the call is probably using (a socket closed mid-call). */
  closeMidCall(): void;
}

const TA = Object.getPrototypeOf(Uint8Array.prototype);
const taByteLength = Object.getOwnPropertyDescriptor(TA, "byteLength")!.get!;
const taByteOffset = Object.getOwnPropertyDescriptor(TA, "byteOffset")!.get!;
const taBuffer = Object.getOwnPropertyDescriptor(TA, "buffer")!.get!;
const dvByteLength = Object.getOwnPropertyDescriptor(DataView.prototype, "byteLength")!.get!;
const dvByteOffset = Object.getOwnPropertyDescriptor(DataView.prototype, "byteOffset")!.get!;
const dvBuffer = Object.getOwnPropertyDescriptor(DataView.prototype, "buffer")!.get!;
const abByteLength = Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, "byteLength")!.get!;
const sabByteLength = Object.getOwnPropertyDescriptor(SharedArrayBuffer.prototype, "byteLength")!
  .get!;

/**
 * The bytes a value really holds, read only through the intrinsic accessors
 * (never a property of the object): a copy, or null when the value is not an
 * ArrayBuffer, SharedArrayBuffer or view (a Proxy is not one).
 */
export function trueBytes(x: unknown): Uint8Array | null {
  try {
    if (ArrayBuffer.isView(x)) {
      const isDv = x instanceof DataView;
      const buf = (isDv ? dvBuffer : taBuffer).call(x) as ArrayBufferLike;
      const off = (isDv ? dvByteOffset : taByteOffset).call(x) as number;
      const len = (isDv ? dvByteLength : taByteLength).call(x) as number;
      return new Uint8Array(buf, off, len).slice();
    }
  } catch {
    return null;
  }
  try {
    return new Uint8Array(x as ArrayBuffer, 0, abByteLength.call(x) as number).slice();
  } catch {
    // not an ArrayBuffer
  }
  try {
    return new Uint8Array(x as SharedArrayBuffer, 0, sabByteLength.call(x) as number).slice();
  } catch {
    return null;
  }
}

/** Integers at every boundary a C argument has. */
export const EDGE_INTS: readonly number[] = [
  0,
  1,
  -1,
  2,
  3,
  7,
  16,
  255,
  256,
  1024,
  65535,
  65536,
  2 ** 31 - 1,
  2 ** 31,
  -(2 ** 31),
  -(2 ** 31) - 1,
  2 ** 32 - 1,
  2 ** 32,
  2 ** 32 + 3,
  2 ** 53 - 1,
  2 ** 53,
  -(2 ** 53),
  2 ** 63,
  2 ** 64,
  1e308,
];

/** Numbers that are not integers, or are but look odd. */
export const ODD_NUMBERS: readonly number[] = [
  NaN,
  Infinity,
  -Infinity,
  -0,
  0.5,
  1.5,
  -1.5,
  Number.MIN_VALUE,
];

/** Random adversarial generators, bound to one Rng and one batch's hooks. */
export class Gen {
  constructor(readonly r: Rng, readonly hooks: Hooks) {}

  /** Anything that is not what the argument wants (types, getters, Proxies). */
  junk(): V {
    const r = this.r;
    const hooks = this.hooks;
    switch (r.int(24)) {
      case 0:
        return { v: undefined, d: "undefined" };
      case 1:
        return { v: null, d: "null" };
      case 2:
        return { v: true, d: "true" };
      case 3: {
        const b = r.pick([1n, -1n, 0n, 2n ** 64n, 2n ** 63n, -(2n ** 63n)]);
        return { v: b, d: `${b}n` };
      }
      case 4:
        return { v: Symbol("fz"), d: "Symbol()" };
      case 5:
        return { v: r.pick(["", "80", "0x10", "1e3", " 1"]), d: "string-number" };
      case 6:
        return { v: this.str().v, d: "string" };
      case 7:
        return { v: { valueOf: () => 5 }, d: "{valueOf:5}" };
      case 8:
        return {
          v: {
            valueOf(): never {
              throw new ProbeError("valueOf");
            },
            toString(): never {
              throw new ProbeError("toString");
            },
          },
          d: "{valueOf throws}",
        };
      case 9:
        return { v: [], d: "[]" };
      case 10:
        return { v: [1], d: "[1]" };
      case 11:
        return { v: new Number(5), d: "new Number(5)" };
      case 12:
        return { v: Object(1n), d: "Object(1n)" };
      case 13:
        return {
          v: new Proxy({}, {
            get(_t, k): unknown {
              if (k === Symbol.toPrimitive) return () => 4;
              throw new ProbeError(`proxy get ${String(k)}`);
            },
          }),
          d: "Proxy(throwing get)",
        };
      case 14:
        return {
          v: {
            [Symbol.toPrimitive](): number {
              hooks.closeMidCall();
              return 1;
            },
            valueOf(): number {
              hooks.closeMidCall();
              return 1;
            },
          },
          d: "{valueOf closes socket}",
        };
      case 15:
        return { v: () => 1, d: "function" };
      case 16:
        return { v: new Date(0), d: "Date" };
      case 17:
        return { v: Object.create(null), d: "Object.create(null)" };
      case 18:
        return { v: r.pick(ODD_NUMBERS), d: "odd-number" };
      case 19:
        return { v: new Uint8Array(4), d: "Uint8Array(4)" };
      case 20:
        return { v: { length: 2 ** 32, 0: "127.0.0.1", 1: 80 }, d: "array-like huge length" };
      case 21:
        return { v: new Map(), d: "Map" };
      case 22:
        return { v: { then: (f: (x: number) => void) => f(1) }, d: "thenable" };
      default:
        return { v: r.pick(EDGE_INTS), d: "edge-int" };
    }
  }

  /** Like {@linkcode junk}, but never a string (safe where a string could be looked up as a host name). */
  junkNonString(): V {
    for (;;) {
      const j = this.junk();
      if (typeof j.v !== "string") return j;
    }
  }

  /** An integer argument: mostly `good`, else a boundary or a wrong type. */
  int(good: () => number, pGood = 0.6): V {
    const r = this.r;
    if (r.chance(pGood)) {
      const n = good();
      return { v: n, d: String(n) };
    }
    if (r.chance(0.5)) {
      const n = r.pick(EDGE_INTS) * (r.chance(0.2) ? -1 : 1);
      return { v: n, d: Object.is(n, -0) ? "-0" : String(n) };
    }
    if (r.chance(0.4)) {
      const n = r.pick(ODD_NUMBERS);
      return { v: n, d: Object.is(n, -0) ? "-0" : String(n) };
    }
    return this.junk();
  }

  /** A string with the shapes that break C strings and UTF-8. */
  str(good?: () => string): V {
    const r = this.r;
    if (good && r.chance(0.5)) {
      const s = good();
      return { v: s, d: JSON.stringify(s) };
    }
    const s = r.pick([
      "",
      "a",
      "a\0b",
      "\0",
      "\ud800",
      "x\udfffy",
      "é",
      "\u{1F600}",
      "x".repeat(300),
      "x".repeat(70000),
      "%s%n",
      "127.0.0.1\0evil",
      "..",
      "-1",
    ]);
    return { v: s, d: JSON.stringify(s.length > 40 ? s.slice(0, 10) + `…(${s.length})` : s) };
  }

  /** A plain Uint8Array of random content, of up to `max` bytes. */
  plainBytes(max = 64): Uint8Array {
    const n = this.r.chance(0.1) ? 0 : this.r.range(1, max);
    return this.r.bytes(n);
  }

  /** Bytes in every legal and illegal shape: views, buffers, liars, detached, strings. */
  bytes(max = 64): V {
    const r = this.r;
    const hooks = this.hooks;
    const base = this.plainBytes(max);
    const n = base.length;
    switch (r.int(30)) {
      case 0:
      case 1:
      case 2:
      case 3:
        return { v: base, d: `u8[${n}]` };
      case 4: {
        const ab = new ArrayBuffer(n + 7);
        const off = r.range(1, 7);
        const v = new Uint8Array(ab, off, n);
        v.set(base);
        return { v, d: `u8[${n}]@off${off}` };
      }
      case 5:
        return { v: base.buffer, d: `ArrayBuffer(${n})` };
      case 6: {
        const sab = new SharedArrayBuffer(n);
        new Uint8Array(sab).set(base);
        return r.chance(0.5)
          ? { v: sab, d: `SharedArrayBuffer(${n})` }
          : { v: new Uint8Array(sab), d: `u8 over SAB(${n})` };
      }
      case 7: {
        const ab = new ArrayBuffer(n & ~1);
        return { v: new Int16Array(ab), d: `Int16Array(${(n & ~1) / 2})` };
      }
      case 8: {
        const ab = new ArrayBuffer(n + 3);
        return { v: new DataView(ab, 3), d: `DataView(off3,${n})` };
      }
      case 9: {
        const rab = new ArrayBuffer(n, { maxByteLength: n + 4096 });
        const v = new Uint8Array(rab);
        if (r.chance(0.5)) rab.resize(r.int(n + 1));
        return { v, d: `u8 tracking resizable(${n}→${rab.byteLength})` };
      }
      case 10: {
        const rab = new ArrayBuffer(64, { maxByteLength: 128 });
        const v = new Uint8Array(rab, 16, 16);
        rab.resize(8);
        return { v, d: "u8 out of bounds of shrunk resizable" };
      }
      case 11: {
        const v = new Uint8Array(n);
        v.buffer.transfer();
        return { v, d: "u8 over detached buffer" };
      }
      case 12: {
        const ab = new ArrayBuffer(n);
        ab.transfer();
        return { v: ab, d: "detached ArrayBuffer" };
      }
      case 13: {
        const v = new Uint8Array(base);
        Object.defineProperty(v, "length", { value: 4096 });
        Object.defineProperty(v, "byteLength", { value: 4096 });
        return { v, d: `u8[${n}] lying length=4096 (defineProperty)` };
      }
      case 14: {
        const v = new Uint8Array(base);
        Object.defineProperty(v, "byteOffset", { value: 2 ** 20 });
        return { v, d: `u8[${n}] lying byteOffset (defineProperty)` };
      }
      case 15: {
        class Liar extends Uint8Array {
          override get length(): number {
            return 1 << 16;
          }
          override get byteLength(): number {
            return 1 << 16;
          }
          override get byteOffset(): number {
            return 1 << 12;
          }
        }
        const v = new Liar(n);
        v.set(base);
        return { v, d: `u8[${n}] subclass lying length/byteLength/byteOffset` };
      }
      case 16: {
        const v = new Uint8Array(base);
        Object.defineProperty(v, "length", {
          get(): never {
            throw new ProbeError("length getter");
          },
        });
        Object.defineProperty(v, "byteLength", {
          get(): never {
            throw new ProbeError("byteLength getter");
          },
        });
        return { v, d: `u8[${n}] throwing length getters` };
      }
      case 17:
        return {
          v: new Proxy(base, {}),
          d: `Proxy(u8[${n}])`,
        };
      case 18:
        return {
          v: { byteLength: 4096, byteOffset: 0, length: 4096, buffer: new ArrayBuffer(1) },
          d: "fake view object",
        };
      case 19:
        return { v: Object.create(Uint8Array.prototype), d: "Object.create(Uint8Array.prototype)" };
      case 20: {
        const s = this.str();
        return { v: s.v, d: `string ${s.d}` };
      }
      case 21:
        return { v: Array.from(base), d: `number[${n}]` };
      case 22: {
        const v = new Uint8Array(base);
        Object.defineProperty(v, "length", {
          get(): number {
            v.buffer.transfer();
            return n;
          },
        });
        return { v, d: `u8[${n}] whose length getter detaches it` };
      }
      case 23: {
        const v = new Uint8Array(base);
        Object.defineProperty(v, "byteLength", {
          get(): number {
            hooks.closeMidCall();
            return n;
          },
        });
        return { v, d: `u8[${n}] whose byteLength getter closes a socket` };
      }
      case 24:
        return { v: new BigInt64Array(2), d: "BigInt64Array(2)" };
      case 25:
        return { v: new Float64Array([NaN, -0]), d: "Float64Array(2)" };
      case 26: {
        const big = new Uint8Array(r.pick([65536, 1 << 20, (1 << 20) + 3]));
        return { v: big, d: `u8[${big.length}] large` };
      }
      case 27: {
        const v = new Uint8Array(base);
        Object.setPrototypeOf(v, Array.prototype);
        return { v, d: `u8[${n}] with Array prototype` };
      }
      case 28: {
        const v = new Uint8Array(base);
        Object.defineProperty(v, "buffer", { value: new ArrayBuffer(1 << 16) });
        return { v, d: `u8[${n}] lying buffer` };
      }
      default:
        return this.junk();
    }
  }

  /** Bytes whose own properties lie about their size or place (the intrinsic accessors do not). */
  lyingBytes(max = 64): V {
    for (;;) {
      const v = this.bytes(max);
      if (/lying|getter|Proxy|fake|subclass|prototype/.test(v.d)) return v;
    }
  }

  /** A writable buffer for the *_into calls: a view, its true bytes' neighbours filled with a canary. */
  intoBuffer(): V & { canary?: { ab: ArrayBuffer; start: number; end: number } } {
    const r = this.r;
    if (r.chance(0.35)) {
      const n = r.range(0, 96);
      const ab = new ArrayBuffer(n + 32);
      new Uint8Array(ab).fill(0xa5);
      const start = r.range(0, 16);
      const base = new Uint8Array(ab, start, n);
      const lie = r.int(4);
      if (lie === 1) {
        Object.defineProperty(base, "length", { value: n + 4096 });
        Object.defineProperty(base, "byteLength", { value: n + 4096 });
      } else if (lie === 2) {
        Object.defineProperty(base, "byteOffset", { value: 0 });
      } else if (lie === 3) {
        Object.defineProperty(base, "length", { value: n + 8 });
      }
      return {
        v: base,
        d: `u8[${n}]@${start} in canary buffer${lie ? ` lie${lie}` : ""}`,
        canary: { ab, start, end: start + n },
      };
    }
    return this.bytes(128);
  }

  /** An iterable of buffers (sendmsg, recvmsg_into, writelines), in good and bad shapes. */
  buffers(into = false): V {
    const r = this.r;
    const hooks = this.hooks;
    const one = (): V => (into ? this.intoBuffer() : this.bytes(32));
    switch (r.int(12)) {
      case 0:
      case 1:
      case 2: {
        const k = r.range(0, 4);
        const items = Array.from({ length: k }, one);
        return { v: items.map((x) => x.v), d: `[${items.map((x) => x.d).join(", ")}]` };
      }
      case 3: {
        const k = r.pick([1023, 1024, 1025, 5000]);
        const items = Array.from({ length: k }, () => new Uint8Array(1));
        return { v: items, d: `${k} one-byte buffers` };
      }
      case 4: {
        const items = [one().v, one().v];
        return {
          v: (function* (): Generator<unknown> {
            yield items[0];
            hooks.closeMidCall();
            yield items[1];
          })(),
          d: "generator closing a socket mid-iteration",
        };
      }
      case 5:
        return {
          v: {
            [Symbol.iterator](): never {
              throw new ProbeError("iterator");
            },
          },
          d: "iterable whose iterator throws",
        };
      case 6: {
        const a = new Uint8Array(8);
        return {
          v: (function* (): Generator<unknown> {
            yield a;
            a.buffer.transfer();
            yield a;
          })(),
          d: "generator detaching an earlier buffer",
        };
      }
      case 7:
        return { v: "abc", d: "string (iterable of chars)" };
      case 8:
        return { v: new Set([new Uint8Array(3)]), d: "Set of u8" };
      case 9:
        return { v: [null, new Uint8Array(2)], d: "[null, u8]" };
      default:
        return this.junk();
    }
  }
}
