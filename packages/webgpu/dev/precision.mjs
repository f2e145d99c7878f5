// f32 vs f16 precision on the same adapter: each shape runs through Backend.matmul /
// Backend.attention on a `precision: 'f32'` and a `precision: 'f16'` backend, is checked
// against a float64 reference (max error relative to max(|e|, 0.1·RMS), the conformance rule;
// the f16 run's reference uses the f16-rounded inputs it actually holds) and timed (median,
// incl. submit + readback). Needs shader-f16, i.e. not SwiftShader:
//   pnpm turbo run build --filter=@weft/webgpu
//   VK_ICD_FILENAMES=/usr/share/vulkan/icd.d/lvp_icd.json node packages/webgpu/dev/precision.mjs
// On software adapters f16 is not faster (they convert each f16 operation to f32); the point
// here is the error column and that both paths run the same kernels.
// Measured 2026-11-22 on Mesa 25.0.7 lavapipe (matmul v6; 2 shared cores, noisy), f32 vs f16:
//   matmul [1,512]·[512,512]ᵀ      0.53 vs 0.58 ms   err 5.8e-6 vs 4.8e-3 (vec4<f16> products)
//   matmul [1,768]·[2048,768]ᵀ     2.01 vs 2.04 ms   err 9.1e-6 vs 6.1e-3
//   matmul [32,512]·[512,512]ᵀ     2.42 vs 2.88 ms   err 8.2e-6 vs 6.6e-3
//   attention decode S=512 D=64    0.94 vs 0.74 ms   err 4.2e-6 vs 4.6e-4 (exact products: output rounding only)
//   attention prefill T=S=128      11.6 vs 13.7 ms   err 5.6e-6 vs 4.9e-4
import { ensureVulkan, maxRelError, randn, time } from './harness.mjs';

ensureVulkan(import.meta.url);
const { createNodeWebGpuBackend } = await import(new URL('../dist/node.js', import.meta.url).href);
const { f16ToF32, f32ToF16 } = await import('@weft/core');
const { attendReference } = await import('@weft/attention');

const f32 = await createNodeWebGpuBackend({ precision: 'f32' });
if (!f32.info.f16) {
  console.error(`${f32.info.device} has no shader-f16; run with VK_ICD_FILENAMES=/usr/share/vulkan/icd.d/lvp_icd.json`);
  process.exit(1);
}
const f16 = await createNodeWebGpuBackend({ precision: 'f16' });
console.log(`adapter: ${f16.info.device}`);
const round = (a) => a.map((x) => f16ToF32(f32ToF16(x)));

function matmulRef(x, w, M, N, K) {
  const out = new Float64Array(M * N);
  for (let m = 0; m < M; m++)
    for (let n = 0; n < N; n++) {
      let acc = 0;
      for (let k = 0; k < K; k++) acc += x[m * K + k] * w[n * K + k];
      out[m * N + n] = acc;
    }
  return out;
}

const rows = [];
for (const [M, K, N] of [
  [1, 512, 512],
  [1, 768, 2048],
  [32, 512, 512],
]) {
  const x = randn(M * K, 1);
  const w = randn(N * K, 2);
  const row = [`matmul [${M},${K}]·[${N},${K}]ᵀ`];
  for (const [label, b, r] of [
    ['f32', f32, (a) => a],
    ['f16', f16, round],
  ]) {
    const xt = b.fromHost(x, [M, K]);
    const wt = b.fromHost(w, [N, K]);
    const err = maxRelError(await b.read(b.matmul(xt, wt)), matmulRef(r(x), r(w), M, N, K));
    const ms = await time(async () => {
      const o = b.matmul(xt, wt);
      await b.read(o);
      o.dispose();
    });
    row.push(`${label} ${ms.toFixed(2)} ms (err ${err.toExponential(1)})`);
    xt.dispose();
    wt.dispose();
  }
  rows.push(row);
}
for (const [label, T, S, H, D] of [
  ['decode', 1, 512, 8, 64],
  ['prefill', 128, 128, 8, 64],
]) {
  const q = randn(T * H * D, 3);
  const k = randn(S * H * D, 4);
  const v = randn(S * H * D, 5);
  const call = { spec: { kind: 'full' }, queryOffset: S - T, kvLength: S };
  const row = [`attention ${label} T=${T} S=${S} H=${H} D=${D}`];
  for (const [name, b, r] of [
    ['f32', f32, (a) => a],
    ['f16', f16, round],
  ]) {
    const want = attendReference(r(q), r(k), r(v), { T, H, Hkv: H, D, S }, call);
    const qt = b.fromHost(q, [T, H, D]);
    const kt = b.fromHost(k, [S, H, D]);
    const vt = b.fromHost(v, [S, H, D]);
    const err = maxRelError(await b.read(b.attention(qt, kt, vt, call)), want);
    const ms = await time(async () => {
      const o = b.attention(qt, kt, vt, call);
      await b.read(o);
      o.dispose();
    });
    row.push(`${name} ${ms.toFixed(2)} ms (err ${err.toExponential(1)})`);
    for (const t of [qt, kt, vt]) t.dispose();
  }
  rows.push(row);
}
for (const row of rows) console.log(`${row[0].padEnd(38)} ${row.slice(1).join('  ')}`);
process.exit(0);
