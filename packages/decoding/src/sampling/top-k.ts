/** Top-k masking shared by the token loop and the top-k processor. Shapes: logits [V]. */

/**
 * The k-th largest value of `values` (k ≥ 1). Uses a copy and a quickselect, so O(V) on average.
 * NaN sorts below everything.
 */
export function kthLargest(values: ArrayLike<number>, k: number): number {
  const n = values.length;
  if (k >= n) {
    let min = Number.POSITIVE_INFINITY;
    for (let i = 0; i < n; i++) if (values[i]! < min) min = values[i]!;
    return min;
  }
  const a = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    a[i] = Number.isNaN(v) ? Number.NEGATIVE_INFINITY : v;
  }
  // quickselect for index k-1 in descending order
  let lo = 0;
  let hi = n - 1;
  const target = k - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >>> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! > pivot) i++;
      while (a[j]! < pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (target <= j) hi = j;
    else if (target >= i) lo = i;
    else break;
  }
  return a[target]!;
}

/** Sets every logit below the k-th largest to −∞ (ties with the k-th value survive, as in HF). */
export function keepTopK(logits: Float32Array, k: number): void {
  if (k <= 0 || k >= logits.length) return;
  const threshold = kthLargest(logits, k);
  for (let i = 0; i < logits.length; i++) if (!(logits[i]! >= threshold)) logits[i] = Number.NEGATIVE_INFINITY;
}
