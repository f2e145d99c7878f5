import { readFileSync } from 'node:fs';
import { type GenerationContext, type Tokenizer, XorShiftRng } from '@weft/core';
import {
  allowedTokensReference,
  compileJsonSchema,
  compileRegex,
  createConstraint,
  createConstraintProcessor,
  DEAD,
  TokenConstraint,
  TokenVocabulary,
} from '@weft/decoding';
import { embeddedModel, fixture, freshSeed, randnF32 } from '@weft/testing';
import { loadLlama2cTokenizer } from '@weft/tokenizers';
import { describe, expect, it } from 'vitest';
import { fakeVocabulary } from './fake-vocab.js';
import { SCHEMAS } from './schemas.js';
import { validate } from './validate-schema.js';

const ctxOf = (history: number[], promptLength: number): GenerationContext => ({
  history: Int32Array.from(history),
  promptLength,
  step: history.length - promptLength,
});

describe('token masks', () => {
  const { vocab } = fakeVocabulary();

  it.each([
    ['regex', compileRegex('(cat|dog)s? [0-9]{1,3}😀?')],
    ['person', compileJsonSchema(SCHEMAS.person!)],
    ['nested flexible', compileJsonSchema(SCHEMAS.nested!, { whitespace: { kind: 'flexible', maxRun: 2 } })],
  ])('%s: trie walk equals the one-token-at-a-time reference in every state', (_name, dfa) => {
    const c = new TokenConstraint(dfa, vocab);
    for (let s = 0; s < dfa.size; s++) {
      const fast = c.allowedTokens(s);
      expect(Array.from(fast).sort((x, y) => x - y)).toEqual(Array.from(allowedTokensReference(c, s)));
      // Never a token that leads to a dead state; never EOS in the list.
      for (const id of fast) {
        expect(c.advance(s, id)).not.toBe(DEAD);
        expect(c.isEos(id)).toBe(false);
      }
    }
  });

  it('process() keeps exactly the reference set (plus EOS when complete), values untouched, in both mask forms', () => {
    const seed = freshSeed();
    const rng = new XorShiftRng(seed);
    const c = createConstraint(
      { kind: 'json-schema', schema: SCHEMAS.nested!, whitespace: { kind: 'flexible', maxRun: 2 } },
      vocab,
    );
    const p = createConstraintProcessor(c);
    const kinds = new Set<string>();
    const eos = vocab.eos[0]!;
    for (let run = 0; run < 40; run++) {
      const history = [eos - 1];
      for (let step = 0; step < 60; step++) {
        const ctx = ctxOf(history, 1);
        const state = p.stateOf(ctx);
        kinds.add(c.mask(state).kind);
        const original = randnF32(vocab.size + 3, rng.nextU32());
        const logits = Float32Array.from(original);
        p.process(logits, ctx);
        const expected = new Set(allowedTokensReference(c, state));
        if (c.canEnd(state)) expected.add(eos);
        const wrong: number[] = [];
        for (let id = 0; id < logits.length; id++) {
          const want = expected.has(id) ? original[id] : Number.NEGATIVE_INFINITY;
          if (logits[id] !== want) wrong.push(id);
        }
        expect(wrong, `seed ${seed}: ids with wrong logits`).toEqual([]);
        const allowed = c.allowedTokens(state);
        if (allowed.length === 0) break;
        history.push(allowed[rng.nextU32() % allowed.length]!);
      }
    }
    expect([...kinds].sort()).toEqual(['allow', 'block']);
  });

  it('random masked generation always yields text that parses and validates', () => {
    const seed = freshSeed();
    const rng = new XorShiftRng(seed);
    const dec = new TextDecoder('utf-8', { fatal: true });
    for (const [name, schema] of Object.entries(SCHEMAS)) {
      const proc = createConstraintProcessor(createConstraint({ kind: 'json-schema', schema, maxDigits: 3 }, vocab));
      const eos = vocab.eos[0]!;
      for (let run = 0; run < 20; run++) {
        const history = [eos - 1]; // a one-token "prompt"
        for (let step = 0; ; step++) {
          expect(step, `${name} seed ${seed}: no end`).toBeLessThan(2000);
          const logits = randnF32(vocab.size, rng.nextU32(), 3);
          const ctx = ctxOf(history, 1);
          proc.process(logits, ctx);
          const open: number[] = [];
          for (let id = 0; id < logits.length; id++) if (logits[id]! > Number.NEGATIVE_INFINITY) open.push(id);
          expect(open.length, `${name}: something is allowed`).toBeGreaterThan(0);
          // Prefer EOS once allowed now and then so runs finish.
          const id = open.includes(eos) && rng.nextFloat() < 0.3 ? eos : open[rng.nextU32() % open.length]!;
          if (id === eos) break;
          history.push(id);
        }
        const gen = history.slice(1);
        expect(proc.constraint.accepts(gen)).toBe(true);
        const bytes = gen.flatMap((id) => Array.from(vocab.tokenBytes(id)!));
        const text = dec.decode(Uint8Array.from(bytes));
        expect(validate(JSON.parse(text), schema), `${name} seed ${seed}: ${text}`).toBe(true);
      }
    }
  });

  it('the processor follows swapped histories (beams, rollback) and rejects broken ones', () => {
    const c = createConstraint({ kind: 'regex', pattern: 'ab|ac|b+' }, vocab);
    const p = createConstraintProcessor(c);
    const a = 0x61;
    const b = 0x62;
    expect(p.isComplete(ctxOf([9, a, b], 1))).toBe(true);
    expect(p.isComplete(ctxOf([9, a], 1))).toBe(false);
    expect(p.isComplete(ctxOf([9, b, b, b], 1))).toBe(true);
    expect(p.isFinished(ctxOf([9, a, b], 1))).toBe(true);
    expect(p.isFinished(ctxOf([9, b], 1))).toBe(false);
    // After EOS closed a complete text, anything fed later is ignored and only EOS stays allowed.
    const eos = vocab.eos[0]!;
    const after = new Float32Array(vocab.size).fill(1);
    p.process(after, ctxOf([9, a, b, eos, eos, a], 1));
    expect(Array.from(after.keys()).filter((id) => after[id] === 1)).toEqual([eos]);
    expect(p.isFinished(ctxOf([9, b, eos], 1))).toBe(true);
    expect(() => p.process(new Float32Array(vocab.size), ctxOf([9, a, eos], 1))).toThrow(
      expect.objectContaining({ option: 'history' }),
    ); // EOS before the text is complete
    expect(() => p.process(new Float32Array(vocab.size), ctxOf([9, a, a], 1))).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTION', option: 'history' }),
    );
    expect(() => p.process(new Float32Array(3), ctxOf([9], 1))).toThrow(expect.objectContaining({ code: 'SHAPE_MISMATCH' }));
    // Longer logits (padded model vocab): the extra ids are masked.
    const logits = new Float32Array(vocab.size + 5);
    p.process(logits, ctxOf([9, a, b], 1));
    expect(logits[vocab.size + 2]).toBe(Number.NEGATIVE_INFINITY);
    expect(logits[vocab.eos[0]!]).toBe(0);
    expect(logits.filter((x) => x === 0).length).toBe(1);
  });

  it('vocabularies missing bytes: only tokens with a token path to the end are allowed', () => {
    // No single "b"; "ab" exists only as a whole token, "c" exists.
    const pieces = ['a', 'ab', 'c', 'ac', 'x', undefined];
    const v = TokenVocabulary.fromBytes(pieces, [5]);
    const c = createConstraint({ kind: 'regex', pattern: 'a(b|c)' }, v);
    expect(Array.from(c.allowedTokens(c.start)).sort()).toEqual([0, 1, 3]);
    const afterA = c.advance(c.start, 0);
    expect(Array.from(c.allowedTokens(afterA))).toEqual([2]);
    expect(() => createConstraint({ kind: 'regex', pattern: 'b' }, v)).toThrow(expect.objectContaining({ option: 'vocabulary' }));
    const lazy = new TokenConstraint(compileRegex('b'), v); // built directly: the check runs at first use
    expect(() => lazy.allowedTokens(lazy.start)).toThrow(/no token starts with "b"/);
  });

  it('precompute() fills every state with the same masks lazy use gives', () => {
    const dfa = compileJsonSchema(SCHEMAS.person!);
    const eager = new TokenConstraint(dfa, vocab);
    expect(eager.precompute()).toBe(dfa.size);
    const lazy = new TokenConstraint(dfa, vocab);
    for (let s = 0; s < dfa.size; s++) expect(eager.mask(s)).toEqual(lazy.mask(s));
  });

  it('spec errors surface before any vocabulary work', () => {
    expect(() => createConstraint({ kind: 'regex', pattern: '(' }, vocab)).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTION' }),
    );
    expect(() => createConstraint({ kind: 'grammar' } as never, vocab)).toThrow(expect.objectContaining({ option: 'kind' }));
    expect(() => TokenVocabulary.fromBytes(['a'], [])).toThrow(expect.objectContaining({ option: 'eos' }));
    expect(() => TokenVocabulary.fromBytes(['a'], [4])).toThrow(expect.objectContaining({ option: 'eos' }));
  });
});

describe('TokenVocabulary.fromTokenizer', () => {
  it('llama2.c tok512: every token has the bytes it prints after a non-BOS token', () => {
    const tok = loadLlama2cTokenizer(new Uint8Array(readFileSync(embeddedModel('tok512.bin'))), 'tok512.bin');
    const v = TokenVocabulary.fromTokenizer(tok);
    expect(v.eos).toEqual([2]);
    expect(v.coversAllBytes()).toBe(true);
    for (let id = 0; id < tok.vocabSize; id++) {
      if (id < 3) expect(v.tokenBytes(id)).toBeUndefined();
      else expect(Array.from(v.tokenBytes(id)!), `id ${id}`).toEqual(Array.from(tok.pieceBytes(3, id)));
    }
    // A leading-space token keeps its space even though decode([id]) alone drops it after BOS.
    const spaced = tok.encode('the', { addSpecialTokens: false })[0]!;
    expect(new TextDecoder().decode(v.tokenBytes(spaced))).toMatch(/^ /);
  });

  it('GPT-2 byte-level vocabulary (tiny-random-gpt2): partial UTF-8 pieces map back to bytes', () => {
    const vocabJson = JSON.parse(readFileSync(fixture('tiny-random-gpt2/vocab.json'), 'utf8')) as Record<string, number>;
    const idToPiece: string[] = [];
    for (const [piece, id] of Object.entries(vocabJson)) idToPiece[id] = piece;
    const tok = byteLevelTokenizer(idToPiece);
    const v = TokenVocabulary.fromTokenizer(tok);
    let partial = 0;
    for (let id = 0; id < idToPiece.length; id++) {
      if (id === tok.special.eos) continue;
      const expected = pieceToBytes(idToPiece[id]!);
      expect(Array.from(v.tokenBytes(id)!), `id ${id} ${idToPiece[id]}`).toEqual(expected);
      if (new TextDecoder().decode(Uint8Array.from(expected)).includes('\uFFFD')) partial++;
    }
    expect(partial).toBeGreaterThan(0);
  });
});

// GPT-2's bytes_to_unicode and a minimal ByteLevel tokenizer over a real vocab (decode only).
function byteTable(): Map<string, number> {
  const printable: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) printable.push(b);
  for (let b = 0xa1; b <= 0xac; b++) printable.push(b);
  for (let b = 0xae; b <= 0xff; b++) printable.push(b);
  const m = new Map<string, number>();
  let n = 0;
  for (let b = 0; b < 256; b++) m.set(String.fromCodePoint(printable.includes(b) ? b : 256 + n++), b);
  return m;
}
const TABLE = byteTable();
function pieceToBytes(piece: string): number[] {
  return Array.from(piece, (ch) => TABLE.get(ch)!);
}
function byteLevelTokenizer(pieces: string[]): Tokenizer {
  const eos = pieces.indexOf('<|endoftext|>');
  const dec = new TextDecoder();
  return {
    vocabSize: pieces.length,
    special: { eos, bos: eos },
    encode: (text) => [pieces.indexOf(text.slice(0, 1))],
    decode: (ids) => dec.decode(Uint8Array.from(Array.from(ids).flatMap((id) => (id === eos ? [] : pieceToBytes(pieces[id]!))))),
    idToToken: (id) => pieces[id],
    tokenToId: (t) => pieces.indexOf(t),
    createStreamDecoder: () => {
      throw new Error('not needed');
    },
  };
}
