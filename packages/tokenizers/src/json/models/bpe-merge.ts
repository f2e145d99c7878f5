/**
 * The BPE merge loop on symbol ids, two ways: a plain reference (repeatedly merge the
 * lowest-ranked adjacent pair, leftmost first) and a heap-based version (HF's
 * `Word::merge_all`) for long words. Both take `ranks`: pair key → packed value
 * `rank * 2^21 + newId`, so smaller values are better merges.
 *
 * ids: symbol ids (length n), lens: symbol lengths in input units (length n). Both are
 * rewritten in place; the new symbol count is returned.
 */

/** Pair key of two symbol ids. */
export function pairKey(a: number, b: number): number {
  return a * 2097152 + b;
}

const ID_MASK = 2097152;

/** Plain O(n²) reference loop. */
export function mergeReference(ids: number[], lens: number[], ranks: Map<number, number>): number {
  let n = ids.length;
  for (;;) {
    let best = Number.POSITIVE_INFINITY;
    let at = -1;
    for (let i = 0; i + 1 < n; i++) {
      const v = ranks.get(pairKey(ids[i]!, ids[i + 1]!));
      if (v !== undefined && v < best) {
        best = v;
        at = i;
      }
    }
    if (at < 0) break;
    ids[at] = best % ID_MASK;
    lens[at] = lens[at]! + lens[at + 1]!;
    ids.splice(at + 1, 1);
    lens.splice(at + 1, 1);
    n--;
  }
  ids.length = n;
  lens.length = n;
  return n;
}

/**
 * Heap-based merge (O(n log n)) with a doubly linked list of symbols; stale heap entries are
 * skipped when their pair no longer exists, exactly as HF does.
 */
export function mergeHeap(ids: number[], lens: number[], ranks: Map<number, number>): number {
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
    const v = ranks.get(pairKey(ids[i]!, ids[i + 1]!));
    if (v !== undefined) push(v, i);
  }
  while (hv.length > 0) {
    const v = hv[0]!;
    const pos = hp[0]!;
    popRoot();
    if (removed[pos]) continue;
    const right = next[pos]!;
    if (right < 0) continue;
    const cur = ranks.get(pairKey(ids[pos]!, ids[right]!));
    if (cur === undefined || cur % ID_MASK !== v % ID_MASK) continue;
    ids[pos] = v % ID_MASK;
    lens[pos] = lens[pos]! + lens[right]!;
    removed[right] = 1;
    const after = next[right]!;
    next[pos] = after;
    if (after >= 0) prev[after] = pos;
    const before = prev[pos]!;
    if (before >= 0) {
      const pv = ranks.get(pairKey(ids[before]!, ids[pos]!));
      if (pv !== undefined) push(pv, before);
    }
    if (after >= 0) {
      const nv = ranks.get(pairKey(ids[pos]!, ids[after]!));
      if (nv !== undefined) push(nv, pos);
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
