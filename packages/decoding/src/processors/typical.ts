import type { LogitsProcessor } from '@weft/core';
import { optInt, optNumber } from '../validate.js';
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
    this.mass = optNumber('typicalP', mass, { min: 0, minOpen: true, max: 1 })!;
    this.minTokensToKeep = optInt('minTokensToKeep', minTokensToKeep, 0)!;
  }
  process(logits: Float32Array): void {
    if (this.mass >= 1) return;
    const V = logits.length;
    const probs = softmax64(logits);
    let entropy = 0;
    for (let i = 0; i < V; i++) if (probs[i]! > 0) entropy -= probs[i]! * Math.log(probs[i]!);
    const shifted = new Float64Array(V);
    for (let i = 0; i < V; i++) shifted[i] = probs[i]! > 0 ? Math.abs(-Math.log(probs[i]!) - entropy) : Number.POSITIVE_INFINITY;
    const order = new Int32Array(V);
    for (let i = 0; i < V; i++) order[i] = i;
    order.sort((a, b) => shifted[a]! - shifted[b]! || a - b);
    // last index with cumulative < mass, plus one (HF: last_ind = (cumsum < mass).sum())
    let cumulative = 0;
    let last = 0;
    for (let r = 0; r < V; r++) {
      cumulative += probs[order[r]!]!;
      if (cumulative < this.mass) last = r + 1;
      else break;
    }
    last = Math.min(last, V - 1);
    const limit = shifted[order[last]!]!;
    const remove = new Uint8Array(V);
    for (let r = 0; r < V; r++) if (shifted[order[r]!]! > limit) remove[order[r]!] = 1;
    maskWhere(logits, remove, this.minTokensToKeep);
  }
}
