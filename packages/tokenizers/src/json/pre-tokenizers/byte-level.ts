import { BYTE_TO_CHAR, toByteLevel, utf8Encoder } from '../../common/byte-level.js';
import { translateRegex } from '../../common/unicode.js';
import { applyBehavior, firstCharSpan, type Pieces, type PreTokenizer, regexMatches, splitPieces } from './pieces.js';

/** GPT-2's pre-tokenization regex (as HF's ByteLevel uses it, with Unicode `\s`). */
export const GPT2_PATTERN = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

/** tokenizer.json `ByteLevel` pre-tokenizer: optional prefix space, GPT-2 split, bytes → printable chars. */
export class ByteLevelPreTokenizer implements PreTokenizer {
  readonly type = 'ByteLevel';
  private readonly re: RegExp;
  constructor(
    readonly addPrefixSpace: boolean,
    readonly useRegex: boolean,
  ) {
    this.re = translateRegex(GPT2_PATTERN, 'gu');
  }

  /** The regex split alone (used by fused fast paths). */
  splitText(text: string): string[] {
    if (!this.useRegex) return [text];
    return text.match(this.re) ?? [];
  }

  preTokenize(p: Pieces): Pieces {
    if (!p.spans && this.useRegex && !this.addPrefixSpace) {
      // Fast path: the GPT-2 regex covers every character, so String.match gives the
      // isolated pieces directly (checked by total length; otherwise the general path runs).
      const texts: string[] = [];
      const offs: number[] = [];
      let ok = true;
      for (let k = 0; k < p.texts.length && ok; k++) {
        const t = p.texts[k]!;
        const words = t.match(this.re) ?? [];
        let total = 0;
        for (let i = 0; i < words.length; i++) {
          const w = words[i]!;
          total += w.length;
          texts.push(toByteLevel(w));
          offs.push(p.offs[k]! + (i === 0 ? 0 : 1));
        }
        ok = total === t.length;
      }
      if (ok) return { texts, offs, spans: null };
    }
    let pieces = p;
    if (this.addPrefixSpace) {
      pieces = { texts: [], offs: p.offs, spans: p.spans ? [] : null };
      for (let k = 0; k < p.texts.length; k++) {
        const t = p.texts[k]!;
        const add = !t.startsWith(' ');
        pieces.texts.push(add ? ' ' + t : t);
        if (p.spans) {
          const s = p.spans[k]!;
          pieces.spans!.push(add ? [...firstCharSpan(t, s), ...s] : s);
        }
      }
    }
    if (this.useRegex) pieces = splitPieces(pieces, (t) => applyBehavior(regexMatches(this.re, t), 'isolated'));
    const texts = pieces.texts.map(toByteLevel);
    let spans: number[][] | null = null;
    if (pieces.spans) {
      spans = pieces.spans.map((s, k) => byteSpans(pieces.texts[k]!, s));
    }
    return { texts, offs: pieces.offs, spans };
  }
}

/** Span of every UTF-8 byte: the span of the code point it belongs to. */
function byteSpans(text: string, spans: number[]): number[] {
  const out: number[] = [];
  const enc = utf8Encoder();
  for (let i = 0; i < text.length; ) {
    const cp = text.codePointAt(i)!;
    const w = cp > 0xffff ? 2 : 1;
    const nBytes = enc.encode(text.slice(i, i + w)).length;
    const s = spans[2 * i]!;
    const e = spans[2 * (i + w - 1) + 1]!;
    for (let b = 0; b < nBytes; b++) out.push(s, e);
    i += w;
  }
  return out;
}

export { BYTE_TO_CHAR };
