import { AbortError, OptionError } from '@weft/core';
import { describe, expect, it } from 'vitest';
import { collect, TinyLM } from '../../test/helpers/tiny-lm.js';
import { TinyTokenizer } from '../../test/helpers/tiny-tokenizer.js';
import { generate, generateBatch, generateText } from '../generate.js';
import { GreedySampler, MultinomialSampler } from '../sampling/samplers.js';
import { streamTokens } from '../stream-tokens.js';
import { canonicalOptions, GENERATE_OPTION_NAMES, resolveGenerateOptions } from './options.js';
import { PrefixCache } from './prefix-cache.js';
import { StopStringMatcher } from './stop-strings.js';

function noEos(lm: TinyLM): TinyLM {
  (lm as { config: object }).config = { ...lm.config, eosTokenId: undefined };
  return lm;
}

function bigramChain(lm: TinyLM, start: number, n: number): number[] {
  const out: number[] = [];
  let prev = start;
  for (let i = 0; i < n; i++) {
    const l = lm.logitsAfter([prev]);
    let best = 0;
    for (let v = 1; v < l.length; v++) if (l[v]! > l[best]!) best = v;
    out.push(best);
    prev = best;
  }
  return out;
}

describe('options', () => {
  const lm = new TinyLM({ vocabSize: 30 });
  it('accepts HF snake_case and camelCase names alike', () => {
    const a = resolveGenerateOptions({ max_new_tokens: 5, do_sample: true, top_k: 4, repetition_penalty: 1.2, seed: 3 }, lm, 2);
    const b = resolveGenerateOptions({ maxNewTokens: 5, doSample: true, topK: 4, repetitionPenalty: 1.2, seed: 3 }, lm, 2);
    expect(a.strategy).toEqual(b.strategy);
    expect(a.maxNewTokens).toBe(5);
    expect(a.processors.processors.map((p) => p.name)).toEqual(['repetition-penalty', 'top-k']);
    expect(b.processors.processors.map((p) => p.name)).toEqual(['repetition-penalty', 'top-k']);
    expect(resolveGenerateOptions({ max_length: 12 }, lm, 4).maxNewTokens).toBe(8);
  });

  it('picks the strategy like Hugging Face', () => {
    const kind = (o: object) => resolveGenerateOptions(o, lm, 1).strategy.kind;
    expect(kind({})).toBe('greedy');
    expect(kind({ temperature: 0 })).toBe('greedy');
    expect(kind({ temperature: 0.7 })).toBe('sample');
    expect(kind({ top_p: 0.9 })).toBe('sample');
    expect(kind({ num_beams: 3 })).toBe('beam');
    expect(kind({ penalty_alpha: 0.6, top_k: 4 })).toBe('contrastive');
    expect(kind({ prompt_lookup_num_tokens: 5 })).toBe('speculative');
  });

  it('rejects unknown names (with a suggestion), duplicates and out-of-domain values', () => {
    expect(() => canonicalOptions({ max_new_token: 3 })).toThrow(/did you mean `maxNewTokens`/);
    expect(() => canonicalOptions({ topp: 0.5 })).toThrow(/topP/);
    expect(() => canonicalOptions({ top_p: 0.5, topP: 0.6 })).toThrow(OptionError);
    expect(canonicalOptions({ top_p: 0.5, topP: 0.5 })).toEqual({ topP: 0.5 });
    const bad: [object, string][] = [
      [{ top_p: 0 }, 'topP'],
      [{ top_p: 1.01 }, 'topP'],
      [{ temperature: -0.1 }, 'temperature'],
      [{ temperature: 0, do_sample: true }, 'temperature'],
      [{ num_beams: 0 }, 'numBeams'],
      [{ top_k: -1 }, 'topK'],
      [{ min_p: 2 }, 'minP'],
      [{ typical_p: 0 }, 'typicalP'],
      [{ epsilon_cutoff: 1 }, 'epsilonCutoff'],
      [{ repetition_penalty: 0 }, 'repetitionPenalty'],
      [{ frequency_penalty: 3 }, 'frequencyPenalty'],
      [{ max_new_tokens: 1.5 }, 'maxNewTokens'],
      [{ max_length: 2 }, 'maxLength'],
      [{ max_time: -1 }, 'maxTime'],
      [{ eos_token_id: 30 }, 'eosTokenId'],
      [{ stop_strings: [''] }, 'stopStrings'],
      [{ forced_eos_token_id: 2 }, 'forcedEosTokenId'],
      [{ seed: 1.5 }, 'seed'],
      [{ cache: { kind: 'ring' } }, 'cache'],
      [{ cache: { kind: 'sliding-window', window: 1000 } }, 'cache.window'],
      [{ logit_bias: { 3: Number.POSITIVE_INFINITY } }, 'logitBias'],
      [{ early_stopping: 'sometimes' }, 'earlyStopping'],
    ];
    for (const [opts, option] of bad) {
      let err: unknown;
      try {
        resolveGenerateOptions(opts, lm, 3);
      } catch (e) {
        err = e;
      }
      expect(err, JSON.stringify(opts)).toBeInstanceOf(OptionError);
      expect((err as OptionError).option, JSON.stringify(opts)).toBe(option);
    }
  });
});

describe('stop strings', () => {
  it('finds stops spanning pushes and holds back possible prefixes', () => {
    const m = new StopStringMatcher(['END', '\n\n']);
    expect(m.push('hello E')).toEqual({ emit: 'hello ', stopped: false });
    expect(m.push('N')).toEqual({ emit: '', stopped: false });
    expect(m.push('x')).toEqual({ emit: 'ENx', stopped: false });
    expect(m.push('a\n')).toEqual({ emit: 'a', stopped: false });
    expect(m.push('\nrest')).toEqual({ emit: '', stopped: true });
    expect(m.matched).toBe('\n\n');
    expect(m.flush()).toBe('');
    const k = new StopStringMatcher(['abc']);
    expect(k.push('xab')).toEqual({ emit: 'x', stopped: false });
    expect(k.flush()).toBe('ab');
  });
});

describe('generate() text streaming', () => {
  const tok = new TinyTokenizer(40);
  it('streams chunks whose concatenation is the result text, and decodes the generated ids', async () => {
    const lm = noEos(new TinyLM({ vocabSize: 40, order: 2, seed: 4, scale: 3 }));
    const it = generate(lm, tok, 'ab', { max_new_tokens: 20 });
    let text = '';
    let r = await it.next();
    while (!r.done) {
      text += r.value.text;
      r = await it.next();
    }
    expect(r.value.text).toBe(text);
    expect(r.value.tokens).toEqual(await collect(streamTokens(lm, [1, 3, 4], { maxNewTokens: 20 })));
    expect(text).toBe(tok.decode(r.value.tokens, { skipSpecialTokens: true }));
    expect(r.value.finishReason).toBe('length');
    expect(r.value.promptTokens).toBe(3);
  });

  it('stops at a stop string spanning tokens and leaves it out', async () => {
    const lm = noEos(new TinyLM({ vocabSize: 40, order: 2, seed: 4, scale: 3 }));
    const full = await generateText(lm, tok, 'ab', { maxNewTokens: 30 });
    const stop = full.text.slice(6, 9);
    const cut = await generateText(lm, tok, 'ab', { maxNewTokens: 30, stopStrings: [stop] });
    expect(cut.finishReason).toBe('stop-string');
    expect(cut.text).toBe(full.text.slice(0, full.text.indexOf(stop)));
    expect(lm.caches.every((c) => c.disposed)).toBe(true);
  });

  it('max_time 0 stops after one token with finish reason "time"', async () => {
    const lm = noEos(new TinyLM({ vocabSize: 40, seed: 4 }));
    const r = await generateText(lm, tok, 'ab', { max_time: 0 });
    expect(r.tokens).toHaveLength(1);
    expect(r.finishReason).toBe('time');
  });

  it('stops at EOS (the model default) with finish reason "stop"', async () => {
    const lm = new TinyLM({ vocabSize: 40, seed: 4, scale: 3 });
    const chain = bigramChain(lm, 4, 200);
    const eos = chain[5]!;
    const r = await generateText(lm, tok, 'ab', { eos_token_id: eos });
    expect(r.finishReason).toBe('stop');
    expect(r.tokens[r.tokens.length - 1]).toBe(eos);
  });

  it('abort frees the cache and throws AbortError', async () => {
    const lm = noEos(new TinyLM({ vocabSize: 40, seed: 4, async: true }));
    const ac = new AbortController();
    const it = generate(lm, tok, 'ab', { signal: ac.signal });
    await it.next();
    ac.abort();
    await expect(it.next()).rejects.toBeInstanceOf(AbortError);
    expect(lm.caches.every((c) => c.disposed)).toBe(true);
  });

  it('bad options reject before any forward pass', async () => {
    const lm = new TinyLM({ vocabSize: 40 });
    await expect(generateText(lm, tok, 'ab', { top_p: 0 } as never)).rejects.toBeInstanceOf(OptionError);
    await expect(generateText(lm, tok, 'ab', { nonsense: 1 } as never)).rejects.toBeInstanceOf(OptionError);
    expect(lm.forwardCalls).toBe(0);
  });

  it('batched generation equals one-by-one generation', async () => {
    const lm = noEos(new TinyLM({ vocabSize: 40, order: 3, seed: 9, scale: 2 }));
    const prompts = ['ab', 'cde', 'f'];
    const opts = prompts.map((_, i) => ({ maxNewTokens: 12, temperature: 0.9, seed: 100 + i }));
    const batch = await generateBatch(lm, tok, prompts, opts);
    for (let i = 0; i < prompts.length; i++) expect(batch[i]).toEqual(await generateText(lm, tok, prompts[i]!, opts[i]));
    await expect(generateBatch(lm, tok, prompts, [opts[0]!])).rejects.toBeInstanceOf(OptionError);
  });
});

describe('KV-cache policies', () => {
  it('growable caches produce the same tokens as a fixed cache, growing by re-encoding', async () => {
    const lm = noEos(new TinyLM({ vocabSize: 30, order: 3, seed: 6, scale: 3, contextLength: 64 }));
    const fixed = await collect(streamTokens(lm, [1, 2, 3], { maxNewTokens: 40 }));
    lm.caches = [];
    const grown = await collect(
      streamTokens(lm, [1, 2, 3], { maxNewTokens: 40, cache: { kind: 'growable', initialCapacity: 4 } }),
    );
    expect(grown).toEqual(fixed);
    expect(lm.caches.map((c) => c.capacity)).toEqual([4, 8, 16, 32, 64]);
    expect(lm.caches.every((c) => c.disposed)).toBe(true);
  });

  it('a sliding window generates past the context length (bigram model: same tokens as an unbounded run)', async () => {
    const lm = noEos(new TinyLM({ vocabSize: 30, order: 2, seed: 6, scale: 3, contextLength: 16 }));
    const got = await collect(
      streamTokens(lm, [1, 5], { maxNewTokens: 60, cache: { kind: 'sliding-window', window: 16, sinkTokens: 1 } }),
    );
    expect(got).toEqual(bigramChain(lm, 5, 60));
    const fixed = await collect(streamTokens(lm, [1, 5], { maxNewTokens: 60 }));
    expect(fixed).toHaveLength(15);
  });

  it('a prefix cache reuses the encoded shared prefix and gives identical output', async () => {
    const lm = noEos(new TinyLM({ vocabSize: 30, order: 3, seed: 6, scale: 3, contextLength: 64 }));
    const prefixCache = new PrefixCache(lm);
    const shared = [1, 4, 5, 6, 7, 8, 9, 10];
    const a = await collect(streamTokens(lm, [...shared, 11], { maxNewTokens: 5, prefixCache }));
    const before = lm.tokensProcessed;
    const b = await collect(streamTokens(lm, [...shared, 12], { maxNewTokens: 5, prefixCache }));
    // only the differing last prompt token plus the 4 fed generated tokens were encoded
    expect(lm.tokensProcessed - before).toBe(1 + 4);
    expect(prefixCache.reusedTokens).toBe(shared.length);
    expect(b).toEqual(await collect(streamTokens(lm, [...shared, 12], { maxNewTokens: 5 })));
    expect(a).toEqual(await collect(streamTokens(lm, [...shared, 11], { maxNewTokens: 5 })));
    prefixCache.dispose();
    expect(lm.caches.every((c) => c.disposed)).toBe(true);
  });
});

describe('custom samplers (core Sampler contract)', () => {
  it('a user sampler replaces the final pick; the built-in MultinomialSampler equals the default draw', async () => {
    const lm = noEos(new TinyLM({ vocabSize: 30, order: 2, seed: 6, scale: 2 }));
    const calls: number[] = [];
    const lowest = {
      name: 'lowest-finite',
      sample(logits: Float32Array) {
        calls.push(logits.length);
        return logits.findIndex((x) => x > Number.NEGATIVE_INFINITY);
      },
    };
    const got = await collect(streamTokens(lm, [1], { maxNewTokens: 5, temperature: 0.7, top_k: 3, sampler: lowest }));
    expect(calls).toEqual([30, 30, 30, 30, 30]);
    let prev = 1;
    for (const t of got) {
      const l = Array.from(lm.logitsAfter([prev]));
      const kth = [...l].sort((a, b) => b - a)[2]!;
      expect(t).toBe(l.findIndex((x) => x >= kth));
      prev = t;
    }
    const dflt = await collect(streamTokens(lm, [1], { maxNewTokens: 20, temperature: 0.7, top_p: 0.8, seed: 9 }));
    const mine = await collect(
      streamTokens(lm, [1], { maxNewTokens: 20, temperature: 0.7, seed: 9, sampler: new MultinomialSampler({ topP: 0.8 }) }),
    );
    expect(mine).toEqual(dflt);
    const greedy = await collect(streamTokens(lm, [1], { maxNewTokens: 20 }));
    expect(await collect(streamTokens(lm, [1], { maxNewTokens: 20, temperature: 1, sampler: new GreedySampler() }))).toEqual(
      greedy,
    );
  });

  it('rejects a custom sampler where its distribution or strategy does not fit', () => {
    const lm = new TinyLM({ vocabSize: 30 });
    expect(() => resolveGenerateOptions({ sampler: new GreedySampler() }, lm, 1)).toThrow(OptionError);
    expect(() =>
      resolveGenerateOptions({ temperature: 1, prompt_lookup_num_tokens: 3, sampler: new GreedySampler() }, lm, 1),
    ).toThrow(OptionError);
    expect(() => resolveGenerateOptions({ temperature: 1, sampler: { name: 'x' } }, lm, 1)).toThrow(OptionError);
  });
});

it('with a custom sampler, top_p becomes a processor at the end of the chain', () => {
  const lm = new TinyLM({ vocabSize: 30 });
  const o = resolveGenerateOptions({ temperature: 0.5, top_p: 0.7, sampler: new GreedySampler() }, lm, 1);
  expect(o.processors.processors.map((p) => p.name)).toEqual(['temperature', 'top-p']);
  expect(o.topP).toBe(1);
});

describe('junk option values', () => {
  it('every option name with junk values either works or throws OptionError, never something else', async () => {
    const tok = new TinyTokenizer(30);
    const junk: unknown[] = ['x', Number.NaN, -1, 1.5, {}, [], [[]], Number.POSITIVE_INFINITY, null, true, () => 1, 1e12];
    let typed = 0;
    let accepted = 0;
    const slow: string[] = [];
    for (const name of GENERATE_OPTION_NAMES) {
      for (const value of junk) {
        const lm = noEos(new TinyLM({ vocabSize: 30, contextLength: 16 }));
        const t0 = Date.now();
        try {
          await generateText(lm, tok, 'ab', { maxNewTokens: 3, [name]: value } as never);
          accepted++;
        } catch (e) {
          if (!(e instanceof OptionError))
            throw new Error(`${name} = ${String(value)} threw ${(e as Error).name}: ${(e as Error).message}`);
          expect(lm.forwardCalls, `${name} = ${String(value)}`).toBe(0);
          typed++;
        }
        if (Date.now() - t0 > 2000) slow.push(`${name} = ${String(value)}`);
      }
    }
    expect(slow).toEqual([]);
    expect(typed).toBeGreaterThan(GENERATE_OPTION_NAMES.length * 6);
    expect(accepted).toBeGreaterThan(0);
  });
});

it('growable caches also work under beam search and speculative decoding', async () => {
  const lm = noEos(new TinyLM({ vocabSize: 12, order: 3, seed: 6, scale: 3, contextLength: 64 }));
  const growable = { kind: 'growable', initialCapacity: 2 } as const;
  const beam = await collect(streamTokens(lm, [1, 2, 3], { numBeams: 3, maxNewTokens: 20 }));
  expect(await collect(streamTokens(lm, [1, 2, 3], { numBeams: 3, maxNewTokens: 20, cache: growable }))).toEqual(beam);
  const greedy = await collect(streamTokens(lm, [1, 2, 3, 1, 2], { maxNewTokens: 40 }));
  expect(
    await collect(streamTokens(lm, [1, 2, 3, 1, 2], { maxNewTokens: 40, promptLookupNumTokens: 3, cache: growable })),
  ).toEqual(greedy);
  expect(lm.caches.every((c) => c.disposed)).toBe(true);
});
