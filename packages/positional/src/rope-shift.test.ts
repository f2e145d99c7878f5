import type { RopeScaling } from '@weft/core';
import { UnsupportedError, XorShiftRng } from '@weft/core';
import { compareArrays, freshSeed, randnF32 } from '@weft/testing';
import { describe, expect, it } from 'vitest';
import { applyRopeReference } from './rope-reference.js';
import { shiftRope, shiftRopeReference } from './rope-shift.js';

// Shapes: x:[T,H,D].

const rms = (a: ArrayLike<number>) => Math.sqrt(Array.from(a).reduce((s, v) => s + v * v, 0) / a.length);

describe('shifting rotated rows (rolling KV cache)', () => {
  const scalings: (RopeScaling | undefined)[] = [
    undefined,
    { kind: 'linear', factor: 4 },
    { kind: 'yarn', factor: 8, originalContext: 128 },
    { kind: 'llama3', factor: 8, originalContext: 256, lowFreqFactor: 1, highFreqFactor: 4 },
  ];
  for (const layout of ['pairs', 'halves'] as const) {
    for (const scaling of scalings) {
      it(`${layout}, ${scaling?.kind ?? 'unscaled'}: rotate at p then shift by d equals rotate at p + d`, () => {
        const seed = freshSeed();
        const rng = new XorShiftRng(seed);
        const [T, H, D, rotaryDim] = [6, 2, 16, rng.nextU32() % 2 ? 16 : 8];
        const offset = 500 + (rng.nextU32() % 1000);
        const delta = (rng.nextU32() % 900) - 450; // both directions
        const x = randnF32(T * H * D, seed);
        const call = { base: 10000, layout, rotaryDim, scaling };
        const direct = Float64Array.from(x);
        applyRopeReference(direct, T, H, D, { ...call, offset: offset + delta });
        const shiftedRef = Float64Array.from(x);
        applyRopeReference(shiftedRef, T, H, D, { ...call, offset });
        shiftRopeReference(shiftedRef, T, H, D, call, delta);
        const r = compareArrays(shiftedRef, direct, 1e-9, rms(direct));
        expect(r.ok, `reference, seed ${seed}: ${r.message}`).toBe(true);
        const rotated = Float64Array.from(x);
        applyRopeReference(rotated, T, H, D, { ...call, offset });
        const fast = Float32Array.from(rotated);
        shiftRope(fast, T, H, D, call, delta);
        const f = compareArrays(fast, direct, 1e-5, rms(direct));
        expect(f.ok, `fast, seed ${seed}: ${f.message}`).toBe(true);
      });
    }
  }
  it('refuses length-dependent scalings and non-integer deltas', () => {
    const x = new Float32Array(16);
    expect(() =>
      shiftRope(x, 1, 1, 16, { base: 1e4, layout: 'halves', scaling: { kind: 'dynamic-ntk', factor: 2, originalContext: 8 } }, 3),
    ).toThrowError(UnsupportedError);
    expect(() => shiftRope(x, 1, 1, 16, { base: 1e4, layout: 'halves' }, 0.5)).toThrowError(/delta/);
    expect(() => shiftRope(x, 2, 1, 16, { base: 1e4, layout: 'halves' }, 1)).toThrowError(/T·H·D/);
  });
});
