/**
 * f32 matmul kernels. Shapes: x:[M,K], w:[N,K] (PyTorch Linear layout), out:[M,N].
 * `matmulReference` is the float64 reference; `matmulF32` the fast path (4 output rows of w
 * at a time so each x row is read once per 4 dot products; M tiles reuse w rows in cache).
 */

/** Plain float64 reference. */
export function matmulReference(x: ArrayLike<number>, w: ArrayLike<number>, M: number, N: number, K: number): Float64Array {
  const out = new Float64Array(M * N);
  for (let m = 0; m < M; m++)
    for (let n = 0; n < N; n++) {
      let acc = 0;
      for (let k = 0; k < K; k++) acc += x[m * K + k]! * w[n * K + k]!;
      out[m * N + n] = acc;
    }
  return out;
}

/** Fast f32 path, writes into out. */
export function matmulF32(x: Float32Array, w: Float32Array, out: Float32Array, M: number, N: number, K: number): void {
  const MB = 16;
  for (let m0 = 0; m0 < M; m0 += MB) {
    const m1 = Math.min(M, m0 + MB);
    let n = 0;
    for (; n + 4 <= N; n += 4) {
      const w0 = n * K;
      const w1 = w0 + K;
      const w2 = w1 + K;
      const w3 = w2 + K;
      for (let m = m0; m < m1; m++) {
        const xo = m * K;
        let a0 = 0;
        let a1 = 0;
        let a2 = 0;
        let a3 = 0;
        for (let k = 0; k < K; k++) {
          const xv = x[xo + k]!;
          a0 += xv * w[w0 + k]!;
          a1 += xv * w[w1 + k]!;
          a2 += xv * w[w2 + k]!;
          a3 += xv * w[w3 + k]!;
        }
        const oo = m * N + n;
        out[oo] = a0;
        out[oo + 1] = a1;
        out[oo + 2] = a2;
        out[oo + 3] = a3;
      }
    }
    for (; n < N; n++) {
      const wo = n * K;
      for (let m = m0; m < m1; m++) {
        const xo = m * K;
        let acc = 0;
        for (let k = 0; k < K; k++) acc += x[xo + k]! * w[wo + k]!;
        out[m * N + n] = acc;
      }
    }
  }
}
