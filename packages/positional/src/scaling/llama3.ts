/**
 * Llama-3.1 frequency-dependent scaling (Meta's `apply_scaling`, HF `rope_type: "llama3"`).
 * With wavelength λ_i = 2π/θ_i and L₀ the original context:
 *   λ_i < L₀/highFreqFactor  → θ_i unchanged (high frequencies),
 *   λ_i > L₀/lowFreqFactor   → θ_i / factor (low frequencies),
 *   otherwise                → (1−s)·θ_i/factor + s·θ_i, s = (L₀/λ_i − low)/(high − low).
 * Shapes: R = rotary dims; frequency tables are [R/2].
 */

/** Llama-3 scaled inverse frequencies from the unscaled ones. */
export function llama3InverseFrequencies(
  inv: Float64Array,
  scaling: { factor: number; originalContext: number; lowFreqFactor: number; highFreqFactor: number },
): Float64Array {
  const { factor, originalContext, lowFreqFactor, highFreqFactor } = scaling;
  const lowFreqWavelen = originalContext / lowFreqFactor;
  const highFreqWavelen = originalContext / highFreqFactor;
  const out = new Float64Array(inv.length);
  for (let i = 0; i < inv.length; i++) {
    const theta = inv[i]!;
    const wavelen = (2 * Math.PI) / theta;
    if (wavelen < highFreqWavelen) out[i] = theta;
    else if (wavelen > lowFreqWavelen) out[i] = theta / factor;
    else {
      const smooth = (originalContext / wavelen - lowFreqFactor) / (highFreqFactor - lowFreqFactor);
      out[i] = (1 - smooth) * (theta / factor) + smooth * theta;
    }
  }
  return out;
}
