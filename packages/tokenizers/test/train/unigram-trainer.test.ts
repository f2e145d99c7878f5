import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { OptionError } from '@weft/core';
import { fixture } from '@weft/testing';
import { describe, expect, it } from 'vitest';
import { tokenizerFromJSON } from '../../src/json/index.js';
import { trainUnigram } from '../../src/train/index.js';

const require = createRequire(import.meta.url);
const { Tokenizer } = require('tokenizers') as {
  Tokenizer: {
    fromString(json: string): {
      encode(t: string, pair?: null, o?: { addSpecialTokens: boolean }): Promise<{ getIds(): number[] }>;
    };
  };
};

describe('Unigram trainer', () => {
  const corpus = readFileSync(fixture('text/tinyshakespeare.txt'), 'utf8').slice(0, 120_000);

  it('learns a vocabulary of the requested size that HF tokenizers and weft encode identically', async () => {
    const model = trainUnigram([corpus], { vocabSize: 600, specialTokens: ['<s>', '</s>'] });
    expect(model.pieces.length).toBe(600);
    expect(model.pieces[2]![0]).toBe('<unk>');
    // Frequent words become single pieces.
    const pieces = new Set(model.pieces.map(([p]) => p));
    for (const w of ['\u2581the', '\u2581and', '\u2581I']) expect(pieces.has(w)).toBe(true);
    const json = JSON.stringify(model.toTokenizerJson());
    const hf = Tokenizer.fromString(json);
    const ours = tokenizerFromJSON(json);
    const held = readFileSync(fixture('text/tinyshakespeare.txt'), 'utf8').slice(500_000, 530_000).split('\n').filter(Boolean);
    held.push('Zebra quizzes ÿ 日本 — unknown chars', 'ｆｕｌｌ width');
    let mismatches = 0;
    let tokens = 0;
    for (const text of held) {
      const want = (await hf.encode(text, null, { addSpecialTokens: false })).getIds();
      const got = ours.encode(text, { addSpecialTokens: false });
      tokens += want.length;
      if (JSON.stringify(got) !== JSON.stringify(want)) {
        mismatches++;
        console.log(`trained Unigram mismatch on ${JSON.stringify(text)}: ${got} vs ${want}`);
      }
    }
    console.log(
      `trained Unigram (600): ${held.length} strings, ${tokens} tokens, ${mismatches} mismatches between HF tokenizers and weft`,
    );
    expect(mismatches).toBe(0);
    // Compresses held-out text to under one token per two characters (600 pieces, 120 kB of training text).
    const text = held.slice(0, 200).join(' ');
    expect(ours.encode(text, { addSpecialTokens: false }).length).toBeLessThan(text.length / 2);
  });

  it('rejects bad options with OptionError', () => {
    expect(() => trainUnigram(['abc abd'], { vocabSize: 3 })).toThrowError(OptionError);
    expect(() => trainUnigram(['abc'], { vocabSize: 100, shrinkingFactor: 1 })).toThrowError(/shrinkingFactor/);
    expect(() => trainUnigram(['abc'], { vocabSize: 100, maxPieceLength: 0 })).toThrowError(/maxPieceLength/);
  });
});
