import { freshSeed, randnF32 } from '@weft/testing';
import { describe, expect, it } from 'vitest';
import { matmulReference } from '../matmul.js';
import { wasmSimdSupported } from './detect.js';
import { WasmKernels } from './kernels.js';
import { fingerprint } from './weight-cache.js';

const seed = freshSeed();
const [M, N, K] = [2, 24, 40];

function maxRelErr(a: Float32Array, e: Float64Array): number {
  let rms = 0;
  for (const v of e) rms += v * v;
  rms = Math.sqrt(rms / e.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - e[i]!) / Math.max(Math.abs(e[i]!), rms));
  return worst;
}

describe.skipIf(!wasmSimdSupported())(`resident weight cache (seed ${seed})`, () => {
  const x = randnF32(M * K, seed);
  const mm = (k: WasmKernels, w: Float32Array) => {
    const out = new Float32Array(M * N);
    expect(k.matmul('f32', x, w, out, M, N, K)).toBe(true);
    return out;
  };

  it('keeps a weight resident from its second use on, with identical results', () => {
    const k = new WasmKernels();
    const w = randnF32(N * K, seed + 1);
    const first = mm(k, w);
    expect(k.stats().entries).toBe(0);
    const second = mm(k, w);
    expect(k.stats()).toMatchObject({ entries: 1, bytes: w.byteLength });
    const third = mm(k, w);
    expect(k.stats().hits).toBe(1);
    expect(second).toEqual(first);
    expect(third).toEqual(first);
    expect(maxRelErr(first, matmulReference(x, w, M, N, K))).toBeLessThan(1e-5);
  });

  it('never caches one-off operands, and a budget of 0 caches nothing', () => {
    const k = new WasmKernels();
    for (let i = 0; i < 5; i++) mm(k, randnF32(N * K, seed + 10 + i));
    expect(k.stats().entries).toBe(0);
    const none = new WasmKernels({ cacheBytes: 0 });
    const w = randnF32(N * K, seed + 2);
    for (let i = 0; i < 3; i++) mm(none, w);
    expect(none.stats().entries).toBe(0);
    expect(() => new WasmKernels({ cacheBytes: -1 })).toThrow(/cacheBytes/);
  });

  it('evicts least-recently-used weights beyond the byte budget and stays correct', () => {
    const ws = [0, 1, 2].map((i) => randnF32(N * K, seed + 20 + i));
    const k = new WasmKernels({ cacheBytes: 2 * N * K * 4 });
    for (let round = 0; round < 4; round++) {
      for (const w of ws) expect(maxRelErr(mm(k, w), matmulReference(x, w, M, N, K))).toBeLessThan(1e-5);
    }
    const s = k.stats();
    expect(s.entries).toBeLessThanOrEqual(2);
    expect(s.bytes).toBeLessThanOrEqual(s.budget);
    expect(s.evictions).toBeGreaterThan(0);
    k.setCacheBudget(0);
    expect(k.stats()).toMatchObject({ entries: 0, bytes: 0 });
  });

  it('notices an in-place edit at a sampled byte; clearCache() covers any edit', () => {
    const k = new WasmKernels();
    const w = randnF32(N * K, seed + 3);
    mm(k, w);
    mm(k, w);
    w[0] = 1000;
    expect(maxRelErr(mm(k, w), matmulReference(x, w, M, N, K))).toBeLessThan(1e-5);
    mm(k, w);
    w[N * K - 1] = -1000;
    expect(maxRelErr(mm(k, w), matmulReference(x, w, M, N, K))).toBeLessThan(1e-5);
    mm(k, w);
    const unsampled = 5 * K + 3; // an element between the sampled bytes
    const before = fingerprint(w);
    w[unsampled] = w[unsampled]! + 1;
    if (fingerprint(w) === before) {
      k.clearCache();
      expect(k.stats().entries).toBe(0);
    }
    expect(maxRelErr(mm(k, w), matmulReference(x, w, M, N, K))).toBeLessThan(1e-5);
  });

  it('wasm memory stops growing once the working set is resident', () => {
    const k = new WasmKernels();
    const ws = [0, 1, 2, 3].map((i) => randnF32(N * K, seed + 30 + i));
    for (let i = 0; i < 3; i++) for (const w of ws) mm(k, w);
    const size = k.stats().memoryBytes;
    for (let i = 0; i < 200; i++) mm(k, ws[i % 4]!);
    for (let i = 0; i < 50; i++) mm(k, randnF32(N * K, seed + 100 + i));
    expect(k.stats().memoryBytes).toBe(size);
  });
});
