/**
 * YaRN (Peng et al. 2023, "YaRN: Efficient Context Window Extension of Large Language Models").
 * Dimensions that turn more than `betaFast` times over the original context keep their
 * frequency (extrapolate), those turning fewer than `betaSlow` times are interpolated by
 * `factor`, and a linear ramp blends the dims in between. Attention logits are also
 * multiplied by mscale², mscale = 0.1·ln(factor) + 1 (the paper's √(1/t)).
 * Shapes: R = rotary dims; frequency tables are [R/2].
 */

/** The rotary dim (fractional) whose wavelength turns `rotations` times in `originalContext`. */
export function yarnCorrectionDim(rotations: number, rotaryDim: number, base: number, originalContext: number): number {
  return (rotaryDim * Math.log(originalContext / (rotations * 2 * Math.PI))) / (2 * Math.log(base));
}

/** [low, high] dims of the ramp, clamped to [0, R−1]; rounded outwards unless `truncate` is false. */
export function yarnCorrectionRange(
  betaFast: number,
  betaSlow: number,
  rotaryDim: number,
  base: number,
  originalContext: number,
  truncate = true,
): [number, number] {
  let low = yarnCorrectionDim(betaFast, rotaryDim, base, originalContext);
  let high = yarnCorrectionDim(betaSlow, rotaryDim, base, originalContext);
  if (truncate) {
    low = Math.floor(low);
    high = Math.ceil(high);
  }
  return [Math.max(low, 0), Math.min(high, rotaryDim - 1)];
}

/** mscale(s) = 0.1·m·ln(s) + 1 for s > 1, else 1. */
export function yarnMscale(factor: number, mscale = 1): number {
  return factor <= 1 ? 1 : 0.1 * mscale * Math.log(factor) + 1;
}

/** The factor Hugging Face multiplies cos and sin by (so q·k gains its square). */
export function yarnAttentionFactor(scaling: {
  factor: number;
  attentionFactor?: number;
  mscale?: number;
  mscaleAllDim?: number;
}): number {
  if (scaling.attentionFactor !== undefined) return scaling.attentionFactor;
  if (scaling.mscale && scaling.mscaleAllDim) {
    return yarnMscale(scaling.factor, scaling.mscale) / yarnMscale(scaling.factor, scaling.mscaleAllDim);
  }
  return yarnMscale(scaling.factor);
}

/** YaRN inverse frequencies: θ_i·(1−γ_i)/factor + θ_i·γ_i, γ_i = 1 − clamp((i − low)/(high − low), 0, 1). */
export function yarnInverseFrequencies(
  inv: Float64Array,
  base: number,
  rotaryDim: number,
  scaling: { factor: number; originalContext: number; betaFast?: number; betaSlow?: number; truncate?: boolean },
): Float64Array {
  const [low, high0] = yarnCorrectionRange(
    scaling.betaFast ?? 32,
    scaling.betaSlow ?? 1,
    rotaryDim,
    base,
    scaling.originalContext,
    scaling.truncate ?? true,
  );
  const high = low === high0 ? high0 + 0.001 : high0; // avoids 0/0 in the ramp, as the paper's code does
  const out = new Float64Array(inv.length);
  for (let i = 0; i < inv.length; i++) {
    const ramp = Math.min(1, Math.max(0, (i - low) / (high - low)));
    const extrapolation = 1 - ramp; // 1 → keep θ_i, 0 → θ_i / factor
    out[i] = (inv[i]! / scaling.factor) * (1 - extrapolation) + inv[i]! * extrapolation;
  }
  return out;
}
