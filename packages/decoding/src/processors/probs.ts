/** Float64 softmax helpers shared by the truncation processors. Shapes: logits [V]. */

/** softmax(logits) in float64 (−∞ logits get probability 0). */
export function softmax64(logits: ArrayLike<number>): Float64Array {
  const n = logits.length;
  const out = new Float64Array(n);
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) if (logits[i]! > max) max = logits[i]!;
  if (max === Number.NEGATIVE_INFINITY) return out;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += out[i] = Math.exp(logits[i]! - max);
  for (let i = 0; i < n; i++) out[i] = out[i]! / sum;
  return out;
}

/** Ids of the `m` largest logits (ties → lower id first), best first. */
export function topIds(logits: ArrayLike<number>, m: number): number[] {
  const ids: number[] = [];
  // m is small (min_tokens_to_keep); an insertion pass is O(V·m).
  for (let i = 0; i < logits.length; i++) {
    const v = logits[i]!;
    if (ids.length === m && !(v > logits[ids[m - 1]!]!)) continue;
    let j = ids.length === m ? m - 1 : ids.length;
    while (j > 0 && v > logits[ids[j - 1]!]!) j--;
    ids.splice(j, 0, i);
    if (ids.length > m) ids.pop();
  }
  return ids;
}

/** Masks (−∞) every id where `remove` is set, except the `minKeep` best logits. */
export function maskWhere(logits: Float32Array, remove: Uint8Array, minKeep: number): void {
  if (minKeep > 0) for (const id of topIds(logits, minKeep)) remove[id] = 0;
  for (let i = 0; i < logits.length; i++) if (remove[i]) logits[i] = Number.NEGATIVE_INFINITY;
}
