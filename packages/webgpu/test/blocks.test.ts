import { readFileSync } from 'node:fs';
import { type MlaWeights, referenceMla } from '@weft/attention';
import { type AttentionSpec, type Backend, UnsupportedError } from '@weft/core';
import { createCpuBackend } from '@weft/cpu';
import {
  convertToMla,
  convertToMlaAsync,
  type LlamaModel,
  loadLlama2c,
  MlaAttention,
  partialPairsRope,
  partialPairsRopeCall,
  withRecurrentLinearAttention,
} from '@weft/models';
import { compareArrays, embeddedModel, F16_TOLERANCE, fixture, freshSeed, randnF32 } from '@weft/testing';
import { describe, expect, it } from 'vitest';
import { gpuBackend, gpuF16Backend } from './gpu.js';

/**
 * The attention blocks that used to be CPU-only — MLA (packages/models/src/mla.ts) and
 * linear attention decoded in O(1) per token (linear-attention.ts) — on WebGPU, against the
 * float64 reference (random MLA layer) and the CPU backend (stories260K greedy stories).
 */
const modelBytes = readFileSync(embeddedModel('stories260K.bin'));
const golden = (
  JSON.parse(readFileSync(fixture('llama2c/greedy-goldens.json'), 'utf8')) as {
    cases: { prompt: string; ids_after_bos: number[] }[];
  }
).cases.find((c) => c.prompt === '')!;

/** Greedy ids after BOS: one prefill of BOS, then one decode step per token. */
async function greedy(model: LlamaModel, steps: number): Promise<number[]> {
  const cache = model.createCache({ capacity: steps + 1 });
  const ids: number[] = [];
  let logits = await model.forward([1], cache);
  for (let i = 0; i < steps; i++) {
    let best = 0;
    for (let v = 1; v < logits.length; v++) if (logits[v]! > logits[best]!) best = v;
    ids.push(best);
    if (i + 1 < steps) logits = await model.forward([best], cache);
  }
  cache.dispose();
  return ids;
}

/**
 * A random MLA layer with every part non-trivial: no-RoPE query dims (absorbed W_UK), two
 * RoPE heads of 2P = 4 dims with the frequencies of head dim 8, value dim ≠ latent rank.
 * wo is the identity (C = H·dv), so the block's output is the per-head output itself.
 */
function randomMla(seed: number): { w: MlaWeights; wo: Float32Array } {
  const [C, H, dn, dr, dv, r] = [16, 4, 6, 8, 4, 7];
  const w: MlaWeights = {
    C,
    H,
    nopeDim: dn,
    ropeDim: dr,
    valueDim: dv,
    latentDim: r,
    ropeHeads: 2,
    wq: randnF32(H * (dn + dr) * C, seed, 0.3),
    wDkv: randnF32(r * C, seed + 1, 0.3),
    wKr: randnF32(dr * C, seed + 2, 0.3),
    wUk: randnF32(H * dn * r, seed + 3, 0.4),
    wUv: randnF32(H * dv * r, seed + 4, 0.4),
  };
  const wo = new Float32Array(C * C);
  for (let i = 0; i < C; i++) wo[i * C + i] = 1;
  return { w, wo };
}

/** Runs the block over x:[L,C] as a prefill of `prefill` tokens then one token per step. */
async function runMlaBlock(b: Backend, w: MlaWeights, wo: Float32Array, x: Float32Array, prefill: number): Promise<Float32Array> {
  const C = w.C;
  const L = x.length / C;
  const block = new MlaAttention(w, b.fromHost(wo, [C, C]), partialPairsRopeCall(8, 10000, 2), b);
  const state = block.createState(b, L + 2);
  const out = new Float32Array(L * C);
  for (let pos = 0; pos < L; ) {
    const T = pos === 0 ? prefill : 1;
    const y = b.tidy(() =>
      block.forward(b.fromHost(x.slice(pos * C, (pos + T) * C), [T, C]), state, { backend: b, position: pos }),
    );
    out.set((await b.read(y)) as Float32Array, pos * C);
    y.dispose();
    pos += T;
  }
  state.dispose();
  for (const t of Object.values(block.weights)) t.dispose();
  return out;
}

describe.each([
  ['cpu', 1e-4],
  ['webgpu', 1e-4],
  ['webgpu f16', F16_TOLERANCE],
] as const)('MLA block on %s vs the float64 reference', async (name, tolerance) => {
  const b: Backend | string =
    name === 'cpu' ? createCpuBackend() : name === 'webgpu' ? await gpuBackend() : await gpuF16Backend();
  it.skipIf(typeof b === 'string')(
    'prefill + decode steps equal referenceMla (absorbed W_UK, decoupled RoPE, W_UV)',
    async () => {
      if (typeof b === 'string') return;
      const seed = freshSeed();
      const { w, wo } = randomMla(seed);
      const x = randnF32(9 * w.C, seed + 5);
      const want = referenceMla(x, w, partialPairsRope(8, 10000));
      const live = b.liveTensors();
      const got = await runMlaBlock(b, w, wo, x, 5);
      expect(b.liveTensors()).toBe(live);
      // errors relative to max(|e|, 0.1·rms) as the conformance suite; f16 stores activations and
      // weights at 11 bits, so there relative to max(|e|, rms)
      const rms = Math.sqrt(want.reduce((a, x) => a + x * x, 0) / want.length);
      const c = compareArrays(got, want, tolerance, name === 'webgpu f16' ? rms : 0.1 * rms);
      console.log(`MLA block ${name}: max abs error ${c.maxAbsError.toExponential(2)} (output rms ${rms.toFixed(3)})`);
      expect(c.ok, `${name}: ${c.message} (WEFT_SEED=${seed})`).toBe(true);
    },
  );
});

describe('stories260K MLA and O(1)-decode linear attention on WebGPU = CPU', async () => {
  const gpu = await gpuBackend();
  const skip = typeof gpu === 'string';
  const cpuModel = () => loadLlama2c(modelBytes);

  it.skipIf(skip)(
    'MLA at full rank (rank 32, RoPE on every pair): the greedy story equals the CPU one and the GQA golden',
    async () => {
      if (typeof gpu === 'string') return;
      const base = loadLlama2c(modelBytes, { backend: gpu });
      const mla = await convertToMlaAsync(base, { rank: 32 });
      expect(mla.config.attention).toEqual({ kind: 'mla', absorbed: true, latentDim: 32, ropeDim: 32 });
      const ids = await greedy(mla, 200);
      const cpu = await greedy(convertToMla(cpuModel(), { rank: 32 }), 200);
      expect(ids).toEqual(cpu);
      expect(ids).toEqual(golden.ids_after_bos.slice(0, 200));
      mla.dispose();
    },
    300_000,
  );

  it.skipIf(skip)('MLA attention capture through the model equals the CPU one', async () => {
    if (typeof gpu === 'string') return;
    const ids = [1, 403, 407, 261, 378];
    const probsOf = async (model: LlamaModel) => {
      const maps: Float32Array[] = [];
      const cache = model.createCache({ capacity: 8 });
      await model.forward(ids, cache, {
        captureAttention: (layer, p, shape) => {
          expect(shape).toEqual([8, ids.length, ids.length]);
          maps[layer] = p.slice(); // WebGPU delivers layers as their read-backs resolve
        },
      });
      cache.dispose();
      return maps;
    };
    const mla = await convertToMlaAsync(loadLlama2c(modelBytes, { backend: gpu }), { rank: 24 });
    const [got, want] = [await probsOf(mla), await probsOf(convertToMla(cpuModel(), { rank: 24 }))];
    expect(got.filter(Boolean).length).toBe(5);
    got.forEach((p, l) => {
      const c = compareArrays(p, want[l]!, 1e-3, 1e-3);
      expect(c.ok, `layer ${l}: ${c.message}`).toBe(true);
    });
    mla.dispose();
  });

  it.skipIf(skip)(
    'MLA at a reduced rank ({ rank: 16, ropePairs: 1 }): same greedy story as the CPU',
    async () => {
      if (typeof gpu === 'string') return;
      const mla = await convertToMlaAsync(loadLlama2c(modelBytes, { backend: gpu }), { rank: 16, ropePairs: 1 });
      const ids = await greedy(mla, 120);
      expect(ids).toEqual(await greedy(convertToMla(cpuModel(), { rank: 16, ropePairs: 1 }), 120));
      mla.dispose();
    },
    300_000,
  );

  it.skipIf(skip).each<AttentionSpec & { kind: 'linear' }>([
    { kind: 'linear', featureMap: 'elu+1' },
    { kind: 'linear', featureMap: { kind: 'favor+', features: 32, seed: 1 } },
  ])(
    '%o with O(1) decode: same greedy story as the CPU recurrent state, through the running state',
    async (spec) => {
      if (typeof gpu === 'string') return;
      const model = withRecurrentLinearAttention(loadLlama2c(modelBytes, { backend: gpu }), spec);
      const before = gpu.stats().linearStates;
      const cache = model.createCache({ capacity: 61 });
      await model.forward([1], cache);
      await model.forward([400], cache);
      // the decode step went through the backend's running state (one per layer's cache)
      expect(gpu.stats().linearStates).toBe(before + model.config.layers);
      cache.dispose();
      expect(gpu.stats().linearStates).toBe(before);
      const ids = await greedy(model, 60);
      expect(ids).toEqual(await greedy(withRecurrentLinearAttention(cpuModel(), spec), 60));
      model.dispose();
    },
    300_000,
  );

  it.skipIf(skip)('FAVOR+ redrawEvery is refused off the CPU with a typed error', () => {
    if (typeof gpu === 'string') return;
    const model = withRecurrentLinearAttention(loadLlama2c(modelBytes, { backend: gpu }), {
      kind: 'linear',
      featureMap: { kind: 'favor+', features: 16, seed: 1, redrawEvery: 2 },
    });
    expect(() => model.createCache({ capacity: 4 })).toThrow(UnsupportedError);
    expect(() => model.createCache({ capacity: 4 })).toThrow(/redrawEvery.*CPU backend/);
    model.dispose();
  });

  it.skipIf(skip)('the synchronous MLA conversion of a GPU model points to convertToMlaAsync', () => {
    if (typeof gpu === 'string') return;
    const model = loadLlama2c(modelBytes, { backend: gpu });
    expect(() => convertToMla(model, { rank: 32 })).toThrow(UnsupportedError);
    expect(() => convertToMla(model, { rank: 32 })).toThrow(/convertToMlaAsync/);
    model.dispose();
  });
});

// f16 precision (activations, caches and weights stored as f16; shader-f16 adapters such as
// Mesa ≥ 25 lavapipe). Measured there 2026-11-22: all of these equal, token for token.
describe('stories260K MLA and O(1)-decode linear attention on WebGPU at f16 precision', async () => {
  const gpu = await gpuF16Backend();
  const skip = typeof gpu === 'string';

  it.skipIf(skip)(
    'MLA at full rank: the 200-token greedy story is still llama2.c’s',
    async () => {
      if (typeof gpu === 'string') return;
      const mla = await convertToMlaAsync(loadLlama2c(modelBytes, { backend: gpu }), { rank: 32 });
      expect(await greedy(mla, 200)).toEqual(golden.ids_after_bos.slice(0, 200));
      mla.dispose();
    },
    300_000,
  );

  it.skipIf(skip).each<AttentionSpec & { kind: 'linear' }>([
    { kind: 'linear', featureMap: 'elu+1' },
    { kind: 'linear', featureMap: { kind: 'favor+', features: 32, seed: 1 } },
  ])(
    '%o with O(1) decode: same 60 greedy tokens as the CPU recurrent state',
    async (spec) => {
      if (typeof gpu === 'string') return;
      const model = withRecurrentLinearAttention(loadLlama2c(modelBytes, { backend: gpu }), spec);
      expect(await greedy(model, 60)).toEqual(await greedy(withRecurrentLinearAttention(loadLlama2c(modelBytes), spec), 60));
      model.dispose();
    },
    300_000,
  );
});
