import { f16ToF32, f32ArrayToF16, ShapeError } from '@weft/core';
import { compareArrays, freshSeed, randnF32, randomInts } from '@weft/testing';
import { describe, expect, it } from 'vitest';
import { createCpuBackend } from './backend.js';
import { dequantizeRow, quantizeQ4_0, quantizeQ8_0 } from './dequant.js';
import { matmulReference } from './matmul.js';

const seed = freshSeed();
const b = createCpuBackend();
const f32 = (t: Parameters<typeof b.peek>[0]) => b.peek(t) as Float32Array;

/**
 * Relative error with the RMS of the expected values as the floor: f32 kernels that accumulate
 * in f32 (SIMD lanes, other summation orders) are judged against the output's scale, not against
 * the occasional near-zero entry that cancellation produces.
 */
function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol = 1e-5) {
  let rms = 0;
  for (let i = 0; i < expected.length; i++) rms += expected[i]! * expected[i]!;
  rms = Math.sqrt(rms / Math.max(1, expected.length));
  const c = compareArrays(actual, expected, rtol, rms);
  expect(c.ok, `${c.message} (seed ${seed})`).toBe(true);
}

describe(`CPU backend ops against plain float64 references (seed ${seed})`, () => {
  it('matmul f32 on odd shapes', () => {
    for (const [M, N, K] of [
      [1, 1, 1],
      [1, 7, 13],
      [5, 9, 3],
      [17, 33, 65],
      [3, 512, 64],
    ] as const) {
      const x = randnF32(M * K, seed + M);
      const w = randnF32(N * K, seed + N);
      const out = b.matmul(b.fromHost(x, [M, K]), b.fromHost(w, [N, K]));
      expect(out.shape).toEqual([M, N]);
      expectClose(f32(out), matmulReference(x, w, M, N, K));
    }
  });

  it('matmul with f16, q8_0 and q4_0 weights equals the reference on the dequantised weights', () => {
    const [M, N, K] = [3, 10, 64];
    const x = randnF32(M * K, seed + 1);
    const w = randnF32(N * K, seed + 2);
    const stored = {
      f16: f32ArrayToF16(w),
      q8_0: quantizeQ8_0(w, N, K),
      q4_0: quantizeQ4_0(w, N, K),
    } as const;
    for (const [dtype, data] of Object.entries(stored) as [keyof typeof stored, Uint8Array | Uint16Array][]) {
      const deq = new Float32Array(N * K);
      const row = new Float32Array(K);
      for (let n = 0; n < N; n++) {
        dequantizeRow(dtype, data, n, K, row);
        deq.set(row, n * K);
      }
      const out = b.matmul(b.fromHost(x, [M, K]), b.fromHost(data, [N, K], dtype));
      expectClose(f32(out), matmulReference(x, deq, M, N, K));
      // quantisation error is bounded by the block scale
      const tol = dtype === 'f16' ? 1e-3 : dtype === 'q8_0' ? 0.02 : 0.3;
      for (let i = 0; i < w.length; i++) expect(Math.abs(deq[i]! - w[i]!)).toBeLessThan(tol * Math.max(1, Math.abs(w[i]!)) + tol);
    }
  });

  it('q8_0 / q4_0 blocks follow the GGML layout', () => {
    const w = Float32Array.from({ length: 32 }, (_, i) => i - 16);
    const q8 = quantizeQ8_0(w, 1, 32);
    expect(q8.length).toBe(34);
    expect(f16ToF32(q8[0]! | (q8[1]! << 8))).toBeCloseTo(16 / 127, 4);
    const q4 = quantizeQ4_0(w, 1, 32);
    expect(q4.length).toBe(18);
    const row = new Float32Array(32);
    dequantizeRow('q4_0', q4, 0, 32, row);
    expect(row[0]).toBeCloseTo(-16, 1); // the signed max maps to nibble 0 → exactly −8·d
  });

  it('gather reads rows of every storage dtype', () => {
    const [V, C] = [11, 32];
    const table = randnF32(V * C, seed + 3);
    const ids = randomInts(6, seed + 4, V);
    const out = f32(b.gather(b.fromHost(table, [V, C]), ids));
    for (let t = 0; t < ids.length; t++)
      expect(Array.from(out.subarray(t * C, t * C + C))).toEqual(Array.from(table.subarray(ids[t]! * C, ids[t]! * C + C)));
    const h = f32(b.gather(b.fromHost(f32ArrayToF16(table), [V, C], 'f16'), ids));
    expectClose(h, out, 1e-3);
    expect(() => b.gather(b.fromHost(table, [V, C]), Int32Array.of(V))).toThrow(/outside the vocabulary/);
  });

  it('rmsNorm and layerNorm', () => {
    const [T, C] = [4, 24];
    const x = randnF32(T * C, seed + 5);
    const w = randnF32(C, seed + 6);
    const bias = randnF32(C, seed + 7);
    const rms = new Float64Array(T * C);
    const ln = new Float64Array(T * C);
    for (let t = 0; t < T; t++) {
      const row = Array.from(x.subarray(t * C, t * C + C));
      const ms = row.reduce((s, v) => s + v * v, 0) / C;
      const mean = row.reduce((s, v) => s + v, 0) / C;
      const vr = row.reduce((s, v) => s + (v - mean) ** 2, 0) / C;
      for (let i = 0; i < C; i++) {
        rms[t * C + i] = (w[i]! * row[i]!) / Math.sqrt(ms + 1e-5);
        ln[t * C + i] = ((row[i]! - mean) / Math.sqrt(vr + 1e-5)) * w[i]! + bias[i]!;
      }
    }
    expectClose(f32(b.rmsNorm(b.fromHost(x, [T, C]), b.fromHost(w, [C]), 1e-5)), rms);
    expectClose(f32(b.layerNorm(b.fromHost(x, [T, C]), b.fromHost(w, [C]), b.fromHost(bias, [C]), 1e-5)), ln);
  });

  it('elementwise ops, broadcasting and softmax', () => {
    const [T, C] = [3, 16];
    const a = randnF32(T * C, seed + 8);
    const c = randnF32(T * C, seed + 9);
    const row = randnF32(C, seed + 10);
    const A = b.fromHost(a, [T, C]);
    expectClose(
      f32(b.add(A, b.fromHost(c, [T, C]))),
      Array.from(a, (v, i) => v + c[i]!),
    );
    expectClose(
      f32(b.mul(A, b.fromHost(row, [C]))),
      Array.from(a, (v, i) => v * row[i % C]!),
    );
    expectClose(
      f32(b.swiglu(A, b.fromHost(c, [T, C]))),
      Array.from(a, (v, i) => (v / (1 + Math.exp(-v))) * c[i]!),
    );
    expectClose(
      f32(b.gelu(A)),
      Array.from(a, (v) => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3)))),
    );
    const sm = f32(b.softmax(A));
    for (let t = 0; t < T; t++) {
      const r = Array.from(a.subarray(t * C, t * C + C));
      const m = Math.max(...r);
      const z = r.reduce((s, v) => s + Math.exp(v - m), 0);
      expectClose(
        sm.subarray(t * C, t * C + C),
        r.map((v) => Math.exp(v - m) / z),
      );
    }
    expect(() => b.add(A, b.fromHost(new Float32Array(5), [5]))).toThrow(ShapeError);
  });

  it('attention (causal GQA) against a float64 reference, prefill and one decode step', () => {
    const [T, H, Hkv, D] = [6, 4, 2, 8];
    const q = randnF32(T * H * D, seed + 11);
    const k = randnF32(T * Hkv * D, seed + 12);
    const v = randnF32(T * Hkv * D, seed + 13);
    const ref = new Float64Array(T * H * D);
    for (let t = 0; t < T; t++)
      for (let h = 0; h < H; h++) {
        const g = Math.floor(h / (H / Hkv));
        const s = Array.from({ length: t + 1 }, (_, j) => {
          let dot = 0;
          for (let i = 0; i < D; i++) dot += q[(t * H + h) * D + i]! * k[(j * Hkv + g) * D + i]!;
          return dot / Math.sqrt(D);
        });
        const m = Math.max(...s);
        const e = s.map((x) => Math.exp(x - m));
        const z = e.reduce((a, x) => a + x, 0);
        for (let i = 0; i < D; i++) ref[(t * H + h) * D + i] = e.reduce((a, w, j) => a + (w / z) * v[(j * Hkv + g) * D + i]!, 0);
      }
    const spec = { kind: 'full', mask: { kind: 'causal' } } as const;
    const K = b.fromHost(k, [T, Hkv, D]);
    const V = b.fromHost(v, [T, Hkv, D]);
    const out = b.attention(b.fromHost(q, [T, H, D]), K, V, { spec, queryOffset: 0, kvLength: T });
    expectClose(f32(out), ref);
    const last = b.attention(b.fromHost(q.slice((T - 1) * H * D), [1, H, D]), K, V, { spec, queryOffset: T - 1, kvLength: T });
    expectClose(f32(last), ref.slice((T - 1) * H * D));
  });

  it('sliceRows / writeRows / reshape', () => {
    const x = b.fromHost(
      Float32Array.from({ length: 12 }, (_, i) => i),
      [4, 3],
    );
    expect(Array.from(f32(b.sliceRows(x, 1, 2)))).toEqual([3, 4, 5, 6, 7, 8]);
    const dst = b.zeros([5, 3]);
    b.writeRows(dst, b.sliceRows(x, 2, 2), 3);
    expect(Array.from(f32(dst))).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 6, 7, 8, 9, 10, 11]);
    expect(() => b.writeRows(dst, x, 3)).toThrow(/KV cache is full/);
    expect(b.reshape(x, [2, 6]).shape).toEqual([2, 6]);
    expect(() => b.reshape(x, [5])).toThrow(ShapeError);
    expect(() => b.fromHost(new Float32Array(3), [2, 2])).toThrow(/12 bytes given/);
  });

  it('tidy disposes intermediates and keeps returned tensors; read is async and copies', async () => {
    const base = b.liveTensors();
    const kept = b.tidy(() => {
      const a = b.fromHost(new Float32Array([1, 2]), [2]);
      const c = b.add(a, a);
      return { c };
    });
    expect(b.liveTensors()).toBe(base + 1);
    const data = (await b.read(kept.c)) as Float32Array;
    expect(Array.from(data)).toEqual([2, 4]);
    kept.c.dispose();
    expect(b.liveTensors()).toBe(base);
    expect(() => b.peek(kept.c)).toThrow(/disposed/);
  });
});

describe('row ops on every storage dtype', () => {
  it('sliceRows / writeRows keep f16 and q8_0 rows intact', () => {
    const [N, K] = [4, 64];
    const w = randnF32(N * K, seed + 20);
    for (const [dtype, data] of [
      ['f16', f32ArrayToF16(w)],
      ['q8_0', quantizeQ8_0(w, N, K)],
      ['q4_0', quantizeQ4_0(w, N, K)],
    ] as const) {
      const t = b.fromHost(data, [N, K], dtype);
      const mid = b.sliceRows(t, 1, 2);
      const dst = b.zeros([N, K], dtype);
      b.writeRows(dst, mid, 2);
      const row = new Float32Array(K);
      const expectRow = new Float32Array(K);
      for (const [src, dstRow] of [
        [1, 2],
        [2, 3],
      ]) {
        dequantizeRow(dtype, b.peek(dst), dstRow!, K, row);
        dequantizeRow(dtype, data, src!, K, expectRow);
        expect(Array.from(row)).toEqual(Array.from(expectRow));
      }
    }
  });
});
