import { readFileSync } from 'node:fs';
import type { Backend } from '@weft/core';
import { loadLlama2c } from '@weft/models';
import { embeddedModel, fixture } from '@weft/testing';
import { loadLlama2cTokenizer } from '@weft/tokenizers';
import { describe, expect, it } from 'vitest';
import { gpuBackend, gpuF16Backend } from './gpu.js';

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

/** llama2.c's greedy loop: prompt, then argmax until `steps` positions (ids after BOS). */
async function greedy(backend: Backend, c: (typeof goldens.cases)[number]): Promise<number[]> {
  const model = loadLlama2c(modelBytes, { backend });
  const prompt = tok.encode(c.prompt);
  const cache = model.createCache();
  const fed: number[] = prompt.slice(1);
  let logits = await model.forward(prompt, cache);
  for (let pos = prompt.length - 1; pos < c.steps; pos++) {
    const next = argmax(logits);
    if (next === 1) break;
    fed.push(next);
    if (pos + 1 < c.steps) logits = await model.forward([next], cache);
  }
  cache.dispose();
  return fed;
}

describe('stories260K on WebGPU', async () => {
  const gpu = await gpuBackend();
  const skip = typeof gpu === 'string';

  it.skipIf(skip)("prints llama2.c's greedy story (256 positions, same ids as the CPU golden)", async () => {
    if (typeof gpu === 'string') return;
    const c = goldens.cases[1]!;
    const fed = await greedy(gpu, c);
    expect(fed).toEqual(c.ids_after_bos);
    expect(tok.decode([1, ...fed]) + '\n').toBe(c.stdout);
  });

  it.skipIf(skip)(
    'after 1000 decode steps the live GPU-buffer count is back to its baseline',
    async () => {
      if (typeof gpu === 'string') return;
      // a 1-layer random model in llama2.c format keeps 1000 steps fast on a software adapter
      const model = loadLlama2c(
        tinyLlama2c({ dim: 32, hidden: 64, layers: 1, heads: 4, kvHeads: 2, vocab: 64, seqLen: 160 }, 7),
        { backend: gpu },
      );
      const cache = model.createCache();
      let logits = await model.forward([1], cache);
      for (let i = 0; i < 140; i++) logits = await model.forward([argmax(logits)], cache); // warm the pool (multi-chunk attention too)
      cache.truncate(1);
      const base = gpu.stats();
      const baseTensors = gpu.liveTensors();
      let midBuffers = 0;
      for (let step = 0; step < 1000; step++) {
        if (cache.length >= 140) cache.truncate(1);
        logits = await model.forward([argmax(logits)], cache);
        if (step === 499) midBuffers = gpu.stats().buffers;
      }
      const end = gpu.stats();
      expect(gpu.liveTensors()).toBe(baseTensors);
      expect(end.buffersInUse).toBe(base.buffersInUse);
      // the pool stopped growing: no GPU buffer was created in the second 500 steps
      expect(end.buffers).toBe(midBuffers);
      expect(end.buffers).toBeLessThanOrEqual(base.buffers + 8);
      cache.dispose();
      expect(gpu.liveTensors()).toBe(baseTensors - 2);
    },
    300_000,
  );
});

/** A random-weight llama2.c (legacy, shared classifier) checkpoint. */
function tinyLlama2c(
  c: { dim: number; hidden: number; layers: number; heads: number; kvHeads: number; vocab: number; seqLen: number },
  seed: number,
): Uint8Array {
  const { dim, hidden, layers, heads, kvHeads, vocab, seqLen } = c;
  const hd = dim / heads;
  const kv = kvHeads * hd;
  const floats = vocab * dim + layers * (dim + dim * dim + 2 * kv * dim + dim * dim + dim + 3 * hidden * dim) + dim + seqLen * hd;
  const buf = new ArrayBuffer(28 + floats * 4);
  new Int32Array(buf, 0, 7).set([dim, hidden, layers, heads, kvHeads, vocab, seqLen]);
  const w = new Float32Array(buf, 28);
  let s = seed;
  for (let i = 0; i < w.length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    w[i] = ((s >>> 8) / 2 ** 24 - 0.5) * 0.4;
  }
  return new Uint8Array(buf);
}

// f16 precision (activations, KV cache and f32 weights stored as f16). Measured on Mesa 25
// lavapipe: all 256 greedy ids of both llama2.c goldens identical; with the golden ids fed,
// f16 and CPU agree on the top-1 token at every position (max |Δlogit| 0.04).
describe('stories260K on WebGPU at f16 precision', async () => {
  const gpu = await gpuF16Backend();

  for (const c of goldens.cases) {
    it.skipIf(typeof gpu === 'string')(
      `prompt ${JSON.stringify(c.prompt)}: all 256 greedy ids equal llama2.c's golden`,
      async () => {
        if (typeof gpu === 'string') return;
        expect(gpu.info.precision).toBe('f16');
        const fed = await greedy(gpu, c);
        expect(fed).toEqual(c.ids_after_bos);
        expect(tok.decode([1, ...fed]) + '\n').toBe(c.stdout);
      },
    );
  }
});
