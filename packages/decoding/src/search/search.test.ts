import { AbortError, OptionError, UnsupportedError } from '@weft/core';
import { describe, expect, it } from 'vitest';
import { collect, softmax64, TinyLM } from '../../test/helpers/tiny-lm.js';
import { prepare, streamTokens } from '../stream-tokens.js';
import { beamSearch } from './beam.js';
import { pickDistribution } from './pick.js';
import { promptLookupDraft } from './prompt-lookup.js';
import type { SpeculativeStats } from './speculative.js';

function greedyReference(lm: TinyLM, prompt: number[], n: number): number[] {
  const h = [...prompt];
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const l = lm.logitsAfter(h);
    let best = 0;
    for (let v = 1; v < l.length; v++) if (l[v]! > l[best]!) best = v;
    out.push(best);
    h.push(best);
  }
  return out;
}

/** Every continuation up to `length` tokens (stopping at EOS), with log-prob sums. */
function exhaustive(lm: TinyLM, prompt: number[], length: number, eos: number | undefined, lengthPenalty: number) {
  const out: { tokens: number[]; logProb: number; score: number }[] = [];
  const walk = (tokens: number[], logProb: number) => {
    if (tokens.length === length || (tokens.length > 0 && tokens[tokens.length - 1] === eos)) {
      out.push({ tokens, logProb, score: logProb / tokens.length ** lengthPenalty });
      return;
    }
    const p = softmax64(lm.logitsAfter([...prompt, ...tokens]));
    for (let v = 0; v < p.length; v++) walk([...tokens, v], logProb + Math.log(p[v]!));
  };
  walk([], 0);
  return out.sort((a, b) => b.score - a.score);
}

describe('beam search', () => {
  it('equals exhaustive search when the beam holds every prefix (fixed length, no EOS)', async () => {
    const lm = new TinyLM({ vocabSize: 5, order: 3, seed: 11, scale: 1.5 });
    lm.config = { ...lm.config, eosTokenId: undefined } as never;
    const { prompt, o } = prepare(lm, [1, 3], { num_beams: 25, num_return_sequences: 5, max_new_tokens: 3 });
    const got = await beamSearch(lm, prompt, o);
    const want = exhaustive(lm, prompt, 3, undefined, 1).slice(0, 5);
    expect(got.map((h) => h.tokens)).toEqual(want.map((w) => w.tokens));
    for (let i = 0; i < 5; i++) expect(got[i]!.logProb).toBeCloseTo(want[i]!.logProb, 9);
    expect(lm.caches.every((c) => c.disposed)).toBe(true);
  });

  for (const lengthPenalty of [1, 0, 2]) {
    it(`equals exhaustive search with EOS and lengthPenalty ${lengthPenalty}`, async () => {
      const lm = new TinyLM({ vocabSize: 4, order: 3, seed: 5, scale: 2 });
      const { prompt, o } = prepare(lm, [1], {
        numBeams: 64,
        numReturnSequences: 6,
        maxNewTokens: 3,
        lengthPenalty,
        earlyStopping: 'never',
        eosTokenId: 2,
      });
      const got = await beamSearch(lm, prompt, o);
      const want = exhaustive(lm, prompt, 3, 2, lengthPenalty).slice(0, 6);
      expect(got.map((h) => h.tokens)).toEqual(want.map((w) => w.tokens));
      for (let i = 0; i < 6; i++) expect(got[i]!.score).toBeCloseTo(want[i]!.score, 9);
      expect(lm.caches.every((c) => c.disposed)).toBe(true);
    });
  }

  it('a narrow beam still scores at least as well as greedy and streams its best sequence', async () => {
    const lm = new TinyLM({ vocabSize: 30, order: 3, seed: 2, scale: 3 });
    lm.config = { ...lm.config, eosTokenId: undefined } as never;
    const { prompt, o } = prepare(lm, [1, 4], { numBeams: 3, maxNewTokens: 8 });
    const [best] = await beamSearch(lm, prompt, o);
    const greedy = greedyReference(lm, [1, 4], 8);
    const lp = (toks: number[]) => {
      let s = 0;
      const h = [1, 4];
      for (const t of toks) {
        s += Math.log(softmax64(lm.logitsAfter(h))[t]!);
        h.push(t);
      }
      return s;
    };
    expect(best!.logProb).toBeCloseTo(lp(best!.tokens), 9);
    expect(best!.logProb).toBeGreaterThanOrEqual(lp(greedy) - 1e-9);
    expect(await collect(streamTokens(lm, [1, 4], { numBeams: 3, maxNewTokens: 8 }))).toEqual(best!.tokens);
  });
});

describe('speculative decoding', () => {
  it('prompt lookup proposes the continuation of the earliest longest match', () => {
    expect(promptLookupDraft([5, 6, 7, 8, 9, 5, 6, 7], 2, 3)).toEqual([8, 9]);
    expect(promptLookupDraft([1, 2, 3, 4], 3, 3)).toEqual([]);
    expect(promptLookupDraft([4, 1, 9, 2, 4], 3, 2)).toEqual([1, 9, 2]);
  });

  const prompts = [
    [1, 7, 8, 9, 10, 7, 8, 9, 10, 7, 8],
    [1, 3],
  ];
  for (const prompt of prompts) {
    it(`greedy speculative (prompt lookup and draft model) equals greedy, prompt of ${prompt.length}`, async () => {
      const lm = new TinyLM({ vocabSize: 24, order: 3, seed: 21, scale: 3, contextLength: 80 });
      lm.config = { ...lm.config, eosTokenId: undefined } as never;
      const n = 50;
      const greedy = await collect(streamTokens(lm, prompt, { maxNewTokens: n }));
      expect(greedy).toEqual(greedyReference(lm, prompt, n));
      const stats: SpeculativeStats = { steps: 0, drafted: 0, accepted: 0 };
      const lookup = await collect(streamTokens(lm, prompt, { maxNewTokens: n, promptLookupNumTokens: 4 }, stats));
      expect(lookup).toEqual(greedy);
      expect(stats.accepted).toBeGreaterThan(0);
      for (const draftSeed of [21, 22]) {
        const draft = new TinyLM({ vocabSize: 24, order: 3, seed: draftSeed, scale: 3, contextLength: 80 });
        const s2: SpeculativeStats = { steps: 0, drafted: 0, accepted: 0 };
        const viaDraft = await collect(
          streamTokens(lm, prompt, { maxNewTokens: n, assistantModel: draft, numAssistantTokens: 4 }, s2),
        );
        expect(viaDraft).toEqual(greedy);
        if (draftSeed === 21) {
          // the draft is the target itself: every draft is accepted, ~5 tokens per target pass
          expect(s2.accepted).toBe(s2.drafted);
          expect(s2.steps).toBeLessThanOrEqual(Math.ceil(n / 5) + 1);
        }
        expect(draft.caches.every((c) => c.disposed)).toBe(true);
      }
      // runs until the context is full, like plain greedy
      const full = await collect(streamTokens(lm, prompt, { promptLookupNumTokens: 4 }));
      expect(full).toEqual(await collect(streamTokens(lm, prompt, {})));
      expect(lm.caches.every((c) => c.disposed)).toBe(true);
    });
  }

  /** Chi-square of observed counts against exact probabilities (cells with expectation < 5 merged). */
  function chiSquare(counts: Map<string, number>, probs: Map<string, number>, n: number): { stat: number; df: number } {
    let stat = 0;
    let df = -1;
    let poolE = 0;
    let poolO = 0;
    for (const [key, p] of probs) {
      const e = p * n;
      const obs = counts.get(key) ?? 0;
      if (e < 5) {
        poolE += e;
        poolO += obs;
        continue;
      }
      stat += (obs - e) ** 2 / e;
      df++;
    }
    if (poolE > 0) {
      stat += (poolO - poolE) ** 2 / Math.max(poolE, 1e-9);
      df++;
    }
    return { stat, df };
  }

  /** Exact joint distribution of the first `len` sampled tokens (temperature, topP as the sampler). */
  function exactJoint(lm: TinyLM, prompt: number[], len: number, temperature: number, topP: number): Map<string, number> {
    const out = new Map<string, number>();
    const walk = (tokens: number[], p: number) => {
      if (tokens.length === len) {
        out.set(tokens.join(','), p);
        return;
      }
      const logits = lm.logitsAfter([...prompt, ...tokens]).map((x) => x / temperature);
      const d = pickDistribution(Float32Array.from(logits), topP);
      for (let v = 0; v < d.length; v++) if (d[v]! > 0) walk([...tokens, v], p * d[v]!);
    };
    walk([], 1);
    return out;
  }

  // chi-square critical values at p = 0.001
  const critical = (df: number) => df + 3.09 * Math.sqrt(2 * df) + 5;

  const configs = [
    { name: 'draft model, T=1', temperature: 1, topP: 1, draft: true },
    { name: 'draft model, T=0.7, top-p 0.9', temperature: 0.7, topP: 0.9, draft: true },
    { name: 'prompt lookup, T=1', temperature: 1, topP: 1, draft: false },
  ];
  for (const c of configs) {
    it(`speculative sampling keeps the target distribution (${c.name}; chi-square, fixed seeds)`, async () => {
      const target = new TinyLM({ vocabSize: 4, order: 3, seed: 31, scale: 1.5 });
      target.config = { ...target.config, eosTokenId: undefined } as never;
      const draft = new TinyLM({ vocabSize: 4, order: 3, seed: 77, scale: 1.5 });
      const prompt = [1, 3, 0, 1, 3, 0, 1];
      const len = 3;
      const n = 3000;
      const counts = new Map<string, number>();
      const stats: SpeculativeStats = { steps: 0, drafted: 0, accepted: 0 };
      for (let seed = 1; seed <= n; seed++) {
        const opts = {
          maxNewTokens: len,
          temperature: c.temperature,
          topP: c.topP,
          seed,
          ...(c.draft ? { assistantModel: draft, numAssistantTokens: 3 } : { promptLookupNumTokens: 3 }),
        };
        const toks = await collect(streamTokens(target, prompt, opts, stats));
        const key = toks.join(',');
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      const exact = exactJoint(target, prompt, len, c.temperature, c.topP);
      const { stat, df } = chiSquare(counts, exact, n);
      expect(df).toBeGreaterThan(5);
      expect(stat, `chi2 ${stat.toFixed(1)} df ${df}`).toBeLessThan(critical(df));
      expect(stats.accepted).toBeGreaterThan(0);
      expect(stats.accepted).toBeLessThan(stats.drafted);
      // power check: the draft's own distribution is clearly rejected by the same test
      if (c.draft) {
        const wrong = exactJoint(draft, prompt, len, c.temperature, c.topP);
        expect(chiSquare(counts, wrong, n).stat).toBeGreaterThan(critical(df) * 2);
      }
    });
  }
});

describe('contrastive search', () => {
  function cosine(a: Float32Array, b: Float32Array): number {
    let d = 0;
    let na = 0;
    let nb = 0;
    for (let i = 0; i < a.length; i++) {
      d += a[i]! * b[i]!;
      na += a[i]! ** 2;
      nb += b[i]! ** 2;
    }
    return d / Math.sqrt(na * nb);
  }

  it('matches a plain reference (top-k candidates, max cosine penalty over the context)', async () => {
    const lm = new TinyLM({ vocabSize: 20, order: 3, seed: 8, scale: 2, hiddenSize: 6 });
    lm.config = { ...lm.config, eosTokenId: undefined } as never;
    const prompt = [1, 5, 6];
    const alpha = 0.6;
    const k = 4;
    const got = await collect(streamTokens(lm, prompt, { penalty_alpha: alpha, top_k: k, max_new_tokens: 15 }));
    const h = [...prompt];
    const want: number[] = [];
    for (let step = 0; step < 15; step++) {
      const p = softmax64(lm.logitsAfter(h));
      const cands = Array.from(p.keys())
        .sort((a, b) => p[b]! - p[a]! || a - b)
        .slice(0, k);
      const context = h.map((_, t) => lm.hiddenAfter(h.slice(0, t + 1)));
      let best = -1;
      let bestScore = Number.NEGATIVE_INFINITY;
      for (const c of cands) {
        const hc = lm.hiddenAfter([...h, c]);
        const penalty = Math.max(...context.map((x) => cosine(hc, x)));
        const score = (1 - alpha) * p[c]! - alpha * penalty;
        if (score > bestScore) {
          bestScore = score;
          best = c;
        }
      }
      want.push(best);
      h.push(best);
    }
    expect(got).toEqual(want);
    expect(got).not.toEqual(greedyReference(lm, prompt, 15));
    expect(lm.caches.every((c) => c.disposed)).toBe(true);
  });

  it('throws UnsupportedError for a model without forwardWithHidden', async () => {
    const lm = new TinyLM({ vocabSize: 20 });
    const plain = { config: lm.config, createCache: lm.createCache.bind(lm), forward: lm.forward.bind(lm), dispose() {} };
    await expect(collect(streamTokens(plain, [1], { penaltyAlpha: 0.5, topK: 3 }))).rejects.toBeInstanceOf(UnsupportedError);
  });
});

describe('strategy selection rejects bad combinations', () => {
  const lm = new TinyLM({ vocabSize: 20 });
  const bad: [object, string][] = [
    [{ numBeams: 0 }, 'numBeams'],
    [{ numBeams: 2, doSample: true }, 'doSample'],
    [{ numBeams: 2, numReturnSequences: 3 }, 'numReturnSequences'],
    [{ numReturnSequences: 2 }, 'numReturnSequences'],
    [{ penaltyAlpha: 0.5, topK: 3, temperature: 0.7 }, 'penaltyAlpha'],
    [{ promptLookupNumTokens: 0 }, 'promptLookupNumTokens'],
    [{ promptLookupNumTokens: 3, assistantModel: new TinyLM({ vocabSize: 20 }) }, 'promptLookupNumTokens'],
    [{ assistantModel: new TinyLM({ vocabSize: 21 }) }, 'assistantModel'],
    [{ numBeams: 2, cache: { kind: 'sliding-window', window: 8 } }, 'cache'],
  ];
  for (const [opts, option] of bad) {
    it(`${JSON.stringify(opts).slice(0, 70)} → OptionError(${option})`, async () => {
      const err = await collect(streamTokens(lm, [1], opts)).catch((e) => e);
      expect(err).toBeInstanceOf(OptionError);
      expect((err as OptionError).option).toBe(option);
      expect(lm.forwardCalls).toBe(0);
    });
  }
});

describe('abort in every strategy', () => {
  const strategies: [string, (draft: TinyLM) => object][] = [
    ['greedy', () => ({})],
    ['sampling', () => ({ temperature: 0.9, seed: 1 })],
    ['beam', () => ({ numBeams: 3 })],
    ['contrastive', () => ({ penaltyAlpha: 0.5, topK: 3 })],
    ['speculative (draft model)', (draft) => ({ assistantModel: draft, numAssistantTokens: 3 })],
    ['speculative (prompt lookup)', () => ({ promptLookupNumTokens: 3 })],
  ];
  for (const [name, opts] of strategies) {
    it(`${name}: throws AbortError within one forward pass and disposes every cache`, async () => {
      const lm = new TinyLM({ vocabSize: 16, order: 3, seed: 3, async: true, contextLength: 200 });
      (lm as { config: object }).config = { ...lm.config, eosTokenId: undefined };
      const draft = new TinyLM({ vocabSize: 16, order: 3, seed: 4, async: true, contextLength: 200 });
      const ac = new AbortController();
      const calls = { n: 0 };
      const forward = lm.forward.bind(lm);
      lm.forward = async (ids, cache, o) => {
        if (++calls.n === 6) ac.abort(new Error('stop'));
        return forward(ids, cache, o);
      };
      const fwh = lm.forwardWithHidden.bind(lm);
      lm.forwardWithHidden = async (ids, cache, o) => {
        if (++calls.n === 6) ac.abort(new Error('stop'));
        return fwh(ids, cache, o);
      };
      const err = await collect(
        streamTokens(lm, [1, 2, 3, 1, 2], { ...opts(draft), maxNewTokens: 100, signal: ac.signal }),
      ).catch((e) => e);
      expect(err).toBeInstanceOf(AbortError);
      expect(calls.n).toBe(6);
      expect(lm.caches.length).toBeGreaterThan(0);
      expect(lm.caches.every((c) => c.disposed)).toBe(true);
      expect(draft.caches.every((c) => c.disposed)).toBe(true);
    });
  }
});

it('the heuristic draft schedule grows the draft when everything is accepted and keeps greedy output', async () => {
  const lm = new TinyLM({ vocabSize: 24, order: 3, seed: 21, scale: 3, contextLength: 120 });
  lm.config = { ...lm.config, eosTokenId: undefined } as never;
  const greedy = await collect(streamTokens(lm, [1, 3], { maxNewTokens: 80 }));
  const constant: SpeculativeStats = { steps: 0, drafted: 0, accepted: 0 };
  const heuristic: SpeculativeStats = { steps: 0, drafted: 0, accepted: 0 };
  expect(
    await collect(streamTokens(lm, [1, 3], { maxNewTokens: 80, assistantModel: lm, numAssistantTokens: 2 }, constant)),
  ).toEqual(greedy);
  expect(
    await collect(
      streamTokens(
        lm,
        [1, 3],
        { maxNewTokens: 80, assistantModel: lm, numAssistantTokens: 2, numAssistantTokensSchedule: 'heuristic' },
        heuristic,
      ),
    ),
  ).toEqual(greedy);
  expect(heuristic.steps).toBeLessThan(constant.steps / 2);
  const other = new TinyLM({ vocabSize: 24, order: 3, seed: 22, scale: 3, contextLength: 120 });
  expect(
    await collect(streamTokens(lm, [1, 3], { maxNewTokens: 80, assistantModel: other, numAssistantTokensSchedule: 'heuristic' })),
  ).toEqual(greedy);
});
