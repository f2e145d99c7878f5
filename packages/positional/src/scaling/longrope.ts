/**
 * LongRoPE (Ding et al. 2024; Phi-3 / Phi-3.5 / Phi-4-mini, HF `rope_type: "longrope"`): every
 * frequency gets its own searched divisor, θ'_i = θ_i / ext_i, with ext = shortFactor while the
 * sequence fits the original context and longFactor past it. Like dynamic NTK the table depends
 * on the sequence length (two regimes); rows already cached keep the rotation they were given.
 * The attention factor √(1 + ln(factor)/ln(L₀)) multiplies cos and sin in HF, as YaRN's does.
 * Shapes: R = rotary dims; frequency tables and factor lists are [R/2].
 */

/** θ_i / ext_i with ext = longFactor when seqLen > originalContext, else shortFactor. */
export function longropeInverseFrequencies(
  inv: Float64Array,
  scaling: { originalContext: number; shortFactor: readonly number[]; longFactor: readonly number[] },
  seqLen: number,
): Float64Array {
  const ext = seqLen > scaling.originalContext ? scaling.longFactor : scaling.shortFactor;
  const out = new Float64Array(inv.length);
  for (let i = 0; i < inv.length; i++) out[i] = inv[i]! / ext[i]!;
  return out;
}

/** HF's default LongRoPE attention factor: √(1 + ln(factor)/ln(originalContext)), 1 when factor ≤ 1. */
export function longropeAttentionFactor(scaling: { factor: number; originalContext: number; attentionFactor?: number }): number {
  if (scaling.attentionFactor !== undefined) return scaling.attentionFactor;
  return scaling.factor <= 1 ? 1 : Math.sqrt(1 + Math.log(scaling.factor) / Math.log(scaling.originalContext));
}
