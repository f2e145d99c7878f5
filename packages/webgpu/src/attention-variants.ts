import { patternOf } from '@weft/attention';
import type { AttentionSpec } from '@weft/core';

/**
 * Reference visibility predicate of a masked softmax variant, evaluated on the host for the
 * bitmask path: the sparse patterns come from @weft/attention itself (so block-sparse's
 * seeded random blocks, Longformer's globals and dilation match the reference exactly).
 */
export function hostAllows(spec: AttentionSpec, kvLength: number): (qPos: number, kPos: number) => boolean {
  switch (spec.kind) {
    case 'full':
    case 'flash': {
      const mask = spec.mask ?? { kind: 'causal' };
      const w = spec.kind === 'flash' ? spec.window : undefined;
      return (qp, kp) => {
        if (w !== undefined && Math.abs(qp - kp) >= w) return false;
        if (mask.kind === 'causal') return kp <= qp;
        if (mask.kind === 'prefix') return kp < mask.prefixLength || kp <= qp;
        return true;
      };
    }
    default:
      // sliding-window, dilated, global-local, block-sparse (throws SpecError for other kinds)
      return patternOf(spec, kvLength).allows;
  }
}
