import { XorShiftRng } from '@weft/core';
import { describe, expect, it } from 'vitest';
import { llama2cSample } from '../../src/sampling/llama2c.js';
// @ts-expect-error plain .mjs helper shared with the golden script
import { logitsFor } from './cases.mjs';
import goldens from './sampler-goldens.json' with { type: 'json' };

describe('llama2.c sample() parity (goldens from run.c compiled with gcc)', () => {
  it('reproduces every token of every seeded case', () => {
    let total = 0;
    let mismatches = 0;
    const failures: string[] = [];
    for (const c of goldens.cases) {
      const rng = new XorShiftRng(c.seed);
      for (let s = 0; s < c.steps; s++) {
        const got = llama2cSample(logitsFor(c, s), c.temperature, c.topp, rng);
        total++;
        if (got !== c.tokens[s]) {
          mismatches++;
          if (failures.length < 5)
            failures.push(`V=${c.vocab} T=${c.temperature} p=${c.topp} q=${c.quantized} step ${s}: ${got} vs ${c.tokens[s]}`);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(mismatches).toBe(0);
    expect(total).toBe(36 * 25);
  });
});
