/**
 * SentencePiece Unigram (`unigram_model.cc`, `EncodeOptimized`): Viterbi over all pieces that
 * start at each character, the best total log-probability wins; a character no piece covers
 * becomes `<unk>` with score `min score − 10`.
 */
import type { Segment, SegmenterVocab, SymbolSplitter } from './bpe.js';

interface TrieNode {
  next: Map<number, TrieNode> | undefined;
  id: number;
}

const UNK_PENALTY = 10;

/** A trie over the pieces (by UTF-16 code unit) for the lattice's prefix searches. */
export class PieceTrie {
  private readonly root: TrieNode = { next: undefined, id: -1 };
  readonly minScore: number;
  readonly maxScore: number;

  constructor(
    readonly vocab: SegmenterVocab,
    normal: Uint8Array,
  ) {
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (const [piece, id] of vocab.pieces) {
      if (vocab.unused[id]) continue;
      let node = this.root;
      for (let i = 0; i < piece.length; i++) {
        const c = piece.charCodeAt(i);
        node.next ??= new Map();
        let child = node.next.get(c);
        if (!child) node.next.set(c, (child = { next: undefined, id: -1 }));
        node = child;
      }
      node.id = id;
      if (normal[id]) {
        min = Math.min(min, vocab.scores[id]!);
        max = Math.max(max, vocab.scores[id]!);
      }
    }
    this.minScore = Number.isFinite(min) ? min : 0;
    this.maxScore = Number.isFinite(max) ? max : 0;
  }

  /** Calls `fn(endIndex, id)` for every piece starting at `pos`, shortest first. */
  prefixes(text: string, pos: number, fn: (end: number, id: number) => void): void {
    let node: TrieNode | undefined = this.root;
    for (let i = pos; i < text.length; i++) {
      node = node.next?.get(text.charCodeAt(i));
      if (!node) return;
      if (node.id >= 0) fn(i + 1, node.id);
    }
  }
}

/** Viterbi segmentation; `unkId` pieces are reported with id -1 (the caller maps them). */
export function unigramSegment(text: string, trie: PieceTrie, split: SymbolSplitter): Segment[] {
  const { starts } = split(text);
  const n = text.length;
  if (n === 0) return [];
  const best = new Float64Array(n + 1).fill(Number.NEGATIVE_INFINITY);
  const from = new Int32Array(n + 1).fill(-1);
  const ids = new Int32Array(n + 1).fill(-1);
  best[0] = 0;
  const unkScore = trie.minScore - UNK_PENALTY;
  const { scores, userDefined } = trie.vocab;
  for (let k = 0; k < starts.length; k++) {
    const pos = starts[k]!;
    const charEnd = k + 1 < starts.length ? starts[k + 1]! : n;
    const base = best[pos]!;
    if (base === Number.NEGATIVE_INFINITY) continue;
    let single = false;
    trie.prefixes(text, pos, (end, id) => {
      if (end > charEnd && !isBoundary(starts, end, n)) return;
      const score = userDefined[id] ? (end - pos) * trie.maxScore - 0.1 : scores[id]!;
      const cand = base + score;
      if (end === charEnd) single = true;
      if (cand > best[end]!) {
        best[end] = cand;
        from[end] = pos;
        ids[end] = id;
      }
    });
    if (!single) {
      const cand = base + unkScore;
      if (cand > best[charEnd]!) {
        best[charEnd] = cand;
        from[charEnd] = pos;
        ids[charEnd] = -1;
      }
    }
  }
  const out: Segment[] = [];
  for (let e = n; e > 0; e = from[e]!) out.push({ piece: text.slice(from[e]!, e), id: ids[e]! });
  return out.reverse();
}

function isBoundary(starts: number[], pos: number, n: number): boolean {
  if (pos === n) return true;
  // starts is sorted: binary search
  let lo = 0;
  let hi = starts.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = starts[mid]!;
    if (v === pos) return true;
    if (v < pos) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}
