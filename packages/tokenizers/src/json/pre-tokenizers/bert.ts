import { isBertPunctuation, isWhiteSpace } from '../../common/unicode.js';
import { applyBehavior, charMatches, type Pieces, type PreTokenizer, splitPieces } from './pieces.js';

/** tokenizer.json `BertPreTokenizer`: split on whitespace (dropped) and punctuation (isolated). */
export class BertPreTokenizer implements PreTokenizer {
  readonly type = 'BertPreTokenizer';
  preTokenize(p: Pieces): Pieces {
    const words = splitPieces(p, (t) => applyBehavior(charMatches(t, isWhiteSpace), 'removed'));
    return splitPieces(words, (t) =>
      applyBehavior(
        charMatches(t, (_cp, ch) => isBertPunctuation(ch)),
        'isolated',
      ),
    );
  }
}
