import type { Pieces, PreTokenizeContext, PreTokenizer } from './pieces.js';

/** tokenizer.json `Sequence` of pre-tokenizers, applied in order. */
export class PreTokenizerSequence implements PreTokenizer {
  readonly type = 'Sequence';
  constructor(readonly preTokenizers: readonly PreTokenizer[]) {}
  preTokenize(p: Pieces, ctx: PreTokenizeContext): Pieces {
    let out = p;
    for (const s of this.preTokenizers) out = s.preTokenize(out, ctx);
    return out;
  }
}
