/**
 * Unicode character classes the tiktoken split patterns use, one bit each, looked up per code
 * point in a lazily filled table (a code point is classified by RegExp once, then cached).
 */

/** `\p{L}` */
export const LETTER = 1;
/** `\p{N}` */
export const NUMBER = 2;
/** `\s` in Rust's regex crate = `\p{White_Space}` (JS's `\s` differs: it has U+FEFF, lacks U+0085). */
export const SPACE = 4;
/** o200k's "upper" class `[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]`. */
export const UPPERISH = 8;
/** o200k's "lower" class `[\p{Ll}\p{Lm}\p{Lo}\p{M}]`. */
export const LOWERISH = 16;
const KNOWN = 128;

let table: Uint8Array | undefined;

const RE_L = /\p{L}/u;
const RE_N = /\p{N}/u;
const RE_S = /\p{White_Space}/u;
const RE_U = /[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]/u;
const RE_W = /[\p{Ll}\p{Lm}\p{Lo}\p{M}]/u;

function classify(cp: number): number {
  if (cp >= 0xd800 && cp <= 0xdfff) return KNOWN; // lone surrogate: nothing (like U+FFFD, which it becomes)
  const s = String.fromCodePoint(cp);
  let f = KNOWN;
  if (RE_L.test(s)) f |= LETTER;
  if (RE_N.test(s)) f |= NUMBER;
  if (RE_S.test(s)) f |= SPACE;
  if (RE_U.test(s)) f |= UPPERISH;
  if (RE_W.test(s)) f |= LOWERISH;
  return f;
}

/** The class table (1.1 MB, zero = not yet classified). */
export function classTable(): Uint8Array {
  if (!table) {
    table = new Uint8Array(0x110000);
    for (let cp = 0; cp < 0x100; cp++) table[cp] = classify(cp);
  }
  return table;
}

/** Class bits of a code point. */
export function classOf(t: Uint8Array, cp: number): number {
  const f = t[cp]!;
  if (f !== 0) return f;
  return (t[cp] = classify(cp));
}
