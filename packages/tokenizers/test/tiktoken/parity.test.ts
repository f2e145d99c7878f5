import { describe, expect, it } from 'vitest';
import { adversarialCorpus, ENCODINGS, firstDiff, fixtureTexts, gptTokenizer, llamaCppInputs, openai, weft } from './helpers.js';

const corpus = () => [...adversarialCorpus(), ...llamaCppInputs(), ...fixtureTexts()];

describe.each(ENCODINGS)('tiktoken %s parity', (name) => {
  it('matches OpenAI tiktoken (WASM) id for id on fixture texts and the adversarial corpus', () => {
    const enc = weft(name);
    const ref = openai(name);
    const texts = corpus();
    let mismatches = 0;
    let tokens = 0;
    for (const text of texts) {
      const ours = enc.encodeOrdinary(text);
      const theirs = ref.encode_ordinary(text);
      tokens += theirs.length;
      const d = firstDiff(ours, theirs);
      if (d >= 0) {
        mismatches++;
        console.log(
          `${name} mismatch on ${JSON.stringify(text.slice(0, 60))} at ${d}: ours ${ours.slice(d, d + 5)} theirs ${theirs.slice(d, d + 5)}`,
        );
      }
    }
    console.log(`${name}: ${texts.length} strings, ${tokens} tokens, ${mismatches} mismatches vs tiktoken`);
    expect(mismatches).toBe(0);
  });

  it('matches gpt-tokenizer except where its JS regex \\s differs from Rust (U+FEFF, U+0085)', async () => {
    const enc = weft(name);
    const gt = await gptTokenizer(name);
    const texts = corpus();
    let mismatches = 0;
    let explained = 0;
    for (const text of texts) {
      const clean = text.toWellFormed();
      const ours = enc.encodeOrdinary(clean);
      const theirs = gt.encode(clean, { disallowedSpecial: new Set() });
      if (firstDiff(ours, theirs) >= 0) {
        if (/[\ufeff\u0085]/.test(clean)) explained++;
        else {
          mismatches++;
          console.log(`${name} gpt-tokenizer mismatch on ${JSON.stringify(clean.slice(0, 60))}`);
        }
      }
    }
    console.log(
      `${name}: ${texts.length} strings, ${mismatches} unexplained mismatches vs gpt-tokenizer, ${explained} on U+FEFF/U+0085 (gpt-tokenizer differs from tiktoken there)`,
    );
    expect(mismatches).toBe(0);
  });

  it('round-trips every well-formed string and turns lone surrogates into U+FFFD', () => {
    const enc = weft(name);
    for (const text of corpus()) expect(enc.decode(enc.encodeOrdinary(text))).toBe(text.toWellFormed());
  });
});

describe('tiktoken special tokens (tiktoken semantics)', () => {
  const text = 'a<|endoftext|>b<|fim_prefix|>';
  it('refuses disallowed special tokens by default, with a typed error', () => {
    expect(() => weft('cl100k_base').encode(text)).toThrowError(/disallowedSpecial/);
    expect(() => openai('cl100k_base').encode(text)).toThrow();
  });
  it('encodes allowed ones as ids, and others as text when disallowedSpecial is []', () => {
    const enc = weft('cl100k_base');
    const ref = openai('cl100k_base');
    expect(enc.encode(text, { allowedSpecial: 'all' })).toEqual([...ref.encode(text, 'all')]);
    expect(enc.encode(text, { allowedSpecial: ['<|endoftext|>'], disallowedSpecial: [] })).toEqual([
      ...ref.encode(text, ['<|endoftext|>'], []),
    ]);
    expect(enc.encode(text, { disallowedSpecial: [] })).toEqual([...ref.encode(text, [], [])]);
    expect(() => enc.encode(text, { allowedSpecial: ['<|endoftext|>'] })).toThrowError(/fim_prefix/);
    expect(() => enc.encode('x', { allowedSpecial: ['<|nope|>'] })).toThrowError(/not a special token/);
  });
  it('decodes specials, skips them on request, and maps ids to byte-level tokens and back', () => {
    const enc = weft('cl100k_base');
    const ids = enc.encode(text, { allowedSpecial: 'all' });
    expect(enc.decode(ids)).toBe(text);
    expect(enc.decode(ids, { skipSpecialTokens: true })).toBe('ab');
    expect(enc.vocabSize).toBe(100277);
    expect(enc.special.eos).toBe(100257);
    expect(enc.idToToken(enc.encodeOrdinary(' hello')[0]!)).toBe('Ġhello');
    expect(enc.tokenToId('Ġhello')).toBe(enc.encodeOrdinary(' hello')[0]);
    expect(enc.idToToken(100256)).toBeUndefined(); // a hole in cl100k
    expect(() => enc.decode([100256])).toThrowError(/not in cl100k_base/);
    expect(weft('o200k_base').vocabSize).toBe(200019);
    expect(weft('p50k_base').vocabSize).toBe(50281);
  });
});

describe('tiktoken stream decoder', () => {
  it('emits multi-byte characters split across tokens only once whole', () => {
    const enc = weft('r50k_base');
    const text = '👨‍👩‍👧 日本語 é 🙂🙂 done';
    const ids = enc.encodeOrdinary(text);
    // r50k splits these characters into byte tokens: at least one token must be an incomplete character.
    expect(ids.some((id) => enc.decode([id]).includes('\ufffd'))).toBe(true);
    const dec = enc.createStreamDecoder();
    const parts = ids.map((id) => dec.push(id));
    parts.push(dec.flush());
    expect(parts.join('')).toBe(text);
    for (const p of parts) expect(p).not.toContain('\ufffd');
  });
  it('flushes an incomplete character as U+FFFD', () => {
    const enc = weft('r50k_base');
    const ids = enc.encodeOrdinary('🙂');
    const dec = enc.createStreamDecoder();
    expect(dec.push(ids[0]!)).toBe('');
    expect(dec.flush()).toBe('\ufffd');
  });
});
