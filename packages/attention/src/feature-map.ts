import type { AttentionSpec } from '@weft/core';
import { favorFeatures } from './favor.js';

type LinearSpec = Extract<AttentionSpec, { kind: 'linear' }>;

/**
 * A kernel feature map φ for linear attention: softmax(q·k) is replaced by φ(q)·φ(k), so
 * Σ_s φ(q)·φ(k_s) v_s = φ(q)ᵀ (Σ_s φ(k_s) v_sᵀ) and the sums can run left to right.
 */
export interface FeatureMap {
  /** Feature count m (φ: R^D → R^m). */
  readonly m: number;
  /**
   * Writes φ(x) for x = src[offset..offset+D) into out[0..m). Queries may use a per-row
   * stabiliser (it cancels in the normalisation); keys must not.
   */
  apply(src: ArrayLike<number>, offset: number, out: Float64Array, isQuery: boolean): void;
}

/** elu(x) + 1 (Katharopoulos et al. 2020, "Transformers are RNNs"): positive, m = D. */
export function eluPlusOne(D: number): FeatureMap {
  return {
    m: D,
    apply(src, offset, out) {
      for (let i = 0; i < D; i++) {
        const x = src[offset + i]!;
        out[i] = x > 0 ? x + 1 : Math.exp(x);
      }
    },
  };
}

/**
 * FAVOR+ positive random features for exp(scale·q·k): inputs are scaled by √scale so that
 * φ(q̂)·φ(k̂) estimates exp(q̂·k̂). `omega` is [m, D] (see {@link favorFeatures}).
 */
export function favorPlus(D: number, omega: Float64Array, scale: number): FeatureMap {
  const m = omega.length / D;
  const root = Math.sqrt(scale);
  const norm = 1 / Math.sqrt(m);
  return {
    m,
    apply(src, offset, out, isQuery) {
      let sq = 0;
      for (let i = 0; i < D; i++) sq += (src[offset + i]! * root) ** 2;
      let max = 0;
      for (let r = 0; r < m; r++) {
        let dot = 0;
        for (let i = 0; i < D; i++) dot += omega[r * D + i]! * src[offset + i]! * root;
        out[r] = dot;
        if (isQuery && (r === 0 || dot > max)) max = dot;
      }
      // queries subtract their own max projection (cancels in numerator/denominator)
      for (let r = 0; r < m; r++) out[r] = Math.exp(out[r]! - sq / 2 - max) * norm;
    },
  };
}

// Recently drawn FAVOR+ matrices (read-only): a decoder calls attention once per layer per
// token with the same spec, and drawing the features costs more than a decode step.
const recentDraws = new Map<string, Float64Array>();

/** The feature map of a linear spec; FAVOR+ uses draw `draw` of its seed. */
export function featureMapOf(spec: LinearSpec, D: number, scale: number, draw = 0): FeatureMap {
  const fm = spec.featureMap;
  if (fm === 'elu+1') return eluPlusOne(D);
  const key = `${D}/${fm.features}/${fm.seed}/${draw}`;
  let omega = recentDraws.get(key);
  if (!omega) {
    omega = favorFeatures(D, fm.features, fm.seed, draw);
    if (recentDraws.size >= 16) recentDraws.delete(recentDraws.keys().next().value!);
    recentDraws.set(key, omega);
  }
  return favorPlus(D, omega, scale);
}
