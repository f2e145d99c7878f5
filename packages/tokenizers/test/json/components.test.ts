/**
 * Component-level tests: the BPE merge loop against its plain reference on fresh seeded
 * inputs, streaming decode of split multi-byte characters, untrusted-file errors, vocab
 * entries named like Object.prototype members, and the factories' unknown-type errors.
 */
import { readFileSync } from 'node:fs';
import { InvalidFileError, XorShiftRng } from '@weft/core';
import { fixture, freshSeed } from '@weft/testing';
import { describe, expect, it } from 'vitest';
import {
  createDecoder,
  createModel,
  createNormalizer,
  createPostProcessor,
  createPreTokenizer,
  HashMergeTable,
  MapMergeTable,
  mergeHeap,
  mergeReference,
  pairKey,
  tokenizerFromJSON,
} from '../../src/json/index.js';

describe('BPE merge loop: heap version vs plain reference', () => {
  it('agrees on random symbol strings and random merge tables (fresh seed)', () => {
    const seed = freshSeed();
    const rng = new XorShiftRng(seed);
    for (let trial = 0; trial < 300; trial++) {
      const alphabet = 2 + (rng.nextU32() % 6);
      const ranks = new Map<number, number>();
      let next = alphabet;
      const merges = 1 + (rng.nextU32() % 40);
      for (let r = 0; r < merges; r++) {
        const a = rng.nextU32() % next;
        const b = rng.nextU32() % next;
        if (!ranks.has(pairKey(a, b))) ranks.set(pairKey(a, b), r * 2097152 + next++);
      }
      const n = 1 + (rng.nextU32() % 200);
      const ids = Array.from({ length: n }, () => rng.nextU32() % alphabet);
      const lens = ids.map(() => 1 + (rng.nextU32() % 3));
      const a = [ids.slice(), lens.slice()] as const;
      const b = [ids.slice(), lens.slice()] as const;
      const fast = new HashMergeTable(ranks.size);
      for (const [k, v] of ranks) fast.set(Math.floor(k / 2097152), k % 2097152, Math.floor(v / 2097152), v % 2097152);
      mergeReference(a[0], a[1], new MapMergeTable(ranks));
      mergeHeap(b[0], b[1], fast);
      if (JSON.stringify(a) !== JSON.stringify(b))
        throw new Error(`seed ${seed} trial ${trial}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
    }
  });
});

describe('streaming decoder', () => {
  const gpt2 = tokenizerFromJSON(readFileSync(fixture('gpt2/tokenizer.json'), 'utf8'));
  const mistral = tokenizerFromJSON(readFileSync(fixture('mistral-7b-v0.1/tokenizer.json'), 'utf8'));
  for (const [name, tok] of [
    ['gpt2 (byte-level)', gpt2],
    ['mistral (byte fallback + Metaspace)', mistral],
  ] as const) {
    it(`${name}: multi-byte characters split across tokens come out whole`, () => {
      const text = ' 日本語 😀👨‍👩‍👧 naïve 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 end';
      const ids = tok.encode(text, { addSpecialTokens: false });
      // At least one character really is split over several tokens.
      expect(ids.some((id) => !tok.decode([id]).length || tok.decode([id]).includes('\uFFFD'))).toBe(true);
      const s = tok.createStreamDecoder();
      const pieces = ids.map((id) => s.push(id));
      pieces.push(s.flush());
      for (const p of pieces) expect(p).not.toContain('\uFFFD');
      expect(pieces.join('')).toBe(tok.decode(ids));
    });
  }
  it('flush emits an incomplete trailing character as U+FFFD', () => {
    const ids = gpt2.encode('😀', { addSpecialTokens: false });
    const s = gpt2.createStreamDecoder();
    expect(s.push(ids[0]!)).toBe('');
    expect(s.flush()).toBe('\uFFFD');
  });
});

describe('untrusted tokenizer.json', () => {
  const base = JSON.parse(readFileSync(fixture('tiny-random-gpt2/tokenizer.json'), 'utf8'));
  const bad = (mutate: (j: Record<string, unknown> & { model: Record<string, unknown> }) => void) => {
    const j = structuredClone(base);
    mutate(j);
    return () => tokenizerFromJSON(j);
  };
  it.each([
    ['not JSON', () => tokenizerFromJSON('{"model": '), /not valid JSON/],
    ['not an object', () => tokenizerFromJSON('[1,2]'), /\(root\)/],
    ['model missing', bad((j) => delete (j as Record<string, unknown>).model), /`model` is missing/],
    ['vocab with a string id', bad((j) => ((j.model.vocab as Record<string, unknown>).hello = 'x')), /model\.vocab\["hello"\]/],
    ['merge of unknown tokens', bad((j) => (j.model.merges as string[]).push('zzz qqq')), /model\.merges\[806\]/],
    ['merge without a space', bad((j) => (j.model.merges as string[]).push('nospace')), /model\.merges\[806\]/],
    ['unknown normalizer', bad((j) => (j.normalizer = { type: 'Shout' })), /`normalizer\.type` is "Shout"/],
    [
      'unknown pre-tokenizer in a sequence',
      bad((j) => (j.pre_tokenizer = { type: 'Sequence', pretokenizers: [{ type: 'Nope' }] })),
      /pre_tokenizer\.pretokenizers\[0\]\.type/,
    ],
    ['unknown decoder', bad((j) => (j.decoder = { type: 'Nope' })), /`decoder\.type`/],
    ['unknown model', bad((j) => (j.model = { type: 'Magic' })), /`model\.type` is "Magic"/],
    ['added token without content', bad((j) => (j.added_tokens = [{ id: 5 }])), /added_tokens\[0\]\.content/],
    [
      'wrong type for a flag',
      bad((j) => (j.pre_tokenizer = { type: 'ByteLevel', add_prefix_space: 'yes' })),
      /add_prefix_space` must be a boolean/,
    ],
    [
      'bad split behaviour',
      bad((j) => (j.pre_tokenizer = { type: 'Split', pattern: { String: ' ' }, behavior: 'Explode' })),
      /behavior/,
    ],
    [
      'template with an undefined special',
      bad(
        (j) => (j.post_processor = { type: 'TemplateProcessing', single: [{ SpecialToken: { id: '<x>' } }], special_tokens: {} }),
      ),
      /special_tokens/,
    ],
    ['bad padding strategy', bad((j) => (j.padding = { strategy: 'Sometimes' })), /padding\.strategy/],
    ['bad base64 charsmap', bad((j) => (j.normalizer = { type: 'Precompiled', precompiled_charsmap: '!!!' })), /base64/],
  ])('%s → InvalidFileError naming the field', (_name, make, message) => {
    let err: unknown;
    try {
      make();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InvalidFileError);
    expect((err as Error).message).toMatch(message);
  });

  it('factories reject unknown types with a list of the supported ones', () => {
    for (const f of [createNormalizer, createPreTokenizer, createPostProcessor, createDecoder]) {
      expect(() => f({ type: 'Bogus' })).toThrow(/supported: /);
    }
    expect(() => createModel({ type: 'Bogus' })).toThrow(InvalidFileError);
  });

  it('vocab entries named __proto__, constructor, toString are ordinary tokens', () => {
    const vocab = JSON.parse('{"__proto__": 0, "constructor": 1, "toString": 2, "hasOwnProperty": 3, "a": 4, " ": 5}');
    const tok = tokenizerFromJSON({
      model: { type: 'WordLevel', vocab, unk_token: 'a' },
      pre_tokenizer: { type: 'WhitespaceSplit' },
      decoder: null,
    });
    expect(tok.encode('__proto__ constructor toString hasOwnProperty valueOf')).toEqual([0, 1, 2, 3, 4]);
    expect(tok.decode([0, 1, 2])).toBe('__proto__ constructor toString');
    expect(tok.tokenToId('valueOf')).toBeUndefined();
    expect(tok.idToToken(0)).toBe('__proto__');
  });
});
