import type { Decoder } from './types.js';

/** tokenizer.json `Metaspace` decoder: ▁ → space, except that every ▁ of the first token is dropped (HF). */
export class MetaspaceDecoder implements Decoder {
  readonly type = 'Metaspace';
  constructor(
    readonly replacement: string,
    readonly dropFirst: boolean,
  ) {}
  decodeChain(tokens: string[]): string[] {
    return tokens.map((t, i) => t.replaceAll(this.replacement, i === 0 && this.dropFirst ? '' : ' '));
  }
}
