import { type PositionalSpec, ShapeError } from '@weft/core';
import { validatePositionalSpec } from './validate.js';

/**
 * T5 relative position buckets (Raffel et al. 2020; Mesh TensorFlow / Hugging Face
 * `_relative_position_bucket`). relativePosition = keyPos − queryPos. Half the buckets
 * (bidirectional: per direction) hold exact distances 0..maxExact−1, the rest grow
 * logarithmically up to maxDistance; every distance ≥ maxDistance shares the last bucket.
 * Bidirectional buckets put keys after the query in the upper half. A learned table
 * [buckets, H] turns a bucket into a per-head logit bias.
 * Shapes: table:[B,H] (B = buckets), bias:[H,T,S] — T queries at queryOffset.., S keys at 0..S−1.
 */

export type T5Spec = Extract<PositionalSpec, { kind: 't5-relative' }>;

/**
 * Bucket of one relative position, bit-for-bit as Hugging Face computes it: the logarithm,
 * the division and the product run in float32 (torch tensors), then truncate toward zero.
 */
export function t5RelativeBucket(
  relativePosition: number,
  bidirectional: boolean,
  numBuckets: number,
  maxDistance: number,
): number {
  let bucket = 0;
  let half = numBuckets;
  let n: number;
  if (bidirectional) {
    half = Math.floor(numBuckets / 2);
    if (relativePosition > 0) bucket += half;
    n = Math.abs(relativePosition);
  } else {
    n = Math.max(-relativePosition, 0);
  }
  const maxExact = Math.floor(half / 2);
  if (n < maxExact) return bucket + n;
  const logRatio = Math.fround(Math.log(Math.fround(n / maxExact)));
  const scaled = Math.fround(Math.fround(logRatio / Math.fround(Math.log(maxDistance / maxExact))) * (half - maxExact));
  return bucket + Math.min(maxExact + Math.trunc(scaled), half - 1);
}

/** Same as {@link t5RelativeBucket} (the name used in the issue text). */
export const t5Bucket = t5RelativeBucket;

/**
 * Buckets of every relative position in [−maxDistance, maxDistance] (index rel + maxDistance).
 * Distances past maxDistance saturate, so clamping rel to that range is exact.
 */
export function t5BucketLookup(spec: T5Spec): Int32Array {
  validatePositionalSpec(spec);
  const M = spec.maxDistance;
  const out = new Int32Array(2 * M + 1);
  for (let r = -M; r <= M; r++) out[r + M] = t5RelativeBucket(r, spec.bidirectional, spec.buckets, M);
  return out;
}

/** Bucket of `relativePosition` from a {@link t5BucketLookup} table (allocation-free). */
export function t5BucketFromLookup(lookup: Int32Array, relativePosition: number): number {
  const M = (lookup.length - 1) >> 1;
  const r = Math.max(-M, Math.min(relativePosition, M));
  return lookup[r + M]!;
}

/** The learned bias of `bucket` for `head` from table:[B,H] (allocation-free). */
export function t5Bias(table: ArrayLike<number>, H: number, bucket: number, head: number): number {
  return table[bucket * H + head]!;
}

function checkTable(table: ArrayLike<number>, spec: T5Spec, H: number): void {
  if (table.length !== spec.buckets * H) {
    throw new ShapeError(
      't5 bias',
      `table has ${table.length} elements, expected [buckets, H] = ${spec.buckets}·${H}`,
      'HF stores relative_attention_bias.weight as [buckets, heads]',
    );
  }
}

/** Float64 reference bias [H,T,S]: table[bucket(s − (queryOffset + t)), h]. */
export function t5BiasReference(
  table: ArrayLike<number>,
  H: number,
  T: number,
  S: number,
  queryOffset: number,
  spec: T5Spec,
): Float64Array {
  validatePositionalSpec(spec);
  checkTable(table, spec, H);
  const out = new Float64Array(H * T * S);
  for (let h = 0; h < H; h++)
    for (let t = 0; t < T; t++)
      for (let s = 0; s < S; s++) {
        const bucket = t5RelativeBucket(s - (queryOffset + t), spec.bidirectional, spec.buckets, spec.maxDistance);
        out[(h * T + t) * S + s] = table[bucket * H + h]!;
      }
  return out;
}

/** Fills out:[H,T,S] with the T5 bias; pass a cached `lookup` to skip rebuilding it. */
export function t5BiasInto(
  out: Float32Array,
  table: ArrayLike<number>,
  H: number,
  T: number,
  S: number,
  queryOffset: number,
  spec: T5Spec,
  lookup: Int32Array = t5BucketLookup(spec),
): void {
  checkTable(table, spec, H);
  if (out.length < H * T * S) throw new ShapeError('t5 bias', `out has ${out.length} elements, needs H·T·S = ${H}·${T}·${S}`);
  const M = spec.maxDistance;
  for (let t = 0; t < T; t++) {
    const q = queryOffset + t;
    for (let s = 0; s < S; s++) {
      const r = s - q;
      const bucket = lookup[Math.max(-M, Math.min(r, M)) + M]!;
      for (let h = 0; h < H; h++) out[(h * T + t) * S + s] = table[bucket * H + h]!;
    }
  }
}
