/**
 * Linear scaling / position interpolation (Chen et al. 2023, "Extending Context Window of
 * Large Language Models via Positional Interpolation"): position m becomes m / factor, which
 * is the same as dividing every inverse frequency by `factor`.
 * Shapes: R = rotary dims; frequency tables are [R/2].
 */

/** θ'_i = θ_i / factor. */
export function linearInverseFrequencies(inv: Float64Array, factor: number): Float64Array {
  const out = new Float64Array(inv.length);
  for (let i = 0; i < inv.length; i++) out[i] = inv[i]! / factor;
  return out;
}
