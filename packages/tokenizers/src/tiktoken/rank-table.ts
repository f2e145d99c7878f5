import { InvalidFileError } from '@weft/core';
import type { TiktokenRanks } from './rank-file.js';

const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;
const HOT_SIZE = 8192;

/**
 * Byte sequence → rank, as an open-addressing table keyed by the FNV-1a hash of the bytes, with
 * the bytes compared in place: no string per token at load time, and none per lookup.
 * ASCII text can be looked up straight from a JS string (its code units are its bytes).
 */
export class RankTable {
  /** Interleaved per slot: [rank + 1 (0 = empty), hash], so a probe touches one cache line. */
  private readonly slots: Int32Array;
  private readonly mask: number;
  /** Hash of the text given to the last {@link lookupAscii} call (reused by the piece cache). */
  lastHash = 0;
  /** Direct-mapped cache of recently found ASCII tokens ([rank + 1, hash] per line, 64 kB: stays in L2). */
  private readonly hot = new Int32Array(2 * HOT_SIZE);
  private readonly bytes: Uint8Array;
  private readonly offsets: Uint32Array;

  constructor(ranks: TiktokenRanks, fileName: string) {
    this.bytes = ranks.bytes;
    this.offsets = ranks.offsets;
    let size = 1024;
    while (size < ranks.count * 2) size *= 2;
    this.slots = new Int32Array(size * 2);
    this.mask = size - 1;
    const { bytes, offsets, present } = ranks;
    for (let r = 0; r < ranks.count; r++) {
      if (!present[r]) continue;
      const a = offsets[r]!;
      const b = offsets[r + 1]!;
      let h = FNV_OFFSET;
      for (let j = a; j < b; j++) h = Math.imul(h ^ bytes[j]!, FNV_PRIME);
      const existing = this.find(bytes, a, b, h);
      if (existing >= 0)
        throw new InvalidFileError(fileName, `ranks ${existing} and ${r} have the same bytes`, 'every token must be distinct');
      let slot = h & this.mask;
      while (this.slots[2 * slot] !== 0) slot = (slot + 1) & this.mask;
      this.slots[2 * slot] = r + 1;
      this.slots[2 * slot + 1] = h;
    }
  }

  private find(src: Uint8Array, a: number, b: number, h: number): number {
    const len = b - a;
    for (let slot = h & this.mask; ; slot = (slot + 1) & this.mask) {
      const r = this.slots[2 * slot]! - 1;
      if (r < 0) return -1;
      if (this.slots[2 * slot + 1] !== h) continue;
      const o = this.offsets[r]!;
      if (this.offsets[r + 1]! - o !== len) continue;
      let k = 0;
      while (k < len && this.bytes[o + k] === src[a + k]) k++;
      if (k === len) return r;
    }
  }

  /** Rank of `src[a..b)`, or -1. */
  lookup(src: Uint8Array, a: number, b: number): number {
    let h = FNV_OFFSET;
    for (let j = a; j < b; j++) h = Math.imul(h ^ src[j]!, FNV_PRIME);
    return this.find(src, a, b, h);
  }

  /** Rank of the ASCII text `t[a..b)` (every code unit < 128), or -1. */
  lookupAscii(t: string, a: number, b: number): number {
    let h = FNV_OFFSET;
    for (let j = a; j < b; j++) h = Math.imul(h ^ t.charCodeAt(j), FNV_PRIME);
    this.lastHash = h;
    const len = b - a;
    const line = 2 * (h & (HOT_SIZE - 1));
    const cached = this.hot[line]! - 1;
    if (cached >= 0 && this.hot[line + 1] === h) {
      const o = this.offsets[cached]!;
      if (this.offsets[cached + 1]! - o === len) {
        let k = 0;
        while (k < len && this.bytes[o + k] === t.charCodeAt(a + k)) k++;
        if (k === len) return cached;
      }
    }
    for (let slot = h & this.mask; ; slot = (slot + 1) & this.mask) {
      const r = this.slots[2 * slot]! - 1;
      if (r < 0) return -1;
      if (this.slots[2 * slot + 1] !== h) continue;
      const o = this.offsets[r]!;
      if (this.offsets[r + 1]! - o !== len) continue;
      let k = 0;
      while (k < len && this.bytes[o + k] === t.charCodeAt(a + k)) k++;
      if (k === len) {
        this.hot[line] = r + 1;
        this.hot[line + 1] = h;
        return r;
      }
    }
  }
}

/**
 * Cache of ASCII pieces that are not single tokens → their ids, keyed by the same FNV-1a hash
 * and compared in place against the stored piece text, so a hit allocates nothing. When half
 * full it starts over (text vocabularies repeat; a cold restart is cheap).
 */
export class AsciiPieceCache {
  private slots = new Int32Array(1 << 18); // [entry + 1, hash] per slot
  private readonly mask = (1 << 17) - 1;
  private pieces: string[] = [];
  private ids: number[][] = [];

  /** Ids of `t[a..b)` with hash `h`, or undefined. */
  get(t: string, a: number, b: number, h: number): number[] | undefined {
    const len = b - a;
    for (let slot = h & this.mask; ; slot = (slot + 1) & this.mask) {
      const e = this.slots[2 * slot]! - 1;
      if (e < 0) return undefined;
      if (this.slots[2 * slot + 1] !== h) continue;
      const p = this.pieces[e]!;
      if (p.length !== len) continue;
      let k = 0;
      while (k < len && p.charCodeAt(k) === t.charCodeAt(a + k)) k++;
      if (k === len) return this.ids[e];
    }
  }

  set(piece: string, h: number, ids: number[]): void {
    if (this.pieces.length >= (this.mask + 1) >> 1) {
      this.slots.fill(0);
      this.pieces = [];
      this.ids = [];
    }
    let slot = h & this.mask;
    while (this.slots[2 * slot] !== 0) slot = (slot + 1) & this.mask;
    this.slots[2 * slot] = this.pieces.length + 1;
    this.slots[2 * slot + 1] = h;
    this.pieces.push(piece);
    this.ids.push(ids);
  }
}
