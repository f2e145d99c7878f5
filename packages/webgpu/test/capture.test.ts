import { attendReference } from '@weft/attention';
import { type AttentionCall, type AttentionSpec, ShapeError } from '@weft/core';
import { compareArrays, F16_TOLERANCE, freshSeed, randnF32, roundF16 } from '@weft/testing';
import { describe, expect, it } from 'vitest';
import { gpuBackend, gpuF16Backend } from './gpu.js';

/**
 * call.capture on WebGPU: probabilities [H, T, kvLength] equal the reference's, delivered before
 * the next read resolves. At f16 precision the inputs are rounded to f16 first (what the backend
 * stores) and the tolerance is the suite's F16_TOLERANCE.
 */
describe.each([
  ['f32', 1e-4],
  ['f16', F16_TOLERANCE],
] as const)('attention capture (%s)', async (precision, tolerance) => {
  const gpu = precision === 'f16' ? await gpuF16Backend() : await gpuBackend();
  const input = (x: Float32Array) => (precision === 'f16' ? x.map(roundF16) : x);
  const specs: AttentionSpec[] = [
    { kind: 'full' },
    { kind: 'sliding-window', window: 5, sinks: 1 },
    { kind: 'block-sparse', block: 4, windowBlocks: 1, globalBlocks: 1, randomBlocks: 1, seed: 3 },
    // linear attention: the implicit weights φ(q)·φ(k) / Σ φ(q)·φ(k') (kernels/attention-linear-probs.ts)
    { kind: 'linear', featureMap: 'elu+1' },
    { kind: 'linear', featureMap: 'elu+1', causal: false },
    { kind: 'linear', featureMap: { kind: 'favor+', features: 24, seed: 5 } },
    { kind: 'linear', featureMap: { kind: 'favor+', features: 16, seed: 2 }, causal: false },
  ];
  for (const spec of specs) {
    for (const [T, offset] of [
      [20, 0],
      [1, 19],
    ] as const) {
      it.skipIf(typeof gpu === 'string')(`${JSON.stringify(spec)} T=${T}`, async () => {
        if (typeof gpu === 'string') return;
        const seed = freshSeed();
        const [S, H, Hkv, D, L] = [24, 4, 2, 16, 20];
        const q = input(randnF32(T * H * D, seed));
        const k = input(randnF32(S * Hkv * D, seed + 1));
        const v = input(randnF32(S * Hkv * D, seed + 2));
        let got: Float32Array | undefined;
        let want: Float32Array | undefined;
        const call: AttentionCall = {
          spec,
          queryOffset: offset,
          kvLength: L,
          capture: (p, shape) => {
            expect(shape).toEqual([H, T, L]);
            got = p.slice();
          },
        };
        const out = gpu.tidy(() =>
          gpu.attention(gpu.fromHost(q, [T, H, D]), gpu.fromHost(k, [S, Hkv, D]), gpu.fromHost(v, [S, Hkv, D]), call),
        );
        await gpu.read(out);
        out.dispose();
        expect(got, 'capture was not called before read() resolved').toBeDefined();
        attendReference(q, k, v, { T, H, Hkv, D, S }, { ...call, capture: (p) => (want = p.slice()) });
        const c = compareArrays(got!, want!, tolerance, 1e-3);
        expect(c.ok, `${c.message} (WEFT_SEED=${seed})`).toBe(true);
      });
    }
  }

  it.skipIf(typeof gpu === 'string')('linear attention with a padding keyMask', async () => {
    if (typeof gpu === 'string') return;
    const seed = freshSeed();
    const [T, S, H, Hkv, D, L] = [6, 12, 4, 1, 8, 10];
    const q = input(randnF32(T * H * D, seed));
    const k = input(randnF32(S * Hkv * D, seed + 1));
    const v = input(randnF32(S * Hkv * D, seed + 2));
    const keyMask = Uint8Array.from({ length: L }, (_, s) => (s === 0 || s === 5 ? 0 : 1));
    for (const spec of [
      { kind: 'linear', featureMap: 'elu+1' },
      { kind: 'linear', featureMap: { kind: 'favor+', features: 8, seed: 9 }, causal: false },
    ] satisfies AttentionSpec[]) {
      let got: Float32Array | undefined;
      let want: Float32Array | undefined;
      const call: AttentionCall = { spec, queryOffset: 4, kvLength: L, keyMask, capture: (p) => (got = p.slice()) };
      const out = gpu.tidy(() =>
        gpu.attention(gpu.fromHost(q, [T, H, D]), gpu.fromHost(k, [S, Hkv, D]), gpu.fromHost(v, [S, Hkv, D]), call),
      );
      await gpu.read(out);
      out.dispose();
      attendReference(q, k, v, { T, H, Hkv, D, S }, { ...call, capture: (p) => (want = p.slice()) });
      expect(got![0]).toBe(0); // key 0 is padding
      const c = compareArrays(got!, want!, tolerance, 1e-3);
      expect(c.ok, `${JSON.stringify(spec)}: ${c.message} (WEFT_SEED=${seed})`).toBe(true);
    }
  });
});

describe('capture delivery and keyMask checks', async () => {
  const gpu = await gpuBackend();
  it.skipIf(typeof gpu === 'string')('callbacks run in dispatch order (layer order), all before read() resolves', async () => {
    if (typeof gpu === 'string') return;
    const seed = freshSeed();
    const [T, H, D, L] = [6, 2, 8, 6];
    const order: number[] = [];
    const out = gpu.tidy(() => {
      let x = gpu.fromHost(randnF32(T * H * D, seed), [T, H, D]);
      // eight "layers" of growing probability size, so later readbacks are not slower by construction
      for (let layer = 0; layer < 8; layer++) {
        const kv = gpu.fromHost(randnF32(L * H * D, seed + layer + 1), [L, H, D]);
        x = gpu.attention(x, kv, kv, {
          spec: { kind: 'full' },
          queryOffset: 0,
          kvLength: L,
          capture: () => order.push(layer),
        });
      }
      return x;
    });
    await gpu.read(out);
    out.dispose();
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it.skipIf(typeof gpu === 'string')('a keyMask shorter than kvLength is a ShapeError (as on the CPU)', () => {
    if (typeof gpu === 'string') return;
    const q = gpu.zeros([1, 2, 8]);
    const kv = gpu.zeros([6, 2, 8]);
    expect(() =>
      gpu.attention(q, kv, kv, { spec: { kind: 'full' }, queryOffset: 5, kvLength: 6, keyMask: new Uint8Array(4).fill(1) }),
    ).toThrow(ShapeError);
    for (const t of [q, kv]) t.dispose();
  });
});
