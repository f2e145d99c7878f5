// Accuracy of the fast RoPE against the float64 reference, per scaling, over 300 random calls each.
// Usage: pnpm turbo run build --filter=@weft/positional && node bench/positional/rope-accuracy.mjs
import { applyRope, applyRopeReference } from '../../packages/positional/dist/index.js';

let s = 12345;
const rnd = () => {
  s ^= s << 13;
  s >>>= 0;
  s ^= s >>> 17;
  s ^= s << 5;
  s >>>= 0;
  return s / 2 ** 32;
};
const R = (D) => ({
  kind: 'longrope',
  factor: 16,
  originalContext: 32,
  shortFactor: Array.from({ length: D / 2 }, (_, i) => 1 + 0.05 * i),
  longFactor: Array.from({ length: D / 2 }, (_, i) => 1 + 0.5 * i),
});
const scalings = {
  unscaled: () => undefined,
  linear: () => ({ kind: 'linear', factor: 4 }),
  'dynamic-ntk': () => ({ kind: 'dynamic-ntk', factor: 4, originalContext: 64 }),
  yarn: () => ({ kind: 'yarn', factor: 8, originalContext: 128 }),
  llama3: () => ({ kind: 'llama3', factor: 8, originalContext: 256, lowFreqFactor: 1, highFreqFactor: 4 }),
  longrope: R,
};
for (const [name, mk] of Object.entries(scalings)) {
  let worst = 0,
    n = 0;
  for (let trial = 0; trial < 300; trial++) {
    const D = 64,
      T = 1 + Math.floor(rnd() * 16),
      H = 2;
    const offset = name === 'unscaled' ? Math.floor(rnd() * 16) : Math.floor(rnd() * 100000);
    const x = Float32Array.from({ length: T * H * D }, () => rnd() * 2 - 1);
    const call = { base: 10000, layout: rnd() < 0.5 ? 'pairs' : 'halves', offset, scaling: mk(D) };
    const ref = Float64Array.from(x);
    applyRopeReference(ref, T, H, D, call);
    const f = Float32Array.from(x);
    applyRope(f, T, H, D, call);
    let rms = 0;
    for (const v of ref) rms += v * v;
    rms = Math.sqrt(rms / ref.length);
    for (let i = 0; i < ref.length; i++) {
      worst = Math.max(worst, Math.abs(f[i] - ref[i]) / Math.max(Math.abs(ref[i]), rms));
      n++;
    }
  }
  console.log(name.padEnd(12), 'elements', n, 'max |fast−ref|/max(|ref|,rms) =', worst.toExponential(2));
}
