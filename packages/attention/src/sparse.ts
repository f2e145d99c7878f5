import type { AttentionCall } from '@weft/core';
import { createBias } from './bias.js';
import { type AttentionDims, scaleOf, validateAttention } from './dims.js';
import type { Allows } from './reference.js';
import { scratchF32, scratchI32 } from './scratch.js';

/**
 * A sparse attention pattern in its two forms: `allows` for the reference (full attention
 * with the equivalent mask) and `keys` for the fast kernel, which enumerates only the keys a
 * query sees, so the cost is O(T · keys per row · D) instead of O(T · kvLength · D).
 */
export interface KeyPattern {
  readonly allows: Allows;
  /** Writes the visible key positions of qPos (ascending, all < kvLength) into `out`; returns the count. */
  keys(qPos: number, kvLength: number, out: Int32Array): number;
  /** Upper bound of `keys(...)` counts for any query (sizes the scratch index buffer). */
  maxKeys(kvLength: number): number;
}

/** Softmax attention over the keys a {@link KeyPattern} enumerates per query row (f32 fast path). */
export function sparseAttention(
  q: Float32Array,
  k: Float32Array,
  v: Float32Array,
  d: AttentionDims,
  call: AttentionCall,
  pattern: KeyPattern,
): Float32Array {
  validateAttention(q, k, v, d, call);
  const { T, H, Hkv, D } = d;
  const L = call.kvLength;
  const group = H / Hkv;
  const scale = scaleOf(call, D);
  const bias = createBias(call.bias, H);
  const keyMask = call.keyMask;
  const out = new Float32Array(T * H * D);
  const cap = Math.min(pattern.maxKeys(L), L);
  const idx = scratchI32(cap);
  const logits = scratchF32(cap);
  const probs = call.capture ? new Float32Array(H * T * L) : undefined;
  for (let t = 0; t < T; t++) {
    const qPos = call.queryOffset + t;
    const n = pattern.keys(qPos, L, idx);
    for (let h = 0; h < H; h++) {
      const g = Math.floor(h / group);
      const qo = (t * H + h) * D;
      let max = Number.NEGATIVE_INFINITY;
      for (let j = 0; j < n; j++) {
        const s = idx[j]!;
        if (keyMask && keyMask[s] === 0) {
          logits[j] = Number.NEGATIVE_INFINITY;
          continue;
        }
        const ko = (s * Hkv + g) * D;
        let dot = 0;
        for (let i = 0; i < D; i++) dot += q[qo + i]! * k[ko + i]!;
        let logit = dot * scale;
        if (bias) logit += bias(h, qPos, s);
        logits[j] = logit;
        if (logit > max) max = logit;
      }
      if (max === Number.NEGATIVE_INFINITY) continue; // sees nothing: zeros
      let sum = 0;
      for (let j = 0; j < n; j++) {
        const e = Math.exp(logits[j]! - max);
        logits[j] = e;
        sum += e;
      }
      const inv = 1 / sum;
      for (let j = 0; j < n; j++) {
        const p = logits[j]! * inv;
        if (p === 0) continue;
        const s = idx[j]!;
        if (probs) probs[(h * T + t) * L + s] = p;
        const vo = (s * Hkv + g) * D;
        for (let i = 0; i < D; i++) out[qo + i]! += p * v[vo + i]!;
      }
    }
  }
  if (probs) call.capture!(probs, [H, T, L]);
  return out;
}
