import type { LogitsProcessor } from '@weft/core';
import { keepTopK } from '../sampling/top-k.js';
import { reqInt } from '../validate.js';

/** Keeps the k largest logits (ties with the k-th survive), masks the rest. HF `top_k`. */
export class TopKProcessor implements LogitsProcessor {
  readonly name = 'top-k';
  readonly k: number;
  constructor(k: number, minTokensToKeep = 1) {
    const kk = reqInt('topK', k, 1);
    this.k = Math.max(kk, reqInt('minTokensToKeep', minTokensToKeep, 0));
  }
  process(logits: Float32Array): void {
    keepTopK(logits, this.k);
  }
}
