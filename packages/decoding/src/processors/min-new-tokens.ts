import type { GenerationContext, LogitsProcessor } from '@weft/core';
import { reqIds, reqInt } from '../validate.js';

/** Masks the end-of-sequence ids until `minNewTokens` tokens were generated. HF `min_new_tokens`. */
export class MinNewTokensProcessor implements LogitsProcessor {
  readonly name = 'min-new-tokens';
  readonly minNewTokens: number;
  readonly eosTokenIds: readonly number[];
  constructor(minNewTokens: number, eosTokenIds: readonly number[]) {
    this.minNewTokens = reqInt('minNewTokens', minNewTokens, 0);
    this.eosTokenIds = reqIds('eosTokenId', eosTokenIds, Number.MAX_SAFE_INTEGER);
  }
  process(logits: Float32Array, ctx: GenerationContext): void {
    if (ctx.step >= this.minNewTokens) return;
    for (const id of this.eosTokenIds) if (id < logits.length) logits[id] = Number.NEGATIVE_INFINITY;
  }
}
