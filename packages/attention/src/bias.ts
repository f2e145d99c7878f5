import { type AttentionCall, SpecError } from '@weft/core';
import { alibiBias, alibiSlopes, t5Bias, t5BucketFromLookup, t5BucketLookup } from '@weft/positional';

/** Additive logit bias for (head, query position, key position). */
export type BiasFn = (h: number, qPos: number, kPos: number) => number;

/**
 * Builds the bias function of a call from @weft/positional's helpers (undefined when the
 * call has none, so the kernels skip it entirely).
 * ALiBi: −slope_h·|qPos − kPos|. T5: table[bucket(kPos − qPos), h] with table [buckets, H].
 */
export function createBias(bias: AttentionCall['bias'], H: number): BiasFn | undefined {
  if (!bias) return undefined;
  switch (bias.kind) {
    case 'alibi': {
      const slopes = alibiSlopes(H, bias.maxBias ?? 8);
      return (h, qPos, kPos) => alibiBias(slopes[h]!, qPos, kPos);
    }
    case 't5-relative': {
      const table = bias.table;
      if (!table) {
        throw new SpecError(
          'bias.table',
          'T5 relative bias needs its learned table [buckets, H]',
          'pass the layer’s relative_attention_bias weights as call.bias.table',
        );
      }
      const lookup = t5BucketLookup(bias); // validates buckets / maxDistance
      if (table.length !== bias.buckets * H)
        throw new SpecError('bias.table', `has ${table.length} entries, expected buckets·H = ${bias.buckets * H}`);
      return (h, qPos, kPos) => t5Bias(table, H, t5BucketFromLookup(lookup, kPos - qPos), h);
    }
    default:
      throw new SpecError('bias.kind', `unknown bias kind '${(bias as { kind: string }).kind}'`, "use 'alibi' or 't5-relative'");
  }
}
