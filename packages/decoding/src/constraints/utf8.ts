/**
 * Code point ranges → sequences of byte ranges that match exactly their UTF-8 encodings
 * (the construction of Rust's `regex-syntax` utf8 module). A sequence is a list of
 * [lo, hi] byte ranges, one per byte position.
 */
import type { CharSet } from './charset.js';

/** One UTF-8 byte-range sequence: position i matches a byte in [lo_i, hi_i]. */
export type Utf8Sequence = ReadonlyArray<readonly [number, number]>;

const LENGTH_LIMITS = [0x7f, 0x7ff, 0xffff, 0x10ffff];

/** The UTF-8 bytes of one scalar value. */
export function encodeCodePoint(cp: number): number[] {
  if (cp < 0x80) return [cp];
  if (cp < 0x800) return [0xc0 | (cp >> 6), 0x80 | (cp & 0x3f)];
  if (cp < 0x10000) return [0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f)];
  return [0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f)];
}

/** Byte-range sequences whose union is exactly the UTF-8 encodings of `set`. */
export function utf8Sequences(set: CharSet): Utf8Sequence[] {
  const out: Utf8Sequence[] = [];
  for (let i = 0; i < set.length; i += 2) {
    let lo = set[i]!;
    const hi = set[i + 1]!;
    // Split at encoded-length boundaries first.
    for (const limit of LENGTH_LIMITS) {
      if (lo > hi) break;
      if (lo > limit) continue;
      splitSameLength(lo, Math.min(hi, limit), out);
      lo = limit + 1;
    }
  }
  return out;
}

function splitSameLength(lo: number, hi: number, out: Utf8Sequence[]): void {
  const n = encodeCodePoint(lo).length;
  for (let i = 1; i < n; i++) {
    const m = (1 << (6 * i)) - 1;
    if ((lo & ~m) !== (hi & ~m)) {
      if ((lo & m) !== 0) {
        splitSameLength(lo, lo | m, out);
        splitSameLength((lo | m) + 1, hi, out);
        return;
      }
      if ((hi & m) !== m) {
        splitSameLength(lo, (hi & ~m) - 1, out);
        splitSameLength(hi & ~m, hi, out);
        return;
      }
    }
  }
  const a = encodeCodePoint(lo);
  const b = encodeCodePoint(hi);
  out.push(a.map((x, k) => [x, b[k]!] as const));
}
