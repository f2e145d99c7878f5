import { type GenerationContext, type LogitsProcessor, OptionError } from '@weft/core';
import { describe } from '../validate.js';

/**
 * Adds a fixed bias to chosen token ids (OpenAI `logit_bias`; HF `sequence_bias` for single
 * tokens). A bias of −∞ bans a token; +∞ is rejected (use forced tokens or constraints instead).
 */
export class LogitBiasProcessor implements LogitsProcessor {
  readonly name = 'logit-bias';
  readonly bias: ReadonlyMap<number, number>;
  constructor(bias: ReadonlyMap<number, number> | Readonly<Record<string | number, number>>) {
    if (bias === null || typeof bias !== 'object' || Array.isArray(bias)) {
      throw new OptionError('logitBias', `got ${describe(bias)}`, 'pass { tokenId: bias } or a Map<number, number>');
    }
    const entries = bias instanceof Map ? [...bias.entries()] : Object.entries(bias as Record<string, number>);
    const out = new Map<number, number>();
    for (const [key, value] of entries) {
      const id = Number(key);
      if (!Number.isInteger(id) || id < 0)
        throw new OptionError(
          'logitBias',
          `key ${JSON.stringify(key)} is not a token id`,
          'keys are non-negative integer token ids',
        );
      if (typeof value !== 'number' || Number.isNaN(value) || value === Number.POSITIVE_INFINITY) {
        throw new OptionError(
          'logitBias',
          `bias of token ${id} is ${String(value)}`,
          'use a finite number, or -Infinity to ban the token',
        );
      }
      out.set(id, value);
    }
    this.bias = out;
  }
  process(logits: Float32Array, _ctx?: GenerationContext): void {
    for (const [id, b] of this.bias) {
      if (id >= logits.length)
        throw new OptionError('logitBias', `token ${id} is outside the vocabulary of ${logits.length}`, 'use ids of this model');
      logits[id] = logits[id]! + b;
    }
  }
}
