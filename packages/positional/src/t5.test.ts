import { ShapeError, SpecError } from '@weft/core';
import { freshSeed, randnF32 } from '@weft/testing';
import { describe, expect, it } from 'vitest';
import { t5Bias, t5BiasInto, t5BiasReference, t5Bucket, t5BucketFromLookup, t5BucketLookup, t5RelativeBucket } from './t5.js';

// Buckets as Hugging Face's T5Attention._relative_position_bucket returns them
// (relative_position = key − query). Printed by scripts/t5_buckets.py with torch 1.13 (Debian's
// python3-torch; its numpy float32 fallback prints the same); the 32/128 rows were also checked by hand:
// e.g. bidirectional −20 → 8 + ⌊ln(20/8)/ln(16)·8⌋ = 8 + ⌊2.64⌋ = 10; causal −100 → 16 + ⌊ln(100/16)/ln(8)·16⌋ = 30.
// biome-ignore format: tables
const KNOWN: { bidirectional: boolean; buckets: number; maxDistance: number; pairs: [number, number][] }[] = [
  { bidirectional: true, buckets: 32, maxDistance: 128, pairs: [[-1000, 15], [-200, 15], [-128, 15], [-127, 15], [-100, 15], [-64, 14], [-33, 12], [-32, 12], [-31, 11], [-20, 10], [-17, 10], [-16, 10], [-15, 9], [-12, 9], [-9, 8], [-8, 8], [-7, 7], [-3, 3], [-1, 1], [0, 0], [1, 17], [2, 18], [7, 23], [8, 24], [9, 24], [12, 25], [15, 25], [16, 26], [17, 26], [20, 26], [32, 28], [64, 30], [100, 31], [127, 31], [128, 31], [500, 31]] },
  { bidirectional: true, buckets: 64, maxDistance: 256, pairs: [[-1000, 31], [-200, 30], [-128, 28], [-127, 27], [-100, 26], [-64, 24], [-33, 20], [-32, 20], [-31, 19], [-20, 17], [-17, 16], [-16, 16], [-15, 15], [-12, 12], [-9, 9], [-8, 8], [-7, 7], [-3, 3], [-1, 1], [0, 0], [1, 33], [2, 34], [7, 39], [8, 40], [9, 41], [12, 44], [15, 47], [16, 48], [17, 48], [20, 49], [32, 52], [64, 56], [100, 58], [127, 59], [128, 60], [500, 63]] },
  { bidirectional: false, buckets: 32, maxDistance: 128, pairs: [[-1000, 31], [-200, 31], [-128, 31], [-127, 31], [-100, 30], [-64, 26], [-33, 21], [-32, 21], [-31, 21], [-20, 17], [-17, 16], [-16, 16], [-15, 15], [-12, 12], [-9, 9], [-8, 8], [-7, 7], [-3, 3], [-1, 1], [0, 0], [1, 0], [2, 0], [7, 0], [8, 0], [9, 0], [12, 0], [15, 0], [16, 0], [17, 0], [20, 0], [32, 0], [64, 0], [100, 0], [127, 0], [128, 0], [500, 0]] },
  { bidirectional: false, buckets: 64, maxDistance: 256, pairs: [[-1000, 63], [-200, 60], [-128, 53], [-127, 53], [-100, 49], [-64, 42], [-33, 32], [-32, 32], [-31, 31], [-20, 20], [-17, 17], [-16, 16], [-15, 15], [-12, 12], [-9, 9], [-8, 8], [-7, 7], [-3, 3], [-1, 1], [0, 0], [1, 0], [2, 0], [7, 0], [8, 0], [9, 0], [12, 0], [15, 0], [16, 0], [17, 0], [20, 0], [32, 0], [64, 0], [100, 0], [127, 0], [128, 0], [500, 0]] },
];

describe('T5 relative position buckets', () => {
  for (const { bidirectional, buckets, maxDistance, pairs } of KNOWN) {
    it(`${bidirectional ? 'bidirectional' : 'causal'} ${buckets} buckets, max distance ${maxDistance}: known values`, () => {
      for (const [rel, bucket] of pairs) {
        expect(t5RelativeBucket(rel, bidirectional, buckets, maxDistance), `rel ${rel}`).toBe(bucket);
        expect(t5Bucket(rel, bidirectional, buckets, maxDistance)).toBe(bucket);
      }
    });
    it(`${bidirectional ? 'bidirectional' : 'causal'} ${buckets}/${maxDistance}: lookup table equals the direct formula for |rel| ≤ 4·maxDistance`, () => {
      const spec = { kind: 't5-relative', buckets, maxDistance, bidirectional } as const;
      const lookup = t5BucketLookup(spec);
      for (let r = -4 * maxDistance; r <= 4 * maxDistance; r++) {
        expect(t5BucketFromLookup(lookup, r), `rel ${r}`).toBe(t5RelativeBucket(r, bidirectional, buckets, maxDistance));
      }
    });
  }
  it('match the expected tables of an independent Mesh-TensorFlow-bucket implementation (rel −10..9, small configs)', () => {
    // Expected values from the unit test of Google's `get_relative_position_bucket` (the same
    // Mesh TensorFlow function T5 uses), for relative positions −10..9.
    const rel = Array.from({ length: 20 }, (_, i) => i - 10);
    // biome-ignore format: tables
    const cases: [boolean, number, number, number[]][] = [
      [false, 4, 3, [3, 3, 3, 3, 3, 3, 3, 3, 2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]],
      [false, 8, 10, [7, 7, 7, 6, 5, 4, 4, 3, 2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]],
      [false, 16, 9, [15, 15, 8, 7, 6, 5, 4, 3, 2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]],
      [true, 4, 4, [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 3, 3, 3, 3, 3, 3, 3, 3, 3]],
      [true, 15, 4, [6, 6, 6, 6, 6, 6, 6, 3, 2, 1, 0, 8, 9, 10, 13, 13, 13, 13, 13, 13]],
      [true, 16, 8, [7, 7, 7, 7, 6, 5, 4, 3, 2, 1, 0, 9, 10, 11, 12, 13, 14, 15, 15, 15]],
    ];
    for (const [bidirectional, buckets, maxDistance, expected] of cases) {
      expect(
        rel.map((r) => t5RelativeBucket(r, bidirectional, buckets, maxDistance)),
        `${bidirectional ? 'bidirectional' : 'causal'} ${buckets}/${maxDistance}`,
      ).toEqual(expected);
      const lookup = t5BucketLookup({ kind: 't5-relative', buckets, maxDistance, bidirectional });
      expect(rel.map((r) => t5BucketFromLookup(lookup, r))).toEqual(expected);
    }
    // and the configurations that test rejects (maxDistance not above the exact buckets) are SpecErrors here
    for (const [bidirectional, buckets, maxDistance] of [
      [false, 8, 3],
      [false, 8, 4],
      [true, 16, 4],
      [true, 16, 3],
    ] as const) {
      expect(() => t5BucketLookup({ kind: 't5-relative', buckets, maxDistance, bidirectional })).toThrowError(SpecError);
    }
  });

  it('buckets are monotone in distance and stay inside [0, buckets)', () => {
    for (const bidirectional of [true, false]) {
      let previous = -1;
      for (let n = 0; n < 400; n++) {
        const b = t5RelativeBucket(-n, bidirectional, 32, 128);
        expect(b).toBeGreaterThanOrEqual(previous);
        expect(b).toBeLessThan(bidirectional ? 16 : 32);
        previous = b;
      }
    }
  });
});

describe('T5 bias from a learned [buckets, H] table', () => {
  it('fast fill equals the float64 reference; a decode step equals the prefill row', () => {
    const seed = freshSeed();
    for (const bidirectional of [true, false]) {
      const spec = { kind: 't5-relative', buckets: 32, maxDistance: 128, bidirectional } as const;
      const H = 6;
      const table = randnF32(32 * H, seed);
      const [T, S, offset] = [9, 300, 200];
      const out = new Float32Array(H * T * S);
      t5BiasInto(out, table, H, T, S, offset, spec);
      const ref = t5BiasReference(table, H, T, S, offset, spec);
      for (let i = 0; i < ref.length; i++) expect(out[i], `seed ${seed} i=${i}`).toBe(Math.fround(ref[i]!));
      for (let t = 0; t < T; t++) {
        const row = new Float32Array(H * S);
        t5BiasInto(row, table, H, 1, S, offset + t, spec);
        for (let h = 0; h < H; h++)
          for (let s = 0; s < S; s++) {
            expect(row[h * S + s]).toBe(out[(h * T + t) * S + s]);
            expect(t5Bias(table, H, t5RelativeBucket(s - offset - t, bidirectional, 32, 128), h)).toBe(row[h * S + s]);
          }
      }
    }
  });
  it('wrong table size → ShapeError; bad spec → SpecError naming the field', () => {
    const spec = { kind: 't5-relative', buckets: 32, maxDistance: 128, bidirectional: false } as const;
    expect(() => t5BiasInto(new Float32Array(100), new Float32Array(31 * 4), 4, 2, 2, 0, spec)).toThrowError(ShapeError);
    expect(() => t5BiasReference(new Float32Array(32 * 4), 4, 2, 2, 0, { ...spec, buckets: 0 })).toThrowError(SpecError);
    try {
      t5BucketLookup({ ...spec, maxDistance: 8 });
      expect.unreachable();
    } catch (e) {
      expect((e as SpecError).field).toBe('maxDistance');
    }
  });
});
