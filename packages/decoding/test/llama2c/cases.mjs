// Seeded logits shared by the llama2.c sampler golden script and its test.
import { XorShiftRng } from '@weft/core';

/** Logits [vocab] for step `step` of a case: normal × scale, optionally rounded to halves (ties). */
export function logitsFor(c, step) {
  const rng = new XorShiftRng(c.logitSeed * 1000 + step + 1);
  const out = new Float32Array(c.vocab);
  for (let i = 0; i < c.vocab; i++) {
    const x = rng.nextNormal() * c.scale;
    out[i] = c.quantized ? Math.round(x * 2) / 2 : x;
  }
  return out;
}
