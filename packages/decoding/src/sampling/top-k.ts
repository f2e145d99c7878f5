/** Top-k masking shared by the token loop and the top-k processor. Shapes: logits [V]. */

/**
 * The k-th largest value of `values` (k ≥ 1; NaN counts as −∞): a size-k min-heap over one pass,
 * O(V log k) with one comparison for most elements.
 */
export function kthLargest(values: ArrayLike<number>, k: number): number {
  const n = values.length;
  const m = Math.min(k, n);
  const h = new Float64Array(m); // min-heap of the m largest so far
  for (let i = 0; i < m; i++) {
    let v = values[i]!;
    if (Number.isNaN(v)) v = Number.NEGATIVE_INFINITY;
    let j = i;
    while (j > 0) {
      const parent = (j - 1) >> 1;
      if (h[parent]! <= v) break;
      h[j] = h[parent]!;
      j = parent;
    }
    h[j] = v;
  }
  let min = h[0]!;
  for (let i = m; i < n; i++) {
    const v = values[i]!;
    if (!(v > min)) continue; // also skips NaN
    let j = 0;
    for (;;) {
      let c = 2 * j + 1;
      if (c >= m) break;
      if (c + 1 < m && h[c + 1]! < h[c]!) c++;
      if (h[c]! >= v) break;
      h[j] = h[c]!;
      j = c;
    }
    h[j] = v;
    min = h[0]!;
  }
  return min;
}

/** Sets every logit below the k-th largest to −∞ (ties with the k-th value survive, as in HF). */
export function keepTopK(logits: Float32Array, k: number): void {
  if (k <= 0 || k >= logits.length) return;
  const threshold = kthLargest(logits, k);
  for (let i = 0; i < logits.length; i++) if (!(logits[i]! >= threshold)) logits[i] = Number.NEGATIVE_INFINITY;
}
