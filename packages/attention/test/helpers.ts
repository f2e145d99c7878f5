import type { AttentionCall, AttentionSpec } from '@weft/core';
import { compareArrays, randnF32 } from '@weft/testing';
import { expect } from 'vitest';
import type { AttentionDims } from '../src/dims.js';

/** Fresh q:[T,H,D], k,v:[S,Hkv,D] from one seed. */
export function randomQkv(seed: number, d: AttentionDims, scale = 1) {
  return {
    q: randnF32(d.T * d.H * d.D, seed, scale),
    k: randnF32(d.S * d.Hkv * d.D, seed + 1, scale),
    v: randnF32(d.S * d.Hkv * d.D, seed + 2),
  };
}

/** Prefill call over the whole sequence. */
export function prefill(spec: AttentionSpec, L: number, extra: Partial<AttentionCall> = {}): AttentionCall {
  return { spec, queryOffset: 0, kvLength: L, ...extra };
}

/**
 * Relative error against the float64 reference with the reference's RMS as the floor: an
 * element near zero is judged against the typical output size, not against itself.
 */
export function expectClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  seed: number,
  label: string,
  rtol = 1e-5,
): number {
  let rms = 0;
  for (let i = 0; i < expected.length; i++) rms += expected[i]! ** 2;
  rms = Math.sqrt(rms / Math.max(1, expected.length));
  const c = compareArrays(actual, expected, rtol, Math.max(rms, 1e-30));
  expect(c.ok, `${label} (seed ${seed}, rerun with WEFT_SEED=${seed}): ${c.message}`).toBe(true);
  return c.maxRelError;
}

/** Rows [t0, t0+n) of an [T, H, D] array. */
export function rows(x: ArrayLike<number>, t0: number, n: number, H: number, D: number): Float64Array {
  return Float64Array.from({ length: n * H * D }, (_, i) => x[t0 * H * D + i]!);
}

/** Copies kv head g of k:[S,Hkv,D] into every query head of its group: [S,H,D] (MHA form). */
export function repeatKv(x: Float32Array, S: number, H: number, Hkv: number, D: number): Float32Array {
  const out = new Float32Array(S * H * D);
  for (let s = 0; s < S; s++) {
    for (let h = 0; h < H; h++) {
      const g = Math.floor(h / (H / Hkv));
      out.set(x.subarray((s * Hkv + g) * D, (s * Hkv + g + 1) * D), (s * H + h) * D);
    }
  }
  return out;
}
