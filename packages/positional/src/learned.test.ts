import { OutOfRangeError, ShapeError, SpecError } from '@weft/core';
import { freshSeed, randnF32 } from '@weft/testing';
import { describe, expect, it } from 'vitest';
import { addLearned, addLearnedReference } from './learned.js';

// Shapes: x:[T,C], table:[P,C].

describe('learned positions', () => {
  it('adds table rows offset..offset+T−1 (fast equals reference; decode equals prefill)', () => {
    const seed = freshSeed();
    const [P, C, T, offset] = [64, 12, 10, 30];
    const table = randnF32(P * C, seed);
    const x = randnF32(T * C, seed + 1);
    const expected = Float64Array.from(x);
    addLearnedReference(expected, T, C, offset, table, P);
    const fast = Float32Array.from(x);
    addLearned(fast, T, C, offset, table, P);
    for (let i = 0; i < expected.length; i++) expect(fast[i], `seed ${seed}`).toBe(Math.fround(expected[i]!));
    expect(fast[0]).toBe(Math.fround(x[0]! + table[offset * C]!));
    for (let t = 0; t < T; t++) {
      const row = x.slice(t * C, (t + 1) * C);
      addLearned(row, 1, C, offset + t, table, P);
      expect(Array.from(row)).toEqual(Array.from(fast.subarray(t * C, (t + 1) * C)));
    }
  });

  it('the last trained position works; one past it is an OutOfRangeError that says what to do', () => {
    const [P, C] = [8, 4];
    const table = new Float32Array(P * C).fill(1);
    const x = new Float32Array(C);
    addLearned(x, 1, C, P - 1, table, P);
    expect(Array.from(x)).toEqual([1, 1, 1, 1]);
    let error: unknown;
    try {
      addLearned(new Float32Array(2 * C), 2, C, P - 1, table, P);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(OutOfRangeError);
    expect((error as OutOfRangeError).code).toBe('OUT_OF_RANGE');
    expect(String((error as Error).message)).toMatch(/position 8 is outside the learned position table \(8 positions/);
    expect((error as OutOfRangeError).hint).toMatch(/shorten the prompt/);
  });

  it('wrong table or input size → ShapeError; bad maxPositions / offset → SpecError', () => {
    expect(() => addLearned(new Float32Array(4), 1, 4, 0, new Float32Array(31), 8)).toThrowError(ShapeError);
    expect(() => addLearned(new Float32Array(5), 1, 4, 0, new Float32Array(32), 8)).toThrowError(ShapeError);
    expect(() => addLearned(new Float32Array(4), 1, 4, 0, new Float32Array(0), 0)).toThrowError(SpecError);
    expect(() => addLearned(new Float32Array(4), 1, 4, -2, new Float32Array(32), 8)).toThrowError(SpecError);
  });
});
