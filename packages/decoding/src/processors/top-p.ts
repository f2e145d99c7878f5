import type { LogitsProcessor } from '@weft/core';
import { optInt, optNumber } from '../validate.js';
import { maskWhere, softmax64 } from './probs.js';

/**
 * Nucleus filtering with Hugging Face's rule: sort ascending, drop tokens whose cumulative
 * probability (from the least likely up) is ≤ 1 − p, keep `minTokensToKeep`. HF `top_p`.
 *
 * Fast path: a token with probability below (1 − p)/V can never survive (all tokens below it
 * sum to less than 1 − p), so only the others are sorted. Ties sort by id (lower id = more likely).
 * Note: `generate()`'s own `topP` uses llama2.c's nucleus in the sampler instead (see docs).
 */
export class TopPProcessor implements LogitsProcessor {
  readonly name = 'top-p';
  readonly p: number;
  readonly minTokensToKeep: number;
  constructor(p: number, minTokensToKeep = 1) {
    this.p = optNumber('topP', p, { min: 0, minOpen: true, max: 1 })!;
    this.minTokensToKeep = optInt('minTokensToKeep', minTokensToKeep, 0)!;
  }
  process(logits: Float32Array): void {
    if (this.p >= 1) return;
    const V = logits.length;
    const probs = softmax64(logits);
    const threshold = (1 - this.p) / V;
    const remove = new Uint8Array(V);
    const candidates: number[] = [];
    let below = 0;
    for (let i = 0; i < V; i++) {
      if (probs[i]! >= threshold) candidates.push(i);
      else {
        below += probs[i]!;
        remove[i] = 1;
      }
    }
    candidates.sort((a, b) => probs[a]! - probs[b]! || b - a); // ascending, higher id first on ties
    let cumulative = below;
    for (const id of candidates) {
      cumulative += probs[id]!;
      if (cumulative <= 1 - this.p) remove[id] = 1;
      else break;
    }
    maskWhere(logits, remove, this.minTokensToKeep);
  }
}
