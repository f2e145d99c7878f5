import type { RopeCall } from '@weft/core';
import { ropeFrequencies } from './scaling/index.js';

/**
 * Float64 reference for rotary position embedding (Su et al. 2021, "RoFormer").
 * Shapes: x:[T,H,D] row-major (token-major); R = rotary dims (default D), the first R dims of
 * every head rotate, the rest pass through. Position of row t is offset + t.
 * `pairs` rotates (x[2i], x[2i+1]) — llama2.c / Meta; `halves` rotates (x[i], x[i+R/2]) —
 * Hugging Face Llama / NeoX. Both use θ_i (after scaling), i < R/2, angle = position · θ_i.
 * No validation: call {@link validateRope} first, or use `applyRope`.
 */
export function applyRopeReference(x: Float64Array, T: number, H: number, D: number, call: RopeCall): void {
  const R = call.rotaryDim ?? D;
  const half = R / 2;
  const inv = ropeFrequencies(call.base, R, call.scaling, call.seqLen ?? call.offset + T);
  for (let t = 0; t < T; t++) {
    const pos = call.offset + t;
    for (let h = 0; h < H; h++) {
      const o = (t * H + h) * D;
      for (let i = 0; i < half; i++) {
        const c = Math.cos(pos * inv[i]!);
        const s = Math.sin(pos * inv[i]!);
        const ia = call.layout === 'pairs' ? o + 2 * i : o + i;
        const ib = call.layout === 'pairs' ? o + 2 * i + 1 : o + i + half;
        const a = x[ia]!;
        const b = x[ib]!;
        x[ia] = a * c - b * s;
        x[ib] = a * s + b * c;
      }
    }
  }
}
