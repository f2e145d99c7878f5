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

describe('tiktoken Unicode classes', () => {
  it('Unicode 17 additions and 4,000 random code points split as in tiktoken (full scan: scripts/tiktoken-unicode-probe.mjs)', () => {
    const cps: number[] = [];
    const ranges = [
      [0x88f, 0x88f],
      [0xa7ce, 0xa7f1],
      [0x1acf, 0x1aeb],
      [0x10940, 0x10959],
      [0x11db0, 0x11de9],
      [0x16ea0, 0x16ed3],
      [0x1e6c0, 0x1e6ff],
      [0x323b0, 0x323ff],
    ];
    for (const [a, b] of ranges) for (let cp = a!; cp <= b!; cp++) cps.push(cp);
    let x = 12345;
    for (let k = 0; k < 4000; k++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      const cp = x % 0x110000;
      if (cp < 0xd800 || cp >= 0xe000) cps.push(cp);
    }
    for (const name of ['cl100k_base', 'o200k_base'] as const) {
      const enc = weft(name);
      const ref = openai(name);
      const differ: string[] = [];
      for (const cp of cps) {
        const c = String.fromCodePoint(cp);
        const probe = `${c}'S a${c}b 1${c}2 ${c}${c}\n`;
        if (firstDiff(enc.encodeOrdinary(probe), ref.encode_ordinary(probe)) >= 0) differ.push(cp.toString(16));
      }
      console.log(`${name}: ${cps.length} code points probed, ${differ.length} split differently from tiktoken`);
      expect(differ).toEqual([]);
    }
  });
});
