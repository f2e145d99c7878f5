import type { Pattern } from '../config.js';
import { Replace } from '../normalizers/replace.js';
import type { Decoder } from './types.js';

/** tokenizer.json `Replace` decoder: the Replace normalizer applied to each token. */
export class ReplaceDecoder implements Decoder {
  readonly type = 'Replace';
  private readonly inner: Replace;
  constructor(pattern: Pattern, content: string) {
    this.inner = new Replace(pattern, content);
  }
  decodeChain(tokens: string[]): string[] {
    return tokens.map((t) => this.inner.normalize(t));
  }
}
