import { AbortError, OptionError, XorShiftRng } from '@weft/core';
import { describe, expect, it } from 'vitest';
import { collect, TinyLM } from '../test/helpers/tiny-lm.js';
import { generateTokens } from './generate-tokens.js';
import { argmax, llama2cSample } from './sampling/llama2c.js';

describe('generateTokens', () => {
  it('greedy equals a step-by-step argmax over the model and frees the cache', async () => {
    const lm = new TinyLM({ vocabSize: 50, order: 3, seed: 3 });
    const got = await collect(generateTokens(lm, [1, 5, 7], { maxNewTokens: 20 }));
    const history = [1, 5, 7];
    const want: number[] = [];
    for (let i = 0; i < 20; i++) {
      const next = argmax(lm.logitsAfter(history));
      want.push(next);
      history.push(next);
    }
    expect(got).toEqual(want);
    expect(lm.caches).toHaveLength(1);
    expect(lm.caches[0]!.disposed).toBe(true);
    // prompt in one forward, then one per generated token except the last
    expect(lm.forwardCalls).toBe(20);
  });

  it('argmax ties go to the lowest id', () => {
    expect(argmax(new Float32Array([0, 3, 1, 3]))).toBe(1);
    expect(argmax(new Float32Array([Number.NaN, 2, 2]))).toBe(1);
  });

  it('seeded sampling is reproducible and equals llama2.c sample() applied per step', async () => {
    const lm = new TinyLM({ vocabSize: 40, order: 2, seed: 9, scale: 2 });
    const opts = { maxNewTokens: 30, temperature: 0.8, topP: 0.9, seed: 42 };
    const a = await collect(generateTokens(lm, [1], opts));
    const b = await collect(generateTokens(lm, [1], opts));
    expect(a).toEqual(b);
    const c = await collect(generateTokens(lm, [1], { ...opts, seed: 43 }));
    expect(c).not.toEqual(a);
    const rng = new XorShiftRng(42);
    const history = [1];
    const want: number[] = [];
    for (let i = 0; i < 30; i++) {
      const next = llama2cSample(lm.logitsAfter(history), 0.8, 0.9, rng);
      want.push(next);
      history.push(next);
    }
    expect(a).toEqual(want);
  });

  it('top-k restricts samples to the k most likely tokens', async () => {
    const lm = new TinyLM({ vocabSize: 30, order: 2, seed: 4, scale: 0.5 });
    const got = await collect(generateTokens(lm, [3], { maxNewTokens: 40, temperature: 1.5, topK: 3, seed: 7 }));
    let prev = 3;
    for (const t of got) {
      const logits = Array.from(lm.logitsAfter([prev]));
      const sorted = [...logits].sort((x, y) => y - x);
      expect(logits[t]!).toBeGreaterThanOrEqual(sorted[2]!);
      prev = t;
    }
  });

  it('stops on a stop id (yielding it) and when the context is full', async () => {
    const lm = new TinyLM({ vocabSize: 20, seed: 5, contextLength: 10 });
    const all = await collect(generateTokens(lm, [1, 2, 3]));
    // 3 prompt tokens + 7 fed tokens fill 10 positions; the last sampled token is yielded but not fed
    expect(all).toHaveLength(8);
    expect(lm.caches.at(-1)!.length).toBe(10);
    const stop = all[2]!;
    const cut = await collect(generateTokens(lm, [1, 2, 3], { stopTokenIds: [stop] }));
    expect(cut).toEqual(all.slice(0, all.indexOf(stop) + 1));
  });

  it('abort stops within one step, frees the cache and throws AbortError', async () => {
    const lm = new TinyLM({ vocabSize: 20, seed: 5, async: true });
    const ac = new AbortController();
    const seen: number[] = [];
    let error: unknown;
    try {
      for await (const t of generateTokens(lm, [1], { signal: ac.signal, maxNewTokens: 50 })) {
        seen.push(t);
        if (seen.length === 3) {
          ac.abort();
        }
      }
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AbortError);
    expect(seen).toHaveLength(3);
    expect(lm.forwardCalls).toBe(3);
    expect(lm.caches[0]!.disposed).toBe(true);
  });

  it('abort during a forward pass also frees the cache', async () => {
    const lm = new TinyLM({ vocabSize: 20, seed: 5, async: true });
    const ac = new AbortController();
    const it = generateTokens(lm, [1], { signal: ac.signal });
    await it.next();
    const pending = it.next();
    ac.abort(new Error('user stop'));
    await expect(pending).rejects.toBeInstanceOf(AbortError);
    expect(lm.caches[0]!.disposed).toBe(true);
  });

  it('breaking out of the loop frees the cache', async () => {
    const lm = new TinyLM({ vocabSize: 20, seed: 5 });
    for await (const _ of generateTokens(lm, [1])) break;
    expect(lm.caches[0]!.disposed).toBe(true);
  });

  it('rejects bad options with OptionError before any compute', async () => {
    const lm = new TinyLM({ vocabSize: 20 });
    const bad: [object, string][] = [
      [{ temperature: -1 }, 'temperature'],
      [{ topP: 0 }, 'topP'],
      [{ topP: 1.5 }, 'topP'],
      [{ topK: 2.5 }, 'topK'],
      [{ maxNewTokens: -1 }, 'maxNewTokens'],
      [{ seed: -3 }, 'seed'],
      [{ stopTokenIds: [20] }, 'stopTokenIds'],
      [{ temperature: Number.NaN }, 'temperature'],
    ];
    for (const [opts, option] of bad) {
      const err = await collect(generateTokens(lm, [1], opts)).catch((e) => e);
      expect(err).toBeInstanceOf(OptionError);
      expect((err as OptionError).option).toBe(option);
    }
    await expect(collect(generateTokens(lm, []))).rejects.toBeInstanceOf(OptionError);
    await expect(collect(generateTokens(lm, [1, 99]))).rejects.toBeInstanceOf(OptionError);
    expect(lm.forwardCalls).toBe(0);
    expect(lm.caches).toHaveLength(0);
  });
});

describe('generateTokens junk options', () => {
  it('junk values give OptionError before any forward pass', async () => {
    const junk: unknown[] = [null, 'x', Number.NaN, -1, 1.5, {}, [], [[]], Number.POSITIVE_INFINITY, true];
    for (const name of ['maxNewTokens', 'temperature', 'topK', 'topP', 'seed', 'signal', 'stopTokenIds']) {
      for (const value of junk) {
        const lm = new TinyLM({ vocabSize: 20, contextLength: 8 });
        try {
          await collect(generateTokens(lm, [1], { maxNewTokens: 2, [name]: value } as never));
        } catch (e) {
          expect(e, `${name} = ${String(value)}`).toBeInstanceOf(OptionError);
          expect(lm.forwardCalls).toBe(0);
        }
      }
    }
    await expect(collect(generateTokens(new TinyLM({ vocabSize: 20 }), [1], null as never))).rejects.toBeInstanceOf(OptionError);
  });
});
