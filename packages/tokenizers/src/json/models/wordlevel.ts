import { fail } from '../config.js';
import type { Model } from './types.js';

/** WordLevel: each word is looked up whole, unknown words become `unkToken`. */
export class WordLevel implements Model {
  readonly type = 'WordLevel';
  readonly vocabSize: number;
  constructor(
    private readonly vocab: Map<string, number>,
    private readonly tokens: string[],
    readonly unkToken: string,
  ) {
    this.vocabSize = vocab.size;
  }
  tokenToId(token: string): number | undefined {
    return this.vocab.get(token);
  }
  idToToken(id: number): string | undefined {
    return this.tokens[id];
  }
  private id(word: string): number {
    const id = this.vocab.get(word) ?? this.vocab.get(this.unkToken);
    if (id === undefined) fail('model.unk_token', `is ${JSON.stringify(this.unkToken)}, which is not in model.vocab`);
    return id;
  }
  tokenize(word: string, out: number[]): void {
    if (word.length > 0) out.push(this.id(word));
  }
  tokenizeWithSpans(word: string): { ids: number[]; spans: number[] } {
    return word.length > 0 ? { ids: [this.id(word)], spans: [0, word.length] } : { ids: [], spans: [] };
  }
}
