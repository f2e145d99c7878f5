import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { OptionError } from '@weft/core';
import { fixture } from '@weft/testing';
import { describe, expect, it } from 'vitest';
import { tokenizerFromJSON } from '../../src/json/index.js';
import { trainByteLevelBpe, trainByteLevelBpeReference } from '../../src/train/index.js';

const require = createRequire(import.meta.url);
const { Tokenizer } = require('tokenizers') as {
  Tokenizer: {
    fromString(json: string): {
      encode(t: string, pair?: null, o?: { addSpecialTokens: boolean }): Promise<{ getIds(): number[] }>;
      decode(ids: number[], skip?: boolean): Promise<string>;
    };
  };
};

const shakespeare = () => readFileSync(fixture('text/tinyshakespeare.txt'), 'utf8');

describe('byte-level BPE trainer', () => {
  it('the incremental trainer learns exactly the merges of the plain reference', () => {
    const text = shakespeare().slice(0, 30_000);
    const opts = { vocabSize: 256 + 1 + 250, specialTokens: ['<|endoftext|>'], minFrequency: 2 };
    const fast = trainByteLevelBpe([text], opts);
    const ref = trainByteLevelBpeReference([text], opts);
    expect(fast.merges.length).toBe(250);
    expect(fast.merges).toEqual(ref.merges);
    expect([...fast.vocab]).toEqual([...ref.vocab]);
  });

  it('writes a tokenizer.json that HF tokenizers (npm) and weft load and encode to the same ids', async () => {
    const bpe = trainByteLevelBpe([shakespeare()], { vocabSize: 2000, specialTokens: ['<|endoftext|>'], maxTokenLength: 16 });
    expect(bpe.vocab.size).toBe(2000);
    const json = JSON.stringify(bpe.toTokenizerJson());
    const hf = Tokenizer.fromString(json);
    const ours = tokenizerFromJSON(json);
    const texts = [
      ...readFileSync(fixture('text/war-and-peace.txt'), 'utf8').slice(100_000, 160_000).split('\n\n'),
      ...readFileSync(fixture('text/botchan.txt'), 'utf8').slice(20_000, 40_000).split('\n'),
      'Hello world<|endoftext|>日本語 🙂 naïve   spaces\n\ttabs',
      shakespeare().slice(0, 20_000),
    ];
    let mismatches = 0;
    let tokens = 0;
    for (const text of texts) {
      const want = (await hf.encode(text, null, { addSpecialTokens: false })).getIds();
      const got = ours.encode(text, { addSpecialTokens: false });
      tokens += want.length;
      if (JSON.stringify(got) !== JSON.stringify(want)) {
        mismatches++;
        console.log(`trained BPE mismatch on ${JSON.stringify(text.slice(0, 60))}`);
      }
      expect(ours.decode(got)).toBe(text);
    }
    console.log(
      `trained byte-level BPE (2000): ${texts.length} strings, ${tokens} tokens, ${mismatches} mismatches between HF tokenizers and weft`,
    );
    expect(mismatches).toBe(0);
    // The special token is matched as one id by both.
    const ids = (await hf.encode('a<|endoftext|>b', null, { addSpecialTokens: false })).getIds();
    expect(ids).toContain(0);
    // Training compresses: far fewer tokens than bytes on held-out text.
    const held = readFileSync(fixture('text/war-and-peace.txt'), 'utf8').slice(500_000, 520_000);
    expect(ours.encode(held, { addSpecialTokens: false }).length).toBeLessThan(held.length / 2.5);
  });

  it('rejects bad options with OptionError', () => {
    expect(() => trainByteLevelBpe(['x'], { vocabSize: 100 })).toThrowError(OptionError);
    expect(() => trainByteLevelBpe(['x'], { vocabSize: 300, minFrequency: 0 })).toThrowError(/minFrequency/);
    expect(() => trainByteLevelBpe(['x'], { vocabSize: 300, specialTokens: ['a', 'a'] })).toThrowError(/duplicates/);
    expect(() => trainByteLevelBpe(['x'], { vocabSize: 300, maxTokenLength: 1 })).toThrowError(/maxTokenLength/);
  });

  it('stops early when no pair is frequent enough', () => {
    const bpe = trainByteLevelBpe(['abc'], { vocabSize: 1000 });
    expect(bpe.merges.length).toBe(0);
    expect(bpe.vocab.size).toBe(256);
  });
});
