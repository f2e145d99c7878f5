import type { Decoder } from './types.js';

/** tokenizer.json `Sequence` of decoders, each fed the previous one's output. */
export class DecoderSequence implements Decoder {
  readonly type = 'Sequence';
  constructor(readonly decoders: readonly Decoder[]) {}
  decodeChain(tokens: string[]): string[] {
    let t = tokens;
    for (const d of this.decoders) t = d.decodeChain(t);
    return t;
  }
}
