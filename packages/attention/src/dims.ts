import { type AttentionCall, ShapeError, SpecError } from '@weft/core';

/**
 * Shape legend: T = query rows, S = key/value slots (cache capacity, S ≥ kvLength), H = query
 * heads, Hkv = key/value heads, D = head dim. q:[T,H,D], k,v:[S,Hkv,D] token-major (row s of
 * the cache is position s), out:[T,H,D]. Query row t sits at absolute position queryOffset + t.
 * GQA: query head h reads kv head floor(h / (H / Hkv)); MHA when H = Hkv, MQA when Hkv = 1.
 */
export interface AttentionDims {
  readonly T: number;
  readonly H: number;
  readonly Hkv: number;
  readonly D: number;
  readonly S: number;
}

/** Checks dims against array lengths and the call; throws naming the bad field. */
export function validateAttention(
  q: ArrayLike<number>,
  k: ArrayLike<number>,
  v: ArrayLike<number>,
  d: AttentionDims,
  call: AttentionCall,
): void {
  for (const key of ['T', 'H', 'Hkv', 'D', 'S'] as const) {
    if (!Number.isInteger(d[key]) || d[key] < 0)
      throw new ShapeError('attention', `${key} must be a non-negative integer, got ${d[key]}`);
  }
  if (d.Hkv <= 0 || d.H % d.Hkv !== 0) {
    throw new SpecError(
      'kvHeads',
      `heads (${d.H}) must be a positive multiple of kvHeads (${d.Hkv})`,
      'use Hkv = H (MHA), 1 (MQA) or a divisor of H (GQA)',
    );
  }
  if (q.length !== d.T * d.H * d.D)
    throw new ShapeError('attention', `q has ${q.length} elements, expected T·H·D = ${d.T * d.H * d.D}`);
  if (k.length < d.S * d.Hkv * d.D || v.length < d.S * d.Hkv * d.D) {
    throw new ShapeError('attention', `k/v hold ${k.length}/${v.length} elements, fewer than S·Hkv·D = ${d.S * d.Hkv * d.D}`);
  }
  if (!Number.isInteger(call.kvLength) || call.kvLength > d.S || call.kvLength < 0) {
    throw new ShapeError('attention', `kvLength ${call.kvLength} outside [0, S = ${d.S}]`);
  }
  if (!Number.isInteger(call.queryOffset) || call.queryOffset < 0) {
    throw new ShapeError('attention', `queryOffset must be a non-negative integer, got ${call.queryOffset}`);
  }
  if (call.scale !== undefined && !Number.isFinite(call.scale))
    throw new ShapeError('attention', `scale must be finite, got ${call.scale}`);
  if (call.keyMask && call.keyMask.length < call.kvLength) {
    throw new ShapeError('attention', `keyMask has ${call.keyMask.length} entries, fewer than kvLength ${call.kvLength}`);
  }
}

/** The logit scale of a call: `call.scale` or 1/sqrt(D). */
export function scaleOf(call: AttentionCall, D: number): number {
  return call.scale ?? 1 / Math.sqrt(D);
}
