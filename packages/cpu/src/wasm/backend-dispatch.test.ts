import { freshSeed, randnF32 } from '@weft/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createCpuBackend } from '../backend.js';
import { quantizeQ8_0 } from '../dequant.js';
import { matmulF32, matmulReference } from '../matmul.js';
import { wasmSimdSupported } from './detect.js';
import { setWasmKernelsEnabled, WasmKernels } from './kernels.js';

const seed = freshSeed();

describe.skipIf(!wasmSimdSupported())(`CpuBackend.matmul dispatch (seed ${seed})`, () => {
  afterEach(() => setWasmKernelsEnabled(true));

  it('runs the wasm kernels by default and the JS kernels when they are turned off', () => {
    const b = createCpuBackend();
    const [M, N, K] = [5, 19, 70];
    const x = randnF32(M * K, seed);
    const w = randnF32(N * K, seed + 1);
    const viaBackend = () => b.peek(b.matmul(b.fromHost(x, [M, K]), b.fromHost(w, [N, K]))) as Float32Array;
    const wasm = new Float32Array(M * N);
    new WasmKernels().matmul('f32', x, w, wasm, M, N, K);
    const js = new Float32Array(M * N);
    matmulF32(x, w, js, M, N, K);
    expect(wasm).not.toEqual(js); // f32 vs float64 accumulation: the two paths are distinguishable
    expect(viaBackend()).toEqual(wasm);
    setWasmKernelsEnabled(false);
    expect(viaBackend()).toEqual(js);
    const ref = matmulReference(x, w, M, N, K);
    for (const out of [wasm, js]) for (let i = 0; i < ref.length; i++) expect(Math.abs(out[i]! - ref[i]!)).toBeLessThan(1e-4);
  });

  it('quantised weights take the wasm path too, with [T, …, K] inputs', () => {
    const b = createCpuBackend();
    const [N, K] = [9, 64];
    const x = randnF32(2 * 3 * K, seed + 2);
    const q = quantizeQ8_0(randnF32(N * K, seed + 3), N, K);
    const out = b.matmul(b.fromHost(x, [2, 3, K]), b.fromHost(q, [N, K], 'q8_0'));
    expect(out.shape).toEqual([2, 3, N]);
    const direct = new Float32Array(6 * N);
    new WasmKernels().matmul('q8_0', x, q, direct, 6, N, K);
    expect(b.peek(out)).toEqual(direct);
  });
});

describe('without WebAssembly SIMD', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    vi.resetModules();
  });

  it('the backend falls back to the JS kernels', async () => {
    vi.resetModules();
    vi.spyOn(WebAssembly, 'validate').mockReturnValue(false);
    const kernels = await import('./kernels.js');
    const detect = await import('./detect.js');
    const { createCpuBackend: create } = await import('../backend.js');
    expect(detect.wasmSimdSupported()).toBe(false);
    expect(kernels.activeWasmKernels()).toBeNull();
    const b = create();
    const [M, N, K] = [3, 7, 11];
    const x = randnF32(M * K, seed + 4);
    const w = randnF32(N * K, seed + 5);
    const js = new Float32Array(M * N);
    matmulF32(x, w, js, M, N, K);
    expect(b.peek(b.matmul(b.fromHost(x, [M, K]), b.fromHost(w, [N, K])))).toEqual(js);
  });
});
