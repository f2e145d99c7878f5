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

/**
 * Letters, digits and marks assigned in Unicode 17.0. tiktoken's Rust regex tables are Unicode
 * 16, newer JS engines (Node 20.20's ICU) already have 17: classifying these as unassigned keeps
 * weft id-for-id with tiktoken on every engine (ranges found by probing every code point
 * against the npm `tiktoken`; see docs/tokenizers/tiktoken.md).
 */
const UNICODE_17_ADDITIONS: readonly (readonly [number, number])[] = [
  [0x88f, 0x88f],
  [0xc5c, 0xc5c],
  [0xcdc, 0xcdc],
  [0x1acf, 0x1add],
  [0x1ae0, 0x1aeb],
  [0xa7ce, 0xa7cf],
  [0xa7d2, 0xa7d2],
  [0xa7d4, 0xa7d4],
  [0xa7f1, 0xa7f1],
  [0x10940, 0x10959],
  [0x10ec5, 0x10ec7],
  [0x10efa, 0x10efb],
  [0x11b60, 0x11b67],
  [0x11db0, 0x11ddb],
  [0x11de0, 0x11de9],
  [0x16ea0, 0x16eb8],
  [0x16ebb, 0x16ed3],
  [0x16ff2, 0x16ff6],
  [0x187f8, 0x187ff],
  [0x18d09, 0x18d1e],
  [0x18d80, 0x18df2],
  [0x1e6c0, 0x1e6de],
  [0x1e6e0, 0x1e6f5],
  [0x1e6fe, 0x1e6ff],
  [0x2b73a, 0x2b73f],
  [0x2cea2, 0x2cead],
  [0x323b0, 0x33479],
];

export function isUnicode17Addition(cp: number): boolean {
  if (cp < 0x88f) return false;
  for (const [a, b] of UNICODE_17_ADDITIONS) if (cp >= a && cp <= b) return true;
  return false;
}

function classify(cp: number): number {
  if (cp >= 0xd800 && cp <= 0xdfff) return KNOWN; // lone surrogate: nothing (like U+FFFD, which it becomes)
  if (isUnicode17Addition(cp)) return KNOWN;
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
