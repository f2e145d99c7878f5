import { readFileSync } from 'node:fs';
import { InvalidFileError, UnsupportedError } from '@weft/core';
import { embeddedModel, fixture } from '@weft/testing';
import { loadLlama2cTokenizer } from '@weft/tokenizers';
import { describe, expect, it } from 'vitest';
import type { LlamaModel } from '../llama/model.js';
import { loadLlama2c, readLlama2cHeader } from './llama2c.js';

const modelBytes = readFileSync(embeddedModel('stories260K.bin'));
const tok = loadLlama2cTokenizer(readFileSync(embeddedModel('tok512.bin')), 'tok512.bin', 512);
const goldens = JSON.parse(readFileSync(fixture('llama2c/greedy-goldens.json'), 'utf8')) as {
  cases: { prompt: string; steps: number; stdout: string; ids_after_bos: number[] }[];
};

function argmax(x: Float32Array): number {
  let best = 0;
  for (let i = 1; i < x.length; i++) if (x[i]! > x[best]!) best = i;
  return best;
}

/** run.c's generate loop at temperature 0: ids fed after BOS until BOS or `steps` positions. */
async function greedyLikeRunC(model: LlamaModel, prompt: string, steps: number): Promise<number[]> {
  const promptIds = tok.encode(prompt);
  const cache = model.createCache();
  const fed: number[] = [];
  let logits = await model.forward(promptIds, cache);
  fed.push(...promptIds.slice(1));
  // run.c samples one token per position from the last prompt position up to steps − 1.
  for (let pos = promptIds.length - 1; pos < steps; pos++) {
    const next = argmax(logits);
    if (next === 1) break;
    fed.push(next);
    if (pos + 1 < steps) logits = await model.forward([next], cache);
  }
  cache.dispose();
  return fed;
}

describe('llama2.c stories260K', () => {
  it('reads the header', () => {
    expect(readLlama2cHeader(modelBytes)).toMatchObject({
      dim: 64,
      hiddenDim: 172,
      layers: 5,
      heads: 8,
      kvHeads: 4,
      vocabSize: 512,
      seqLen: 512,
      sharedClassifier: true,
      version: 0,
    });
  });

  for (const c of goldens.cases) {
    it(`reproduces llama2.c's greedy ids for prompt ${JSON.stringify(c.prompt)} (${c.ids_after_bos.length} tokens)`, async () => {
      const model = loadLlama2c(modelBytes);
      const ids = await greedyLikeRunC(model, c.prompt, c.steps);
      expect(c.ids_after_bos.length).toBeGreaterThanOrEqual(200);
      expect(ids).toEqual(c.ids_after_bos);
      expect(tok.decode([1, ...ids]) + '\n').toBe(c.stdout);
    });
  }

  it('prefill in one call equals token-by-token feeding', async () => {
    const model = loadLlama2c(modelBytes);
    const ids = [1, ...goldens.cases[0]!.ids_after_bos.slice(0, 40)];
    const a = model.createCache();
    const all = await model.forward(ids, a, { logits: 'all' });
    const b = model.createCache();
    for (let t = 0; t < ids.length; t++) {
      const step = await model.forward([ids[t]!], b);
      const row = all.subarray(t * 512, (t + 1) * 512);
      for (let v = 0; v < 512; v++) expect(Math.abs(step[v]! - row[v]!)).toBeLessThan(1e-4);
    }
  });

  it('keeps the greedy story with f16 weights; q8_0 is refused for dim 64 only where K%32≠0', async () => {
    const f16 = loadLlama2c(modelBytes, { weightsDtype: 'f16' });
    const ids = await greedyLikeRunC(f16, '', 60);
    expect(ids.slice(0, 30)).toEqual(goldens.cases[0]!.ids_after_bos.slice(0, 30));
    expect(() => loadLlama2c(modelBytes, { weightsDtype: 'q8_0' })).toThrow(/172/);
  });

  it('clone and truncate give independent, rewindable caches', async () => {
    const model = loadLlama2c(modelBytes);
    const cache = model.createCache();
    await model.forward([1, 403, 407], cache);
    const fork = cache.clone();
    const a = await model.forward([261], cache);
    const b = await model.forward([261], fork);
    expect(Array.from(b)).toEqual(Array.from(a));
    cache.truncate(3);
    const c = await model.forward([261], cache);
    expect(Array.from(c)).toEqual(Array.from(a));
    expect(cache.length).toBe(4);
  });

  it('rejects truncated, padded and foreign files with a typed error naming the file', () => {
    const cases: [Uint8Array, RegExp][] = [
      [modelBytes.subarray(0, 10), /only 10 bytes/],
      [modelBytes.subarray(0, modelBytes.length - 4), /truncated/],
      [Buffer.concat([modelBytes, Buffer.alloc(8)]), /8 unexpected bytes/],
      [readFileSync(embeddedModel('tok512.bin')), /not a plausible size|not divisible|truncated/],
      [readFileSync(fixture('gguf/llama-2-tiny-random.gguf')), /not a plausible size|not divisible|truncated/],
    ];
    for (const [bytes, re] of cases) {
      let err: unknown;
      try {
        loadLlama2c(bytes, { fileName: 'bad.bin' });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(InvalidFileError);
      expect(String((err as Error).message)).toMatch(/bad\.bin/);
      expect(String((err as Error).message)).toMatch(re);
    }
    const v2 = Buffer.alloc(300);
    v2.writeUInt32LE(0x616b3432, 0);
    v2.writeInt32LE(2, 4);
    expect(() => loadLlama2c(v2, { fileName: 'q.bin' })).toThrow(UnsupportedError);
  });

  it('rejects out-of-vocabulary ids and cache overflow before computing', async () => {
    const model = loadLlama2c(modelBytes);
    const cache = model.createCache({ capacity: 4 });
    await expect(model.forward([1, 9999], cache)).rejects.toThrow(/outside the vocabulary/);
    await expect(model.forward([1, 2, 3, 4, 5], cache)).rejects.toThrow(/exceed the cache capacity 4/);
    expect(cache.length).toBe(0);
  });
});

describe('interpretability hooks', () => {
  it('logit lens: the last layer agrees with the model output; residuals have one row', async () => {
    const model = loadLlama2c(modelBytes);
    const ids = tok.encode('Once upon a time');
    const lens = await model.logitLens(ids, 3);
    expect(lens).toHaveLength(5);
    const cache = model.createCache();
    const logits = await model.forward(ids, cache);
    expect(lens[4]!.ids[0]).toBe(argmax(logits));
    for (const l of lens) {
      expect(l.probs[0]!).toBeGreaterThanOrEqual(l.probs[1]!);
      expect(l.probs[0]!).toBeLessThanOrEqual(1);
    }
    const d = await model.forwardDetailed([1], model.createCache(), { keepResiduals: true });
    expect(d.residuals.map((r) => r.length)).toEqual([64, 64, 64, 64, 64]);
    expect(d.hidden.length).toBe(64);
  });

  it('captures attention probabilities per layer and head only when asked', async () => {
    const model = loadLlama2c(modelBytes);
    const seen: [number, readonly number[]][] = [];
    await model.forward([1, 403, 407], model.createCache(), {
      captureAttention: (layer, probs, shape) => {
        seen.push([layer, shape]);
        // each query row is a distribution over the visible keys
        const [H, T, S] = shape;
        for (let h = 0; h < H; h++)
          for (let t = 0; t < T; t++) {
            let s = 0;
            for (let j = 0; j < S; j++) s += probs[(h * T + t) * S + j]!;
            expect(s).toBeCloseTo(1, 5);
          }
      },
    });
    expect(seen.map(([l]) => l)).toEqual([0, 1, 2, 3, 4]);
    expect(seen[0]![1]).toEqual([8, 3, 3]);
  });
});
