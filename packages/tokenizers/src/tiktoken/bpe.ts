/**
 * tiktoken's byte-pair merge: start from single bytes, repeatedly merge the adjacent pair whose
 * concatenation has the lowest rank (leftmost on ties) until no adjacent pair is a token.
 * Pieces are latin1 strings (one char per byte), so a byte range is a Map key by `slice`.
 */

/** Rank lookup by the latin1 string of a token's bytes. */
export type RankMap = ReadonlyMap<string, number>;

/**
 * The plain reference, as in tiktoken's `_byte_pair_merge`: O(n²) with a linear scan for the
 * minimum. Returns the ranks of the final parts.
 */
export function bytePairMergeReference(piece: string, ranks: RankMap): number[] {
  const starts: number[] = [];
  for (let i = 0; i <= piece.length; i++) starts.push(i);
  for (;;) {
    let best = Number.POSITIVE_INFINITY;
    let at = -1;
    for (let i = 0; i + 2 < starts.length; i++) {
      const r = ranks.get(piece.slice(starts[i]!, starts[i + 2]!));
      if (r !== undefined && r < best) {
        best = r;
        at = i;
      }
    }
    if (at < 0) break;
    starts.splice(at + 1, 1);
  }
  const out: number[] = [];
  for (let i = 0; i + 1 < starts.length; i++) out.push(rankOf(piece.slice(starts[i]!, starts[i + 1]!), ranks));
  return out;
}

function rankOf(bytes: string, ranks: RankMap): number {
  const r = ranks.get(bytes);
  if (r === undefined) throw new Error(`tiktoken: byte ${bytes.charCodeAt(0)} has no rank (the rank file lacks single bytes)`);
  return r;
}

const NONE = 0x7fffffff;

/**
 * Linear-scan merge with the pair ranks kept in an array (each merge re-ranks only its two
 * neighbours): O(n·m) for m merges, the fastest for the short pieces text is made of.
 */
export function bytePairMergeLinear(piece: string, ranks: RankMap, out: number[]): void {
  const n = piece.length;
  // starts[k] is the start of part k; pair k spans starts[k]..starts[k+2].
  const starts = new Int32Array(n + 1);
  const pr = new Int32Array(n + 1);
  for (let i = 0; i <= n; i++) starts[i] = i;
  let parts = n; // number of parts; starts has parts + 1 entries
  for (let i = 0; i + 1 < n; i++) pr[i] = ranks.get(piece.slice(i, i + 2)) ?? NONE;
  pr[n - 1] = NONE;
  while (parts > 1) {
    let best = NONE;
    let at = -1;
    for (let k = 0; k + 1 < parts; k++) {
      if (pr[k]! < best) {
        best = pr[k]!;
        at = k;
      }
    }
    if (at < 0) break;
    // Merge parts at and at+1: drop starts[at+1] and pr[at+1].
    starts.copyWithin(at + 1, at + 2, parts + 1);
    pr.copyWithin(at + 1, at + 2, parts);
    parts--;
    pr[at] = at + 2 <= parts ? (ranks.get(piece.slice(starts[at]!, starts[at + 2]!)) ?? NONE) : NONE;
    if (at > 0) pr[at - 1] = ranks.get(piece.slice(starts[at - 1]!, starts[at + 1]!)) ?? NONE;
  }
  for (let k = 0; k < parts; k++) out.push(rankOf(piece.slice(starts[k]!, starts[k + 1]!), ranks));
}

/**
 * Heap-based merge for long pieces (a 10k-character word): O(n log n). Parts form a linked
 * list; stale heap entries are skipped by a per-part version stamp. Ties go to the leftmost
 * pair, exactly as the linear scan.
 */
export function bytePairMergeHeap(piece: string, ranks: RankMap, out: number[]): void {
  const n = piece.length;
  const next = new Int32Array(n + 1);
  const prev = new Int32Array(n + 1);
  const ver = new Int32Array(n + 1);
  for (let i = 0; i <= n; i++) {
    next[i] = i + 1;
    prev[i] = i - 1;
  }
  // Heap of (rank, start, version) packed in three parallel arrays.
  let hr = new Int32Array(n);
  let hs = new Int32Array(n);
  let hv = new Int32Array(n);
  let size = 0;
  const less = (a: number, b: number) => hr[a]! < hr[b]! || (hr[a] === hr[b] && hs[a]! < hs[b]!);
  const swap = (a: number, b: number) => {
    let t = hr[a]!;
    hr[a] = hr[b]!;
    hr[b] = t;
    t = hs[a]!;
    hs[a] = hs[b]!;
    hs[b] = t;
    t = hv[a]!;
    hv[a] = hv[b]!;
    hv[b] = t;
  };
  const push = (rank: number, start: number) => {
    if (size === hr.length) {
      const grow = (x: Int32Array) => {
        const y = new Int32Array(x.length * 2 + 16);
        y.set(x);
        return y;
      };
      hr = grow(hr);
      hs = grow(hs);
      hv = grow(hv);
    }
    let k = size++;
    hr[k] = rank;
    hs[k] = start;
    hv[k] = ver[start]!;
    while (k > 0) {
      const p = (k - 1) >> 1;
      if (!less(k, p)) break;
      swap(k, p);
      k = p;
    }
  };
  const pop = () => {
    size--;
    swap(0, size);
    let k = 0;
    for (;;) {
      const l = 2 * k + 1;
      if (l >= size) break;
      const m = l + 1 < size && less(l + 1, l) ? l + 1 : l;
      if (!less(m, k)) break;
      swap(m, k);
      k = m;
    }
  };
  const pairRank = (s: number): number => {
    const mid = next[s]!;
    if (mid >= n) return NONE;
    return ranks.get(piece.slice(s, next[mid]!)) ?? NONE;
  };
  for (let i = 0; i + 1 < n; i++) {
    const r = pairRank(i);
    if (r !== NONE) push(r, i);
  }
  while (size > 0) {
    const s = hs[0]!;
    const v = hv[0]!;
    pop();
    if (v !== ver[s]) continue; // stale
    const right = next[s]!;
    // merge s and right
    next[s] = next[right]!;
    prev[next[right]!] = s;
    ver[right]!++;
    ver[s]!++;
    const r = pairRank(s);
    if (r !== NONE) push(r, s);
    const p = prev[s]!;
    if (p >= 0) {
      ver[p]!++;
      const rp = pairRank(p);
      if (rp !== NONE) push(rp, p);
    }
  }
  for (let s = 0; s < n; s = next[s]!) out.push(rankOf(piece.slice(s, next[s]!), ranks));
}

/** Picks the linear merge for short pieces and the heap merge for long ones. */
export function bytePairMerge(piece: string, ranks: RankMap, out: number[]): void {
  if (piece.length <= 1) {
    if (piece.length === 1) out.push(rankOf(piece, ranks));
    return;
  }
  if (piece.length <= 256) bytePairMergeLinear(piece, ranks, out);
  else bytePairMergeHeap(piece, ranks, out);
}
