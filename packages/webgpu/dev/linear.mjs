// linear attention kernels (elu+1, FAVOR+; causal, MHA, f32):
//   1 features + weighted   φ per row, then one workgroup per (head, row) streaming keys (kernels/attention-linear.ts)
//   2 + probs               the same, plus the capture kernel writing φ(q)·φ(k)/Σ [H,T,kvLength]
//                           (kernels/attention-linear-probs.ts; runs only when call.capture is set)
//   3 running state         decode T=1: fold the new cache rows, read O(m·D) (kernels/linear-state.ts)
// Each is validated against @weft/attention's float64 reference (outputs and captured weights),
// FAVOR+ also at large input norms (the f32 underflow the rescaled features avoid).
// Measured 2026-11-22 on SwiftShader (2 shared cores), H=8 D=64: prefill T=S=128 elu+1 214 ms,
// 252 ms with capture; FAVOR+ 279 / 341 ms. Decode S=512: elu+1 running state 0.95 ms, FAVOR+
// 47 ms when fold and read recomputed ω·x per (head, feature) / (head, dim) invocation; 1.0 ms
// since the log-features are computed once per row (favorProjWgsl), capture
// 15 / 162 ms (a capturing step skips the state). Max rel errors ≤ 2.3e-5 (outputs) and ≤ 1.2e-6
// (weights); at inputs ×30, 8e-4 / 1.2e-4 (f32 exponents of a few hundred).
//   pnpm turbo run build --filter=@weft/webgpu && node packages/webgpu/dev/linear.mjs
import { ensureVulkan, maxRelError, randn, setup, time } from './harness.mjs';

ensureVulkan(import.meta.url);
const { backend: b } = await setup();
const { attendReference } = await import('@weft/attention');

const specs = [
  ['elu+1', { kind: 'linear', featureMap: 'elu+1' }, 1],
  ['favor+ m=64', { kind: 'linear', featureMap: { kind: 'favor+', features: 64, seed: 1 } }, 1],
  ['favor+ m=64, inputs ×30', { kind: 'linear', featureMap: { kind: 'favor+', features: 64, seed: 1 } }, 30],
];
for (const [label, T, S, H, D] of [
  ['prefill', 128, 128, 8, 64],
  ['decode', 1, 512, 8, 64],
]) {
  for (const [name, spec, gain] of specs) {
    const offset = S - T;
    const q = randn(T * H * D, 1).map((x) => x * gain);
    const k = randn(S * H * D, 2).map((x) => x * gain);
    const v = randn(S * H * D, 3);
    let want;
    const wantOut = attendReference(
      q,
      k,
      v,
      { T, H, Hkv: H, D, S },
      {
        spec,
        queryOffset: offset,
        kvLength: S,
        capture: (p) => (want = p),
      },
    );
    const [qt, kt, vt] = [b.fromHost(q, [T, H, D]), b.fromHost(k, [S, H, D]), b.fromHost(v, [S, H, D])];
    const line = [`${label} T=${T} S=${S} ${name}`.padEnd(44)];
    for (const capture of [false, true]) {
      let got;
      const call = { spec, queryOffset: offset, kvLength: S, ...(capture ? { capture: (p) => (got = p) } : {}) };
      const o = b.attention(qt, kt, vt, call);
      const err = maxRelError(await b.read(o), wantOut);
      o.dispose();
      if (err > 1e-3) throw new Error(`${name}: output max rel error ${err}`);
      const perr = capture ? maxRelError(got, want) : 0;
      if (perr > 1e-3) throw new Error(`${name}: capture max rel error ${perr}`);
      const ms = await time(async () => {
        const o = b.attention(qt, kt, vt, call);
        await b.read(o);
        o.dispose();
      });
      const what = capture ? 'with capture' : T === 1 ? 'running state' : 'features + weighted';
      line.push(`${what}: ${ms.toFixed(2)} ms (err ${err.toExponential(1)}${capture ? `, probs ${perr.toExponential(1)}` : ''})`);
    }
    for (const t of [qt, kt, vt]) t.dispose();
    console.log(line.join('  '));
  }
}
b.dispose();
process.exit(0);
