import type { AttentionCall } from '@weft/core';
import { createBias } from './bias.js';
import { type AttentionDims, scaleOf, validateAttention } from './dims.js';

/** May the query at absolute position qPos attend the key at position kPos? */
export type Allows = (qPos: number, kPos: number) => boolean;

/**
 * The float64 reference of every softmax variant: full attention with the variant's mask.
 * q:[T,H,D], k,v:[S,Hkv,D] → out:[T,H,D] (float64). Row by row, no tiling, no cleverness;
 * padding keys (keyMask 0) and keys the mask refuses get probability 0; a row that sees no
 * key yields zeros. Calls `call.capture` with the probabilities [H,T,kvLength] when set.
 */
export function referenceAttention(
  q: ArrayLike<number>,
  k: ArrayLike<number>,
  v: ArrayLike<number>,
  d: AttentionDims,
  call: AttentionCall,
  allows: Allows,
): Float64Array {
  validateAttention(q, k, v, d, call);
  const { T, H, Hkv, D } = d;
  const L = call.kvLength;
  const group = H / Hkv;
  const scale = scaleOf(call, D);
  const bias = createBias(call.bias, H);
  const out = new Float64Array(T * H * D);
  const probs = call.capture ? new Float32Array(H * T * L) : undefined;
  const logits = new Float64Array(L);
  const seen = new Uint8Array(L);
  for (let t = 0; t < T; t++) {
    const qPos = call.queryOffset + t;
    for (let h = 0; h < H; h++) {
      const g = Math.floor(h / group);
      let max = Number.NEGATIVE_INFINITY;
      for (let s = 0; s < L; s++) {
        seen[s] = call.keyMask?.[s] !== 0 && allows(qPos, s) ? 1 : 0;
        if (!seen[s]) continue;
        let dot = 0;
        for (let i = 0; i < D; i++) dot += q[(t * H + h) * D + i]! * k[(s * Hkv + g) * D + i]!;
        logits[s] = dot * scale + (bias ? bias(h, qPos, s) : 0);
        max = Math.max(max, logits[s]!);
      }
      let sum = 0;
      for (let s = 0; s < L; s++) if (seen[s]) sum += Math.exp(logits[s]! - max);
      for (let s = 0; s < L; s++) {
        if (!seen[s]) continue;
        const p = Math.exp(logits[s]! - max) / sum;
        if (probs) probs[(h * T + t) * L + s] = p;
        for (let i = 0; i < D; i++) out[(t * H + h) * D + i]! += p * v[(s * Hkv + g) * D + i]!;
      }
    }
  }
  if (probs) call.capture!(probs, [H, T, L]);
  return out;
}
