import { ShapeError, SpecError } from '@weft/core';
import { compareArrays, freshSeed, randnF32 } from '@weft/testing';
import { describe, expect, it } from 'vitest';
import { addSinusoidal, addSinusoidalReference, sinusoidalTable } from './sinusoidal.js';

// Shapes: x:[T,C], table:[P,C].

describe('sinusoidal positions', () => {
  it('known values: PE[p,2i] = sin(p/10000^(2i/C)), PE[p,2i+1] = cos(…)', () => {
    const C = 8;
    const t = sinusoidalTable(3, C);
    expect(Array.from(t.subarray(0, C))).toEqual([0, 1, 0, 1, 0, 1, 0, 1]);
    expect(t[C + 0]).toBeCloseTo(Math.sin(1), 7);
    expect(t[C + 1]).toBeCloseTo(Math.cos(1), 7);
    expect(t[2 * C + 2]).toBeCloseTo(Math.sin(2 / 10000 ** (2 / 8)), 7); // p=2, i=1: 2/10 = 0.2
    expect(t[2 * C + 2]).toBeCloseTo(Math.sin(0.2), 7);
    expect(t[2 * C + 7]).toBeCloseTo(Math.cos(2 / 10000 ** (6 / 8)), 7);
    const halves = sinusoidalTable(2, C, { kind: 'sinusoidal', layout: 'halves' });
    expect(Array.from(halves.subarray(0, C))).toEqual([0, 0, 0, 0, 1, 1, 1, 1]);
    expect(halves[C + 1]).toBeCloseTo(Math.sin(0.1), 7);
    expect(halves[C + 5]).toBeCloseTo(Math.cos(0.1), 7);
  });

  for (const layout of ['interleaved', 'halves'] as const) {
    it(`${layout}: fast add equals the float64 reference within 1e-5 (fresh seed), any offset`, () => {
      const seed = freshSeed();
      const [T, C] = [33, 48];
      const offset = seed % 5000;
      const spec = { kind: 'sinusoidal', layout, base: seed % 2 ? 10000 : 500 } as const;
      const x = randnF32(T * C, seed);
      const expected = Float64Array.from(x);
      addSinusoidalReference(expected, T, C, offset, spec);
      addSinusoidal(x, T, C, offset, spec);
      const c = compareArrays(x, expected, 1e-5, 1);
      expect(c.ok, `seed ${seed}: ${c.message}`).toBe(true);
    });
    it(`${layout}: a decode step at an offset equals the prefill row`, () => {
      const seed = freshSeed();
      const [T, C] = [20, 16];
      const spec = { kind: 'sinusoidal', layout } as const;
      const prefill = randnF32(T * C, seed);
      const x = Float32Array.from(prefill);
      addSinusoidal(prefill, T, C, 0, spec);
      for (let t = 0; t < T; t++) {
        const row = x.slice(t * C, (t + 1) * C);
        addSinusoidal(row, 1, C, t, spec);
        expect(Array.from(row)).toEqual(Array.from(prefill.subarray(t * C, (t + 1) * C)));
      }
    });
  }

  it('odd channels, bad base, bad offset, wrong size → typed errors', () => {
    expect(() => sinusoidalTable(2, 7)).toThrowError(SpecError);
    expect(() => addSinusoidal(new Float32Array(8), 1, 8, 0, { kind: 'sinusoidal', base: 0 })).toThrowError(/base/);
    expect(() => addSinusoidal(new Float32Array(8), 1, 8, -1)).toThrowError(/offset/);
    expect(() => addSinusoidal(new Float32Array(9), 1, 8, 0)).toThrowError(ShapeError);
  });
});
