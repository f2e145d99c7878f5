/**
 * tiktoken's byte-pair merge: start from single bytes, repeatedly merge the adjacent pair whose
 * concatenation has the lowest rank (leftmost on ties) until no adjacent pair is a token.
 * A piece is `bytes[0..n)`; `rank(bytes, a, b)` is the rank of a byte range or -1.
 */

/** Rank lookup of a byte range (-1 when it is not a token). */
export type RankLookup = (bytes: Uint8Array, a: number, b: number) => number;

function rankOf(bytes: Uint8Array, a: number, b: number, rank: RankLookup): number {
  const r = rank(bytes, a, b);
  if (r < 0) throw new Error(`tiktoken: bytes ${[...bytes.subarray(a, b)]} have no rank (the rank file lacks single bytes)`);
  return r;
}

/**
 * The plain reference, as in tiktoken's `_byte_pair_merge`: O(n²) with a linear scan for the
 * minimum. Returns the ranks of the final parts.
 */
export function bytePairMergeReference(bytes: Uint8Array, n: number, rank: RankLookup): number[] {
  const starts: number[] = [];
  for (let i = 0; i <= n; i++) starts.push(i);
  for (;;) {
    let best = Number.POSITIVE_INFINITY;
    let at = -1;
    for (let i = 0; i + 2 < starts.length; i++) {
      const r = rank(bytes, starts[i]!, starts[i + 2]!);
      if (r >= 0 && r < best) {
        best = r;
        at = i;
      }
    }
    if (at < 0) break;
    starts.splice(at + 1, 1);
  }
  const out: number[] = [];
  for (let i = 0; i + 1 < starts.length; i++) out.push(rankOf(bytes, starts[i]!, starts[i + 1]!, rank));
  return out;
}

const NONE = 0x7fffffff;

function pair(bytes: Uint8Array, a: number, b: number, rank: RankLookup): number {
  const r = rank(bytes, a, b);
  return r < 0 ? NONE : r;
}

/**
 * Linear-scan merge with the pair ranks kept in an array (each merge re-ranks only its two
 * neighbours): O(n·m) for m merges, the fastest for the short pieces text is made of.
 */
export function bytePairMergeLinear(bytes: Uint8Array, n: number, rank: RankLookup, out: number[]): void {
  // starts[k] is the start of part k; pair k spans starts[k]..starts[k+2].
  const starts = new Int32Array(n + 1);
  const pr = new Int32Array(n + 1);
  for (let i = 0; i <= n; i++) starts[i] = i;
  let parts = n;
  for (let i = 0; i + 1 < n; i++) pr[i] = pair(bytes, i, i + 2, rank);
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
    starts.copyWithin(at + 1, at + 2, parts + 1);
    pr.copyWithin(at + 1, at + 2, parts);
    parts--;
    pr[at] = at + 2 <= parts ? pair(bytes, starts[at]!, starts[at + 2]!, rank) : NONE;
    if (at > 0) pr[at - 1] = pair(bytes, starts[at - 1]!, starts[at + 1]!, rank);
  }
  for (let k = 0; k < parts; k++) out.push(rankOf(bytes, starts[k]!, starts[k + 1]!, rank));
}

/**
 * Heap-based merge for long pieces (a 10k-character word): O(n log n). Parts form a linked
 * list; stale heap entries are skipped by a per-part version stamp. Ties go to the leftmost
 * pair, exactly as the linear scan.
 */
export function bytePairMergeHeap(bytes: Uint8Array, n: number, rank: RankLookup, out: number[]): void {
  const next = new Int32Array(n + 1);
  const prev = new Int32Array(n + 1);
  const ver = new Int32Array(n + 1);
  for (let i = 0; i <= n; i++) {
    next[i] = i + 1;
    prev[i] = i - 1;
  }
  let hr = new Int32Array(n + 16);
  let hs = new Int32Array(n + 16);
  let hv = new Int32Array(n + 16);
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
  const push = (r: number, start: number) => {
    if (size === hr.length) {
      const grow = (x: Int32Array) => {
        const y = new Int32Array(x.length * 2);
        y.set(x);
        return y;
      };
      hr = grow(hr);
      hs = grow(hs);
      hv = grow(hv);
    }
    let k = size++;
    hr[k] = r;
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
    return pair(bytes, s, next[mid]!, rank);
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
  for (let s = 0; s < n; s = next[s]!) out.push(rankOf(bytes, s, next[s]!, rank));
}

/** Picks the linear merge for short pieces and the heap merge for long ones. */
export function bytePairMerge(bytes: Uint8Array, n: number, rank: RankLookup, out: number[]): void {
  if (n <= 1) {
    if (n === 1) out.push(rankOf(bytes, 0, 1, rank));
    return;
  }
  if (n <= 256) bytePairMergeLinear(bytes, n, rank, out);
  else bytePairMergeHeap(bytes, n, rank, out);
}
