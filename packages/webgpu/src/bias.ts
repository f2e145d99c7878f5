import { type AttentionCall, SpecError } from '@weft/core';

/**
 * Positional logit biases expanded on the host for the attention kernels. These mirror
 * @weft/attention's `alibiHeadSlopes` / T5 buckets (BLOOM's slopes for non-power-of-two head
 * counts; Hugging Face's `_relative_position_bucket`); the conformance suite compares every
 * biased GPU call with @weft/attention's reference, so a divergence fails there.
 */
export function alibiSlopes(H: number, maxBias = 8): Float64Array {
  const slopes = new Float64Array(H);
  const n = 2 ** Math.floor(Math.log2(H));
  for (let i = 0; i < n; i++) slopes[i] = 2 ** ((-maxBias * (i + 1)) / n);
  for (let i = n; i < H; i++) slopes[i] = 2 ** ((-maxBias * (2 * (i - n) + 1)) / (2 * n));
  return slopes;
}

/** T5 bucket of relative = kPos − qPos. */
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

/** Bias of a T5 call for (head, relative distance); validates the table. */
export function t5BiasFn(
  bias: Extract<NonNullable<AttentionCall['bias']>, { kind: 't5-relative' }>,
  H: number,
): (h: number, relative: number) => number {
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
  return (h, rel) => table[t5Bucket(rel, bidirectional, buckets, maxDistance) * H + h]!;
}
