/** The core {@link Sampler} contract implemented by weft's two final picks. Shapes: logits [V]. */
import type { Rng, Sampler } from '@weft/core';
import { optNumber } from '../validate.js';
import { argmax, llama2cSample } from './llama2c.js';

/** Argmax; ties go to the lowest id. */
export class GreedySampler implements Sampler {
  readonly name = 'greedy';
  sample(logits: Float32Array): number {
    return argmax(logits);
  }
}

/**
 * llama2.c's draw at temperature 1 on already-processed logits: float32 softmax, one
 * `rng.nextFloat()` coin, then `sample_mult`, or `sample_topp` when 0 < topP < 1.
 * Overwrites `logits` with probabilities.
 */
export class MultinomialSampler implements Sampler {
  readonly name = 'multinomial';
  readonly topP: number;
  constructor(opts: { topP?: number } = {}) {
    this.topP = optNumber('topP', opts.topP, { min: 0, minOpen: true, max: 1 }) ?? 1;
  }
  sample(logits: Float32Array, rng: Rng): number {
    return llama2cSample(logits, 1, this.topP, rng);
  }
}
