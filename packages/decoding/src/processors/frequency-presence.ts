import type { GenerationContext, LogitsProcessor } from '@weft/core';
import { reqBool, reqNumber } from '../validate.js';

/**
 * OpenAI-style penalties: logit −= count·frequency + (count > 0)·presence, where count is how often
 * the token occurs among the generated tokens (or the whole history with `includePrompt`).
 */
export class FrequencyPresencePenaltyProcessor implements LogitsProcessor {
  readonly name = 'frequency-presence-penalty';
  readonly frequency: number;
  readonly presence: number;
  readonly includePrompt: boolean;
  constructor(frequency: number, presence: number, includePrompt = false) {
    this.frequency = reqNumber('frequencyPenalty', frequency, { min: -2, max: 2 });
    this.presence = reqNumber('presencePenalty', presence, { min: -2, max: 2 });
    this.includePrompt = reqBool('includePrompt', includePrompt);
  }
  process(logits: Float32Array, ctx: GenerationContext): void {
    const counts = new Map<number, number>();
    const start = this.includePrompt ? 0 : ctx.promptLength;
    for (let i = start; i < ctx.history.length; i++) {
      const id = ctx.history[i]!;
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    for (const [id, count] of counts) {
      if (id < 0 || id >= logits.length) continue;
      logits[id] = logits[id]! - count * this.frequency - this.presence;
    }
  }
}
