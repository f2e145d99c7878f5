/**
 * Pre-tokenizers for the tiktoken split patterns. Each hand-written scanner returns the end of
 * the piece that the pattern's leftmost-first match starting at `i` would produce; the regex
 * scanner runs the pattern itself and is the reference the hand-written ones are tested against.
 */
import { SpecError } from '@weft/core';
import { classOf, classTable, LETTER, LOWERISH, NUMBER, SPACE, UPPERISH } from './classes.js';
import type { TiktokenScannerKind } from './presets.js';

/** Returns the end (exclusive) of the piece starting at `i`; `i < n`. */
export type PieceScanner = (t: string, i: number, n: number) => number;

/** Set by the scanners: whether the last piece had a non-ASCII code unit. */
export const scanState = { nonAscii: false };

const OTHER_MASK = LETTER | NUMBER | SPACE;

function codePointAt(t: string, j: number, n: number): number {
  const c = t.charCodeAt(j);
  if (c >= 0xd800 && c < 0xdc00 && j + 1 < n) {
    const d = t.charCodeAt(j + 1);
    if (d >= 0xdc00 && d < 0xe000) return ((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000;
  }
  return c;
}

/** Advances over code points whose class has any bit of `mask`. */
function runWhile(T: Uint8Array, t: string, j: number, n: number, mask: number): number {
  while (j < n) {
    const c = t.charCodeAt(j);
    if (c < 128) {
      if ((T[c]! & mask) === 0) return j;
      j++;
      continue;
    }
    scanState.nonAscii = true;
    const cp = codePointAt(t, j, n);
    if ((classOf(T, cp) & mask) === 0) return j;
    j += cp > 0xffff ? 2 : 1;
  }
  return j;
}

/** Advances over code points that are neither letter, number nor white space. */
function runOther(T: Uint8Array, t: string, j: number, n: number): number {
  while (j < n) {
    const c = t.charCodeAt(j);
    if (c < 128) {
      if ((T[c]! & OTHER_MASK) !== 0) return j;
      j++;
      continue;
    }
    scanState.nonAscii = true;
    const cp = codePointAt(t, j, n);
    if ((classOf(T, cp) & OTHER_MASK) !== 0) return j;
    j += cp > 0xffff ? 2 : 1;
  }
  return j;
}

/** `'s|'t|'re|'ve|'m|'ll|'d` at `i` (case-insensitive when `ci`, as Rust's `(?i:)`, so ſ counts as s). */
function contraction(t: string, i: number, n: number, ci: boolean): number {
  if (i + 1 >= n) return -1;
  let d = t.charCodeAt(i + 1);
  if (ci) {
    if (d === 0x17f) {
      scanState.nonAscii = true;
      return i + 2;
    }
    if (d >= 65 && d <= 90) d += 32;
  }
  if (d === 115 || d === 116 || d === 109 || d === 100) return i + 2;
  if (i + 2 >= n) return -1;
  let e = t.charCodeAt(i + 2);
  if (ci && e >= 65 && e <= 90) e += 32;
  if ((d === 114 && e === 101) || (d === 118 && e === 101) || (d === 108 && e === 108)) return i + 3;
  return -1;
}

/** `\s*[\r\n]+` (when `newline`), then `\s+(?!\S)`, then `\s+`, at a white-space code unit. */
function whitespace(T: Uint8Array, t: string, i: number, n: number, newline: boolean): number {
  const k = runWhile(T, t, i, n, SPACE);
  if (newline) {
    for (let p = k - 1; p >= i; p--) {
      const c = t.charCodeAt(p);
      if (c === 10 || c === 13) return p + 1;
    }
  }
  if (k === n || k - i < 2) return k;
  return k - 1; // every White_Space character is one code unit
}

/** r50k / p50k: `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+` */
export function gpt2Scanner(): PieceScanner {
  const T = classTable();
  return (t, i, n) => {
    const c = t.charCodeAt(i);
    if (c === 39) {
      const e = contraction(t, i, n, false);
      if (e > 0) return e;
    }
    const j = c === 32 && i + 1 < n ? i + 1 : i;
    const d = t.charCodeAt(j);
    let f: number;
    let w = 1;
    if (d < 128) f = T[d]!;
    else {
      scanState.nonAscii = true;
      const cp = codePointAt(t, j, n);
      f = classOf(T, cp);
      if (cp > 0xffff) w = 2;
    }
    if (f & LETTER) return runWhile(T, t, j + w, n, LETTER);
    if (f & NUMBER) return runWhile(T, t, j + w, n, NUMBER);
    if ((f & SPACE) === 0) return runOther(T, t, j + w, n);
    return whitespace(T, t, i, n, false);
  };
}

/** At most three `\p{N}` code points from `i` (the first is known to be one). */
function digits3(T: Uint8Array, t: string, i: number, n: number, w: number): number {
  let j = i + w;
  for (let k = 1; k < 3 && j < n; k++) {
    const c = t.charCodeAt(j);
    if (c < 128) {
      if ((T[c]! & NUMBER) === 0) break;
      j++;
    } else {
      scanState.nonAscii = true;
      const cp = codePointAt(t, j, n);
      if ((classOf(T, cp) & NUMBER) === 0) break;
      j += cp > 0xffff ? 2 : 1;
    }
  }
  return j;
}

/** ` ?[^\s\p{L}\p{N}]+` followed by any of `tail` (code units), or -1. */
function punctuation(T: Uint8Array, t: string, i: number, n: number, slash: boolean): number {
  const j = t.charCodeAt(i) === 32 && i + 1 < n ? i + 1 : i;
  const c = t.charCodeAt(j);
  let f: number;
  if (c < 128) f = T[c]!;
  else {
    scanState.nonAscii = true;
    f = classOf(T, codePointAt(t, j, n));
  }
  if ((f & OTHER_MASK) !== 0) return -1;
  let e = runOther(T, t, j, n);
  while (e < n) {
    const x = t.charCodeAt(e);
    if (x === 10 || x === 13 || (slash && x === 47)) e++;
    else break;
  }
  return e;
}

/** cl100k: `(?i:'s|…)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+` */
export function cl100kScanner(): PieceScanner {
  const T = classTable();
  return (t, i, n) => {
    const c = t.charCodeAt(i);
    if (c === 39) {
      const e = contraction(t, i, n, true);
      if (e > 0) return e;
    }
    let f: number;
    let w = 1;
    if (c < 128) f = T[c]!;
    else {
      scanState.nonAscii = true;
      const cp = codePointAt(t, i, n);
      f = classOf(T, cp);
      if (cp > 0xffff) w = 2;
    }
    if (f & LETTER) return runWhile(T, t, i + w, n, LETTER);
    if (c !== 10 && c !== 13 && (f & NUMBER) === 0 && i + w < n) {
      const d = t.charCodeAt(i + w);
      let g: number;
      let w2 = 1;
      if (d < 128) g = T[d]!;
      else {
        scanState.nonAscii = true;
        const cp = codePointAt(t, i + w, n);
        g = classOf(T, cp);
        if (cp > 0xffff) w2 = 2;
      }
      if (g & LETTER) return runWhile(T, t, i + w + w2, n, LETTER);
    }
    if (f & NUMBER) return digits3(T, t, i, n, w);
    const p = punctuation(T, t, i, n, false);
    if (p > 0) return p;
    return whitespace(T, t, i, n, true);
  };
}

/** o200k's `[…Lu Lt Lm Lo M]*[…Ll Lm Lo M]+`, or -1. */
function upperThenLower(T: Uint8Array, t: string, s: number, n: number): number {
  const e = runWhile(T, t, s, n, UPPERISH);
  if (e < n) {
    const c = t.charCodeAt(e);
    const f = c < 128 ? T[c]! : classOf(T, codePointAt(t, e, n));
    if (f & LOWERISH) return runWhile(T, t, e, n, LOWERISH);
  }
  // Backtrack the greedy upper run to its last code point that is also "lower".
  let u = e;
  while (u > s) {
    let back = 1;
    const lo = t.charCodeAt(u - 1);
    if (lo >= 0xdc00 && lo < 0xe000 && u - 2 >= s) {
      const hi = t.charCodeAt(u - 2);
      if (hi >= 0xd800 && hi < 0xdc00) back = 2;
    }
    u -= back;
    const cp = codePointAt(t, u, n);
    const f = cp < 128 ? T[cp]! : classOf(T, cp);
    if (f & LOWERISH) return u + back;
  }
  return -1;
}

/** o200k's `[…Lu Lt Lm Lo M]+[…Ll Lm Lo M]*`, or -1. */
function upperRunThenLower(T: Uint8Array, t: string, s: number, n: number): number {
  const e = runWhile(T, t, s, n, UPPERISH);
  if (e === s) return -1;
  return runWhile(T, t, e, n, LOWERISH);
}

/** o200k (see {@link TIKTOKEN_ENCODINGS}): case-aware letter runs with trailing contractions. */
export function o200kScanner(): PieceScanner {
  const T = classTable();
  const withContraction = (t: string, e: number, n: number): number => {
    if (e < n && t.charCodeAt(e) === 39) {
      const k = contraction(t, e, n, true);
      if (k > 0) return k;
    }
    return e;
  };
  return (t, i, n) => {
    const c = t.charCodeAt(i);
    let f: number;
    let w = 1;
    if (c < 128) f = T[c]!;
    else {
      scanState.nonAscii = true;
      const cp = codePointAt(t, i, n);
      f = classOf(T, cp);
      if (cp > 0xffff) w = 2;
    }
    const prefix = c !== 10 && c !== 13 && (f & (LETTER | NUMBER)) === 0 && i + w < n;
    let e: number;
    if (prefix && (e = upperThenLower(T, t, i + w, n)) >= 0) return withContraction(t, e, n);
    if (f & (UPPERISH | LOWERISH)) {
      if ((e = upperThenLower(T, t, i, n)) >= 0) return withContraction(t, e, n);
    }
    if (prefix && (e = upperRunThenLower(T, t, i + w, n)) >= 0) return withContraction(t, e, n);
    if (f & UPPERISH) {
      if ((e = upperRunThenLower(T, t, i, n)) >= 0) return withContraction(t, e, n);
    }
    if (f & NUMBER) return digits3(T, t, i, n, w);
    const p = punctuation(T, t, i, n, true);
    if (p > 0) return p;
    return whitespace(T, t, i, n, true);
  };
}

const CONTRACTIONS_CI = "(?:'[sSſ]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])";

/**
 * Translates a tiktoken (Rust regex) pattern to a JS RegExp: `\s` becomes `\p{White_Space}`
 * (JS's `\s` has U+FEFF and lacks U+0085) and the case-insensitive contraction group is spelled
 * out (inline `(?i:)` needs a newer V8 than Node 20's).
 */
export function tiktokenPatternToRegExp(pattern: string): RegExp {
  let src = pattern.replaceAll("(?i:'s|'t|'re|'ve|'m|'ll|'d)", CONTRACTIONS_CI);
  if (src.includes('(?i')) {
    throw new SpecError(
      'pattern',
      'inline case-insensitive groups other than the contraction group are not supported',
      'spell the alternatives out, e.g. [sS]',
    );
  }
  src = src.replaceAll('\\s', '\\p{White_Space}').replaceAll('\\S', '\\P{White_Space}');
  try {
    return new RegExp(src, 'guy');
  } catch (cause) {
    throw new SpecError(
      'pattern',
      `not a valid regular expression: ${(cause as Error).message}`,
      'pass a tiktoken split pattern',
    );
  }
}

/** Runs the pattern itself: the reference for the hand-written scanners, and the path for custom patterns. */
export function regexScanner(pattern: string): PieceScanner {
  const re = tiktokenPatternToRegExp(pattern);
  return (t, i, n) => {
    re.lastIndex = i;
    const m = re.exec(n === t.length ? t : t.slice(0, n));
    scanState.nonAscii = true;
    if (!m || m[0].length === 0) return i + 1; // text the pattern cannot split goes one code unit at a time
    return i + m[0].length;
  };
}

/** The scanner for a kind (throws on an unknown kind). */
export function createScanner(kind: TiktokenScannerKind, pattern: string): PieceScanner {
  switch (kind) {
    case 'gpt2':
      return gpt2Scanner();
    case 'cl100k':
      return cl100kScanner();
    case 'o200k':
      return o200kScanner();
    case 'regex':
      return regexScanner(pattern);
    default:
      throw new SpecError('scanner', `unknown scanner kind ${JSON.stringify(kind)}`, "use 'gpt2', 'cl100k', 'o200k' or 'regex'");
  }
}
