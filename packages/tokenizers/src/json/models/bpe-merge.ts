/**
 * The BPE merge loop on symbol ids, two ways: a plain reference (repeatedly merge the
 * lowest-ranked adjacent pair, leftmost first) and a heap-based version (HF's
 * `Word::merge_all`) for long words. Both take a merge table whose `get(a, b)` returns the
 * packed value `rank * 2^21 + newId` (smaller = better merge) or -1.
 *
 * ids: symbol ids (length n), lens: symbol lengths in input units (length n). Both are
 * rewritten in place; the new symbol count is returned.
 */

/** Ranked merges looked up by the pair of symbol ids. */
export interface MergeTable {
  /** Packed `rank * 2^21 + newId`, or -1 when the pair does not merge. */
  get(a: number, b: number): number;
  readonly size: number;
}

const ID_MASK = 2097152;

/** Pair key of two symbol ids (for Map-based tables). */
export function pairKey(a: number, b: number): number {
  return a * ID_MASK + b;
}

/** A MergeTable over a Map keyed by {@link pairKey} (simple; used by tests and as the reference). */
export class MapMergeTable implements MergeTable {
  constructor(private readonly map: Map<number, number>) {}
  get(a: number, b: number): number {
    return this.map.get(pairKey(a, b)) ?? -1;
  }
  get size(): number {
    return this.map.size;
  }
}

/**
 * Open-addressing hash table in typed arrays (the fast path): no boxed keys, no hashing of
 * doubles. Later `set`s of the same pair overwrite, as HF's HashMap collect does.
 */
export class HashMergeTable implements MergeTable {
  private readonly keysA: Int32Array;
  private readonly keysB: Int32Array;
  private readonly ranks: Int32Array;
  private readonly ids: Int32Array;
  private readonly mask: number;
  size = 0;

  constructor(capacity: number) {
    let n = 16;
    while (n < capacity * 2) n *= 2;
    this.mask = n - 1;
    this.keysA = new Int32Array(n).fill(-1);
    this.keysB = new Int32Array(n);
    this.ranks = new Int32Array(n);
    this.ids = new Int32Array(n);
  }

  private slot(a: number, b: number): number {
    return (Math.imul(a, 0x9e3779b1) ^ Math.imul(b + 0x7f4a7c15, 0x85ebca77)) >>> 0;
  }

  set(a: number, b: number, rank: number, newId: number): void {
    let i = this.slot(a, b) & this.mask;
    for (;;) {
      const k = this.keysA[i]!;
      if (k === -1) {
        this.keysA[i] = a;
        this.keysB[i] = b;
        this.size++;
        break;
      }
      if (k === a && this.keysB[i] === b) break;
      i = (i + 1) & this.mask;
    }
    this.ranks[i] = rank;
    this.ids[i] = newId;
  }

  get(a: number, b: number): number {
    let i = this.slot(a, b) & this.mask;
    for (;;) {
      const k = this.keysA[i]!;
      if (k === -1) return -1;
      if (k === a && this.keysB[i] === b) return this.ranks[i]! * ID_MASK + this.ids[i]!;
      i = (i + 1) & this.mask;
    }
  }
}

/**
 * Plain reference loop: merge the best adjacent pair (lowest rank, leftmost) until none is
 * left. Pair values are cached and only the two neighbours of a merge are looked up again.
 */
export function mergeReference(ids: number[], lens: number[], ranks: MergeTable): number {
  let n = ids.length;
  const pair: number[] = new Array(Math.max(0, n - 1));
  for (let i = 0; i + 1 < n; i++) pair[i] = ranks.get(ids[i]!, ids[i + 1]!);
  for (;;) {
    let best = Number.POSITIVE_INFINITY;
    let at = -1;
    for (let i = 0; i + 1 < n; i++) {
      const v = pair[i]!;
      if (v >= 0 && v < best) {
        best = v;
        at = i;
      }
    }
    if (at < 0) break;
    ids[at] = best % ID_MASK;
    lens[at] = lens[at]! + lens[at + 1]!;
    ids.splice(at + 1, 1);
    lens.splice(at + 1, 1);
    pair.splice(at, 1);
    n--;
    if (at > 0) pair[at - 1] = ranks.get(ids[at - 1]!, ids[at]!);
    if (at + 1 < n) pair[at] = ranks.get(ids[at]!, ids[at + 1]!);
  }
  ids.length = n;
  lens.length = n;
  return n;
}

/**
 * Heap-based merge (O(n log n)) with a doubly linked list of symbols; stale heap entries are
 * skipped when their pair no longer exists, exactly as HF does.
 */
export function mergeHeap(ids: number[], lens: number[], ranks: MergeTable): number {
  const n = ids.length;
  if (n < 2) return n;
  const prev = new Int32Array(n);
  const next = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    prev[i] = i - 1;
    next[i] = i + 1 < n ? i + 1 : -1;
  }
  // Heap entries: value (packed rank/newId) and position; ordered by value then position.
  const hv: number[] = [];
  const hp: number[] = [];
  const push = (v: number, p: number) => {
    let i = hv.length;
    hv.push(v);
    hp.push(p);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pv = hv[parent]!;
      if (pv < v || (pv === v && hp[parent]! < p)) break;
      hv[i] = pv;
      hp[i] = hp[parent]!;
      i = parent;
    }
    hv[i] = v;
    hp[i] = p;
  };
  const popRoot = () => {
    const last = hv.length - 1;
    const v = hv[last]!;
    const p = hp[last]!;
    hv.length = last;
    hp.length = last;
    if (last === 0) return;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= last) break;
      if (c + 1 < last && (hv[c + 1]! < hv[c]! || (hv[c + 1] === hv[c] && hp[c + 1]! < hp[c]!))) c++;
      if (hv[c]! > v || (hv[c] === v && hp[c]! > p)) break;
      hv[i] = hv[c]!;
      hp[i] = hp[c]!;
      i = c;
    }
    hv[i] = v;
    hp[i] = p;
  };
  const removed = new Uint8Array(n);
  for (let i = 0; i + 1 < n; i++) {
    const v = ranks.get(ids[i]!, ids[i + 1]!);
    if (v >= 0) push(v, i);
  }
  while (hv.length > 0) {
    const v = hv[0]!;
    const pos = hp[0]!;
    popRoot();
    if (removed[pos]) continue;
    const right = next[pos]!;
    if (right < 0) continue;
    const cur = ranks.get(ids[pos]!, ids[right]!);
    if (cur < 0 || cur % ID_MASK !== v % ID_MASK) continue;
    ids[pos] = v % ID_MASK;
    lens[pos] = lens[pos]! + lens[right]!;
    removed[right] = 1;
    const after = next[right]!;
    next[pos] = after;
    if (after >= 0) prev[after] = pos;
    const before = prev[pos]!;
    if (before >= 0) {
      const pv = ranks.get(ids[before]!, ids[pos]!);
      if (pv >= 0) push(pv, before);
    }
    if (after >= 0) {
      const nv = ranks.get(ids[pos]!, ids[after]!);
      if (nv >= 0) push(nv, pos);
    }
  }
  let k = 0;
  for (let i = 0; i < n; i++) {
    if (removed[i]) continue;
    ids[k] = ids[i]!;
    lens[k] = lens[i]!;
    k++;
  }
  ids.length = k;
  lens.length = k;
  return k;
}
