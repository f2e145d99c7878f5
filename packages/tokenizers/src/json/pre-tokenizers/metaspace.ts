import { escapeRegex } from '../../common/unicode.js';
import {
  applyBehavior,
  firstCharSpan,
  type Pieces,
  type PreTokenizeContext,
  type PreTokenizer,
  regexMatches,
  splitPieces,
} from './pieces.js';

/** When Metaspace adds the replacement character in front of a piece. */
export type PrependScheme = 'always' | 'first' | 'never';

/**
 * tokenizer.json `Metaspace`: spaces become `replacement` (▁), a ▁ is prepended per
 * `prependScheme` unless the piece already starts with one, and with `split` the text is cut
 * before each ▁. With scheme `first` only the piece at input offset 0 gets the prefix — and
 * not when the text already starts with a space (this is where HF differs from
 * SentencePiece on leading spaces).
 */
export class Metaspace implements PreTokenizer {
  readonly type = 'Metaspace';
  private readonly re: RegExp;
  constructor(
    readonly replacement: string,
    readonly prependScheme: PrependScheme,
    readonly split: boolean,
  ) {
    this.re = new RegExp(escapeRegex(replacement), 'gu');
  }

  preTokenize(p: Pieces, ctx: PreTokenizeContext): Pieces {
    if (!p.spans) return this.fast(p, ctx);
    const texts: string[] = [];
    const spans: number[][] | null = p.spans ? [] : null;
    for (let k = 0; k < p.texts.length; k++) {
      let t = p.texts[k]!.replaceAll(' ', this.replacement);
      let s: number[] | undefined = p.spans?.[k];
      if (s && this.replacement.length !== 1) s = undefined; // spans stay 1:1 only for a one-unit replacement
      const first = ctx.segmentStart + p.offs[k]! === 0;
      const prepend = this.prependScheme === 'always' || (this.prependScheme === 'first' && first);
      if (prepend && !t.startsWith(this.replacement)) {
        t = this.replacement + t;
        if (s) {
          // HF aligns the prepended ▁ with the first character.
          const first = firstCharSpan(p.texts[k]!, s);
          const lead: number[] = [];
          for (let i = 0; i < this.replacement.length; i++) lead.push(first[0]!, first[1]!);
          s = [...lead, ...s];
        }
      }
      texts.push(t);
      if (spans) spans.push(s ?? spreadSpans(p.spans![k]!, t.length));
    }
    const out: Pieces = { texts, offs: p.offs, spans };
    if (!this.split) return out;
    return splitPieces(out, (t) => applyBehavior(regexMatches(this.re, t), 'merged-with-next'));
  }

  /** Same result without span bookkeeping: plain string work, no intermediate match arrays. */
  fast(p: Pieces, ctx: PreTokenizeContext): Pieces {
    const r = this.replacement;
    const texts: string[] = [];
    const offs: number[] = [];
    for (let k = 0; k < p.texts.length; k++) {
      const src = p.texts[k]!;
      let t = src.indexOf(' ') >= 0 ? src.replaceAll(' ', r) : src;
      const first = ctx.segmentStart + p.offs[k]! === 0;
      if ((this.prependScheme === 'always' || (this.prependScheme === 'first' && first)) && !t.startsWith(r)) t = r + t;
      if (!this.split) {
        texts.push(t);
        offs.push(p.offs[k]!);
        continue;
      }
      // MergedWithNext on every ▁: a piece starts at each ▁ (runs of ▁ give one-▁ pieces).
      let start = 0;
      let at = t.indexOf(r, 1);
      while (at > 0) {
        if (at > start) {
          texts.push(start === 0 && at === t.length ? t : t.slice(start, at));
          offs.push(p.offs[k]! + start);
        }
        start = at;
        at = t.indexOf(r, at + r.length);
      }
      if (t.length > start) {
        texts.push(start === 0 ? t : t.slice(start));
        offs.push(p.offs[k]! + start);
      }
    }
    return { texts, offs, spans: null };
  }
}

function spreadSpans(src: number[], len: number): number[] {
  const s = src[0] ?? 0;
  const e = src[src.length - 1] ?? 0;
  const out: number[] = [];
  for (let i = 0; i < len; i++) out.push(s, e);
  return out;
}
