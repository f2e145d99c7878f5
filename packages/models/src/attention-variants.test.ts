import { readFileSync } from 'node:fs';
import { type AttentionSpec, SpecError } from '@weft/core';
import { embeddedModel, fixture } from '@weft/testing';
import { loadLlama2cTokenizer } from '@weft/tokenizers';
import { describe, expect, it } from 'vitest';
import { withRecurrentLinearAttention } from './linear-attention.js';
import type { LlamaModel } from './llama/model.js';
import { loadLlama2c } from './loaders/llama2c.js';
import { convertToMla, convertToMlaAsync, gqaToMlaWeights, symmetricEigen } from './mla.js';

/**
 * stories260K (GQA: 8 heads, 4 kv heads, head dim 8) run with every attention variant,
 * selected through the loader's `attention` option (ModelConfig.attention).
 */
const modelBytes = readFileSync(embeddedModel('stories260K.bin'));
const tok = loadLlama2cTokenizer(readFileSync(embeddedModel('tok512.bin')), 'tok512.bin', 512);
const golden = (
  JSON.parse(readFileSync(fixture('llama2c/greedy-goldens.json'), 'utf8')) as {
    cases: { prompt: string; ids_after_bos: number[] }[];
  }
).cases.find((c) => c.prompt === '')!;
const STEPS = 200;

/** Greedy ids after BOS: one prefill of BOS, then one decode step per token. */
async function greedy(model: LlamaModel, steps = STEPS): Promise<number[]> {
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

const load = (attention?: AttentionSpec) => loadLlama2c(modelBytes, attention ? { attention } : {});
const fullIds = greedy(load({ kind: 'full' }));

describe('stories260K with each attention variant', () => {
  it('full attention reproduces llama2.c’s greedy story', async () => {
    expect(await fullIds).toEqual(golden.ids_after_bos.slice(0, STEPS));
  });

  it.each<AttentionSpec>([
    { kind: 'flash' },
    { kind: 'flash', blockSize: 16 },
    { kind: 'flash', blockSize: 5 },
    { kind: 'sliding-window', window: 512 },
  ])('%o gives the identical greedy story', async (spec) => {
    expect(await greedy(load(spec))).toEqual(await fullIds);
  });

  // Sparse variants equal full attention while every key is still inside their pattern, so the
  // story must agree up to that position and may drift afterwards.
  it.each<[AttentionSpec, number]>([
    [{ kind: 'sliding-window', window: 48, sinks: 4 }, 48],
    [{ kind: 'global-local', window: 40, globalTokens: [0, 1] }, 40],
    [{ kind: 'block-sparse', block: 16, globalBlocks: 1, randomBlocks: 2, seed: 1 }, 64],
    [{ kind: 'transient-global', window: 32, block: 16 }, 15],
    [{ kind: 'dilated', window: 48, dilation: 2 }, 1],
    [{ kind: 'linear', featureMap: 'elu+1' }, 0],
  ])('%o runs: same story for the first %i positions, then its own text', async (spec, exact) => {
    const ids = await greedy(load(spec));
    const reference = await fullIds;
    expect(ids.length).toBe(STEPS);
    for (const id of ids) expect(id >= 0 && id < 512).toBe(true);
    // the token produced at position p was computed by attention with queries up to p
    expect(ids.slice(0, exact)).toEqual(reference.slice(0, exact));
    const text = tok.decode([1, ...ids]);
    expect(text.trim().length).toBeGreaterThan(0);
    console.log(`${JSON.stringify(spec)}: ${JSON.stringify(text.slice(0, 120))}`);
  });
});

describe('linear attention with a recurrent state instead of a KV cache', () => {
  it.each<AttentionSpec & { kind: 'linear' }>([
    { kind: 'linear', featureMap: 'elu+1' },
    { kind: 'linear', featureMap: { kind: 'favor+', features: 32, seed: 1 } },
  ])('%o: O(1)-per-token decoding gives the same story as the stateless kernel over the cache', async (spec) => {
    const recurrent = await greedy(withRecurrentLinearAttention(load(), spec), 60);
    const stateless = await greedy(load(spec), 60);
    expect(recurrent).toEqual(stateless);
    console.log(`${JSON.stringify(spec)}: ${JSON.stringify(tok.decode([1, ...recurrent]).slice(0, 100))}`);
  });

  it('refuses a bidirectional spec (a recurrent state is causal)', () => {
    expect(() => withRecurrentLinearAttention(load(), { kind: 'linear', featureMap: 'elu+1', causal: false })).toThrow(SpecError);
  });

  it('refuses to rewind a recurrent state (speculative rollback needs a clone)', async () => {
    const model = withRecurrentLinearAttention(load(), { kind: 'linear', featureMap: 'elu+1' });
    const cache = model.createCache({ capacity: 8 });
    await model.forward([1, 400, 401], cache);
    expect(() => cache.truncate(2)).toThrow(/rewinding/);
    const fork = cache.clone();
    const [a, b] = [await model.forward([402], cache), await model.forward([402], fork)];
    expect(Array.from(b)).toEqual(Array.from(a));
  });
});

describe('MLA from the checkpoint’s own K/V weights', () => {
  it('the rank-r eigen-factorisation is the truncated SVD (reconstruction error = discarded eigenvalues)', () => {
    const n = 6;
    const a = Float64Array.from({ length: n * n }, (_, i) => Math.sin(i * 1.7) + Math.cos(i * 0.3));
    const sym = Float64Array.from({ length: n * n }, (_, i) => a[i]! + a[(i % n) * n + Math.floor(i / n)]!);
    const { values, vectors } = symmetricEigen(sym, n);
    for (let j = 0; j < n; j++) {
      for (let i = 0; i < n; i++) {
        let av = 0;
        for (let k = 0; k < n; k++) av += sym[i * n + k]! * vectors[k * n + j]!;
        expect(av).toBeCloseTo(values[j]! * vectors[i * n + j]!, 9);
      }
    }
    for (let j = 1; j < n; j++) expect(values[j]!).toBeLessThanOrEqual(values[j - 1]!);
  });

  it('full rank with RoPE on every pair reproduces the GQA story exactly', async () => {
    const mla = convertToMla(load(), { rank: 32 });
    expect(mla.config.attention).toEqual({ kind: 'mla', absorbed: true, latentDim: 32, ropeDim: 32 });
    expect(await greedy(mla)).toEqual(await fullIds);
  });

  it('convertToMlaAsync (any backend: weights read with backend.read) builds the same model', async () => {
    const [sync, viaRead] = [convertToMla(load(), { rank: 24 }), await convertToMlaAsync(load(), { rank: 24 })];
    expect(await greedy(viaRead, 40)).toEqual(await greedy(sync, 40));
  });

  it.each([{ rank: 24 }, { rank: 12 }, { rank: 48, ropePairs: 2 }, { rank: 16, ropePairs: 1 }])(
    '%o runs with a smaller latent cache (text may differ)',
    async (conversion) => {
      const mla = convertToMla(load(), conversion);
      const ids = await greedy(mla, 120);
      for (const id of ids) expect(id >= 0 && id < 512).toBe(true);
      const perToken =
        (mla.config.attention as { latentDim: number }).latentDim + (mla.config.attention as { ropeDim: number }).ropeDim;
      console.log(
        `MLA ${JSON.stringify(conversion)} (${perToken} floats/token/layer vs GQA 64): ${JSON.stringify(tok.decode([1, ...ids]).slice(0, 100))}`,
      );
      expect(perToken).toBeLessThanOrEqual(64);
    },
  );

  it('rejects ranks and RoPE pair counts out of range', () => {
    const gqa = { wq: new Float32Array(8 * 8 * 64), wk: new Float32Array(4 * 8 * 64), wv: new Float32Array(4 * 8 * 64) };
    expect(() => gqaToMlaWeights(gqa, { C: 64, H: 8, Hkv: 4, D: 8 }, { rank: 33 })).toThrow(/rank/);
    expect(() => gqaToMlaWeights(gqa, { C: 64, H: 8, Hkv: 4, D: 8 }, { rank: 8, ropePairs: 5 })).toThrow(/ropePairs/);
  });
});
