import { XorShiftRng } from '@weft/core';

/**
 * FAVOR+ (Choromanski et al. 2021, "Rethinking Attention with Performers"): positive
 * orthogonal random features whose dot products estimate the softmax kernel without bias,
 *   exp(q̂·k̂) = E[φ(q̂)·φ(k̂)],   φ(x)_r = exp(ω_r·x − |x|²/2) / √m,
 * with ω_r drawn in blocks of D mutually orthogonal directions, each scaled by the norm of an
 * independent Gaussian D-vector (so every ω_r is still marginally N(0, I)). Orthogonality
 * lowers the estimator's variance; the error falls like 1/√m.
 */

/** m random features for head dim D: [m, D] float64, draw `draw` of `seed` (deterministic). */
export function favorFeatures(D: number, m: number, seed: number, draw = 0): Float64Array {
  const rng = new XorShiftRng((BigInt(seed >>> 0) << 20n) ^ (BigInt(draw) * 0x9e3779b97f4a7c15n) ^ 0x27d4eb2fn);
  const omega = new Float64Array(m * D);
  const block = new Float64Array(D * D);
  for (let r0 = 0; r0 < m; r0 += D) {
    for (let i = 0; i < D * D; i++) block[i] = rng.nextNormal();
    // Gram–Schmidt on the rows of the Gaussian block: D orthonormal directions
    for (let i = 0; i < D; i++) {
      for (let j = 0; j < i; j++) {
        let dot = 0;
        for (let c = 0; c < D; c++) dot += block[i * D + c]! * block[j * D + c]!;
        for (let c = 0; c < D; c++) block[i * D + c]! -= dot * block[j * D + c]!;
      }
      let norm = 0;
      for (let c = 0; c < D; c++) norm += block[i * D + c]! ** 2;
      norm = Math.sqrt(norm);
      for (let c = 0; c < D; c++) block[i * D + c]! /= norm;
    }
    for (let i = 0; i < Math.min(D, m - r0); i++) {
      let chi = 0;
      for (let c = 0; c < D; c++) chi += rng.nextNormal() ** 2;
      chi = Math.sqrt(chi);
      for (let c = 0; c < D; c++) omega[(r0 + i) * D + c] = block[i * D + c]! * chi;
    }
  }
  return omega;
}
