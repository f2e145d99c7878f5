// RoPE benchmark: weft's fast applyRope (cached cos/sin tables) vs its float64 reference and vs a
// naive version that recomputes cos/sin on every call (what rope.ts did before tables).
// Usage: pnpm turbo run build --filter=@weft/positional && node bench/positional/rope.mjs [--json out.json]
// Prints a markdown table of ratios; absolute times on shared machines mean little.
import { writeFileSync } from 'node:fs';
import { applyRope, applyRopeReference } from '../../packages/positional/dist/index.js';

/** Naive f32 RoPE: same math as the fast path, cos/sin recomputed per row on every call. */
function naiveRope(x, T, H, D, call) {
  const R = call.rotaryDim ?? D;
  const half = R / 2;
  const cos = new Float32Array(half);
  const sin = new Float32Array(half);
  for (let t = 0; t < T; t++) {
    const pos = call.offset + t;
    for (let i = 0; i < half; i++) {
      const angle = Math.fround(pos * Math.fround(call.base ** (-(2 * i) / R)));
      cos[i] = Math.cos(angle);
      sin[i] = Math.sin(angle);
    }
    for (let h = 0; h < H; h++) {
      const o = (t * H + h) * D;
      for (let i = 0; i < half; i++) {
        const a = x[o + i];
        const b = x[o + i + half];
        x[o + i] = a * cos[i] - b * sin[i];
        x[o + i + half] = a * sin[i] + b * cos[i];
      }
    }
  }
}

/** Runs of `fn` that take at least 20 ms together. */
function calibrate(fn) {
  for (let i = 0; i < 3; i++) fn(); // warm up
  let reps = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) fn();
    if (performance.now() - t0 > 20) return reps;
    reps *= 2;
  }
}

/**
 * Median ms per run of each variant. Variants are timed in interleaved rounds (A B C A B C …) so
 * load from other processes on this shared machine hits them alike and the ratios stay stable.
 */
function timeInterleaved(fns, rounds = 15) {
  const reps = fns.map(calibrate);
  const samples = fns.map(() => []);
  for (let r = 0; r < rounds; r++) {
    fns.forEach((fn, k) => {
      const t0 = performance.now();
      for (let i = 0; i < reps[k]; i++) fn();
      samples[k].push((performance.now() - t0) / reps[k]);
    });
  }
  return samples.map((s) => s.sort((a, b) => a - b)[s.length >> 1]);
}

// One "forward" = q and k of every layer at the same positions, as a model calls Backend.rope.
const cases = [
  { name: 'stories260K prefill (T=256, H=8, D=8, 5 layers)', T: 256, H: 8, D: 8, L: 5, offset: 0 },
  { name: 'Llama-7B-shaped prefill (T=128, H=32, D=128, 4 layers)', T: 128, H: 32, D: 128, L: 4, offset: 0 },
  { name: 'Llama-7B-shaped decode step (T=1 at 1000, 32 layers)', T: 1, H: 32, D: 128, L: 32, offset: 1000 },
  {
    name: 'Llama-3.1 scaling, decode step (T=1 at 20000, 32 layers)',
    T: 1,
    H: 32,
    D: 128,
    L: 32,
    offset: 20000,
    scaling: 'llama3',
  },
  {
    name: 'Phi-3 LongRoPE, decode step (T=1 at 5000, H=32, D=96, 32 layers)',
    T: 1,
    H: 32,
    D: 96,
    L: 32,
    offset: 5000,
    scaling: 'longrope',
  },
];
const SCALINGS = {
  llama3: { kind: 'llama3', factor: 8, originalContext: 8192, lowFreqFactor: 1, highFreqFactor: 4 },
  longrope: {
    kind: 'longrope',
    factor: 32,
    originalContext: 4096,
    shortFactor: Array.from({ length: 48 }, (_, i) => 1 + i / 100),
    longFactor: Array.from({ length: 48 }, (_, i) => 1 + i / 2),
  },
};

const rows = [];
for (const c of cases) {
  const call = {
    base: c.scaling === 'llama3' ? 500000 : 10000,
    layout: 'halves',
    offset: c.offset,
    ...(c.scaling ? { scaling: SCALINGS[c.scaling] } : {}),
  };
  const n = c.T * c.H * c.D;
  const x32 = Float32Array.from({ length: n }, (_, i) => Math.sin(i));
  const x64 = Float64Array.from(x32);
  const forward = (rope, x) => () => {
    for (let l = 0; l < c.L; l++) {
      rope(x, c.T, c.H, c.D, call); // q
      rope(x, c.T, c.H, c.D, call); // k
    }
  };
  const variants = [forward(applyRope, x32), forward(applyRopeReference, x64)];
  if (!c.scaling) variants.push(forward(naiveRope, x32)); // the naive version has no scaling
  const [fast, reference, naive = Number.NaN] = timeInterleaved(variants);
  rows.push({
    case: c.name,
    fastMs: fast,
    naiveMs: naive,
    referenceMs: reference,
    naiveOverFast: naive / fast,
    referenceOverFast: reference / fast,
  });
}

console.log(`RoPE, ${new Date().toISOString().slice(0, 10)}, node ${process.version}`);
console.log('| case | fast ms | naive / fast | reference (f64) / fast |');
console.log('|---|---:|---:|---:|');
for (const r of rows) {
  const naive = Number.isNaN(r.naiveOverFast) ? 'n/a' : `${r.naiveOverFast.toFixed(2)}×`;
  console.log(`| ${r.case} | ${r.fastMs.toFixed(3)} | ${naive} | ${r.referenceOverFast.toFixed(2)}× |`);
}
const jsonAt = process.argv.indexOf('--json');
if (jsonAt > 0)
  writeFileSync(
    process.argv[jsonAt + 1],
    JSON.stringify({ date: new Date().toISOString(), node: process.version, rows }, null, 2),
  );
