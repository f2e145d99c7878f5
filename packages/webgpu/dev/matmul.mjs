// matmul kernels, numbered: out[M,N] = x[M,K] · w[N,K]ᵀ (f32 here; quantized loaders share the code)
//   1 gemv-coop  8 rows × 32 lanes per workgroup, workgroup-memory tree reduction   (M ≤ 4; retired)
//   2 gemv       one invocation per output feature, no barriers, array<f32,4> accumulator
//   3 tiled      64×64 tile, 16-deep K slices in workgroup memory, 4×4 per thread (default on hardware)
//   4 tiled-reg  4×4 register block per invocation from global memory, no barriers, accumulators
//                in an indexed array<vec4<f32>, 4>
//   5 gemv / tiled-reg, unrolled: one named vec4 accumulator per output (gemv specialised per
//                M): the default on software adapters (the barrier-free family)
// Measured 2026-11-22 on SwiftShader (2 shared cores, noisy), incl. submit + readback:
//   [1,512]·[512,512]ᵀ   v1 ~165 ms, v2 ~4.7 ms, v5 ~1.6 ms (each barrier is a fiber switch per
//                        invocation there; an indexed accumulator array is spilled to memory)
//   [32,512]·[512,512]ᵀ  v3 57 ms, v4 58 ms, v5 7.5 ms;  lavapipe: v3 20 ms, v4 4.2 ms, v5 3.4 ms
// This script runs each family's defaults (v5 for M ≤ 4; v3 or v5 otherwise).
//   pnpm turbo run build --filter=@weft/webgpu && node packages/webgpu/dev/matmul.mjs
import { ensureVulkan, maxRelError, randn, time } from './harness.mjs';

ensureVulkan(import.meta.url);
const { createNodeWebGpuBackend } = await import(new URL('../dist/node.js', import.meta.url).href);
const families = [
  ['workgroup family', await createNodeWebGpuBackend({ kernels: 'workgroup' })],
  ['barrier-free family', await createNodeWebGpuBackend({ kernels: 'barrier-free' })],
];

function reference(x, w, M, N, K) {
  const out = new Float64Array(M * N);
  for (let m = 0; m < M; m++)
    for (let n = 0; n < N; n++) {
      let acc = 0;
      for (let k = 0; k < K; k++) acc += x[m * K + k] * w[n * K + k];
      out[m * N + n] = acc;
    }
  return out;
}

for (const [M, K, N] of [
  [1, 512, 512],
  [4, 768, 768],
  [64, 512, 512],
  [128, 256, 256],
]) {
  const x = randn(M * K, 1);
  const w = randn(N * K, 2);
  const want = reference(x, w, M, N, K);
  const line = [`[${M},${K}]·[${N},${K}]ᵀ`.padEnd(22)];
  for (const [label, b] of families) {
    const xt = b.fromHost(x, [M, K]);
    const wt = b.fromHost(w, [N, K]);
    const o = b.matmul(xt, wt);
    const err = maxRelError(await b.read(o), want);
    o.dispose();
    if (err > 1e-4) throw new Error(`${label}: max rel error ${err}`);
    const ms = await time(async () => {
      const o = b.matmul(xt, wt);
      await b.read(o);
      o.dispose();
    });
    line.push(`${label} ${ms.toFixed(2)} ms (${((2 * M * N * K) / ms / 1e6).toFixed(2)} GFLOP/s, err ${err.toExponential(1)})`);
    xt.dispose();
    wt.dispose();
  }
  console.log(line.join('  '));
}
process.exit(0);
