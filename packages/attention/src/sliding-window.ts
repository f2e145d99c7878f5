import type { AttentionSpec } from '@weft/core';
import type { KeyPattern } from './sparse.js';

type SlidingWindowSpec = Extract<AttentionSpec, { kind: 'sliding-window' }>;

/**
 * Causal sliding window (Mistral, Longformer's local part) with attention sinks
 * (StreamingLLM, Xiao et al. 2023): the query at p sees keys p−W+1..p and the first
 * `sinks` positions. O(T·(W + sinks)·D).
 */
export function slidingWindowPattern(spec: SlidingWindowSpec): KeyPattern {
  const W = spec.window;
  const sinks = spec.sinks ?? 0;
  return {
    allows: (qPos, kPos) => kPos <= qPos && (qPos - kPos < W || kPos < sinks),
    keys(qPos, kvLength, out) {
      const hi = Math.min(qPos, kvLength - 1);
      const lo = Math.max(0, qPos - W + 1);
      let n = 0;
      for (let s = 0; s < Math.min(sinks, lo, hi + 1); s++) out[n++] = s;
      for (let s = lo; s <= hi; s++) out[n++] = s;
      return n;
    },
    maxKeys: () => W + sinks,
  };
}
