import { isWhiteSpace } from '../../common/unicode.js';
import { applyBehavior, charMatches, type Pieces, type PreTokenizer, regexMatches, splitPieces } from './pieces.js';

const WORDS =
  /[\p{Alphabetic}\p{M}\p{Nd}\p{Pc}\p{Join_Control}]+|[^\p{Alphabetic}\p{M}\p{Nd}\p{Pc}\p{Join_Control}\p{White_Space}]+/gu;

/** tokenizer.json `Whitespace`: `\w+|[^\w\s]+` (Unicode classes), everything else dropped. */
export class Whitespace implements PreTokenizer {
  readonly type = 'Whitespace';
  preTokenize(p: Pieces): Pieces {
    // Invert + Removed: keep exactly the matches.
    return splitPieces(p, keepMatches);
  }
}

function keepMatches(t: string): number[] {
  const m = regexMatches(WORDS, t);
  const out: number[] = [];
  for (let i = 0; i < m.length; i += 3) if (m[i + 2]) out.push(m[i]!, m[i + 1]!);
  return out;
}

/** tokenizer.json `WhitespaceSplit`: split on Unicode whitespace, dropping it. */
const NON_SPACE_RUNS = /\P{White_Space}+/gu;

export class WhitespaceSplit implements PreTokenizer {
  readonly type = 'WhitespaceSplit';
  preTokenize(p: Pieces): Pieces {
    if (!p.spans) {
      const texts: string[] = [];
      const offs: number[] = [];
      for (let k = 0; k < p.texts.length; k++) {
        const t = p.texts[k]!;
        NON_SPACE_RUNS.lastIndex = 0;
        for (let m = NON_SPACE_RUNS.exec(t); m !== null; m = NON_SPACE_RUNS.exec(t)) {
          texts.push(m[0]);
          offs.push(p.offs[k]! + m.index);
        }
      }
      return { texts, offs, spans: null };
    }
    return splitPieces(p, (t) => applyBehavior(charMatches(t, isWhiteSpace), 'removed'));
  }
}

/** tokenizer.json `CharDelimiterSplit`: split on one character, dropping it. */
export class CharDelimiterSplit implements PreTokenizer {
  readonly type = 'CharDelimiterSplit';
  private readonly cp: number;
  constructor(readonly delimiter: string) {
    this.cp = delimiter.codePointAt(0) ?? -1;
  }
  preTokenize(p: Pieces): Pieces {
    return splitPieces(p, (t) =>
      applyBehavior(
        charMatches(t, (cp) => cp === this.cp),
        'removed',
      ),
    );
  }
}
