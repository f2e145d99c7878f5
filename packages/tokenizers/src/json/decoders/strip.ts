import type { Decoder } from './types.js';

/** tokenizer.json `Strip` decoder: removes up to `start`/`stop` copies of `content` at each token's ends. */
export class StripDecoder implements Decoder {
  readonly type = 'Strip';
  constructor(
    readonly content: string,
    readonly start: number,
    readonly stop: number,
  ) {}
  decodeChain(tokens: string[]): string[] {
    return tokens.map((t) => {
      const chars = Array.from(t);
      let a = 0;
      for (let i = 0; i < Math.min(this.start, chars.length); i++) {
        if (chars[i] === this.content) a = i + 1;
        else break;
      }
      let b = chars.length;
      for (let i = 0; i < this.stop; i++) {
        const k = chars.length - i - 1;
        if (k < 0) break;
        if (chars[k] === this.content) b = k;
        else break;
      }
      return a >= b ? '' : chars.slice(a, b).join('');
    });
  }
}
