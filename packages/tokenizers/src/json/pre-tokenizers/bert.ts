import { bertWordRegex, isBertPunctuation, isWhiteSpace } from '../../common/unicode.js';
import { applyBehavior, charMatches, type Pieces, type PreTokenizer, splitPieces } from './pieces.js';

/** tokenizer.json `BertPreTokenizer`: split on whitespace (dropped) and punctuation (isolated). */
export class BertPreTokenizer implements PreTokenizer {
  readonly type = 'BertPreTokenizer';
  preTokenize(p: Pieces): Pieces {
    if (!p.spans) {
      // Fast path: one native regex pass (same classes as the reference path below). Only
      // whether a piece starts its parent matters for `offs`, so later pieces get 1.
      const texts: string[] = [];
      const offs: number[] = [];
      for (let k = 0; k < p.texts.length; k++) {
        const t = p.texts[k]!;
        const words = t.match(bertWordRegex());
        if (!words) continue;
        const atStart = !isWhiteSpace(t.codePointAt(0)!);
        for (let i = 0; i < words.length; i++) {
          texts.push(words[i]!);
          offs.push(i === 0 && atStart ? p.offs[k]! : p.offs[k]! + 1);
        }
      }
      return { texts, offs, spans: null };
    }
    const words = splitPieces(p, (t) => applyBehavior(charMatches(t, isWhiteSpace), 'removed'));
    return splitPieces(words, (t) =>
      applyBehavior(
        charMatches(t, (_cp, ch) => isBertPunctuation(ch)),
        'isolated',
      ),
    );
  }
}
