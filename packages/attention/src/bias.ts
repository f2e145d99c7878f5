import { type AttentionCall, SpecError } from '@weft/core';

/** Additive logit bias for (head, query position, key position). */
export type BiasFn = (h: number, qPos: number, kPos: number) => number;

/**
 * ALiBi slopes (Press et al. 2022) for H heads, with BLOOM's rule for head counts that are
 * not powers of two: the closest power n below H gives 2^(-maxBias·i/n), i = 1..n, and the
 * rest are the odd-indexed slopes of 2n heads.
 */
export function alibiHeadSlopes(H: number, maxBias = 8): Float64Array {
  const slopes = new Float64Array(H);
  const n = 2 ** Math.floor(Math.log2(H));
  for (let i = 0; i < n; i++) slopes[i] = 2 ** ((-maxBias * (i + 1)) / n);
  for (let i = n; i < H; i++) slopes[i] = 2 ** ((-maxBias * (2 * (i - n) + 1)) / (2 * n));
  return slopes;
}

/**
 * T5 relative-position bucket of `relative = kPos − qPos` (Hugging Face `_relative_position_bucket`):
 * exact buckets for small distances, logarithmic ones up to `maxDistance`.
 */
export function t5Bucket(relative: number, bidirectional: boolean, buckets: number, maxDistance: number): number {
  let n = buckets;
  let bucket = 0;
  let distance: number;
  if (bidirectional) {
    n = Math.floor(n / 2);
    if (relative > 0) bucket += n;
    distance = Math.abs(relative);
  } else {
    distance = Math.max(-relative, 0);
  }
  const maxExact = Math.floor(n / 2);
  if (distance < maxExact) return bucket + distance;
  const large = maxExact + Math.trunc((Math.log(distance / maxExact) / Math.log(maxDistance / maxExact)) * (n - maxExact));
  return bucket + Math.min(large, n - 1);
}

/**
 * Builds the bias function of a call (undefined when the call has none, so the kernels skip it).
 * ALiBi: −slope_h·|qPos − kPos|. T5: table[bucket(kPos − qPos), h] with table [buckets, H].
 */
export function createBias(bias: AttentionCall['bias'], H: number): BiasFn | undefined {
  if (!bias) return undefined;
  switch (bias.kind) {
    case 'alibi': {
      const slopes = alibiHeadSlopes(H, bias.maxBias ?? 8);
      return (h, qPos, kPos) => -slopes[h]! * Math.abs(qPos - kPos);
    }
    case 't5-relative': {
      const { buckets, maxDistance, bidirectional, table } = bias;
      if (!table)
        throw new SpecError(
          'bias.table',
          'T5 relative bias needs its learned table [buckets, H]',
          'pass the layer’s relative_attention_bias weights as call.bias.table',
        );
      if (!Number.isInteger(buckets) || buckets <= 0)
        throw new SpecError('bias.buckets', `must be a positive integer, got ${buckets}`);
      if (!(maxDistance > 0)) throw new SpecError('bias.maxDistance', `must be > 0, got ${maxDistance}`);
      if (table.length !== buckets * H)
        throw new SpecError('bias.table', `has ${table.length} entries, expected buckets·H = ${buckets * H}`);
      return (h, qPos, kPos) => table[t5Bucket(kPos - qPos, bidirectional, buckets, maxDistance) * H + h]!;
    }
    default:
      throw new SpecError('bias.kind', `unknown bias kind '${(bias as { kind: string }).kind}'`, "use 'alibi' or 't5-relative'");
  }
}
