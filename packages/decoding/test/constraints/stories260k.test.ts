import { readFileSync } from 'node:fs';
import { type CausalLM, XorShiftRng } from '@weft/core';
import {
  type ConstraintSpec,
  constraintProcessor,
  createConstraint,
  createConstraintProcessor,
  generateBatch,
  generateText,
  llama2cSample,
  TokenVocabulary,
} from '@weft/decoding';
import { loadLlama2c } from '@weft/models';
import { embeddedModel } from '@weft/testing';
import { loadLlama2cTokenizer } from '@weft/tokenizers';
import { describe, expect, it } from 'vitest';
import { validate } from './validate-schema.js';

// Finite languages (bounded strings, digits, items), so every run ends within the token budget.
const PERSON = {
  type: 'object',
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 8 },
    age: { type: 'integer' },
    pet: { enum: ['cat', 'dog', 'bird'] },
    happy: { type: 'boolean' },
  },
  required: ['name', 'age'],
  additionalProperties: false,
};
const STORY = {
  type: 'object',
  properties: {
    hero: { type: 'string', pattern: '^[A-Z][a-z]{2,7}$' },
    friends: { type: 'array', items: { type: 'string', maxLength: 6 }, minItems: 1, maxItems: 2 },
    mood: { anyOf: [{ const: 'sad' }, { const: 'glad' }, { type: 'null' }] },
  },
  required: ['hero', 'friends'],
};
const LIST = { type: 'array', items: { type: 'number' }, maxItems: 3 };

describe('constrained generation on stories260K', () => {
  const lm = loadLlama2c(new Uint8Array(readFileSync(embeddedModel('stories260K.bin'))), { fileName: 'stories260K.bin' });
  const tok = loadLlama2cTokenizer(new Uint8Array(readFileSync(embeddedModel('tok512.bin'))), 'tok512.bin', lm.config.vocabSize);
  const vocab = TokenVocabulary.fromTokenizer(tok);

  /** Samples at temperature 1 under the constraint; returns the generated ids (EOS dropped). */
  async function run(model: CausalLM, spec: ConstraintSpec, seed: number, prompt: number[], maxNewTokens: number) {
    const proc = createConstraintProcessor(createConstraint(spec, vocab));
    const rng = new XorShiftRng(seed);
    const cache = model.createCache();
    const history = [...prompt];
    let logits = await model.forward(prompt, cache);
    try {
      for (let step = 0; step < maxNewTokens; step++) {
        const work = Float32Array.from(logits);
        proc.process(work, { history: Int32Array.from(history), promptLength: prompt.length, step });
        const id = llama2cSample(work, 1, 1, rng);
        if (id === tok.special.eos) return { ids: history.slice(prompt.length), ended: true };
        history.push(id);
        logits = await model.forward([id], cache);
      }
      return { ids: history.slice(prompt.length), ended: false };
    } finally {
      cache.dispose();
    }
  }

  const cases: [string, ConstraintSpec, (text: string) => boolean][] = [
    ['person schema', { kind: 'json-schema', schema: PERSON, maxDigits: 3 }, (t) => validate(JSON.parse(t), PERSON)],
    [
      'story schema, flexible whitespace',
      { kind: 'json-schema', schema: STORY, whitespace: { kind: 'flexible', maxRun: 1 } },
      (t) => validate(JSON.parse(t), STORY),
    ],
    ['number list', { kind: 'json-schema', schema: LIST, maxDigits: 2 }, (t) => validate(JSON.parse(t), LIST)],
    [
      'regex sentence',
      { kind: 'regex', pattern: '(Once|One day), [a-z]{1,8}( [a-z]{1,8}){0,4}\\.' },
      (t) => /^(Once|One day), [a-z]{1,8}( [a-z]{1,8}){0,4}\.$/.test(t),
    ],
  ];

  it('100 seeded runs (temperature 1) all end with EOS and parse/validate', async () => {
    let runs = 0;
    const texts = new Set<string>();
    for (let seed = 1; seed <= 100; seed++) {
      const [name, spec, check] = cases[seed % cases.length]!;
      const { ids, ended } = await run(lm, spec, seed, [tok.special.bos!], 400);
      const text = tok.decode([tok.special.bos!, ...ids]);
      expect(ended, `${name} seed ${seed}: did not end: ${text}`).toBe(true);
      expect(check(text), `${name} seed ${seed}: ${text}`).toBe(true);
      texts.add(text);
      runs++;
    }
    expect(runs).toBe(100);
    expect(texts.size).toBeGreaterThan(50); // sampling differs per seed
  });

  it('through generateText (processors option): sampling, greedy and beam search all give valid JSON', async () => {
    const spec: ConstraintSpec = { kind: 'json-schema', schema: PERSON, maxDigits: 3 };
    for (let seed = 0; seed < 10; seed++) {
      const r = await generateText(lm, tok, 'Once upon a time', {
        processors: [constraintProcessor(spec, vocab)],
        doSample: true,
        temperature: 1,
        seed,
        maxNewTokens: 300,
      });
      expect(r.finishReason, r.text).toBe('stop'); // ended by EOS, not by maxNewTokens
      expect(validate(JSON.parse(r.text), PERSON), r.text).toBe(true);
    }
    const greedy = await generateText(lm, tok, 'Once upon a time', {
      processors: [constraintProcessor(spec, vocab)],
      maxNewTokens: 300,
    });
    expect(validate(JSON.parse(greedy.text), PERSON), greedy.text).toBe(true);
    // Beam search swaps histories between steps: the processor re-walks what changed.
    const beams = await generateText(lm, tok, 'Once upon a time', {
      processors: [constraintProcessor({ kind: 'regex', pattern: '(Once|One day), [a-z]{1,8}( [a-z]{1,8}){0,4}\\.' }, vocab)],
      numBeams: 3,
      maxNewTokens: 60,
    });
    expect(beams.text).toMatch(/^(Once|One day), [a-z]{1,8}( [a-z]{1,8}){0,4}\.$/);
  });

  it('one processor shared by concurrent generations (generateBatch) stays right', async () => {
    const shared = constraintProcessor({ kind: 'json-schema', schema: LIST, maxDigits: 2 }, vocab);
    const results = await generateBatch(lm, tok, ['Once', 'One day', 'Lily'], {
      processors: [shared],
      doSample: true,
      seed: 5,
      maxNewTokens: 200,
    });
    for (const r of results) expect(validate(JSON.parse(r.text), LIST), r.text).toBe(true);
  });

  it('after a story prompt the model still only writes valid JSON', async () => {
    const prompt = tok.encode('Once upon a time, Lily');
    for (let seed = 0; seed < 5; seed++) {
      const { ids, ended } = await run(lm, { kind: 'json-schema', schema: PERSON, maxDigits: 3 }, seed, prompt, 400);
      expect(ended).toBe(true);
      expect(validate(JSON.parse(tok.decode(ids)), PERSON)).toBe(true);
    }
  });
});
