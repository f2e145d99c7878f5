import type { Aligned, Normalizer } from './types.js';

const LEFT = /^\p{White_Space}+/u;
const RIGHT = /\p{White_Space}+$/u;

/** tokenizer.json `Strip`: trims Unicode whitespace on the chosen sides. */
export class Strip implements Normalizer {
  readonly type = 'Strip';
  constructor(
    readonly left: boolean,
    readonly right: boolean,
  ) {}
  private bounds(text: string): [number, number] {
    const a = this.left ? (LEFT.exec(text)?.[0].length ?? 0) : 0;
    const rest = text.slice(a);
    const b = this.right ? text.length - (RIGHT.exec(rest)?.[0].length ?? 0) : text.length;
    return [a, b];
  }
  normalize(text: string): string {
    const [a, b] = this.bounds(text);
    return text.slice(a, b);
  }
  normalizeAligned(input: Aligned): Aligned {
    const [a, b] = this.bounds(input.text);
    return { text: input.text.slice(a, b), starts: input.starts.slice(a, b), ends: input.ends.slice(a, b) };
  }
}
