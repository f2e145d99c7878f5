import { ShapeError, SpecError, type AttentionCall } from '@weft/core';

/**
 * Shapes: q:[T,H,D], k,v:[S,Hkv,D] (S ≥ kvLength), out:[T,H,D]. Query row t sits at absolute
 * position queryOffset + t; key row s at position s. GQA: query head h reads kv head
 * h / (H / Hkv).
 */
export interface AttentionDims {
  readonly T: number;
  readonly H: number;
  readonly Hkv: number;
  readonly D: number;
  readonly S: number;
}

/** Validates dims against array lengths and the call; throws naming the bad field. */
export function validateAttention(q: ArrayLike<number>, k: ArrayLike<number>, v: ArrayLike<number>, d: AttentionDims, call: AttentionCall): void {
  if (d.Hkv <= 0 || d.H % d.Hkv !== 0) throw new SpecError('kvHeads', `heads (${d.H}) must be a multiple of kvHeads (${d.Hkv})`);
  if (q.length !== d.T * d.H * d.D) throw new ShapeError('attention', `q has ${q.length} elements, expected T·H·D = ${d.T * d.H * d.D}`);
  if (k.length < d.S * d.Hkv * d.D || v.length < d.S * d.Hkv * d.D) throw new ShapeError('attention', `k/v hold fewer than S·Hkv·D = ${d.S * d.Hkv * d.D} elements`);
  if (call.kvLength > d.S || call.kvLength < 0) throw new ShapeError('attention', `kvLength ${call.kvLength} outside [0, ${d.S}]`);
}

/** Causal softmax attention with GQA, f32, the CPU fast path for `full`/`flash` causal. */
export function causalAttention(q: Float32Array, k: Float32Array, v: Float32Array, d: AttentionDims, call: AttentionCall): Float32Array {
  validateAttention(q, k, v, d, call);
  const { T, H, Hkv, D } = d;
  const group = H / Hkv;
  const scale = call.scale ?? 1 / Math.sqrt(D);
  const out = new Float32Array(T * H * D);
  const scores = new Float32Array(call.kvLength);
  for (let t = 0; t < T; t++) {
    const last = Math.min(call.queryOffset + t, call.kvLength - 1); // inclusive causal bound
    for (let h = 0; h < H; h++) {
      const qo = (t * H + h) * D;
      const kvh = Math.floor(h / group);
      let max = Number.NEGATIVE_INFINITY;
      for (let s = 0; s <= last; s++) {
        const ko = (s * Hkv + kvh) * D;
        let dot = 0;
        for (let i = 0; i < D; i++) dot += q[qo + i]! * k[ko + i]!;
        const sc = dot * scale;
        scores[s] = sc;
        if (sc > max) max = sc;
      }
      let sum = 0;
      for (let s = 0; s <= last; s++) {
        const e = Math.exp(scores[s]! - max);
        scores[s] = e;
        sum += e;
      }
      const inv = 1 / sum;
      for (let s = 0; s <= last; s++) {
        const w = scores[s]! * inv;
        const vo = (s * Hkv + kvh) * D;
        for (let i = 0; i < D; i++) out[qo + i]! += w * v[vo + i]!;
      }
    }
  }
  return out;
}

/** Dispatches a spec to its CPU implementation (widened by later variants). */
export function attendCpu(q: Float32Array, k: Float32Array, v: Float32Array, d: AttentionDims, call: AttentionCall): Float32Array {
  const spec = call.spec;
  switch (spec.kind) {
    case 'full':
    case 'flash':
      if ((spec.mask?.kind ?? 'causal') !== 'causal') throw new SpecError('mask', `mask '${spec.mask?.kind}' not implemented yet`);
      return causalAttention(q, k, v, d, call);
    default:
      throw new SpecError('kind', `attention kind '${spec.kind}' has no CPU implementation yet`);
  }
}
