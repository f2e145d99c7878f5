import { isBertPunctuation } from '../../common/unicode.js';
import { applyBehavior, charMatches, type Pieces, type PreTokenizer, type SplitBehavior, splitPieces } from './pieces.js';

/** tokenizer.json `Punctuation`: split on (ASCII or Unicode) punctuation with a behaviour. */
export class Punctuation implements PreTokenizer {
  readonly type = 'Punctuation';
  constructor(readonly behavior: SplitBehavior) {}
  preTokenize(p: Pieces): Pieces {
    return splitPieces(p, (t) =>
      applyBehavior(
        charMatches(t, (_cp, ch) => isBertPunctuation(ch)),
        this.behavior,
      ),
    );
  }
}
