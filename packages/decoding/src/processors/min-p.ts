import type { LogitsProcessor } from '@weft/core';
import { reqInt, reqNumber } from '../validate.js';
import { maskWhere } from './probs.js';

/**
 * Min-p: drops tokens whose probability is below `p` × the top probability. Works on logits
 * directly: prob_i < p·prob_max ⇔ logit_i < logit_max + ln p, so no softmax is needed. HF `min_p`.
 */
export class MinPProcessor implements LogitsProcessor {
  readonly name = 'min-p';
  readonly p: number;
  readonly minTokensToKeep: number;
  constructor(p: number, minTokensToKeep = 1) {
    this.p = reqNumber('minP', p, { min: 0, max: 1 });
    this.minTokensToKeep = reqInt('minTokensToKeep', minTokensToKeep, 0);
  }
  process(logits: Float32Array): void {
    if (this.p <= 0) return;
    let max = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < logits.length; i++) if (logits[i]! > max) max = logits[i]!;
    const cut = max + Math.log(this.p);
    const remove = new Uint8Array(logits.length);
    for (let i = 0; i < logits.length; i++) if (logits[i]! < cut) remove[i] = 1;
    maskWhere(logits, remove, this.minTokensToKeep);
  }
}
