import { type GenerationContext, type LogitsProcessor, OptionError } from '@weft/core';
import { freshSeed, randnF32, randomInts } from '@weft/testing';
import { describe, expect, it } from 'vitest';
import { createProcessor, ProcessorChain, type ProcessorSpec } from './factory.js';
import { reference } from './reference.js';

const V = 1000;

function ctxFor(seed: number, promptLength = 12, generated = 20): GenerationContext {
  // ids in [0, 40) so that repeats and n-gram matches actually happen
  const history = randomInts(promptLength + generated, seed + 1, 40);
  return { history, promptLength, step: generated };
}

function compare(fast: Float32Array, ref: readonly number[], label: string): void {
  let masks = 0;
  for (let i = 0; i < ref.length; i++) {
    const r = ref[i]!;
    const f = fast[i]!;
    if (r === Number.NEGATIVE_INFINITY || f === Number.NEGATIVE_INFINITY) {
      if (r !== f) throw new Error(`${label}: mask differs at ${i}: fast ${f} vs reference ${r}`);
      masks++;
      continue;
    }
    if (Math.abs(f - r) > 1e-6 * Math.max(1, Math.abs(r))) throw new Error(`${label}: value at ${i}: ${f} vs ${r}`);
  }
  expect(masks).toBeLessThanOrEqual(ref.length);
}

type Case = { spec: ProcessorSpec; ref: (x: number[], ctx: GenerationContext) => number[]; masks?: boolean };
const cases: Case[] = [
  { spec: { kind: 'temperature', temperature: 0.7 }, ref: (x) => reference.temperature(x, 0.7) },
  { spec: { kind: 'top-k', k: 17 }, ref: (x) => reference.topK(x, 17), masks: true },
  { spec: { kind: 'top-p', p: 0.9 }, ref: (x) => reference.topP(x, 0.9), masks: true },
  { spec: { kind: 'top-p', p: 0.3, minTokensToKeep: 5 }, ref: (x) => reference.topP(x, 0.3, 5), masks: true },
  { spec: { kind: 'min-p', p: 0.05 }, ref: (x) => reference.minP(x, 0.05), masks: true },
  { spec: { kind: 'min-p', p: 0.5, minTokensToKeep: 3 }, ref: (x) => reference.minP(x, 0.5, 3), masks: true },
  { spec: { kind: 'typical', mass: 0.9 }, ref: (x) => reference.typical(x, 0.9), masks: true },
  { spec: { kind: 'typical', mass: 0.2, minTokensToKeep: 2 }, ref: (x) => reference.typical(x, 0.2, 2), masks: true },
  { spec: { kind: 'epsilon', epsilon: 3e-4 }, ref: (x) => reference.epsilon(x, 3e-4), masks: true },
  { spec: { kind: 'eta', epsilon: 3e-4 }, ref: (x) => reference.eta(x, 3e-4), masks: true },
  { spec: { kind: 'repetition-penalty', penalty: 1.3 }, ref: (x, c) => reference.repetitionPenalty(x, [...c.history], 1.3) },
  {
    spec: { kind: 'frequency-presence-penalty', frequency: 0.4, presence: 0.25 },
    ref: (x, c) => reference.frequencyPresence(x, [...c.history.slice(c.promptLength)], 0.4, 0.25),
  },
  { spec: { kind: 'no-repeat-ngram', n: 2 }, ref: (x, c) => reference.noRepeatNGram(x, [...c.history], 2), masks: true },
  { spec: { kind: 'no-repeat-ngram', n: 1 }, ref: (x, c) => reference.noRepeatNGram(x, [...c.history], 1), masks: true },
  {
    spec: { kind: 'bad-words', sequences: [[5], [7, 9]] },
    ref: (x, c) => reference.badWords(x, [...c.history], [[5], [7, 9]]),
    masks: true,
  },
];

describe('processors match their float64 references on random logits', () => {
  const seeds = [1, 2, 3, freshSeed()];
  for (const c of cases) {
    it(`${c.spec.kind} ${JSON.stringify(c.spec).slice(0, 60)}`, () => {
      for (const seed of seeds) {
        const logits = randnF32(V, seed, 2.5);
        const ctx = ctxFor(seed);
        const x = Array.from(logits);
        const want = c.ref(x, ctx);
        const got = Float32Array.from(logits);
        createProcessor(c.spec).process(got, ctx);
        compare(got, want, `${c.spec.kind} seed ${seed}`);
        if (c.masks && c.spec.kind !== 'bad-words' && c.spec.kind !== 'no-repeat-ngram') {
          // a truncation that masks nothing or everything would make the comparison vacuous
          const kept = got.filter((v) => v !== Number.NEGATIVE_INFINITY).length;
          expect(kept, `seed ${seed}`).toBeGreaterThan(0);
          expect(kept, `seed ${seed}`).toBeLessThan(V);
        }
      }
    });
  }

  it('bad words: the two-token ban fires only after its first token', () => {
    const p = createProcessor({ kind: 'bad-words', sequences: [[7, 9]] });
    const a = new Float32Array(20);
    p.process(a, { history: Int32Array.from([1, 7]), promptLength: 1, step: 1 });
    expect(a[9]).toBe(Number.NEGATIVE_INFINITY);
    const b = new Float32Array(20);
    p.process(b, { history: Int32Array.from([7, 1]), promptLength: 1, step: 1 });
    expect(b[9]).toBe(0);
  });

  it('logit bias adds per token and -Infinity bans', () => {
    const x = new Float32Array([1, 2, 3]);
    createProcessor({ kind: 'logit-bias', bias: { 0: 2.5, 2: Number.NEGATIVE_INFINITY } }).process(x, ctxFor(1));
    expect(Array.from(x)).toEqual([3.5, 2, Number.NEGATIVE_INFINITY]);
  });

  it('min-new-tokens masks EOS only before the minimum; forced BOS/EOS force their step', () => {
    const p = createProcessor({ kind: 'min-new-tokens', minNewTokens: 3, eosTokenIds: [2] });
    const x = new Float32Array(5);
    p.process(x, { history: new Int32Array(4), promptLength: 2, step: 2 });
    expect(x[2]).toBe(Number.NEGATIVE_INFINITY);
    const y = new Float32Array(5);
    p.process(y, { history: new Int32Array(5), promptLength: 2, step: 3 });
    expect(y[2]).toBe(0);
    const bos = new Float32Array(5);
    createProcessor({ kind: 'forced-bos', tokenId: 4 }).process(bos, { history: new Int32Array(1), promptLength: 1, step: 0 });
    expect(Array.from(bos).map((v) => v === 0)).toEqual([false, false, false, false, true]);
    const eos = new Float32Array(5);
    const fe = createProcessor({ kind: 'forced-eos', tokenId: 2, maxNewTokens: 4 });
    fe.process(eos, { history: new Int32Array(3), promptLength: 1, step: 2 });
    expect(eos[0]).toBe(0);
    fe.process(eos, { history: new Int32Array(4), promptLength: 1, step: 3 });
    expect(Array.from(eos).map((v) => v === 0)).toEqual([false, false, true, false, false]);
  });

  it('chains specs and user processors in order', () => {
    const calls: string[] = [];
    const mine: LogitsProcessor = {
      name: 'mine',
      process(l) {
        calls.push('mine');
        l[0] = 100;
      },
    };
    const chain = new ProcessorChain([{ kind: 'temperature', temperature: 2 }, mine, { kind: 'top-k', k: 1 }]);
    const x = new Float32Array([1, 4, 2]);
    chain.process(x, ctxFor(1));
    expect(calls).toEqual(['mine']);
    expect(Array.from(x)).toEqual([100, Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY]);
  });

  it('bad specs throw OptionError', () => {
    const bad: unknown[] = [
      { kind: 'top-p', p: 0 },
      { kind: 'top-p', p: 1.2 },
      { kind: 'temperature', temperature: 0 },
      { kind: 'top-k', k: 0 },
      { kind: 'min-p', p: -0.1 },
      { kind: 'typical', mass: 2 },
      { kind: 'epsilon', epsilon: 1 },
      { kind: 'repetition-penalty', penalty: 0 },
      { kind: 'no-repeat-ngram', n: 0 },
      { kind: 'logit-bias', bias: { x: 1 } },
      { kind: 'bad-words', sequences: [[]] },
      { kind: 'nucleus', p: 0.5 },
    ];
    for (const spec of bad) expect(() => createProcessor(spec as ProcessorSpec), JSON.stringify(spec)).toThrow(OptionError);
    expect(() => new ProcessorChain([42 as never])).toThrow(OptionError);
  });
});

describe('junk processor specs', () => {
  it('missing or junk fields give OptionError at construction, never a crash while processing', () => {
    const junk: unknown[] = [undefined, null, 'x', Number.NaN, -1, 1.5, {}, [], [[]], Number.POSITIVE_INFINITY, true];
    const fields: Record<string, string[]> = {
      temperature: ['temperature'],
      'top-k': ['k', 'minTokensToKeep'],
      'top-p': ['p', 'minTokensToKeep'],
      'min-p': ['p', 'minTokensToKeep'],
      typical: ['mass', 'minTokensToKeep'],
      epsilon: ['epsilon', 'minTokensToKeep'],
      eta: ['epsilon', 'minTokensToKeep'],
      'repetition-penalty': ['penalty'],
      'frequency-presence-penalty': ['frequency', 'presence', 'includePrompt'],
      'no-repeat-ngram': ['n'],
      'logit-bias': ['bias'],
      'bad-words': ['sequences'],
      'min-new-tokens': ['minNewTokens', 'eosTokenIds'],
      'forced-bos': ['tokenId'],
      'forced-eos': ['tokenId', 'maxNewTokens'],
    };
    const valid: Record<string, object> = {
      temperature: { temperature: 0.5 },
      'top-k': { k: 3 },
      'top-p': { p: 0.5 },
      'min-p': { p: 0.1 },
      typical: { mass: 0.5 },
      epsilon: { epsilon: 0.01 },
      eta: { epsilon: 0.01 },
      'repetition-penalty': { penalty: 1.2 },
      'frequency-presence-penalty': { frequency: 0.1, presence: 0.1 },
      'no-repeat-ngram': { n: 2 },
      'logit-bias': { bias: { 1: 2 } },
      'bad-words': { sequences: [[1]] },
      'min-new-tokens': { minNewTokens: 2, eosTokenIds: [2] },
      'forced-bos': { tokenId: 1 },
      'forced-eos': { tokenId: 2, maxNewTokens: 3 },
    };
    let typed = 0;
    for (const [kind, names] of Object.entries(fields)) {
      for (const name of names) {
        for (const value of junk) {
          const spec = { kind, ...valid[kind], [name]: value } as unknown as ProcessorSpec;
          let p: LogitsProcessor | undefined;
          try {
            p = createProcessor(spec);
          } catch (e) {
            if (!(e instanceof OptionError)) throw new Error(`${kind}.${name} = ${String(value)} threw ${(e as Error).message}`);
            typed++;
            continue;
          }
          try {
            p.process(randnF32(20, 1), ctxFor(1, 3, 0));
            p.process(randnF32(20, 2), ctxFor(1, 3, 4));
          } catch (e) {
            throw new Error(`${kind}.${name} = ${String(value)}: accepted, then process threw ${(e as Error).message}`);
          }
        }
      }
    }
    expect(typed).toBeGreaterThan(100);
  });
});
