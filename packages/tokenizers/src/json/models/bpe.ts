import { utf8Encoder } from '../../common/byte-level.js';
import { WordCache } from '../../common/cache.js';
import { fail } from '../config.js';
import { HashMergeTable, mergeHeap, mergeReference } from './bpe-merge.js';
import { byteToken, type Model } from './types.js';

/** Options of the {@link BPE} model (tokenizer.json field names in comments). */
export interface BPEOptions {
  /** `unk_token`: used for characters missing from the vocabulary (when byte fallback cannot). */
  readonly unkToken: string | null;
  /** `continuing_subword_prefix`, e.g. `##`. */
  readonly continuingSubwordPrefix: string | null;
  /** `end_of_word_suffix`, e.g. `</w>`. */
  readonly endOfWordSuffix: string | null;
  /** `fuse_unk`: consecutive unknown characters become one unk token. */
  readonly fuseUnk: boolean;
  /** `byte_fallback`: unknown characters become `<0xAB>` byte tokens. */
  readonly byteFallback: boolean;
  /** `ignore_merges`: a word found whole in the vocabulary is emitted as is. */
  readonly ignoreMerges: boolean;
  /** Capacity of the per-word cache (0 disables it). */
  readonly cacheCapacity: number;
}

/** Words at least this many symbols long use the heap merge; shorter ones the plain loop. */
const HEAP_THRESHOLD = 48;
const META = '\u2581';

/**
 * Byte-pair encoding as in HF `tokenizers`: vocabulary + ranked merges. Merge lookups use one
 * Map keyed by the pair of symbol ids; results are cached per word.
 */
export class BPE implements Model {
  readonly type = 'BPE';
  readonly vocabSize: number;
  private readonly ranks: HashMergeTable;
  private readonly cache: WordCache<number[]> | null;
  /** Vocabulary id of each single-UTF-16-unit string (-1 none, -2 not looked up yet). */
  private readonly unitId = new Int32Array(0x10000).fill(-2);
  private readonly unkId: number;
  private readonly byteIds: Int32Array | null;
  /** True when no merge can join a symbol ending in a non-▁ char to one starting with ▁. */
  private readonly splitBeforeMeta: boolean;
  private readonly plainChars: boolean;

  constructor(
    private readonly vocab: Map<string, number>,
    private readonly tokens: string[],
    merges: ReadonlyArray<readonly [string, string]>,
    readonly options: BPEOptions,
  ) {
    this.vocabSize = vocab.size;
    const prefixLen = options.continuingSubwordPrefix?.length ?? 0;
    this.ranks = new HashMergeTable(merges.length);
    let crossesMeta = false;
    for (let i = 0; i < merges.length; i++) {
      const [a, b] = merges[i]!;
      const ai = vocab.get(a);
      const bi = vocab.get(b);
      if (ai === undefined) fail(`model.merges[${i}]`, `uses ${JSON.stringify(a)}, which is not in model.vocab`);
      if (bi === undefined) fail(`model.merges[${i}]`, `uses ${JSON.stringify(b)}, which is not in model.vocab`);
      const merged = a + b.slice(prefixLen);
      const ni = vocab.get(merged);
      if (ni === undefined) fail(`model.merges[${i}]`, `produces ${JSON.stringify(merged)}, which is not in model.vocab`);
      this.ranks.set(ai, bi, i, ni);
      if (!crossesMeta && b.startsWith(META) && a.length > 0 && !a.endsWith(META)) crossesMeta = true;
    }
    this.splitBeforeMeta = !crossesMeta && prefixLen === 0 && !options.endOfWordSuffix;
    this.plainChars = prefixLen === 0 && !options.endOfWordSuffix;
    if (options.unkToken !== null) {
      const id = vocab.get(options.unkToken);
      this.unkId = id ?? -2;
    } else this.unkId = -1;
    if (options.byteFallback) {
      this.byteIds = new Int32Array(256);
      for (let b = 0; b < 256; b++) this.byteIds[b] = vocab.get(byteToken(b)) ?? -1;
    } else this.byteIds = null;
    this.cache = options.cacheCapacity > 0 ? new WordCache(options.cacheCapacity) : null;
  }

  tokenToId(token: string): number | undefined {
    return this.vocab.get(token);
  }

  idToToken(id: number): string | undefined {
    return this.tokens[id];
  }

  tokenize(word: string, out: number[]): void {
    if (word.length === 0) return;
    if (this.splitBeforeMeta && word.length > 1 && word.indexOf(META, 1) > 0) {
      // Merges never cross "x|▁", so chunks starting at such a ▁ are independent words.
      let start = 0;
      for (let i = 1; i < word.length; i++) {
        if (word.charCodeAt(i) === 0x2581 && word.charCodeAt(i - 1) !== 0x2581) {
          this.tokenizeChunk(word.slice(start, i), out);
          start = i;
        }
      }
      this.tokenizeChunk(start === 0 ? word : word.slice(start), out);
      return;
    }
    this.tokenizeChunk(word, out);
  }

  private tokenizeChunk(word: string, out: number[]): void {
    const cached = this.cache?.get(word);
    if (cached !== undefined) {
      for (let i = 0; i < cached.length; i++) out.push(cached[i]!);
      return;
    }
    const ids: number[] = [];
    const lens: number[] = [];
    this.wordIds(word, ids, lens);
    for (let i = 0; i < ids.length; i++) out.push(ids[i]!);
    this.cache?.set(word, ids);
  }

  tokenizeWithSpans(word: string): { ids: number[]; spans: number[] } {
    const ids: number[] = [];
    const lens: number[] = [];
    if (word.length > 0) this.wordIds(word, ids, lens);
    const spans: number[] = [];
    let pos = 0;
    for (let i = 0; i < ids.length; i++) {
      // A zero-length token is a later byte of a byte-fallback character: it shares the
      // character's span with the token before it.
      if (lens[i] === 0 && i > 0) spans.push(spans[2 * i - 2]!, spans[2 * i - 1]!);
      else spans.push(pos, pos + lens[i]!);
      pos += lens[i]!;
    }
    return { ids, spans };
  }

  /** Symbols of a word, then merges; `lens` gets each token's length in UTF-16 units. */
  private wordIds(word: string, ids: number[], lens: number[]): void {
    if (this.options.ignoreMerges) {
      const whole = this.vocab.get(word);
      if (whole !== undefined) {
        ids.push(whole);
        lens.push(word.length);
        return;
      }
    }
    this.initialSymbols(word, ids, lens);
    if (ids.length < HEAP_THRESHOLD) mergeReference(ids, lens, this.ranks);
    else mergeHeap(ids, lens, this.ranks);
  }

  private lookupUnit(c: number): number {
    let id = this.unitId[c]!;
    if (id === -2) {
      id = this.vocab.get(String.fromCharCode(c)) ?? -1;
      this.unitId[c] = id;
    }
    return id;
  }

  private unk(): number {
    if (this.unkId === -2) fail('model.unk_token', `is ${JSON.stringify(this.options.unkToken)}, which is not in model.vocab`);
    return this.unkId;
  }

  private initialSymbols(word: string, ids: number[], lens: number[]): void {
    const { continuingSubwordPrefix: prefix, endOfWordSuffix: suffix, fuseUnk } = this.options;
    let unkLen = 0; // pending unknown run (length in units), 0 = none
    let unkId = -1;
    const n = word.length;
    for (let i = 0; i < n; ) {
      const c = word.charCodeAt(i);
      const w = c >= 0xd800 && c <= 0xdbff && i + 1 < n && (word.charCodeAt(i + 1) & 0xfc00) === 0xdc00 ? 2 : 1;
      const isFirst = i === 0;
      const isLast = i + w >= n;
      let id: number | undefined;
      let s: string | null = null;
      if (w === 1 && this.plainChars) id = this.lookupUnit(c);
      else {
        s = word.slice(i, i + w);
        if (!isFirst && prefix) s = prefix + s;
        if (isLast && suffix) s = s + suffix;
        id = this.vocab.get(s) ?? -1;
      }
      if (id >= 0) {
        if (unkLen > 0) {
          ids.push(unkId);
          lens.push(unkLen);
          unkLen = 0;
        }
        ids.push(id);
        lens.push(w);
      } else {
        if (this.byteIds) {
          const bytes = utf8Encoder().encode(s ?? word.slice(i, i + w));
          let ok = true;
          for (let k = 0; k < bytes.length; k++) if (this.byteIds[bytes[k]!]! < 0) ok = false;
          if (ok) {
            // All bytes of the character share its span: the first carries the length.
            for (let k = 0; k < bytes.length; k++) {
              ids.push(this.byteIds[bytes[k]!]!);
              lens.push(k === 0 ? w : 0);
            }
            i += w;
            continue;
          }
        }
        if (this.unkId !== -1) {
          const u = this.unk();
          if (unkLen > 0 && fuseUnk) unkLen += w;
          else {
            if (unkLen > 0) {
              ids.push(unkId);
              lens.push(unkLen);
            }
            unkId = u;
            unkLen = w;
          }
        }
      }
      i += w;
    }
    if (unkLen > 0) {
      ids.push(unkId);
      lens.push(unkLen);
    }
  }
}
