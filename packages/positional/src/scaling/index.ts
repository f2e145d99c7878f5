import { type RopeScaling, SpecError } from '@weft/core';
import { dynamicNtkInverseFrequencies } from './dynamic-ntk.js';
import { linearInverseFrequencies } from './linear.js';
import { llama3InverseFrequencies } from './llama3.js';
import { longropeAttentionFactor, longropeInverseFrequencies } from './longrope.js';
import { yarnAttentionFactor, yarnInverseFrequencies } from './yarn.js';

/**
 * RoPE frequency tables, with or without context-extension scaling.
 * Shapes: R = rotary dims; every table is [R/2] float64.
 */

/** Unscaled inverse frequencies θ_i = base^(−2i/R), i < R/2. */
export function ropeInverseFrequencies(base: number, rotaryDim: number): Float64Array {
  const half = rotaryDim / 2;
  const inv = new Float64Array(half);
  for (let i = 0; i < half; i++) inv[i] = base ** (-(2 * i) / rotaryDim);
  return inv;
}

/**
 * Inverse frequencies after `scaling` (the factory of the scaling family: throws on an
 * unknown kind). `seqLen` is the current sequence length; only `dynamic-ntk` reads it.
 */
export function ropeFrequencies(base: number, rotaryDim: number, scaling?: RopeScaling, seqLen = 0): Float64Array {
  const inv = ropeInverseFrequencies(base, rotaryDim);
  if (!scaling) return inv;
  switch (scaling.kind) {
    case 'linear':
      return linearInverseFrequencies(inv, scaling.factor);
    case 'dynamic-ntk':
      return dynamicNtkInverseFrequencies(base, rotaryDim, scaling.factor, scaling.originalContext, seqLen);
    case 'yarn':
      return yarnInverseFrequencies(inv, base, rotaryDim, scaling);
    case 'llama3':
      return llama3InverseFrequencies(inv, scaling);
    case 'longrope':
      return longropeInverseFrequencies(inv, scaling, seqLen);
    default:
      throw new SpecError(
        'scaling.kind',
        `unknown RoPE scaling '${String((scaling as { kind?: unknown }).kind)}'`,
        "use 'linear', 'dynamic-ntk', 'yarn', 'llama3' or 'longrope'",
      );
  }
}

/**
 * The factor Hugging Face multiplies RoPE's cos and sin by (`attention_scaling`): YaRN's
 * mscale, LongRoPE's √(1 + ln s / ln L₀), 1 for every other scaling. weft's `applyRope` rotates without it; multiply the
 * attention logit scale by {@link ropeLogitScale} instead.
 */
export function ropeAttentionFactor(scaling?: RopeScaling): number {
  if (scaling?.kind === 'yarn') return yarnAttentionFactor(scaling);
  if (scaling?.kind === 'longrope') return longropeAttentionFactor(scaling);
  return 1;
}

/**
 * What the model must multiply its attention logit scale (1/√D) by: the square of
 * {@link ropeAttentionFactor}, since both q and k carry the factor in Hugging Face's form.
 * Equal to HF exactly when the rotary dim is the whole head (HF leaves un-rotated dims of a
 * partial-rotary head unscaled).
 */
export function ropeLogitScale(scaling?: RopeScaling): number {
  const f = ropeAttentionFactor(scaling);
  return f * f;
}

/** True when the frequencies depend on the sequence length (dynamic NTK, LongRoPE), so no single table applies. */
export function ropeDependsOnLength(scaling?: RopeScaling): boolean {
  return scaling?.kind === 'dynamic-ntk' || scaling?.kind === 'longrope';
}

/**
 * A key that changes exactly when the frequencies do: equal keys mean equal tables. Dynamic NTK
 * changes with every length past the original context, LongRoPE has two regimes.
 */
export function ropeLengthRegime(scaling: RopeScaling | undefined, seqLen: number): number {
  if (scaling?.kind === 'dynamic-ntk') return Math.max(seqLen, scaling.originalContext);
  if (scaling?.kind === 'longrope') return seqLen > scaling.originalContext ? 1 : 0;
  return 0;
}

export { dynamicNtkBase, dynamicNtkInverseFrequencies } from './dynamic-ntk.js';
export { linearInverseFrequencies } from './linear.js';
export { llama3InverseFrequencies } from './llama3.js';
export { longropeAttentionFactor, longropeInverseFrequencies } from './longrope.js';
export { yarnAttentionFactor, yarnCorrectionDim, yarnCorrectionRange, yarnInverseFrequencies, yarnMscale } from './yarn.js';
