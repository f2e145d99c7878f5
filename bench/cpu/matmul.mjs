#!/usr/bin/env node
/**
 * Matmul GFLOP/s on one thread: weft plain JS, weft WebAssembly SIMD (resident weights, and
 * copying w in on every call), weft wasm with f16 / q8_0 / q4_0 weights, the CPU backend's JS
 * path for q8_0 weights (dequantizeRow + dots, i.e. before wasm), and onnxruntime-web's
 * wasm backend (1 thread, B as an initializer).
 *
 *   pnpm turbo run build --filter=@weft/cpu && node bench/cpu/matmul.mjs [--quick] [--json out.json]
 *
 * Shapes are M×N×K: x [M,K] · w [N,K]ᵀ (ONNX: A [M,K] · B [K,N]). Time is CPU time of this
 * process (process.cpuUsage), best of 3 trials of ≥ 0.25 s each, because the bench machine is
 * shared: wall time there measures the neighbours. Wall-clock GFLOP/s is printed beside it.
 */
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { matmulModel } from './onnx-matmul.mjs';

const root = new URL('../../', import.meta.url);
const cpu = await import(new URL('packages/cpu/dist/index.js', root).href);
const core = await import(new URL('packages/core/dist/index.js', root).href);
const ortPath = createRequire(new URL('packages/webgpu/package.json', root)).resolve('onnxruntime-web');
const ort = await import(pathToFileURL(ortPath).href);
ort.env.wasm.numThreads = 1;

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const jsonOut = args.includes('--json') ? args[args.indexOf('--json') + 1] : undefined;
const SHAPES = [
  [1, 4096, 4096, 'decode, 7B-class layer'],
  [64, 512, 512, 'prefill block'],
  [512, 512, 512, 'square'],
  [1, 288, 288, 'stories15M attention'],
  [1, 32000, 288, 'stories15M classifier'],
];
const MIN_SECONDS = quick ? 0.05 : 0.25;

function randn(n, seed) {
  const rng = new core.XorShiftRng(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.nextNormal();
  return out;
}

/** Best-of-3 seconds per call, by CPU time and by wall time. */
async function time(fn) {
  await fn();
  let cpuBest = Number.POSITIVE_INFINITY;
  let wallBest = Number.POSITIVE_INFINITY;
  for (let trial = 0; trial < 3; trial++) {
    let reps = 0;
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    let c;
    do {
      await fn();
      reps++;
      c = process.cpuUsage(c0);
    } while ((c.user + c.system) / 1e6 < MIN_SECONDS);
    const wall = (performance.now() - t0) / 1e3;
    cpuBest = Math.min(cpuBest, (c.user + c.system) / 1e6 / reps);
    wallBest = Math.min(wallBest, wall / reps);
  }
  return { cpu: cpuBest, wall: wallBest };
}

const gflops = (M, N, K, s) => (2 * M * N * K) / s / 1e9;
const rows = [];
for (const [M, N, K, what] of SHAPES) {
  const x = randn(M * K, 1);
  const w = randn(N * K, 2);
  const out = new Float32Array(M * N);
  const resident = new cpu.WasmKernels();
  const copying = new cpu.WasmKernels({ cacheBytes: 0 });
  const stored = {
    f16: core.f32ArrayToF16(w),
    q8_0: cpu.quantizeQ8_0(w, N, K),
    q4_0: cpu.quantizeQ4_0(w, N, K),
  };
  const wT = new Float32Array(K * N);
  for (let n = 0; n < N; n++) for (let k = 0; k < K; k++) wT[k * N + n] = w[n * K + k];
  const session = await ort.InferenceSession.create(matmulModel(M, K, N, wT), { executionProviders: ['wasm'] });
  const feeds = { A: new ort.Tensor('float32', x, [M, K]) };

  // the backend's JS path for quantised weights (dequantizeRow per row, then dots), as before wasm
  const backend = cpu.createCpuBackend();
  const xT = backend.fromHost(x, [M, K]);
  const q8T = backend.fromHost(stored.q8_0, [N, K], 'q8_0');
  const jsQ8 = () => {
    cpu.setWasmKernelsEnabled(false);
    backend.matmul(xT, q8T).dispose();
    cpu.setWasmKernelsEnabled(true);
  };
  const t = {
    js: await time(() => cpu.matmulF32(x, w, out, M, N, K)),
    jsQ8: await time(jsQ8),
    wasm: await time(() => resident.matmul('f32', x, w, out, M, N, K)),
    wasmCopy: await time(() => copying.matmul('f32', x, w, out, M, N, K)),
    wasmF16: await time(() => resident.matmul('f16', x, stored.f16, out, M, N, K)),
    wasmQ8: await time(() => resident.matmul('q8_0', x, stored.q8_0, out, M, N, K)),
    wasmQ4: await time(() => resident.matmul('q4_0', x, stored.q4_0, out, M, N, K)),
    ort: await time(() => session.run(feeds)),
  };
  // the products agree (f32 path vs ORT) before their speeds are compared
  resident.matmul('f32', x, w, out, M, N, K);
  const ortOut = (await session.run(feeds)).Y.data;
  let maxDiff = 0;
  let scale = 0;
  for (let i = 0; i < out.length; i++) {
    maxDiff = Math.max(maxDiff, Math.abs(out[i] - ortOut[i]));
    scale = Math.max(scale, Math.abs(ortOut[i]));
  }
  await session.release();
  const g = Object.fromEntries(Object.entries(t).map(([k, v]) => [k, gflops(M, N, K, v.cpu)]));
  const gw = Object.fromEntries(Object.entries(t).map(([k, v]) => [k, gflops(M, N, K, v.wall)]));
  rows.push({ shape: `${M}×${N}×${K}`, what, gflops: g, wallGflops: gw, maxDiffVsOrt: maxDiff / scale });
  console.error(`${M}×${N}×${K} done`);
}

const f = (v) => v.toFixed(2);
const lines = [
  '| M×N×K | plain JS | wasm (resident w) | wasm (copy w each call) | wasm f16 | wasm q8_0 | wasm q4_0 | ORT wasm | wasm / ORT | wasm / JS | JS q8_0 | wasm q8_0 / JS q8_0 |',
  '|---|---|---|---|---|---|---|---|---|---|---|---|',
  ...rows.map(
    (r) =>
      `| ${r.shape} (${r.what}) | ${f(r.gflops.js)} | ${f(r.gflops.wasm)} | ${f(r.gflops.wasmCopy)} | ${f(r.gflops.wasmF16)} | ${f(r.gflops.wasmQ8)} | ${f(r.gflops.wasmQ4)} | ${f(r.gflops.ort)} | ${f(r.gflops.wasm / r.gflops.ort)}× | ${f(r.gflops.wasm / r.gflops.js)}× | ${f(r.gflops.jsQ8)} | ${f(r.gflops.wasmQ8 / r.gflops.jsQ8)}× |`,
  ),
  '',
  'Wall-clock GFLOP/s (same runs; depends on the neighbours):',
  '',
  '| M×N×K | plain JS | wasm | ORT wasm |',
  '|---|---|---|---|',
  ...rows.map((r) => `| ${r.shape} | ${f(r.wallGflops.js)} | ${f(r.wallGflops.wasm)} | ${f(r.wallGflops.ort)} |`),
  '',
  `max |weft − ORT| / max|ORT|: ${rows.map((r) => r.maxDiffVsOrt.toExponential(1)).join(', ')}`,
];
console.log(lines.join('\n'));
if (jsonOut) {
  writeFileSync(
    jsonOut,
    JSON.stringify({ date: new Date().toISOString(), node: process.version, ort: ort.env.versions?.web, rows }, null, 2),
  );
}
