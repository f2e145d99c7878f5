// attention kernels, numbered (causal, MHA, f32):
//   1 flash       FlashAttention-2 tiles in workgroup memory, barriers per key tile (default on hardware for T > 4)
//   2 split-K v1  cooperative: 64 threads per 256-key chunk, workgroup reductions, + combine
//   3 split-K v2  barrier-free flash-decoding: one invocation per (row, head, 64-key chunk), + combine
//                 (default for T ≤ 4 on hardware, and for D % 4 ≠ 0 on software adapters)
//   4 split-K v4  v3 with the head-dim loops unrolled into named vec4 registers
//                 (default on software adapters when D % 4 == 0)
// Measured 2026-11-22 on SwiftShader: decode T=1 S=200 H=8 D=8 — v2 4.7 ms, v3 1.3 ms;
// prefill T=128 S=128 H=8 D=64 (load ~3.5): v3 76 ms, v4 40 ms (bench/webgpu: 2.7× → 4.9× vs ort).
//   node packages/webgpu/dev/attention.mjs
import { ensureVulkan, maxRelError, randn, setup, time } from './harness.mjs';

ensureVulkan(import.meta.url);
const { backend } = await setup();
const { createNodeWebGpuBackend } = await import(new URL('../dist/node.js', import.meta.url).href);
const { attendReference } = await import('@weft/attention').catch(() => ({}));
const workgroup = await createNodeWebGpuBackend({ kernels: 'workgroup' });
const barrierFree = await createNodeWebGpuBackend({ kernels: 'barrier-free' });

function reference(q, k, v, T, S, H, D, offset) {
  if (attendReference)
    return attendReference(q, k, v, { T, H, Hkv: H, D, S }, { spec: { kind: 'full' }, queryOffset: offset, kvLength: S });
  const out = new Float64Array(T * H * D);
  for (let t = 0; t < T; t++)
    for (let h = 0; h < H; h++) {
      const logits = [];
      for (let s = 0; s <= offset + t; s++) {
        let dot = 0;
        for (let i = 0; i < D; i++) dot += q[(t * H + h) * D + i] * k[(s * H + h) * D + i];
        logits.push(dot / Math.sqrt(D));
      }
      const mx = Math.max(...logits);
      const e = logits.map((x) => Math.exp(x - mx));
      const sum = e.reduce((a, b) => a + b, 0);
      for (let s = 0; s < e.length; s++)
        for (let i = 0; i < D; i++) out[(t * H + h) * D + i] += (e[s] / sum) * v[(s * H + h) * D + i];
    }
  return out;
}

for (const [label, T, S, H, D] of [
  ['decode', 1, 512, 8, 64],
  ['chunk', 4, 512, 8, 64],
  ['prefill', 128, 128, 8, 64],
]) {
  const offset = S - T;
  const q = randn(T * H * D, 1);
  const k = randn(S * H * D, 2);
  const v = randn(S * H * D, 3);
  const want = reference(q, k, v, T, S, H, D, offset);
  const line = [`${label} T=${T} S=${S} H=${H} D=${D}`.padEnd(34)];
  for (const [name, b] of [
    ['workgroup (1 flash / 2→3 split for T≤4)', workgroup],
    ['barrier-free (4 split-K v4)', barrierFree],
  ]) {
    const qt = b.fromHost(q, [T, H, D]);
    const kt = b.fromHost(k, [S, H, D]);
    const vt = b.fromHost(v, [S, H, D]);
    const call = { spec: { kind: 'full' }, queryOffset: offset, kvLength: S };
    const o = b.attention(qt, kt, vt, call);
    const err = maxRelError(await b.read(o), want);
    o.dispose();
    if (err > 1e-4) throw new Error(`${name}: max rel error ${err}`);
    const ms = await time(async () => {
      const o = b.attention(qt, kt, vt, call);
      await b.read(o);
      o.dispose();
    });
    line.push(`${name}: ${ms.toFixed(2)} ms (err ${err.toExponential(1)})`);
    for (const t of [qt, kt, vt]) t.dispose();
  }
  console.log(line.join('  '));
}
backend.dispose();
process.exit(0);
