import type { LogitsProcessor } from '@weft/core';
import { IndexMaxHeap } from '../sampling/heap.js';
import { reqInt, reqNumber } from '../validate.js';
import { maskWhere, softmax64 } from './probs.js';

/**
 * Nucleus filtering with Hugging Face's rule: sort ascending, drop tokens whose cumulative
 * probability (from the least likely up) is ≤ 1 − p, keep `minTokensToKeep`. HF `top_p`.
 *
 * Fast path: the head of the distribution is popped from a heap in descending order (ties: lower
 * id first) until the mass above the next token reaches p, instead of sorting all V tokens.
 * Note: `generate()`'s own `topP` uses llama2.c's nucleus in the sampler instead (see docs).
 */
export class TopPProcessor implements LogitsProcessor {
  readonly name = 'top-p';
  readonly p: number;
  readonly minTokensToKeep: number;
  constructor(p: number, minTokensToKeep = 1) {
    this.p = reqNumber('topP', p, { min: 0, minOpen: true, max: 1 });
    this.minTokensToKeep = reqInt('minTokensToKeep', minTokensToKeep, 0);
  }
  process(logits: Float32Array): void {
    if (this.p >= 1) return;
    const V = logits.length;
    const probs = softmax64(logits);
    // Ascending cumulative mass up to x = 1 − (mass of tokens ranked above x), so x survives iff the
    // mass strictly above it is < p: walk the head in descending order and stop there.
    const live: number[] = [];
    for (let i = 0; i < V; i++) if (probs[i]! > 0) live.push(i);
    const heap = new IndexMaxHeap(probs, live);
    const remove = new Uint8Array(V).fill(1);
    let above = 0;
    for (;;) {
      const id = heap.pop();
      if (id < 0 || above >= this.p) break;
      remove[id] = 0;
      above += probs[id]!;
    }
    maskWhere(logits, remove, this.minTokensToKeep);
  }
}
