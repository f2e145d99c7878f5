import type { Aligned, Normalizer } from './types.js';

/** tokenizer.json `Prepend`: puts `prepend` before any non-empty text. */
export class Prepend implements Normalizer {
  readonly type = 'Prepend';
  constructor(readonly prepend: string) {}
  normalize(text: string): string {
    return text.length === 0 ? text : this.prepend + text;
  }
  normalizeAligned(input: Aligned): Aligned {
    if (input.text.length === 0) return input;
    // HF aligns prepended text with the first character.
    const c = input.text.charCodeAt(0);
    const end = c >= 0xd800 && c <= 0xdbff && input.text.length > 1 ? input.ends[1]! : input.ends[0]!;
    const starts = new Array<number>(this.prepend.length).fill(input.starts[0]!).concat(input.starts);
    const ends = new Array<number>(this.prepend.length).fill(end).concat(input.ends);
    return { text: this.prepend + input.text, starts, ends };
  }
}
