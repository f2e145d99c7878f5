/**
 * SentencePiece BPE (`bpe_model.cc`): start from characters (user-defined symbols stay whole),
 * repeatedly merge the adjacent pair whose concatenation is the highest-scoring piece (leftmost
 * on ties), then split pieces of type UNUSED back into the pair they were merged from.
 */

/** The vocabulary a segmenter needs: piece → id, scores, and which ids are UNUSED. */
export interface SegmenterVocab {
  /** Normal, user-defined and unused pieces (the ones segmentation may produce). */
  readonly pieces: ReadonlyMap<string, number>;
  readonly scores: Float32Array;
  readonly unused: Uint8Array;
  readonly userDefined: Uint8Array;
}

/** A segment of the normalized text; `id` is -1 when the piece is not in the vocabulary. */
export interface Segment {
  readonly piece: string;
  readonly id: number;
}

/** Initial symbols: [start, end) in code units; `frozen` symbols (user-defined) never merge. */
export type SymbolSplitter = (text: string) => { starts: number[]; frozen: boolean[] };

/** The plain reference: O(n²) — rescans every adjacent pair after each merge. */
export function bpeSegmentReference(text: string, vocab: SegmenterVocab, split: SymbolSplitter): Segment[] {
  const { starts, frozen } = split(text);
  const sym: string[] = [];
  const frz: boolean[] = [];
  for (let k = 0; k < starts.length; k++) {
    sym.push(text.slice(starts[k], k + 1 < starts.length ? starts[k + 1] : text.length));
    frz.push(frozen[k]!);
  }
  const revMerge = new Map<string, [string, string]>();
  for (;;) {
    let best = -1;
    let bestScore = Number.NEGATIVE_INFINITY;
    for (let k = 0; k + 1 < sym.length; k++) {
      if (frz[k] || frz[k + 1]) continue;
      const id = vocab.pieces.get(sym[k]! + sym[k + 1]!);
      if (id === undefined) continue;
      const s = vocab.scores[id]!;
      if (s > bestScore) {
        bestScore = s;
        best = k;
      }
    }
    if (best < 0) break;
    const merged = sym[best]! + sym[best + 1]!;
    if (vocab.unused[vocab.pieces.get(merged)!]) revMerge.set(merged, [sym[best]!, sym[best + 1]!]);
    sym.splice(best, 2, merged);
    frz.splice(best, 2, false);
  }
  const out: Segment[] = [];
  for (const s of sym) resegment(s, vocab, revMerge, out);
  return out;
}

function resegment(piece: string, vocab: SegmenterVocab, revMerge: Map<string, [string, string]>, out: Segment[]): void {
  const id = vocab.pieces.get(piece);
  if (id === undefined || !vocab.unused[id]) {
    out.push({ piece, id: id ?? -1 });
    return;
  }
  const split = revMerge.get(piece);
  if (!split) {
    out.push({ piece, id });
    return;
  }
  resegment(split[0], vocab, revMerge, out);
  resegment(split[1], vocab, revMerge, out);
}

/** The fast version: a priority queue of candidate pairs over a linked list of symbols, O(n log n). */
export function bpeSegment(text: string, vocab: SegmenterVocab, split: SymbolSplitter): Segment[] {
  const { starts, frozen } = split(text);
  const n = starts.length;
  if (n === 0) return [];
  const start = Int32Array.from(starts);
  const end = new Int32Array(n);
  for (let k = 0; k < n; k++) end[k] = k + 1 < n ? starts[k + 1]! : text.length;
  const next = new Int32Array(n);
  const prev = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    next[k] = k + 1 < n ? k + 1 : -1;
    prev[k] = k - 1;
  }
  const alive = new Uint8Array(n).fill(1);
  // Heap entries: score (max first), left (min first), expected merged length.
  const hs: number[] = [];
  const hl: number[] = [];
  const hlen: number[] = [];
  const hid: number[] = [];
  const better = (a: number, b: number) => hs[a]! > hs[b]! || (hs[a] === hs[b] && hl[a]! < hl[b]!);
  const swap = (a: number, b: number) => {
    const s = hs[a]!;
    hs[a] = hs[b]!;
    hs[b] = s;
    const l = hl[a]!;
    hl[a] = hl[b]!;
    hl[b] = l;
    const n = hlen[a]!;
    hlen[a] = hlen[b]!;
    hlen[b] = n;
    const d = hid[a]!;
    hid[a] = hid[b]!;
    hid[b] = d;
  };
  const push = (score: number, left: number, len: number, id: number) => {
    let k = hs.length;
    hs.push(score);
    hl.push(left);
    hlen.push(len);
    hid.push(id);
    while (k > 0) {
      const p = (k - 1) >> 1;
      if (!better(k, p)) break;
      swap(k, p);
      k = p;
    }
  };
  const pop = () => {
    const last = hs.length - 1;
    swap(0, last);
    hs.pop();
    hl.pop();
    hlen.pop();
    hid.pop();
    let k = 0;
    for (;;) {
      const l = 2 * k + 1;
      if (l >= hs.length) break;
      const m = l + 1 < hs.length && better(l + 1, l) ? l + 1 : l;
      if (!better(m, k)) break;
      swap(m, k);
      k = m;
    }
  };
  const maybeAdd = (left: number, right: number) => {
    if (left < 0 || right < 0 || frozen[left] || frozen[right]) return;
    const piece = text.slice(start[left]!, end[right]!);
    const id = vocab.pieces.get(piece);
    if (id === undefined) return;
    push(vocab.scores[id]!, left, piece.length, id);
  };
  for (let k = 1; k < n; k++) maybeAdd(k - 1, k);
  const revMerge = new Map<string, [string, string]>();
  while (hs.length > 0) {
    const left = hl[0]!;
    const len = hlen[0]!;
    const id = hid[0]!;
    pop();
    const right = next[left]!;
    // Stale unless the same two symbols still span the same text (then it is the same piece).
    if (!alive[left] || right < 0 || end[right]! - start[left]! !== len) continue;
    if (vocab.unused[id])
      revMerge.set(text.slice(start[left]!, end[right]!), [
        text.slice(start[left]!, end[left]!),
        text.slice(start[right]!, end[right]!),
      ]);
    end[left] = end[right]!;
    alive[right] = 0;
    next[left] = next[right]!;
    if (next[right]! >= 0) prev[next[right]!] = left;
    maybeAdd(prev[left]!, left);
    maybeAdd(left, next[left]!);
  }
  const out: Segment[] = [];
  for (let k = 0; k >= 0; k = next[k]!) resegment(text.slice(start[k]!, end[k]!), vocab, revMerge, out);
  return out;
}
