import { f32ArrayToF16, type HostArray, ShapeError, XorShiftRng } from '@weft/core';
import { compareArrays, freshSeed, randnF32 } from '@weft/testing';
import { describe, expect, it } from 'vitest';
import { dequantizeRow, quantizeQ4_0, quantizeQ8_0 } from '../dequant.js';
import { matmulReference } from '../matmul.js';
import { wasmSimdSupported } from './detect.js';
import { PREFILL_ROWS, WasmKernels, type WasmWeightDType } from './kernels.js';

/**
 * The wasm kernels against `matmulReference` (float64) on fresh seeded inputs.
 * Tolerance: 1e-5 relative with the floor at the RMS of the expected output. The kernels sum in
 * f32 (as llama.cpp and onnxruntime do), so their rounding error scales with ‖x‖·‖w‖, not with
 * |out|: an output that cancels to ~0 carries the same absolute error as a typical one.
 */
const seed = freshSeed();
const kernels = new WasmKernels();

function rms(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * a[i]!;
  return Math.sqrt(s / Math.max(1, a.length));
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string) {
  const c = compareArrays(actual, expected, 1e-5, Math.max(rms(expected), 1e-30));
  expect(c.ok, `${what}: ${c.message} (seed ${seed}; rerun with WEFT_SEED=${seed})`).toBe(true);
}

function run(dtype: WasmWeightDType, x: Float32Array, w: HostArray, M: number, N: number, K: number): Float32Array {
  const out = new Float32Array(M * N).fill(Number.NaN);
  expect(kernels.matmul(dtype, x, w, out, M, N, K)).toBe(true);
  return out;
}

function dequantized(dtype: WasmWeightDType, w: HostArray, N: number, K: number): Float32Array {
  const deq = new Float32Array(N * K);
  const row = new Float32Array(K);
  for (let n = 0; n < N; n++) {
    dequantizeRow(dtype, w, n, K, row);
    deq.set(row, n * K);
  }
  return deq;
}

/** Random GGML blocks: random bytes with a random finite f16 scale (subnormals included). */
function randomBlocks(dtype: 'q8_0' | 'q4_0', N: number, K: number, s: number): Uint8Array {
  const rng = new XorShiftRng(s);
  const blockBytes = dtype === 'q8_0' ? 34 : 18;
  const out = new Uint8Array((N * K * blockBytes) / 32);
  for (let i = 0; i < out.length; i++) out[i] = rng.nextU32() & 0xff;
  for (let p = 0; p < out.length; p += blockBytes) {
    const bits = (rng.nextU32() & 0x83ff) | ((rng.nextU32() % 16) << 10); // exponent 0..15: |d| < 2
    out[p] = bits & 0xff;
    out[p + 1] = bits >> 8;
  }
  return out;
}

const F32_SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [1, 7, 13],
  [1, 5, 3],
  [1, 300, 288],
  [2, 3, 5],
  [3, 17, 4],
  [4, 6, 8],
  [7, 13, 33],
  [7, 9, 65],
  [7, 64, 250],
  [50, 5, 129],
  [97, 11, 37],
  [64, 96, 96],
];

describe.skipIf(!wasmSimdSupported())(`wasm SIMD kernels against the float64 reference (seed ${seed})`, () => {
  it('f32 on odd shapes (K % 4 ≠ 0, N not a multiple of the tile, M = 1, 7, > the 48-row chunk)', () => {
    for (const [i, [M, N, K]] of F32_SHAPES.entries()) {
      const x = randnF32(M * K, seed + 17 * i);
      const w = randnF32(N * K, seed + 17 * i + 1);
      expectClose(run('f32', x, w, M, N, K), matmulReference(x, w, M, N, K), `f32 ${M}×${N}×${K}`);
    }
  });

  it('f32 decode with many rows (1×6000×288) and a wide K (3×40×4099)', () => {
    for (const [M, N, K] of [
      [1, 6000, 288],
      [3, 40, 4099],
    ] as const) {
      const x = randnF32(M * K, seed + 3);
      const w = randnF32(N * K, seed + 4);
      expectClose(run('f32', x, w, M, N, K), matmulReference(x, w, M, N, K), `f32 ${M}×${N}×${K}`);
    }
  });

  it('f16 and bf16 weights, read directly, equal the reference on the dequantised weights', () => {
    for (const dtype of ['f16', 'bf16'] as const) {
      for (const [i, [M, N, K]] of [...F32_SHAPES, [PREFILL_ROWS - 1, 9, 31], [PREFILL_ROWS, 9, 31]].entries()) {
        const x = randnF32(M * K, seed + 31 * i);
        const wf = randnF32(N * K, seed + 31 * i + 1);
        const w = dtype === 'f16' ? f32ArrayToF16(wf) : bf16Bits(wf);
        expectClose(
          run(dtype, x, w, M, N, K),
          matmulReference(x, dequantized(dtype, w, N, K), M, N, K),
          `${dtype} ${M}×${N}×${K}`,
        );
      }
    }
  });

  it('q8_0 and q4_0 blocks, read directly, equal the reference on the dequantised weights', () => {
    const shapes: [number, number, number][] = [
      [1, 1, 32],
      [1, 7, 64],
      [1, 300, 288],
      [2, 5, 96],
      [PREFILL_ROWS - 1, 13, 64],
      [PREFILL_ROWS, 13, 64],
      [7, 9, 256],
      [7, 70, 32],
      [61, 33, 160],
    ];
    for (const dtype of ['q8_0', 'q4_0'] as const) {
      for (const [i, [M, N, K]] of shapes.entries()) {
        const x = randnF32(M * K, seed + 7 * i);
        const wf = randnF32(N * K, seed + 7 * i + 1);
        for (const w of [
          dtype === 'q8_0' ? quantizeQ8_0(wf, N, K) : quantizeQ4_0(wf, N, K),
          randomBlocks(dtype, N, K, seed + i),
        ]) {
          expectClose(
            run(dtype, x, w, M, N, K),
            matmulReference(x, dequantized(dtype, w, N, K), M, N, K),
            `${dtype} ${M}×${N}×${K}`,
          );
        }
      }
    }
  });

  it('f16 conversion is bit-exact for all 65536 halves (subnormals, ±0, ±inf; NaN stays NaN)', () => {
    const all = Uint16Array.from({ length: 65536 }, (_, i) => i);
    const expected = dequantized('f16', all, 1, 65536);
    // the SIMD dequantiser, and the fused kernel's scalar tail (K = 1: one lane per dot product)
    const simd = new Float32Array(65536);
    expect(kernels.dequantize('f16', all, simd)).toBe(true);
    const scalar = run('f16', new Float32Array([1]), all, 1, 65536, 1);
    const fused = run(
      'f16',
      new Float32Array([1, 0, 0, 0]),
      new Uint16Array(65536 * 4).map((_, i) => (i % 4 ? 0 : i / 4)),
      1,
      65536,
      4,
    );
    for (const [name, got] of [
      ['SIMD', simd],
      ['scalar', scalar],
    ] as const) {
      const bad: number[] = [];
      const gotBits = new Uint32Array(got.buffer);
      const expBits = new Uint32Array(expected.buffer);
      for (let h = 0; h < 65536; h++) {
        // the scalar path is a dot product (0 + -0·1 = +0), so it is compared by value
        const ok = Number.isNaN(expected[h])
          ? Number.isNaN(got[h])
          : name === 'SIMD'
            ? gotBits[h] === expBits[h]
            : got[h] === expected[h];
        if (!ok) bad.push(h);
      }
      expect(
        bad.slice(0, 5).map((h) => `0x${h.toString(16)} → ${got[h]} (want ${expected[h]})`),
        `${name} conversion`,
      ).toEqual([]);
    }
    // fused SIMD lanes: x = [1,0,0,0] multiplies the half in lane 0 by 1 and adds ±0 (inf/NaN rows aside)
    for (let h = 0; h < 65536; h++) {
      if (!Number.isFinite(expected[h])) continue;
      if (fused[h] !== expected[h]) expect(`0x${h.toString(16)} → ${fused[h]}`).toBe(`0x${h.toString(16)} → ${expected[h]}`);
    }
  });

  it('bf16 / q8_0 / q4_0 dequantisers equal dequantizeRow exactly', () => {
    const K = 64 * 32;
    const bf = bf16Bits(randnF32(K, seed + 9));
    const checks: [Exclude<WasmWeightDType, 'f32'>, HostArray][] = [
      ['bf16', bf],
      ['q8_0', randomBlocks('q8_0', 1, K, seed + 10)],
      ['q4_0', randomBlocks('q4_0', 1, K, seed + 11)],
      ['q8_0', quantizeQ8_0(randnF32(K, seed + 12), 1, K)],
    ];
    for (const [dtype, data] of checks) {
      const got = new Float32Array(K);
      expect(kernels.dequantize(dtype, data, got)).toBe(true);
      expect(Array.from(got), dtype).toEqual(Array.from(dequantized(dtype, data, 1, K)));
    }
  });

  it('rejects operands whose sizes disagree with M, N, K', () => {
    const x = new Float32Array(6);
    expect(() => kernels.matmul('f32', x, new Float32Array(6), new Float32Array(4), 2, 2, 3)).not.toThrow();
    expect(() => kernels.matmul('f32', x, new Float32Array(5), new Float32Array(4), 2, 2, 3)).toThrow(ShapeError);
    expect(() => kernels.matmul('f32', x, new Float32Array(6), new Float32Array(3), 2, 2, 3)).toThrow(ShapeError);
    expect(() => kernels.matmul('q8_0', new Float32Array(48), new Uint8Array(34), new Float32Array(1), 1, 1, 48)).toThrow(
      ShapeError,
    );
    expect(() => kernels.matmul('q8_0', new Float32Array(32), new Uint8Array(33), new Float32Array(1), 1, 1, 32)).toThrow(
      /34 for q8_0/,
    );
  });

  it('zero-sized products return an empty result', () => {
    expect(run('f32', new Float32Array(0), new Float32Array(12), 0, 3, 4)).toHaveLength(0);
    expect(run('q4_0', new Float32Array(64), new Uint8Array(0), 2, 0, 32)).toHaveLength(0);
  });
});

/** f32 → bf16 bits (round to nearest even), for test inputs. */
function bf16Bits(src: Float32Array): Uint16Array {
  const u = new Uint32Array(src.buffer, src.byteOffset, src.length);
  return Uint16Array.from(u, (b) => (b + 0x7fff + ((b >> 16) & 1)) >>> 16);
}
