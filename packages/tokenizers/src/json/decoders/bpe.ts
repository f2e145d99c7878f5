import type { Decoder } from './types.js';

/** tokenizer.json `BPEDecoder`: the end-of-word suffix becomes a space (nothing after the last token). */
export class BPEDecoder implements Decoder {
  readonly type = 'BPEDecoder';
  constructor(readonly suffix: string) {}
  decodeChain(tokens: string[]): string[] {
    return tokens.map((t, i) => t.replaceAll(this.suffix, i === tokens.length - 1 ? '' : ' '));
  }
}
