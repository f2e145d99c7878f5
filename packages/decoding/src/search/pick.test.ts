import { freshSeed, randnF32 } from '@weft/testing';
import { describe, expect, it } from 'vitest';
import { sampleMult, sampleTopP, softmaxF32 } from '../sampling/llama2c.js';
import { pickDistribution } from './pick.js';

describe('pickDistribution', () => {
  it("is the distribution llama2.c's draw samples from (coin grid, with and without top-p)", () => {
    const seed = freshSeed();
    for (const topP of [1, 0.9, 0.5]) {
      for (let s = 0; s < 5; s++) {
        const logits = randnF32(50, seed + s, 2);
        const want = pickDistribution(logits, topP);
        const probs = Float32Array.from(logits);
        softmaxF32(probs);
        const counts = new Float64Array(50);
        const N = 20000;
        for (let i = 0; i < N; i++) {
          const coin = (i + 0.5) / N;
          counts[topP < 1 ? sampleTopP(probs, topP, coin) : sampleMult(probs, coin)]! += 1 / N;
        }
        for (let v = 0; v < 50; v++) {
          if (counts[v]! > 0) expect(want[v]!, `seed ${seed} p ${topP}: drawn token ${v} outside the support`).toBeGreaterThan(0);
          if (want[v]! > 3 / N) expect(counts[v]!, `seed ${seed} p ${topP}: token ${v} never drawn`).toBeGreaterThan(0);
          expect(Math.abs(counts[v]! - want[v]!), `seed ${seed} p ${topP} token ${v}`).toBeLessThan(2e-4);
        }
      }
    }
  });
});
