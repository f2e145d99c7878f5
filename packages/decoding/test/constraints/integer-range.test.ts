import { XorShiftRng } from '@weft/core';
import { compileRegexNode } from '@weft/decoding';
import { freshSeed } from '@weft/testing';
import { describe, expect, it } from 'vitest';
import { integerRange } from '../../src/constraints/integer-range.js';

describe('integerRange', () => {
  const seed = freshSeed();
  it(`matches exactly the canonical integers of random intervals (seed ${seed})`, () => {
    const rng = new XorShiftRng(seed);
    const pick = () => {
      const scale = [10, 100, 1000, 100000][rng.nextU32() % 4]!;
      return (rng.nextU32() % (2 * scale)) - scale;
    };
    for (let trial = 0; trial < 60; trial++) {
      let lo: number | undefined = pick();
      let hi: number | undefined = pick();
      if (lo > hi) [lo, hi] = [hi, lo];
      const r = rng.nextU32() % 4;
      if (r === 1) lo = undefined;
      if (r === 2) hi = undefined;
      const dfa = compileRegexNode(integerRange(lo, hi));
      const probes = [0, 1, -1, 9, 10, 99, 100, 101, 999, 1000, -10, -99, -100, -1000];
      for (const b of [lo, hi]) if (b !== undefined) for (let k = -12; k <= 12; k++) probes.push(b + k);
      for (let i = 0; i < 200; i++) probes.push(pick(), pick() * 37);
      for (const x of probes) {
        const inside = (lo === undefined || x >= lo) && (hi === undefined || x <= hi);
        expect(dfa.matches(String(x)), `[${lo}, ${hi}] ∋ ${x}`).toBe(inside);
      }
      // Non-canonical spellings never match.
      for (const bad of ['-0', '007', '+1', '', '-', '1.0']) expect(dfa.matches(bad), `[${lo}, ${hi}] ${bad}`).toBe(false);
    }
  });

  it('rejects empty intervals and unsafe bounds with SpecError', () => {
    expect(() => integerRange(5, 4)).toThrow(expect.objectContaining({ code: 'INVALID_SPEC' }));
    expect(() => integerRange(2 ** 60, undefined)).toThrow(expect.objectContaining({ code: 'INVALID_SPEC' }));
  });
});
