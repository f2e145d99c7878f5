import type { GenerationContext, LogitsProcessor } from '@weft/core';
import { reqInt } from '../validate.js';

function force(logits: Float32Array, id: number): void {
  logits.fill(Number.NEGATIVE_INFINITY);
  if (id < logits.length) logits[id] = 0;
}

/** Forces `tokenId` as the first generated token. HF `forced_bos_token_id`. */
export class ForcedBosProcessor implements LogitsProcessor {
  readonly name = 'forced-bos';
  readonly tokenId: number;
  constructor(tokenId: number) {
    this.tokenId = reqInt('forcedBosTokenId', tokenId, 0);
  }
  process(logits: Float32Array, ctx: GenerationContext): void {
    if (ctx.step === 0) force(logits, this.tokenId);
  }
}

/** Forces `tokenId` as the last token when generation reaches `maxNewTokens`. HF `forced_eos_token_id`. */
export class ForcedEosProcessor implements LogitsProcessor {
  readonly name = 'forced-eos';
  readonly tokenId: number;
  readonly maxNewTokens: number;
  constructor(tokenId: number, maxNewTokens: number) {
    this.tokenId = reqInt('forcedEosTokenId', tokenId, 0);
    this.maxNewTokens = reqInt('maxNewTokens', maxNewTokens, 1);
  }
  process(logits: Float32Array, ctx: GenerationContext): void {
    if (ctx.step === this.maxNewTokens - 1) force(logits, this.tokenId);
  }
}
