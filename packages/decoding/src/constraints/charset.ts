/**
 * Sets of Unicode scalar values as sorted, disjoint, non-adjacent inclusive ranges.
 *
 * Regex classes live here at the code point level; {@link ./utf8.ts} turns them into byte
 * ranges for the byte automaton. Surrogates (U+D800–U+DFFF) are never members: they cannot
 * be encoded in well-formed UTF-8, so negated classes and `.` skip them.
 */

/** Highest Unicode scalar value. */
export const MAX_CODE_POINT = 0x10ffff;
const SURROGATE_LO = 0xd800;
const SURROGATE_HI = 0xdfff;

/** Flat list [lo0, hi0, lo1, hi1, ...], sorted, disjoint, non-adjacent. */
export type CharSet = readonly number[];

/** The empty set. */
export const EMPTY_SET: CharSet = [];

/** Every scalar value (no surrogates). */
export const ANY_CHAR: CharSet = [0, SURROGATE_LO - 1, SURROGATE_HI + 1, MAX_CODE_POINT];

/** Normalizes arbitrary [lo, hi] pairs: sorts, merges, drops surrogates. */
export function charSetFromRanges(pairs: ReadonlyArray<readonly [number, number]>): CharSet {
  const sorted = pairs.filter(([lo, hi]) => lo <= hi).sort((a, b) => a[0] - b[0]);
  const out: number[] = [];
  for (const [lo, hi] of sorted) {
    const n = out.length;
    if (n > 0 && lo <= out[n - 1]! + 1) {
      if (hi > out[n - 1]!) out[n - 1] = hi;
    } else {
      out.push(lo, hi);
    }
  }
  return removeSurrogates(out);
}

function removeSurrogates(set: number[]): CharSet {
  const out: number[] = [];
  for (let i = 0; i < set.length; i += 2) {
    const lo = set[i]!;
    const hi = set[i + 1]!;
    if (hi < SURROGATE_LO || lo > SURROGATE_HI) {
      out.push(lo, hi);
      continue;
    }
    if (lo < SURROGATE_LO) out.push(lo, SURROGATE_LO - 1);
    if (hi > SURROGATE_HI) out.push(SURROGATE_HI + 1, hi);
  }
  return out;
}

/** A set holding the given code points. */
export function charSetOf(...codePoints: number[]): CharSet {
  return charSetFromRanges(codePoints.map((c) => [c, c] as const));
}

/** Union of sets. */
export function union(...sets: CharSet[]): CharSet {
  const pairs: [number, number][] = [];
  for (const s of sets) for (let i = 0; i < s.length; i += 2) pairs.push([s[i]!, s[i + 1]!]);
  return charSetFromRanges(pairs);
}

/** Complement within {@link ANY_CHAR}. */
export function negate(set: CharSet): CharSet {
  const pairs: [number, number][] = [];
  let next = 0;
  for (let i = 0; i < set.length; i += 2) {
    if (set[i]! > next) pairs.push([next, set[i]! - 1]);
    next = set[i + 1]! + 1;
  }
  if (next <= MAX_CODE_POINT) pairs.push([next, MAX_CODE_POINT]);
  return charSetFromRanges(pairs);
}

/** Set difference a \ b. */
export function subtract(a: CharSet, b: CharSet): CharSet {
  return negate(union(negate(a), b));
}

/** Membership test. */
export function hasChar(set: CharSet, cp: number): boolean {
  for (let i = 0; i < set.length; i += 2) {
    if (cp < set[i]!) return false;
    if (cp <= set[i + 1]!) return true;
  }
  return false;
}

/** Number of members. */
export function charSetSize(set: CharSet): number {
  let n = 0;
  for (let i = 0; i < set.length; i += 2) n += set[i + 1]! - set[i]! + 1;
  return n;
}

/** `\d` as in JavaScript: ASCII digits only. */
export const DIGIT: CharSet = [0x30, 0x39];
/** `\w` as in JavaScript without the `i` flag: [A-Za-z0-9_]. */
export const WORD: CharSet = charSetFromRanges([
  [0x30, 0x39],
  [0x41, 0x5a],
  [0x5f, 0x5f],
  [0x61, 0x7a],
]);
/** `\s` as in JavaScript: WhiteSpace and LineTerminator code points. */
export const SPACE: CharSet = charSetFromRanges([
  [0x09, 0x0d],
  [0x20, 0x20],
  [0xa0, 0xa0],
  [0x1680, 0x1680],
  [0x2000, 0x200a],
  [0x2028, 0x2029],
  [0x202f, 0x202f],
  [0x205f, 0x205f],
  [0x3000, 0x3000],
  [0xfeff, 0xfeff],
]);
/** `.` as in JavaScript without the `s` flag: anything but line terminators. */
export const DOT: CharSet = negate(charSetOf(0x0a, 0x0d, 0x2028, 0x2029));
