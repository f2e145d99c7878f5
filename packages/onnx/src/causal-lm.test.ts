import { readFileSync } from 'node:fs';
import { InvalidFileError } from '@weft/core';
import { generateTokens } from '@weft/decoding';
import { fixture } from '@weft/testing';
import * as ort from 'onnxruntime-web';
import { describe, expect, it } from 'vitest';
import type { OnnxCausalLM } from './causal-lm.js';
import { loadOnnxCausalLM } from './load.js';

ort.env.wasm.numThreads = 1;

const models: [string, () => Promise<OnnxCausalLM>][] = [
  [
    'tiny-random-gpt2 (stacked past, f32)',
    () => loadOnnxCausalLM(readFileSync(fixture('tiny-random-gpt2/past.onnx')), { name: 'past.onnx', contextLength: 512 }),
  ],
  [
    'tiny-random-llama (split past, f16)',
    () =>
      loadOnnxCausalLM(readFileSync(fixture('tiny-random-llama-onnx/model.onnx')), {
        name: 'model.onnx',
        externalData: [{ path: 'model.onnx.data', data: readFileSync(fixture('tiny-random-llama-onnx/model.onnx.data')) }],
      }),
  ],
];

function argmax(x: Float32Array): number {
  let best = 0;
  for (let i = 1; i < x.length; i++) if (x[i]! > x[best]!) best = i;
  return best;
}

describe.each(models)('%s', (_, load) => {
  it('greedy generation through @weft/decoding equals greedy recomputation without a cache', async () => {
    const lm = await load();
    const prompt = [5, 17, 42];
    const viaCache: number[] = [];
    for await (const id of generateTokens(lm, prompt, { maxNewTokens: 12, temperature: 0 })) viaCache.push(id);
    const seq = [...prompt];
    const recomputed: number[] = [];
    for (let i = 0; i < 12; i++) {
      const next = argmax(await lm.forward(seq, lm.createCache()));
      recomputed.push(next);
      seq.push(next);
    }
    expect(viaCache).toEqual(recomputed);
  });

  it('logits: all rows, truncate and clone behave like a fresh run', async () => {
    const lm = await load();
    const V = lm.config.vocabSize;
    const cache = lm.createCache();
    const all = await lm.forward([1, 2, 3, 4], cache, { logits: 'all' });
    expect(all.length).toBe(4 * V);
    const fork = cache.clone();
    cache.truncate(2);
    const again = await lm.forward([3, 4], cache, { logits: 'all' });
    for (let i = 0; i < 2 * V; i++) expect(again[i]!).toBeCloseTo(all[2 * V + i]!, 2);
    const a = await lm.forward([9], cache);
    const b = await lm.forward([9], fork);
    for (let i = 0; i < V; i++) expect(a[i]!).toBeCloseTo(b[i]!, 3);
    expect(cache.length).toBe(5);
    await expect(lm.forward([V], cache)).rejects.toThrow(/outside the vocabulary/);
  });
});

it('rejects bytes that are not an ONNX model with a typed error naming the file', async () => {
  await expect(loadOnnxCausalLM(new TextEncoder().encode('not onnx'), { name: 'junk.onnx' })).rejects.toThrow(InvalidFileError);
  await expect(loadOnnxCausalLM(new TextEncoder().encode('not onnx'), { name: 'junk.onnx' })).rejects.toThrow(/junk\.onnx/);
});
