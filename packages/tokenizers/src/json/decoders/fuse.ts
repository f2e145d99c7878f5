import type { Decoder } from './types.js';

/** tokenizer.json `Fuse`: all tokens into one string. */
export class FuseDecoder implements Decoder {
  readonly type = 'Fuse';
  decodeChain(tokens: string[]): string[] {
    return [tokens.join('')];
  }
}
