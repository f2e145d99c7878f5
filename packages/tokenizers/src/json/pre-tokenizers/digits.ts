import { applyBehavior, charMatches, type Pieces, type PreTokenizer, splitPieces } from './pieces.js';

const NUMERIC = /\p{N}/u;
/** Rust `char::is_numeric` (general category N). */
export function isNumeric(cp: number, ch: string): boolean {
  if (cp < 0x80) return cp >= 0x30 && cp <= 0x39;
  return NUMERIC.test(ch);
}

/** tokenizer.json `Digits`: isolate digits, one by one or as runs. */
export class Digits implements PreTokenizer {
  readonly type = 'Digits';
  constructor(readonly individualDigits: boolean) {}
  preTokenize(p: Pieces): Pieces {
    const behavior = this.individualDigits ? 'isolated' : 'contiguous';
    return splitPieces(p, (t) => applyBehavior(charMatches(t, isNumeric), behavior));
  }
}
