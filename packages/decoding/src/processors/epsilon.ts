import type { LogitsProcessor } from '@weft/core';
import { reqInt, reqNumber } from '../validate.js';
import { maskWhere, softmax64 } from './probs.js';

/** Epsilon sampling (Hewitt et al. 2022), HF `epsilon_cutoff`: drops tokens with probability < ε. */
export class EpsilonProcessor implements LogitsProcessor {
  readonly name = 'epsilon';
  readonly epsilon: number;
  readonly minTokensToKeep: number;
  constructor(epsilon: number, minTokensToKeep = 1) {
    this.epsilon = reqNumber('epsilonCutoff', epsilon, { min: 0, minOpen: true, max: 1, maxOpen: true });
    this.minTokensToKeep = reqInt('minTokensToKeep', minTokensToKeep, 0);
  }
  process(logits: Float32Array): void {
    const probs = softmax64(logits);
    const remove = new Uint8Array(logits.length);
    for (let i = 0; i < logits.length; i++) if (probs[i]! < this.epsilon) remove[i] = 1;
    maskWhere(logits, remove, this.minTokensToKeep);
  }
}

/**
 * Eta sampling (Hewitt et al. 2022), HF `eta_cutoff`: drops tokens with probability below
 * η = min(ε, √ε · exp(−H)), where H is the entropy of the distribution.
 */
export class EtaProcessor implements LogitsProcessor {
  readonly name = 'eta';
  readonly epsilon: number;
  readonly minTokensToKeep: number;
  constructor(epsilon: number, minTokensToKeep = 1) {
    this.epsilon = reqNumber('etaCutoff', epsilon, { min: 0, minOpen: true, max: 1, maxOpen: true });
    this.minTokensToKeep = reqInt('minTokensToKeep', minTokensToKeep, 0);
  }
  process(logits: Float32Array): void {
    const probs = softmax64(logits);
    let entropy = 0;
    for (let i = 0; i < probs.length; i++) if (probs[i]! > 0) entropy -= probs[i]! * Math.log(probs[i]!);
    const eta = Math.min(this.epsilon, Math.sqrt(this.epsilon) * Math.exp(-entropy));
    const remove = new Uint8Array(logits.length);
    for (let i = 0; i < logits.length; i++) if (probs[i]! < eta) remove[i] = 1;
    maskWhere(logits, remove, this.minTokensToKeep);
  }
}
