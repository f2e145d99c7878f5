import { escapeRegex, translateRegex } from '../../common/unicode.js';
import type { Pattern } from '../config.js';
import type { Aligned, Normalizer } from './types.js';

/** Builds the global regex of a `{String}` / `{Regex}` pattern. */
export function patternRegex(p: Pattern): RegExp {
  return p.kind === 'string' ? new RegExp(escapeRegex(p.value), 'gu') : translateRegex(p.value, 'gu');
}

/** tokenizer.json `Replace`: every match of the pattern becomes `content`. */
export class Replace implements Normalizer {
  readonly type = 'Replace';
  private readonly re: RegExp;
  constructor(
    readonly pattern: Pattern,
    readonly content: string,
  ) {
    this.re = patternRegex(pattern);
  }

  normalize(text: string): string {
    if (this.pattern.kind === 'string')
      return this.pattern.value === '' ? text : text.replaceAll(this.pattern.value, this.content);
    return text.replace(this.re, () => this.content);
  }

  normalizeAligned(input: Aligned): Aligned {
    let text = '';
    const starts: number[] = [];
    const ends: number[] = [];
    let last = 0;
    const keep = (a: number, b: number) => {
      text += input.text.slice(a, b);
      for (let i = a; i < b; i++) {
        starts.push(input.starts[i]!);
        ends.push(input.ends[i]!);
      }
    };
    this.re.lastIndex = 0;
    for (const m of input.text.matchAll(this.re)) {
      const a = m.index!;
      const b = a + m[0].length;
      if (b === a) continue;
      keep(last, a);
      // HF aligns the replacement text with the last character of the match.
      const lastLow = (input.text.charCodeAt(b - 1) & 0xfc00) === 0xdc00 && b - 2 >= a;
      const s = input.starts[lastLow ? b - 2 : b - 1]!;
      const e = input.ends[b - 1]!;
      text += this.content;
      for (let i = 0; i < this.content.length; i++) {
        starts.push(s);
        ends.push(e);
      }
      last = b;
    }
    keep(last, input.text.length);
    return { text, starts, ends };
  }
}
