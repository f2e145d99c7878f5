import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { t5BucketFromLookup, t5BucketLookup, t5RelativeBucket } from '../src/t5.js';

/**
 * Peer parity: every relative position in [−3·maxDistance, 3·maxDistance] for seven
 * configurations, bucketed by real torch float32 ops as Hugging Face's
 * `_relative_position_bucket` does. Regenerate with
 * `/usr/bin/python3 packages/positional/scripts/t5_buckets.py` (Debian's python3-torch).
 */
interface Table {
  bidirectional: boolean;
  buckets: number;
  maxDistance: number;
  from: number;
  values: number[];
}
const goldens = JSON.parse(readFileSync(new URL('./goldens/t5-buckets-torch.json', import.meta.url), 'utf8')) as {
  source: string;
  tables: Table[];
};

describe(`T5 buckets match ${goldens.source}`, () => {
  it('covers both directions, T5 sizes and odd / small configurations', () => {
    expect(goldens.tables.length).toBe(7);
    expect(goldens.tables.some((t) => t.bidirectional) && goldens.tables.some((t) => !t.bidirectional)).toBe(true);
  });
  for (const t of goldens.tables) {
    it(`${t.bidirectional ? 'bidirectional' : 'causal'} ${t.buckets} buckets, max distance ${t.maxDistance}: all ${t.values.length} positions`, () => {
      const lookup = t5BucketLookup({
        kind: 't5-relative',
        buckets: t.buckets,
        maxDistance: t.maxDistance,
        bidirectional: t.bidirectional,
      });
      const direct = t.values.map((_, i) => t5RelativeBucket(t.from + i, t.bidirectional, t.buckets, t.maxDistance));
      const viaLookup = t.values.map((_, i) => t5BucketFromLookup(lookup, t.from + i));
      expect(direct).toEqual(t.values);
      expect(viaLookup).toEqual(t.values);
    });
  }
});
