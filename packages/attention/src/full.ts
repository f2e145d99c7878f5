import type { AttentionCall, AttentionSpec } from '@weft/core';
import { createBias } from './bias.js';
import { type AttentionDims, scaleOf, validateAttention } from './dims.js';
import { type KeyRange, maskAllows, maskOf, maskRange } from './mask.js';
import type { Allows } from './reference.js';
import { scratchF32 } from './scratch.js';

type FullSpec = Extract<AttentionSpec, { kind: 'full' }>;

/** The mask predicate of a `full` spec (for the reference). */
export function fullAllows(spec: FullSpec): Allows {
  const mask = maskOf(spec);
  return (qPos, kPos) => maskAllows(mask, undefined, qPos, kPos);
}

/**
 * Standard softmax attention, the way most runtimes write it: per head, the score matrix
 * P = softmax(q·kᵀ·scale + bias) is materialised as [T, kvLength] and then multiplied by v.
 * O(T·kvLength) extra memory — exactly what `flash` avoids. Supports causal, bidirectional
 * (also cross-attention: T ≠ kvLength), prefix-LM and padding masks, GQA/MQA and biases.
 */
export function fullAttention(
  q: Float32Array,
  k: Float32Array,
  v: Float32Array,
  d: AttentionDims,
  call: AttentionCall,
): Float32Array {
  validateAttention(q, k, v, d, call);
  const spec = call.spec as { mask?: FullSpec['mask'] };
  const mask = maskOf(spec);
  const { T, H, Hkv, D } = d;
  const L = call.kvLength;
  const group = H / Hkv;
  const scale = scaleOf(call, D);
  const bias = createBias(call.bias, H);
  const keyMask = call.keyMask;
  const out = new Float32Array(T * H * D);
  const P = scratchF32(T * L); // [T, L] probabilities of one head
  const probs = call.capture ? new Float32Array(H * T * L) : undefined;
  const range: KeyRange = { lo: 0, hi: -1 };
  for (let h = 0; h < H; h++) {
    const g = Math.floor(h / group);
    for (let t = 0; t < T; t++) {
      const qPos = call.queryOffset + t;
      const row = t * L;
      const qo = (t * H + h) * D;
      maskRange(mask, undefined, qPos, L, range);
      let max = Number.NEGATIVE_INFINITY;
      for (let s = range.lo; s <= range.hi; s++) {
        if (keyMask && keyMask[s] === 0) continue;
        const ko = (s * Hkv + g) * D;
        let dot = 0;
        for (let i = 0; i < D; i++) dot += q[qo + i]! * k[ko + i]!;
        let logit = dot * scale;
        if (bias) logit += bias(h, qPos, s);
        P[row + s] = logit;
        if (logit > max) max = logit;
      }
      let sum = 0;
      for (let s = range.lo; s <= range.hi; s++) {
        if (keyMask && keyMask[s] === 0) continue;
        const e = Math.exp(P[row + s]! - max);
        P[row + s] = e;
        sum += e;
      }
      const inv = sum > 0 ? 1 / sum : 0;
      for (let s = range.lo; s <= range.hi; s++) {
        if (keyMask && keyMask[s] === 0) continue;
        const p = P[row + s]! * inv;
        if (probs) probs[(h * T + t) * L + s] = p;
        const vo = (s * Hkv + g) * D;
        for (let i = 0; i < D; i++) out[qo + i]! += p * v[vo + i]!;
      }
    }
  }
  if (probs) call.capture!(probs, [H, T, L]);
  return out;
}
