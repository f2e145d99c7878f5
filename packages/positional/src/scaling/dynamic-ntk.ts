/**
 * Dynamic NTK-aware scaling (bloc97 / Hugging Face `rope_type: "dynamic"`): while the sequence
 * fits the original context the frequencies are untouched; past it the base grows with the
 * current length L:  base' = base · (factor·L/L₀ − (factor − 1))^(R/(R−2)).
 * Hugging Face re-derives the frequencies when max(position_ids)+1 grows, so rows already in a
 * KV cache keep the rotation they were given; weft does the same (see `RopeCall.seqLen`).
 * Shapes: R = rotary dims; frequency tables are [R/2].
 */

/** The base that dynamic NTK uses at sequence length `seqLen`. */
export function dynamicNtkBase(base: number, rotaryDim: number, factor: number, originalContext: number, seqLen: number): number {
  const L = Math.max(seqLen, originalContext);
  return base * ((factor * L) / originalContext - (factor - 1)) ** (rotaryDim / (rotaryDim - 2));
}

/** θ_i = base'^(−2i/R) with base' from {@link dynamicNtkBase}. */
export function dynamicNtkInverseFrequencies(
  base: number,
  rotaryDim: number,
  factor: number,
  originalContext: number,
  seqLen: number,
): Float64Array {
  const scaledBase = dynamicNtkBase(base, rotaryDim, factor, originalContext, seqLen);
  const half = rotaryDim / 2;
  const out = new Float64Array(half);
  for (let i = 0; i < half; i++) out[i] = scaledBase ** (-(2 * i) / rotaryDim);
  return out;
}
