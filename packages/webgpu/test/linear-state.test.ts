import { attendReference } from '@weft/attention';
import type { AttentionCall, AttentionSpec } from '@weft/core';
import { compareArrays, F16_TOLERANCE, freshSeed, randnF32, roundF16 } from '@weft/testing';
import { describe, expect, it } from 'vitest';
import { gpuBackend, gpuF16Backend } from './gpu.js';

/**
 * Linear attention decode steps on the GPU use a running state (fold the new cache rows,
 * read in O(m·D)); each step must equal the float64 reference over the whole cache, also
 * after the cache is rewound and rewritten (the state must notice and rebuild). At f16
 * precision: inputs rounded to f16 (as stored), F16_TOLERANCE.
 */
describe.each([
  ['f32', 1e-4],
  ['f16', F16_TOLERANCE],
] as const)('linear attention running state (%s)', async (precision, tolerance) => {
  const gpu = precision === 'f16' ? await gpuF16Backend() : await gpuBackend();
  const input = (x: Float32Array) => (precision === 'f16' ? x.map(roundF16) : x);
  const specs: AttentionSpec[] = [
    { kind: 'linear', featureMap: 'elu+1' },
    { kind: 'linear', featureMap: { kind: 'favor+', features: 24, seed: 11 } },
  ];
  for (const spec of specs) {
    it.skipIf(typeof gpu === 'string')(
      `${JSON.stringify(spec.featureMap)}: 40 decode steps + rewind equal the reference`,
      async () => {
        if (typeof gpu === 'string') return;
        const seed = freshSeed();
        const [S, H, Hkv, D] = [48, 4, 2, 16];
        const k = input(randnF32(S * Hkv * D, seed));
        const v = input(randnF32(S * Hkv * D, seed + 1));
        const kc = gpu.zeros([S, Hkv, D]);
        const vc = gpu.zeros([S, Hkv, D]);
        const hostK = new Float32Array(S * Hkv * D);
        const hostV = new Float32Array(S * Hkv * D);
        const live = gpu.liveTensors();
        const step = async (pos: number, src: number) => {
          const row = Hkv * D;
          hostK.set(k.subarray(src * row, src * row + row), pos * row);
          hostV.set(v.subarray(src * row, src * row + row), pos * row);
          gpu.tidy(() => {
            gpu.writeRows(kc, gpu.fromHost(k.subarray(src * row, src * row + row), [1, Hkv, D]), pos);
            gpu.writeRows(vc, gpu.fromHost(v.subarray(src * row, src * row + row), [1, Hkv, D]), pos);
          });
          const q = input(randnF32(H * D, seed + 100 + pos * 7 + src));
          const call: AttentionCall = { spec, queryOffset: pos, kvLength: pos + 1 };
          const out = gpu.tidy(() => gpu.attention(gpu.fromHost(q, [1, H, D]), kc, vc, call));
          const got = (await gpu.read(out)) as Float32Array;
          out.dispose();
          const want = attendReference(q, hostK, hostV, { T: 1, H, Hkv, D, S }, call);
          const c = compareArrays(got, want, tolerance, 0.1 * Math.sqrt(want.reduce((a, x) => a + x * x, 0) / want.length));
          expect(c.ok, `pos ${pos}: ${c.message} (WEFT_SEED=${seed})`).toBe(true);
        };
        for (let pos = 0; pos < 30; pos++) await step(pos, pos);
        expect(gpu.stats().linearStates).toBe(1);
        // rewind to 10 and write different rows: the state must rebuild
        for (let pos = 10; pos < 20; pos++) await step(pos, Math.min(pos + 25, 47));
        expect(gpu.liveTensors()).toBe(live);
        kc.dispose();
        vc.dispose();
        expect(gpu.stats().linearStates).toBe(0);
      },
    );
  }
});
