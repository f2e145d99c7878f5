import { type DType, f16ArrayToF32, f32ArrayToF16 } from '@weft/core';
import {
  compareArrays,
  encodeWeights,
  F16_TOLERANCE,
  F32_TOLERANCE,
  freshSeed,
  matmulRef,
  randnF32,
  roundF16,
} from '@weft/testing';
import type { WebGpuBackend } from '@weft/webgpu';
import { describe, expect, it } from 'vitest';
import { GEMV_MAX_M, type MatmulKernel, runMatmul } from '../src/kernels/matmul.js';
import type { Runtime } from '../src/runtime.js';
import { gpuBackend, gpuF16Backend } from './gpu.js';

// Every matmul kernel — not only the one each family selects — against the float64
// reference, for every weight dtype, aligned and unaligned K, and ragged M/N edges. The
// conformance suite covers the selected kernels through Backend.matmul; this file forces each,
// at f32 and (on shader-f16 adapters) at f16 precision: x and out f16, f32 weights stored as
// f16, inputs rounded to f16 for the reference, F16_TOLERANCE.

/** The suite's rule: relative error with a floor of 0.1·RMS of the reference (f32 accumulation cancels near zero). */
function check(got: Float32Array, want: Float64Array, seed: number, tolerance = F32_TOLERANCE): void {
  const rms = Math.sqrt(want.reduce((s, v) => s + v * v, 0) / want.length);
  const r = compareArrays(got, want, tolerance, 0.1 * rms);
  expect(r.ok, `${r.message} (WEFT_SEED=${seed})`).toBe(true);
}

const runtime = (b: WebGpuBackend): Runtime => (b as unknown as { rt: Runtime }).rt;

function upload(rt: Runtime, data: ArrayBufferView): GPUBuffer {
  const bytes = new Uint8Array(Math.max(16, Math.ceil(data.byteLength / 16) * 16));
  bytes.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  const buf = rt.storage.acquire(bytes.byteLength, 'test');
  rt.write(buf, 0, bytes);
  return buf;
}

const kernels: readonly { kernel: MatmulKernel; rows: readonly number[] }[] = [
  { kernel: 'gemv', rows: [1, 2, 3, 4] },
  { kernel: 'gemv-coop', rows: [1, 4] },
  { kernel: 'tiled', rows: [5, 67] },
  { kernel: 'tiled-reg', rows: [5, 18, 67] },
];
const shapes: readonly { dtype: DType; N: number; K: number }[] = [
  ...(['f32', 'f16', 'bf16', 'q8_0', 'q4_0'] as const).map((dtype) => ({ dtype, N: 37, K: 96 })),
  { dtype: 'f32', N: 70, K: 30 },
  { dtype: 'f32', N: 9, K: 13 },
  { dtype: 'f16', N: 33, K: 22 },
];

/** Runs one forced kernel at f32 precision on fresh seeded inputs and checks it. */
async function forced(gpu: WebGpuBackend, kernel: MatmulKernel, dtype: DType, M: number, N: number, K: number): Promise<void> {
  const rt = runtime(gpu);
  const seed = freshSeed();
  const x = randnF32(M * K, seed);
  const w = encodeWeights(randnF32(N * K, seed + 1), dtype);
  const xb = upload(rt, x);
  const wb = upload(rt, w.data);
  const ob = rt.storage.acquire(Math.max(16, M * N * 4), 'test');
  try {
    runMatmul(rt, dtype, xb, wb, ob, M, N, K, kernel);
    const got = new Float32Array((await rt.readBytes(ob, 0, M * N * 4)).buffer);
    check(got, matmulRef(x, w.values, M, N, K), seed);
  } finally {
    for (const b of [xb, wb, ob]) rt.storage.release(b);
  }
}

describe('matmul kernels vs float64 reference', async () => {
  const gpu = await gpuBackend();
  for (const { kernel, rows } of kernels)
    for (const { dtype, N, K } of shapes)
      for (const M of rows)
        it.skipIf(typeof gpu === 'string')(`${kernel} ${dtype} [${M},${K}]·[${N},${K}]ᵀ`, async () => {
          if (typeof gpu !== 'string') await forced(gpu, kernel, dtype, M, N, K);
        });

  it.skipIf(typeof gpu === 'string')('gemv kernels refuse more than GEMV_MAX_M rows (falls back to tiled)', async () => {
    if (typeof gpu !== 'string') await forced(gpu, 'gemv', 'f32', GEMV_MAX_M + 3, 12, 32);
  });
});

describe('matmul kernels at f16 precision vs float64 reference', async () => {
  const gpu = await gpuF16Backend();
  for (const { kernel, rows } of kernels)
    for (const { dtype, N, K } of shapes)
      for (const M of rows)
        it.skipIf(typeof gpu === 'string')(`${kernel} ${dtype} [${M},${K}]·[${N},${K}]ᵀ`, async () => {
          if (typeof gpu === 'string') return;
          const rt = runtime(gpu);
          const seed = freshSeed();
          const x = randnF32(M * K, seed).map(roundF16);
          const w = encodeWeights(randnF32(N * K, seed + 1).map(roundF16), dtype);
          // f32 weights live as f16 at this precision
          const stored: DType = dtype === 'f32' ? 'f16' : dtype;
          const xb = upload(rt, f32ArrayToF16(x));
          const wb = upload(rt, dtype === 'f32' ? f32ArrayToF16(w.data as Float32Array) : w.data);
          const ob = rt.storage.acquire(Math.max(16, M * N * 2), 'test');
          try {
            runMatmul(rt, stored, xb, wb, ob, M, N, K, kernel);
            const got = f16ArrayToF32(new Uint16Array((await rt.readBytes(ob, 0, M * N * 2)).buffer, 0, M * N));
            check(got, matmulRef(x, w.values, M, N, K), seed, F16_TOLERANCE);
          } finally {
            for (const b of [xb, wb, ob]) rt.storage.release(b);
          }
        });
});
