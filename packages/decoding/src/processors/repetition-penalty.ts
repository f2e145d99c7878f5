import type { GenerationContext, LogitsProcessor } from '@weft/core';
import { reqNumber } from '../validate.js';

/**
 * CTRL-style repetition penalty (Keskar et al. 2019), HF `repetition_penalty`: every token already
 * in the history (prompt included) gets its logit divided by `penalty` when positive and
 * multiplied by it when negative. 1 = off; > 1 discourages repeats.
 */
export class RepetitionPenaltyProcessor implements LogitsProcessor {
  readonly name = 'repetition-penalty';
  readonly penalty: number;
  constructor(penalty: number) {
    this.penalty = reqNumber('repetitionPenalty', penalty, { min: 0, minOpen: true });
  }
  process(logits: Float32Array, ctx: GenerationContext): void {
    const seen = new Uint8Array(logits.length);
    for (const id of ctx.history) {
      if (seen[id] || id < 0 || id >= logits.length) continue;
      seen[id] = 1;
      const v = logits[id]!;
      logits[id] = v < 0 ? v * this.penalty : v / this.penalty;
    }
  }
}
