import { type AttentionCall, type AttentionSpec, UnsupportedError } from '@weft/core';
import type { Dims } from './attention.js';

/** Reference visibility predicate of a masked variant, evaluated on the host for the bitmask path. */
export function hostAllows(spec: AttentionSpec, d: Dims, call: AttentionCall): (qPos: number, kPos: number) => boolean {
  void d;
  void call;
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
    case 'sliding-window': {
      const sinks = spec.sinks ?? 0;
      return (qp, kp) => kp <= qp && (qp - kp < spec.window || kp < sinks);
    }
    default:
      throw new UnsupportedError(`attention kind '${spec.kind}' on WebGPU`, 'use the CPU backend for this variant');
  }
}
