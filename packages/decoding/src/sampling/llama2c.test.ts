import { XorShiftRng } from '@weft/core';
import { freshSeed, randnF32 } from '@weft/testing';
import { describe, expect, it } from 'vitest';
import { llama2cSample, llama2cSampleDense } from './llama2c.js';
import { keepTopK, kthLargest } from './top-k.js';

describe('llama2.c sampler fast paths', () => {
  it('the sparse path (mostly −∞ logits) picks exactly what the dense run.c loop picks', () => {
    const seed = freshSeed();
    let draws = 0;
    for (const [V, steps] of [
      [64, 20],
      [1000, 20],
      [32000, 3],
    ] as const) {
      // seeded random logits are costly to draw (BigInt RNG): draw once per V and step
      const base = Array.from({ length: steps }, (_, s) => randnF32(V, seed + s, 3));
      for (const k of [1, 3, 50]) {
        for (const [temperature, topP] of [
          [1, 1],
          [0.7, 0.9],
          [1.3, 0.5],
        ] as const) {
          const a = new XorShiftRng(seed);
          const b = new XorShiftRng(seed);
          for (let s = 0; s < steps; s++) {
            const logits = Float32Array.from(base[s]!);
            keepTopK(logits, k);
            const x = Float32Array.from(logits);
            const y = Float32Array.from(logits);
            expect(llama2cSample(x, temperature, topP, a), `seed ${seed} V ${V} k ${k}`).toBe(
              llama2cSampleDense(y, temperature, topP, b),
            );
            let same = true;
            for (let i = 0; i < V; i++) if (!Object.is(x[i], y[i])) same = false;
            expect(same, 'probabilities written back').toBe(true);
            draws++;
          }
        }
      }
    }
    expect(draws).toBe(3 * 3 * (20 + 20 + 3));
  });

  it('kthLargest equals sorting', () => {
    const seed = freshSeed();
    for (const n of [1, 7, 500]) {
      const x = randnF32(n, seed + n);
      const sorted = Array.from(x).sort((p, q) => q - p);
      for (const k of [1, 2, Math.ceil(n / 2), n, n + 3])
        expect(kthLargest(x, k), `seed ${seed}`).toBe(sorted[Math.min(k, n) - 1]);
    }
  });
});
