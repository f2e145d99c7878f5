import type { Pattern } from '../config.js';
import { patternRegex } from '../normalizers/replace.js';
import {
  applyBehavior,
  invertMatches,
  type Pieces,
  type PreTokenizer,
  regexMatches,
  type SplitBehavior,
  splitPieces,
} from './pieces.js';

/** tokenizer.json `Split`: split on a string or regex with one of the five delimiter behaviours. */
export class Split implements PreTokenizer {
  readonly type = 'Split';
  private readonly re: RegExp;
  constructor(
    readonly pattern: Pattern,
    readonly behavior: SplitBehavior,
    readonly invert: boolean,
  ) {
    this.re = patternRegex(pattern);
  }
  preTokenize(p: Pieces): Pieces {
    return splitPieces(p, (t) => {
      const m = regexMatches(this.re, t);
      return applyBehavior(this.invert ? invertMatches(m) : m, this.behavior);
    });
  }
}
