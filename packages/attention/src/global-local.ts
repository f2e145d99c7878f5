import type { AttentionSpec } from '@weft/core';
import type { KeyPattern } from './sparse.js';

type GlobalLocalSpec = Extract<AttentionSpec, { kind: 'global-local' }>;

/**
 * Longformer (Beltagy et al. 2020): a local window |p − s| < W plus chosen global positions
 * (e.g. [CLS] or question tokens) that every query sees and that themselves see everything.
 * Causal by default (keys after the query stay hidden, global or not).
 */
export function globalLocalPattern(spec: GlobalLocalSpec): KeyPattern {
  const W = spec.window;
  const causal = spec.causal ?? true;
  const globals = [...new Set(spec.globalTokens)].sort((a, b) => a - b);
  const isGlobal = new Set(globals);
  return {
    allows(qPos, kPos) {
      if (causal && kPos > qPos) return false;
      return isGlobal.has(qPos) || isGlobal.has(kPos) || Math.abs(qPos - kPos) < W;
    },
    keys(qPos, kvLength, out) {
      const hi = Math.min(causal ? qPos : qPos + W - 1, kvLength - 1);
      let n = 0;
      if (isGlobal.has(qPos)) {
        const end = causal ? Math.min(qPos, kvLength - 1) : kvLength - 1;
        for (let s = 0; s <= end; s++) out[n++] = s;
        return n;
      }
      const lo = Math.max(0, qPos - W + 1);
      for (const s of globals) if (s < lo && s < kvLength) out[n++] = s;
      for (let s = lo; s <= hi; s++) out[n++] = s;
      for (const s of globals) if (s > hi && s < kvLength && (!causal || s <= qPos)) out[n++] = s;
      return n;
    },
    maxKeys: (kvLength) => kvLength,
  };
}
