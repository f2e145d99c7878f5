import { utf8Encoder } from '../../common/byte-level.js';
import { WordCache } from '../../common/cache.js';
import { fail } from '../config.js';
import { byteToken, type Model } from './types.js';

/** Score penalty of an unknown character relative to the worst piece (SentencePiece's kUnkPenalty). */
const UNK_PENALTY = 10;

/**
 * Unigram language model (SentencePiece / T5): Viterbi search for the segmentation with the
 * highest total log-probability. Pieces live in a trie over UTF-16 units stored in one Map
 * keyed by `node * 65536 + unit`.
 */
export class Unigram implements Model {
  readonly type = 'Unigram';
  readonly vocabSize: number;
  private readonly vocab = new Map<string, number>();
  private readonly tokens: string[] = [];
  private readonly scores: Float64Array;
  private readonly edges = new Map<number, number>();
  private readonly terminal: number[] = [-1];
  private readonly minScore: number;
  private readonly cache: WordCache<number[]> | null;

  constructor(
    pieces: ReadonlyArray<readonly [string, number]>,
    readonly unkId: number | null,
    readonly byteFallback: boolean,
    cacheCapacity: number,
  ) {
    this.vocabSize = pieces.length;
    this.scores = new Float64Array(pieces.length);
    let min = Number.POSITIVE_INFINITY;
    let nodes = 1;
    for (let id = 0; id < pieces.length; id++) {
      const [piece, score] = pieces[id]!;
      if (!this.vocab.has(piece)) this.vocab.set(piece, id);
      this.tokens[id] = piece;
      this.scores[id] = score;
      if (score < min) min = score;
      let node = 0;
      for (let i = 0; i < piece.length; i++) {
        const key = node * 65536 + piece.charCodeAt(i);
        let child = this.edges.get(key);
        if (child === undefined) {
          child = nodes++;
          this.edges.set(key, child);
          this.terminal.push(-1);
        }
        node = child;
      }
      if (piece.length > 0 && this.terminal[node] === -1) this.terminal[node] = id;
    }
    this.minScore = min;
    if (unkId !== null && (unkId < 0 || unkId >= pieces.length))
      fail('model.unk_id', `is ${unkId}, outside the ${pieces.length}-piece vocabulary`);
    this.cache = cacheCapacity > 0 ? new WordCache(cacheCapacity) : null;
  }

  tokenToId(token: string): number | undefined {
    return this.vocab.get(token);
  }
  idToToken(id: number): string | undefined {
    return this.tokens[id];
  }

  /** Best segmentation as [start, end) ranges (flat), unknown runs fused, like HF `encode_optimized`. */
  segment(text: string): number[] {
    const n = text.length;
    const bestScore = new Float64Array(n + 1);
    const from = new Int32Array(n + 1).fill(-1);
    const tokenAt = new Int32Array(n + 1).fill(-1);
    const unkScore = this.minScore - UNK_PENALTY;
    for (let start = 0; start < n; ) {
      const c = text.charCodeAt(start);
      const w = c >= 0xd800 && c <= 0xdbff && start + 1 < n && (text.charCodeAt(start + 1) & 0xfc00) === 0xdc00 ? 2 : 1;
      const base = bestScore[start]!;
      let single = false;
      let node = 0;
      for (let i = start; i < n; i++) {
        const child = this.edges.get(node * 65536 + text.charCodeAt(i));
        if (child === undefined) break;
        node = child;
        const id = this.terminal[node]!;
        if (id < 0) continue;
        const end = i + 1;
        const score = base + this.scores[id]!;
        if (from[end] === -1 || score > bestScore[end]!) {
          bestScore[end] = score;
          from[end] = start;
          tokenAt[end] = id;
        }
        if (end - start === w) single = true;
      }
      if (!single) {
        const end = start + w;
        const score = base + unkScore;
        if (from[end] === -1 || score > bestScore[end]!) {
          bestScore[end] = score;
          from[end] = start;
          tokenAt[end] = -2; // unknown
        }
      }
      start += w;
    }
    // Backtrack; fuse consecutive unknowns (fuse_unk is always on for Unigram).
    const rev: number[] = [];
    let end = n;
    let unkEnd = -1;
    const unkIdOrUnk = this.unkId;
    while (end > 0) {
      const start = from[end]!;
      const id = tokenAt[end]!;
      const isUnk = id === -2 || (unkIdOrUnk !== null && id === unkIdOrUnk);
      if (isUnk && unkIdOrUnk !== null) {
        if (unkEnd < 0) unkEnd = end;
      } else {
        if (unkEnd >= 0) {
          rev.push(end, unkEnd);
          unkEnd = -1;
        }
        rev.push(start, end);
      }
      end = start;
    }
    if (unkEnd >= 0) rev.push(0, unkEnd);
    const out: number[] = [];
    for (let i = rev.length - 2; i >= 0; i -= 2) out.push(rev[i]!, rev[i + 1]!);
    return out;
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

  /** Token strings are the vocabulary pieces, except unknown runs, which keep their text (as in HF). */
  tokenizeWithSpans(word: string): { ids: number[]; spans: number[]; tokens: string[] } {
    const ids: number[] = [];
    const spans: number[] = [];
    const tokens: string[] = [];
    if (word.length === 0) return { ids, spans, tokens };
    const seg = this.segment(word);
    for (let k = 0; k < seg.length; k += 2) {
      const a = seg[k]!;
      const b = seg[k + 1]!;
      const piece = word.slice(a, b);
      const id = this.vocab.get(piece);
      if (id !== undefined) {
        ids.push(id);
        spans.push(a, b);
        tokens.push(piece);
        continue;
      }
      if (this.byteFallback) {
        const bytes = utf8Encoder().encode(piece);
        const byteIds: number[] = [];
        for (const byte of bytes) {
          const bid = this.vocab.get(byteToken(byte));
          if (bid === undefined) break;
          byteIds.push(bid);
        }
        if (byteIds.length === bytes.length) {
          for (const bid of byteIds) {
            ids.push(bid);
            spans.push(a, b);
            tokens.push(this.tokens[bid]!);
          }
          continue;
        }
      }
      if (this.unkId === null)
        fail('model.unk_id', 'is missing but the text has characters outside the vocabulary', 'set unk_id in the file');
      ids.push(this.unkId);
      spans.push(a, b);
      tokens.push(piece);
    }
    return { ids, spans, tokens };
  }
}
