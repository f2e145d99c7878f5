import { type RopeCall, ShapeError, SpecError, UnsupportedError } from '@weft/core';
import { ropeDependsOnLength, ropeFrequencies } from './scaling/index.js';
import { validateRopeFields } from './validate.js';

/**
 * Moves already-rotated rows by `delta` positions: R(p)·x becomes R(p + delta)·x, because
 * rotations by the same frequencies compose (R(a)R(b) = R(a + b)). A rolling KV cache uses it
 * to re-position kept keys after evicting old ones (StreamingLLM, llama.cpp's context shift)
 * instead of recomputing them. delta may be negative.
 * Shapes: x:[T,H,D] token-major; every row moves by the same delta.
 * Length-dependent scalings (dynamic NTK, LongRoPE) rotated each row with the frequencies of its
 * own time, so no single shift is exact for them: UnsupportedError.
 */

type ShiftCall = Omit<RopeCall, 'offset' | 'seqLen'>;

function check(call: ShiftCall, x: ArrayLike<number>, T: number, H: number, D: number, delta: number): number {
  const R = validateRopeFields(call, D);
  if (!Number.isInteger(delta)) throw new SpecError('delta', `must be an integer, got ${delta}`);
  if (ropeDependsOnLength(call.scaling)) {
    throw new UnsupportedError(
      `shifting rows rotated with length-dependent RoPE scaling '${call.scaling!.kind}'`,
      're-run the keys through applyRope at their new positions instead',
    );
  }
  if (x.length !== T * H * D) throw new ShapeError('rope shift', `x has ${x.length} elements, expected T·H·D = ${T}·${H}·${D}`);
  return R;
}

/** Float64 reference: rotates every row of x:[T,H,D] by the angle delta·θ_i. */
export function shiftRopeReference(x: Float64Array, T: number, H: number, D: number, call: ShiftCall, delta: number): void {
  const R = check(call, x, T, H, D, delta);
  const half = R / 2;
  const inv = ropeFrequencies(call.base, R, call.scaling);
  for (let r = 0; r < T * H; r++) {
    const o = r * D;
    for (let i = 0; i < half; i++) {
      const c = Math.cos(delta * inv[i]!);
      const s = Math.sin(delta * inv[i]!);
      const ia = call.layout === 'pairs' ? o + 2 * i : o + i;
      const ib = call.layout === 'pairs' ? o + 2 * i + 1 : o + i + half;
      const a = x[ia]!;
      const b = x[ib]!;
      x[ia] = a * c - b * s;
      x[ib] = a * s + b * c;
    }
  }
}

/** Fast float32 shift: one cos/sin row (float64 angles) applied to every row of x:[T,H,D] in place. */
export function shiftRope(x: Float32Array, T: number, H: number, D: number, call: ShiftCall, delta: number): void {
  const R = check(call, x, T, H, D, delta);
  const half = R / 2;
  const inv = ropeFrequencies(call.base, R, call.scaling);
  const cos = new Float64Array(half);
  const sin = new Float64Array(half);
  for (let i = 0; i < half; i++) {
    cos[i] = Math.fround(Math.cos(delta * inv[i]!));
    sin[i] = Math.fround(Math.sin(delta * inv[i]!));
  }
  const pairs = call.layout === 'pairs';
  for (let o = 0; o < T * H * D; o += D) {
    for (let i = 0; i < half; i++) {
      const ia = pairs ? o + 2 * i : o + i;
      const ib = pairs ? ia + 1 : ia + half;
      const a = x[ia]!;
      const b = x[ib]!;
      x[ia] = a * cos[i]! - b * sin[i]!;
      x[ib] = a * sin[i]! + b * cos[i]!;
    }
  }
}
