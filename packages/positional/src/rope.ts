import { SpecError, type RopeCall } from '@weft/core';

/**
 * Rotary position embedding (Su et al. 2021).
 * Shapes: x:[T,H,D] row-major; rotation applies to the first `rotaryDim` (default D) dims.
 * Layouts: `pairs` rotates (x[2i], x[2i+1]) with frequency base^(-2i/R) — llama2.c / Meta;
 * `halves` rotates (x[i], x[i+R/2]) with the same frequencies — Hugging Face Llama / NeoX.
 */

/** Inverse frequencies θ_i = base^(-2i/R), i < R/2 (before any scaling). */
export function ropeInverseFrequencies(base: number, rotaryDim: number): Float64Array {
  const half = rotaryDim / 2;
  const inv = new Float64Array(half);
  for (let i = 0; i < half; i++) inv[i] = base ** (-(2 * i) / rotaryDim);
  return inv;
}

/** Checks a RoPE call against the head dim and throws SpecError naming the bad field. */
export function validateRope(call: RopeCall, D: number): number {
  const R = call.rotaryDim ?? D;
  if (!(call.base > 0)) throw new SpecError('base', `must be > 0, got ${call.base}`);
  if (!Number.isInteger(R) || R <= 0 || R % 2 !== 0) throw new SpecError('rotaryDim', `must be a positive even integer, got ${R}`);
  if (R > D) throw new SpecError('rotaryDim', `${R} exceeds the head dim ${D}`);
  if (call.layout !== 'pairs' && call.layout !== 'halves') throw new SpecError('layout', `must be 'pairs' or 'halves', got ${String(call.layout)}`);
  return R;
}

/** Applies RoPE in place to x:[T,H,D] at positions offset..offset+T-1. */
export function applyRope(x: Float32Array, T: number, H: number, D: number, call: RopeCall): void {
  const R = validateRope(call, D);
  if (call.scaling) throw new SpecError('scaling', `RoPE scaling '${call.scaling.kind}' is not implemented yet`);
  const inv = ropeInverseFrequencies(call.base, R);
  const half = R / 2;
  const cos = new Float32Array(half);
  const sin = new Float32Array(half);
  for (let t = 0; t < T; t++) {
    const pos = call.offset + t;
    for (let i = 0; i < half; i++) {
      // float32 angle like llama2.c: pos * freq computed in single precision
      const angle = Math.fround(pos * Math.fround(inv[i]!));
      cos[i] = Math.cos(angle);
      sin[i] = Math.sin(angle);
    }
    for (let h = 0; h < H; h++) {
      const o = (t * H + h) * D;
      if (call.layout === 'pairs') {
        for (let i = 0; i < half; i++) {
          const a = x[o + 2 * i]!;
          const b = x[o + 2 * i + 1]!;
          x[o + 2 * i] = a * cos[i]! - b * sin[i]!;
          x[o + 2 * i + 1] = a * sin[i]! + b * cos[i]!;
        }
      } else {
        for (let i = 0; i < half; i++) {
          const a = x[o + i]!;
          const b = x[o + i + half]!;
          x[o + i] = a * cos[i]! - b * sin[i]!;
          x[o + i + half] = a * sin[i]! + b * cos[i]!;
        }
      }
    }
  }
}
