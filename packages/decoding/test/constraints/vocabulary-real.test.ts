import { readFileSync } from 'node:fs';
import { type Tokenizer, XorShiftRng } from '@weft/core';
import { allowedTokensReference, compileJsonSchema, createConstraint, TokenConstraint, TokenVocabulary } from '@weft/decoding';
import { fixture, freshSeed } from '@weft/testing';
import { loadLlama2cTokenizer, tokenizerFromJSON } from '@weft/tokenizers';
import { describe, expect, it } from 'vitest';
import { SCHEMAS } from './schemas.js';

// The bytes TokenVocabulary derives must concatenate to what the tokenizer itself decodes:
// for random id sequences, decode([anchor, ...ids]) minus decode([anchor]) === UTF-8 of the
// concatenated token bytes.
const TOKENIZERS: [string, () => Tokenizer][] = [
  ['gpt2 (byte-level BPE, 50257)', () => tokenizerFromJSON(JSON.parse(readFileSync(fixture('gpt2/tokenizer.json'), 'utf8')))],
  [
    'mistral-7b (Metaspace, byte fallback)',
    () => tokenizerFromJSON(JSON.parse(readFileSync(fixture('mistral-7b-v0.1/tokenizer.json'), 'utf8'))),
  ],
  [
    'phi-3-mini (Prepend/Replace normalizer, byte fallback)',
    () => tokenizerFromJSON(JSON.parse(readFileSync(fixture('phi-3-mini/tokenizer.json'), 'utf8'))),
  ],
  [
    'llama2 tokenizer.bin (32000)',
    () => loadLlama2cTokenizer(new Uint8Array(readFileSync(fixture('llama2/tokenizer.bin'))), 'tokenizer.bin'),
  ],
];

describe('TokenVocabulary on real tokenizers', () => {
  const seed = freshSeed();
  for (const [name, load] of TOKENIZERS) {
    it(`${name}: token bytes concatenate to the tokenizer's own decoding (seed ${seed})`, () => {
      const tok = load();
      const vocab = TokenVocabulary.fromTokenizer(tok);
      expect(vocab.coversAllBytes()).toBe(true);
      const usable: number[] = [];
      for (let id = 0; id < vocab.size; id++) if (vocab.tokenBytes(id) !== undefined) usable.push(id);
      expect(usable.length).toBeGreaterThan(0.99 * (tok.vocabSize - 16));
      const anchorIds = tok.encode('a', { addSpecialTokens: false });
      const anchor = anchorIds[anchorIds.length - 1]!;
      const anchorText = tok.decode([anchor], { skipSpecialTokens: true });
      const rng = new XorShiftRng(seed);
      const dec = new TextDecoder('utf-8', { ignoreBOM: true }); // a token may be U+FEFF itself
      for (let run = 0; run < 300; run++) {
        const n = 1 + (rng.nextU32() % 6);
        const ids = Array.from({ length: n }, () => usable[rng.nextU32() % usable.length]!);
        const bytes = ids.flatMap((id) => Array.from(vocab.tokenBytes(id)!));
        const expected = tok.decode([anchor, ...ids], { skipSpecialTokens: true }).slice(anchorText.length);
        expect(dec.decode(Uint8Array.from(bytes)), `ids ${ids}`).toBe(expected);
      }
    });
  }

  it('added control tokens (phi-3 chat tokens) are never allowed inside constrained text', () => {
    const tok = TOKENIZERS[2]![1]();
    const vocab = TokenVocabulary.fromTokenizer(tok);
    for (const t of ['<|user|>', '<|assistant|>', '<|end|>', '<|endoftext|>']) {
      const id = tok.tokenToId(t);
      expect(id, t).toBeDefined();
      expect(vocab.tokenBytes(id!), t).toBeUndefined();
    }
  });

  it(`t5-small (Unigram, no byte fallback): token-level liveness keeps generation spellable (seed ${seed})`, () => {
    const tok = tokenizerFromJSON(JSON.parse(readFileSync(fixture('t5-small/tokenizer.json'), 'utf8')));
    const vocab = TokenVocabulary.fromTokenizer(tok);
    expect(vocab.coversAllBytes()).toBe(false);
    // T5 has no "{" at all: a JSON object cannot be spelled, and the error says why.
    expect(() => createConstraint({ kind: 'json-schema', schema: SCHEMAS.person! }, vocab)).toThrow(/no token starts with "\{"/);
    // Words T5 can spell, some only through multi-token paths; every random walk must finish.
    const c = createConstraint(
      { kind: 'regex', pattern: '(hello|world|caf\u00e9|x\u00f1z)( (hello|world|caf\u00e9|x\u00f1z)){0,3}' },
      vocab,
    );
    const rng = new XorShiftRng(seed);
    for (let run = 0; run < 30; run++) {
      let s = c.start;
      const ids: number[] = [];
      for (let step = 0; step < 100; step++) {
        const allowed = c.allowedTokens(s);
        if (c.canEnd(s) && (allowed.length === 0 || rng.nextFloat() < 0.3)) break;
        expect(allowed.length, `seed ${seed}: stuck after ${ids}`).toBeGreaterThan(0);
        const id = allowed[rng.nextU32() % allowed.length]!;
        ids.push(id);
        s = c.advance(s, id);
      }
      expect(c.accepts(ids), `seed ${seed}: ${ids}`).toBe(true);
    }
  });

  it(`llama2 32k: trie masks equal the reference on the states of a real walk (seed ${seed})`, () => {
    const tok = TOKENIZERS[3]![1]();
    const vocab = TokenVocabulary.fromTokenizer(tok);
    const c = new TokenConstraint(compileJsonSchema(SCHEMAS.person!, { maxDigits: 3 }), vocab);
    const rng = new XorShiftRng(seed);
    let s = c.start;
    for (let step = 0; step < 40 && !c.dfa.isAccepting(s); step++) {
      const allowed = c.allowedTokens(s);
      expect(Array.from(allowed).sort((a, b) => a - b)).toEqual(Array.from(allowedTokensReference(c, s)));
      s = c.advance(s, allowed[rng.nextU32() % allowed.length]!);
    }
  });
});
