import type { LogitsProcessor } from '@weft/core';
import { IndexMaxHeap } from '../sampling/heap.js';
import { reqInt, reqNumber } from '../validate.js';
import { maskWhere, softmax64 } from './probs.js';

/**
 * Locally typical sampling (Meister et al. 2022), HF `typical_p`: rank tokens by
 * |−log p_i − H| (closeness to the entropy H), keep the smallest prefix of that ranking whose
 * probability mass reaches `mass`.
 */
export class TypicalProcessor implements LogitsProcessor {
  readonly name = 'typical';
  readonly mass: number;
  readonly minTokensToKeep: number;
  constructor(mass: number, minTokensToKeep = 1) {
    this.mass = reqNumber('typicalP', mass, { min: 0, minOpen: true, max: 1 });
    this.minTokensToKeep = reqInt('minTokensToKeep', minTokensToKeep, 0);
  }
  process(logits: Float32Array): void {
    if (this.mass >= 1) return;
    const V = logits.length;
    const probs = softmax64(logits);
    let entropy = 0;
    for (let i = 0; i < V; i++) if (probs[i]! > 0) entropy -= probs[i]! * Math.log(probs[i]!);
    const shifted = new Float64Array(V);
    const closeness = new Float64Array(V); // −shifted: the heap pops the most typical first
    const live: number[] = [];
    for (let i = 0; i < V; i++) {
      shifted[i] = probs[i]! > 0 ? Math.abs(-Math.log(probs[i]!) - entropy) : Number.POSITIVE_INFINITY;
      closeness[i] = -shifted[i]!;
      if (probs[i]! > 0) live.push(i);
    }
    // Walk tokens from the most typical until the mass reaches `mass`; the token that crosses it
    // sets the limit (HF: sorted_scores[last_ind]). If it is never reached, nothing is removed.
    const heap = new IndexMaxHeap(closeness, live);
    let cumulative = 0;
    let limit = Number.POSITIVE_INFINITY;
    for (;;) {
      const id = heap.pop();
      if (id < 0) break;
      cumulative += probs[id]!;
      if (cumulative >= this.mass) {
        limit = shifted[id]!;
        break;
      }
    }
    const remove = new Uint8Array(V);
    for (let i = 0; i < V; i++) if (shifted[i]! > limit) remove[i] = 1;
    maskWhere(logits, remove, this.minTokensToKeep);
  }
}
