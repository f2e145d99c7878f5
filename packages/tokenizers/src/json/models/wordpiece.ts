import { WordCache } from '../../common/cache.js';
import { fail } from '../config.js';
import type { Model } from './types.js';

/** Options of {@link WordPiece}. */
export interface WordPieceOptions {
  readonly unkToken: string;
  /** `continuing_subword_prefix` (`##`). */
  readonly continuingSubwordPrefix: string;
  /** Words longer than this (in code points) become the unk token. */
  readonly maxInputCharsPerWord: number;
  readonly cacheCapacity: number;
}

/** WordPiece (BERT): greedy longest-match-first, `##` on continuation pieces. */
export class WordPiece implements Model {
  readonly type = 'WordPiece';
  readonly vocabSize: number;
  private readonly cache: WordCache<number[]> | null;
  private readonly spanCache: WordCache<number[]> | null;
  private readonly unkId: number | undefined;

  constructor(
    private readonly vocab: Map<string, number>,
    private readonly tokens: string[],
    readonly options: WordPieceOptions,
  ) {
    this.vocabSize = vocab.size;
    this.unkId = vocab.get(options.unkToken);
    this.cache = options.cacheCapacity > 0 ? new WordCache(options.cacheCapacity) : null;
    this.spanCache = null;
  }

  tokenToId(token: string): number | undefined {
    return this.vocab.get(token);
  }
  idToToken(id: number): string | undefined {
    return this.tokens[id];
  }

  private unk(): number {
    if (this.unkId === undefined)
      fail('model.unk_token', `is ${JSON.stringify(this.options.unkToken)}, which is not in model.vocab`);
    return this.unkId;
  }

  tokenize(word: string, out: number[]): void {
    const hit = this.cache?.get(word);
    if (hit) {
      for (let i = 0; i < hit.length; i++) out.push(hit[i]!);
      return;
    }
    const { ids } = this.tokenizeWithSpans(word);
    this.cache?.set(word, ids);
    for (let i = 0; i < ids.length; i++) out.push(ids[i]!);
  }

  tokenizeWithSpans(word: string): { ids: number[]; spans: number[] } {
    void this.spanCache;
    const n = word.length;
    if (n === 0) return { ids: [], spans: [] };
    let chars = n;
    if (n > this.options.maxInputCharsPerWord) {
      chars = 0;
      for (const _ of word) chars++;
    }
    if (chars > this.options.maxInputCharsPerWord) return { ids: [this.unk()], spans: [0, n] };
    const ids: number[] = [];
    const spans: number[] = [];
    const prefix = this.options.continuingSubwordPrefix;
    let start = 0;
    while (start < n) {
      let end = n;
      let found = -1;
      while (start < end) {
        const sub = start > 0 ? prefix + word.slice(start, end) : word.slice(start, end);
        const id = this.vocab.get(sub);
        if (id !== undefined) {
          found = id;
          break;
        }
        // Step back one code point.
        const c = word.charCodeAt(end - 1);
        end -= (c & 0xfc00) === 0xdc00 && end - 2 >= start && (word.charCodeAt(end - 2) & 0xfc00) === 0xd800 ? 2 : 1;
      }
      if (found < 0) return { ids: [this.unk()], spans: [0, n] };
      ids.push(found);
      spans.push(start, end);
      start = end;
    }
    return { ids, spans };
  }
}
