#!/usr/bin/env node
import { mkdtempSync, rmSync } from 'node:fs';
/**
 * Runs the built wasm kernels (`packages/cpu/dist/wasm/kernels.js`, the real WasmKernels class)
 * in headless Chromium: checks SIMD detection, compares f32 / f16 / q8_0 / q4_0 products with a
 * float64 reference computed in the page, and times a few shapes (wall clock, in the page).
 *
 *   pnpm turbo run build --filter=@weft/cpu && node bench/cpu/browser.mjs
 *
 * Needs Debian's chromium (/usr/bin/chromium) and playwright-core (a devDependency of
 * @weft/webgpu); serves packages/ from 127.0.0.1 with an import map for @weft/core.
 */
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = new URL('../../', import.meta.url);
const packages = fileURLToPath(new URL('packages/', root));
const { chromium } = createRequire(new URL('packages/webgpu/package.json', root))('playwright-core');

const PAGE = `<!doctype html><meta charset="utf-8">
<script type="importmap">{ "imports": { "@weft/core": "/core/dist/index.js" } }</script>
<script type="module">
import { WasmKernels } from '/cpu/dist/wasm/kernels.js';
import { wasmSimdSupported } from '/cpu/dist/wasm/detect.js';
import { quantizeQ8_0, quantizeQ4_0, dequantizeRow } from '/cpu/dist/dequant.js';
import { XorShiftRng, f32ArrayToF16 } from '@weft/core';
const randn = (n, seed) => { const r = new XorShiftRng(seed); return Float32Array.from({ length: n }, () => r.nextNormal()); };
function worstRel(out, x, w, M, N, K) {
  const ref = new Float64Array(M * N);
  for (let m = 0; m < M; m++) for (let n = 0; n < N; n++) { let a = 0; for (let k = 0; k < K; k++) a += x[m * K + k] * w[n * K + k]; ref[m * N + n] = a; }
  let rms = 0; for (const v of ref) rms += v * v; rms = Math.sqrt(rms / ref.length);
  let worst = 0; for (let i = 0; i < ref.length; i++) worst = Math.max(worst, Math.abs(out[i] - ref[i]) / Math.max(Math.abs(ref[i]), rms));
  return worst;
}
const k = new WasmKernels();
const checks = [];
for (const [M, N, K] of [[1, 300, 288], [7, 13, 33], [50, 70, 96]]) {
  const x = randn(M * K, M), wf = randn(N * K, N);
  const stored = { f32: wf, f16: f32ArrayToF16(wf) };
  if (K % 32 === 0) Object.assign(stored, { q8_0: quantizeQ8_0(wf, N, K), q4_0: quantizeQ4_0(wf, N, K) });
  for (const [dtype, data] of Object.entries(stored)) {
    const deq = new Float32Array(N * K), row = new Float32Array(K);
    for (let n = 0; n < N; n++) { dequantizeRow(dtype, data, n, K, row); deq.set(row, n * K); }
    const out = new Float32Array(M * N);
    k.matmul(dtype, x, data, out, M, N, K);
    checks.push({ shape: M + '×' + N + '×' + K, dtype, worstRel: worstRel(out, x, deq, M, N, K) });
  }
}
const timings = [];
for (const [M, N, K] of [[1, 4096, 4096], [512, 512, 512], [1, 32000, 288]]) {
  const x = randn(M * K, 1), w = randn(N * K, 2), q8 = quantizeQ8_0(w, N, K), out = new Float32Array(M * N);
  for (const [dtype, data] of [['f32', w], ['q8_0', q8]]) {
    for (let i = 0; i < 3; i++) k.matmul(dtype, x, data, out, M, N, K);
    let best = Infinity;
    for (let t = 0; t < 3; t++) { let reps = 0; const t0 = performance.now(); do { k.matmul(dtype, x, data, out, M, N, K); reps++; } while (performance.now() - t0 < 300); best = Math.min(best, (performance.now() - t0) / reps); }
    timings.push({ shape: M + '×' + N + '×' + K, dtype, gflops: (2 * M * N * K) / best / 1e6 });
  }
}
window.result = { simd: wasmSimdSupported(), userAgent: navigator.userAgent, checks, timings };
</script>`;

const server = createServer(async (req, res) => {
  const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
  if (path === '/') return res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
  try {
    const body = await readFile(join(packages, path.replace(/^\/+/, '')));
    res.writeHead(200, { 'content-type': path.endsWith('.js') ? 'text/javascript' : 'application/octet-stream' }).end(body);
  } catch {
    res.writeHead(404).end();
  }
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const profile = mkdtempSync(join(tmpdir(), 'weft-chromium-'));
const ctx = await chromium.launchPersistentContext(profile, {
  executablePath: '/usr/bin/chromium',
  headless: true,
  ignoreDefaultArgs: ['--headless'],
  args: [
    '--headless=new',
    '--no-sandbox',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--disable-dev-shm-usage',
  ],
});
try {
  const page = await ctx.newPage();
  let pageError;
  const failed = new Promise((_, reject) => {
    pageError = reject;
  });
  page.on('pageerror', (e) => pageError(new Error(`in the page: ${e.message}`)));
  await page.goto(`http://127.0.0.1:${server.address().port}/`);
  const result = await Promise.race([
    page.waitForFunction(() => window.result, null, { timeout: 300_000 }).then((h) => h.jsonValue()),
    failed,
  ]);
  console.log(`Chromium: ${result.userAgent.match(/Chrome\/[\d.]+/)?.[0]}; WebAssembly SIMD: ${result.simd}`);
  const bad = result.checks.filter((c) => !(c.worstRel <= 1e-5));
  console.log(
    `parity vs float64 (1e-5, RMS floor): ${result.checks.length - bad.length}/${result.checks.length} ok; worst ${Math.max(...result.checks.map((c) => c.worstRel)).toExponential(1)}`,
  );
  for (const c of bad) console.log('  FAIL', c);
  console.log('| M×N×K | dtype | GFLOP/s (wall, in page) |\n|---|---|---|');
  for (const t of result.timings) console.log(`| ${t.shape} | ${t.dtype} | ${t.gflops.toFixed(2)} |`);
  process.exitCode = bad.length ? 1 : 0;
} finally {
  await ctx.close();
  server.close();
  rmSync(profile, { recursive: true, force: true });
}
