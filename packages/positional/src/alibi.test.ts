import { SpecError } from '@weft/core';
import { freshSeed } from '@weft/testing';
import { describe, expect, it } from 'vitest';
import { alibiBias, alibiBiasInto, alibiBiasReference, alibiSlopes, alibiSlopesReference } from './alibi.js';

// Published slopes (Press et al. 2022, §3 and the authors' get_slopes; BLOOM uses the same).
const PUBLISHED: Record<number, number[]> = {
  // 8 heads: 1/2, 1/4, …, 1/256
  8: [1 / 2, 1 / 4, 1 / 8, 1 / 16, 1 / 32, 1 / 64, 1 / 128, 1 / 256],
  // 16 heads: 1/√2, 1/2, 1/(2√2), …, 1/256
  16: Array.from({ length: 16 }, (_, h) => 2 ** (-(h + 1) / 2)),
  // 12 heads: the 8-head slopes, then every other 16-head slope (2^-0.5, 2^-1.5, 2^-2.5, 2^-3.5)
  12: [1 / 2, 1 / 4, 1 / 8, 1 / 16, 1 / 32, 1 / 64, 1 / 128, 1 / 256, 2 ** -0.5, 2 ** -1.5, 2 ** -2.5, 2 ** -3.5],
};

describe('ALiBi slopes', () => {
  for (const H of [8, 12, 16]) {
    it(`${H} heads match the published values (closed form and the paper's recursive construction)`, () => {
      const expected = PUBLISHED[H]!;
      const fast = alibiSlopes(H);
      const reference = alibiSlopesReference(H);
      for (let h = 0; h < H; h++) {
        expect(fast[h]! / expected[h]!, `head ${h}`).toBeCloseTo(1, 14);
        expect(reference[h]! / expected[h]!, `head ${h}`).toBeCloseTo(1, 14);
      }
    });
  }
  it('12 heads spelled out: 0.5 … 0.00390625, 0.7071, 0.3536, 0.1768, 0.0884', () => {
    const s = alibiSlopes(12);
    expect(s[0]).toBe(0.5);
    expect(s[7]).toBe(0.00390625);
    expect(s[8]).toBeCloseTo(Math.SQRT1_2, 15);
    expect(s[9]).toBeCloseTo(0.35355339, 8);
    expect(s[10]).toBeCloseTo(0.1767767, 7);
    expect(s[11]).toBeCloseTo(0.08838835, 8);
  });
  it('closed form equals the recursive reference for 1..80 heads and several maxBias', () => {
    for (const maxBias of [8, 4, 16]) {
      for (let H = 1; H <= 80; H++) {
        const a = alibiSlopes(H, maxBias);
        const b = alibiSlopesReference(H, maxBias);
        for (let h = 0; h < H; h++)
          expect(Math.abs(a[h]! - b[h]!) / b[h]!, `H=${H} h=${h} maxBias=${maxBias}`).toBeLessThan(1e-14);
      }
    }
  });
  it("MPT's gen_slopes (strided concatenation of the 2^⌈log2 H⌉ slopes) gives the same list for 1..80 heads", () => {
    // m_k = 2^(−k·maxBias/N), k = 1..N, N = 2^⌈log2 H⌉; for H < N take [m_2, m_4, …, m_N, m_1, m_3, …][:H]
    const mpt = (H: number, maxBias: number): number[] => {
      const N = 2 ** Math.ceil(Math.log2(H));
      const m = Array.from({ length: N }, (_, i) => 2 ** (-((i + 1) * maxBias) / N));
      return N === H ? m : [...m.filter((_, i) => i % 2 === 1), ...m.filter((_, i) => i % 2 === 0)].slice(0, H);
    };
    for (const maxBias of [8, 16]) {
      for (let H = 1; H <= 80; H++) {
        const ours = alibiSlopes(H, maxBias);
        const theirs = mpt(H, maxBias);
        for (let h = 0; h < H; h++) expect(Math.abs(ours[h]! - theirs[h]!) / theirs[h]!, `H=${H} h=${h}`).toBeLessThan(1e-14);
      }
    }
  });
  it('bad head counts or maxBias → SpecError', () => {
    expect(() => alibiSlopes(0)).toThrowError(SpecError);
    expect(() => alibiSlopes(2.5)).toThrowError(SpecError);
    expect(() => alibiSlopes(8, 0)).toThrowError(/maxBias/);
    expect(() => alibiSlopesReference(8, -1)).toThrowError(SpecError);
  });
});

describe('ALiBi bias', () => {
  it('fast [H,T,S] fill equals the float64 reference (prefill and a decode step at an offset)', () => {
    const seed = freshSeed();
    const H = 5 + (seed % 11);
    const [T, S] = [7, 19];
    const out = new Float32Array(H * T * S);
    alibiBiasInto(out, alibiSlopes(H), T, S, 12);
    const ref = alibiBiasReference(H, T, S, 12);
    for (let i = 0; i < ref.length; i++)
      expect(Math.abs(out[i]! - ref[i]!), `seed ${seed} i=${i}`).toBeLessThanOrEqual(Math.abs(ref[i]!) * 6e-8);
    // decode: one query at position 12 + t equals prefill row t
    for (let t = 0; t < T; t++) {
      const row = new Float32Array(H * S);
      alibiBiasInto(row, alibiSlopes(H), 1, S, 12 + t);
      for (let h = 0; h < H; h++) for (let s = 0; s < S; s++) expect(row[h * S + s]).toBe(out[(h * T + t) * S + s]);
    }
  });
  it('is −m·(i − j) for keys at or before the query, 0 on the diagonal, and matches the per-pair helper', () => {
    const slopes = alibiSlopes(8);
    expect(alibiBias(slopes[0]!, 10, 10)).toBe(-0);
    expect(alibiBias(slopes[0]!, 10, 7)).toBe(-1.5);
    expect(alibiBias(slopes[2]!, 10, 0)).toBe(-1.25);
    const out = new Float32Array(8 * 1 * 11);
    alibiBiasInto(out, slopes, 1, 11, 10);
    for (let h = 0; h < 8; h++)
      for (let s = 0; s < 11; s++) expect(out[h * 11 + s]).toBe(Math.fround(alibiBias(slopes[h]!, 10, s)));
  });
  it('differs from BLOOM’s m·j form only by a per-row constant (same softmax)', () => {
    const m = alibiSlopes(4)[1]!;
    const q = 9;
    const ours = Array.from({ length: 10 }, (_, j) => alibiBias(m, q, j));
    const bloom = Array.from({ length: 10 }, (_, j) => m * j);
    const diffs = ours.map((v, j) => v - bloom[j]!);
    for (const d of diffs) expect(d).toBeCloseTo(diffs[0]!, 12);
  });
  it('too-small output buffer → ShapeError', () => {
    expect(() => alibiBiasInto(new Float32Array(3), alibiSlopes(2), 2, 2, 0)).toThrowError(/needs H·T·S/);
  });
});
