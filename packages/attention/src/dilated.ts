import type { AttentionSpec } from '@weft/core';
import type { KeyPattern } from './sparse.js';

type DilatedSpec = Extract<AttentionSpec, { kind: 'dilated' }>;

/**
 * Dilated sliding window (Longformer §3.1): `window` keys spaced `dilation` apart, so the
 * receptive field spans window·dilation positions at the cost of a plain window of `window`.
 * Causal: keys p, p−d, …, p−(W−1)d. Bidirectional adds p+d, …, p+(W−1)d.
 */
export function dilatedPattern(spec: DilatedSpec): KeyPattern {
  const W = spec.window;
  const dil = spec.dilation;
  const causal = spec.causal ?? true;
  return {
    allows(qPos, kPos) {
      const delta = qPos - kPos;
      if (causal && delta < 0) return false;
      const a = Math.abs(delta);
      return a % dil === 0 && a / dil < W;
    },
    keys(qPos, kvLength, out) {
      let n = 0;
      for (let j = W - 1; j >= 0; j--) {
        const s = qPos - j * dil;
        if (s >= 0 && s < kvLength) out[n++] = s;
      }
      if (!causal) {
        for (let j = 1; j < W; j++) {
          const s = qPos + j * dil;
          if (s >= 0 && s < kvLength) out[n++] = s;
        }
      }
      return n;
    },
    maxKeys: () => (causal ? W : 2 * W - 1),
  };
}
