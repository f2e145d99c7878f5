import { attendReference } from '@weft/attention';
import type { AttentionCall } from '@weft/core';
import { compareArrays, freshSeed, randnF32 } from '@weft/testing';
import { describe, expect, it } from 'vitest';
import { gpuBackend } from './gpu.js';

/**
 * FAVOR+ with large-norm queries and keys (|x̂|²/2 well past f32's exp range): the features
 * exp(ω·x̂ − |x̂|²/2) underflow in f32, so before the rescaled features (attention-linear.ts,
 * linear-state.ts) every output here was 0 on the GPU while the float64 reference is not.
 * Prefill (stateless kernel, with capture) and a decode step (running state) against it.
 */
describe('FAVOR+ on WebGPU with large-norm rows', async () => {
  const gpu = await gpuBackend();
  for (const [T, what] of [
    [6, 'prefill + capture'],
    [1, 'decode step (running state)'],
  ] as const) {
    it.skipIf(typeof gpu === 'string')(`${what}: equals the float64 reference at input std 8 and 12`, async () => {
      if (typeof gpu === 'string') return;
      for (const std of [8, 12]) {
        const seed = freshSeed();
        const [S, H, Hkv, D] = [6, 2, 1, 8];
        const q = randnF32(T * H * D, seed, std);
        const k = randnF32(S * Hkv * D, seed + 1, std);
        const v = randnF32(S * Hkv * D, seed + 2);
        let got: Float32Array | undefined;
        let want: Float32Array | undefined;
        const call: AttentionCall = {
          spec: { kind: 'linear', featureMap: { kind: 'favor+', features: 32, seed: 1 } },
          queryOffset: S - T,
          kvLength: S,
        };
        const capture = T > 1 ? { capture: (p: Float32Array) => (got = p.slice()) } : {};
        const out = gpu.tidy(() =>
          gpu.attention(gpu.fromHost(q, [T, H, D]), gpu.fromHost(k, [S, Hkv, D]), gpu.fromHost(v, [S, Hkv, D]), {
            ...call,
            ...capture,
          }),
        );
        const o = (await gpu.read(out)) as Float32Array;
        out.dispose();
        const ref = attendReference(q, k, v, { T, H, Hkv, D, S }, { ...call, capture: (p) => (want = p.slice()) });
        const c = compareArrays(o, ref, 1e-3, 1e-3);
        expect(c.ok, `std ${std}: ${c.message} (WEFT_SEED=${seed})`).toBe(true);
        if (T > 1) {
          const cp = compareArrays(got!, want!, 1e-3, 1e-3);
          expect(cp.ok, `std ${std} capture: ${cp.message} (WEFT_SEED=${seed})`).toBe(true);
        }
      }
    });
  }
});
