import { ShapeError, SpecError } from '@weft/core';
import { applyRope } from '@weft/positional';
import { freshSeed, randnF32 } from '@weft/testing';
import { describe, expect, it } from 'vitest';
import { expectClose, rows } from '../test/helpers.js';
import { attendCpu, attendReference } from './attend.js';
import { createMlaCache, type MlaWeights, mlaAbsorbed, type RopeFn, referenceMla } from './mla.js';

const rope: RopeFn = (x, T, heads, headDim, offset) => applyRope(x, T, heads, headDim, { base: 10000, layout: 'pairs', offset });

function randomWeights(
  seed: number,
  o: { C: number; H: number; dn: number; dr: number; dv: number; r: number; ropeHeads?: number },
): MlaWeights {
  const w = (n: number, k: number, fanIn: number) => randnF32(n, seed + k, 1 / Math.sqrt(fanIn));
  return {
    C: o.C,
    H: o.H,
    nopeDim: o.dn,
    ropeDim: o.dr,
    valueDim: o.dv,
    latentDim: o.r,
    ropeHeads: o.ropeHeads,
    wq: w(o.H * (o.dn + o.dr) * o.C, 1, o.C / 4),
    wDkv: w(o.r * o.C, 2, o.C),
    wKr: w(o.dr * o.C, 3, o.C / 4),
    wUk: w(o.H * o.dn * o.r, 4, o.r),
    wUv: w(o.H * o.dv * o.r, 5, o.r),
  };
}

describe('multi-head latent attention', () => {
  it.each([
    { C: 32, H: 4, dn: 8, dr: 4, dv: 8, r: 12 },
    { C: 24, H: 3, dn: 6, dr: 8, dv: 5, r: 7, ropeHeads: 2 },
    { C: 16, H: 2, dn: 4, dr: 0, dv: 4, r: 6 },
  ])('absorbed path (latent cache only) equals the naive decompressed path: %o', (dims) => {
    const seed = freshSeed();
    const w = randomWeights(seed, dims);
    const L = 15;
    const x = randnF32(L * dims.C, seed + 100);
    const naive = referenceMla(x, w, rope);
    const cache = createMlaCache(w, 20);
    const prompt = mlaAbsorbed(x.subarray(0, 9 * dims.C), w, cache, rope);
    const width = dims.H * dims.dv;
    expectClose(prompt, rows(naive, 0, 9, 1, width), seed, 'prefill');
    for (let t = 9; t < L; t++) {
      const step = mlaAbsorbed(x.subarray(t * dims.C, (t + 1) * dims.C), w, cache, rope);
      expectClose(step, rows(naive, t, 1, 1, width), seed, `decode ${t}`);
    }
    expect(cache.length).toBe(L);
    expect(cache.rows.length).toBe(20 * (dims.r + dims.dr)); // r + dr floats per token for all heads
  });

  it('latent kernel: fast equals reference; checks kv heads, head dim and scale', () => {
    const seed = freshSeed();
    const spec = { kind: 'mla', latentDim: 6, ropeDim: 2 } as const;
    const d = { T: 7, H: 4, Hkv: 1, D: 8, S: 9 };
    const q = randnF32(7 * 4 * 8, seed);
    const kv = randnF32(9 * 8, seed + 1);
    const call = { spec, queryOffset: 2, kvLength: 9, scale: 0.3 };
    const out = attendCpu(q, kv, kv, d, call);
    expectClose(out, attendReference(q, kv, kv, d, call), seed, 'latent kernel');
    expect(out[6]).toBe(0); // the rope columns of the output are zero
    expect(() => attendCpu(q, kv, kv, d, { ...call, scale: undefined })).toThrow(SpecError);
    expect(() => attendCpu(q, kv, kv, { ...d, D: 8 }, { ...call, spec: { ...spec, latentDim: 5 } })).toThrow(ShapeError);
    const q2 = randnF32(7 * 4 * 8, seed);
    const kv2 = randnF32(9 * 2 * 8, seed);
    expect(() => attendCpu(q2, kv2, kv2, { ...d, Hkv: 2 }, call)).toThrow(SpecError);
  });

  it('rejects mis-sized weights and a full cache', () => {
    const w = randomWeights(1, { C: 8, H: 2, dn: 2, dr: 2, dv: 2, r: 3 });
    expect(() => mlaAbsorbed(new Float32Array(8), { ...w, wUk: new Float32Array(3) }, createMlaCache(w, 4), rope)).toThrow(
      ShapeError,
    );
    const cache = createMlaCache(w, 1);
    mlaAbsorbed(new Float32Array(8), w, cache, rope);
    expect(() => mlaAbsorbed(new Float32Array(8), w, cache, rope)).toThrow(ShapeError);
  });
});
