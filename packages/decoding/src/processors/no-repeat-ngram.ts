import type { GenerationContext, LogitsProcessor } from '@weft/core';
import { reqInt } from '../validate.js';

/**
 * Forbids any n-gram from occurring twice in the history (prompt included), HF
 * `no_repeat_ngram_size`: if the last n−1 tokens already occurred followed by x, x is masked.
 */
export class NoRepeatNGramProcessor implements LogitsProcessor {
  readonly name = 'no-repeat-ngram';
  readonly n: number;
  constructor(n: number) {
    this.n = reqInt('noRepeatNgramSize', n, 1);
  }
  process(logits: Float32Array, ctx: GenerationContext): void {
    const h = ctx.history;
    const n = this.n;
    const T = h.length;
    if (T + 1 < n) return;
    // the prefix the next token would complete: h[T-n+1 .. T-1]
    for (let start = 0; start + n <= T; start++) {
      let match = true;
      for (let j = 0; j < n - 1; j++) {
        if (h[start + j] !== h[T - n + 1 + j]) {
          match = false;
          break;
        }
      }
      if (match) {
        const banned = h[start + n - 1]!;
        if (banned >= 0 && banned < logits.length) logits[banned] = Number.NEGATIVE_INFINITY;
      }
    }
  }
}
