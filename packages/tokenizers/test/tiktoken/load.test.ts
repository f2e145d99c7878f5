import { readFileSync } from 'node:fs';
import { InvalidFileError } from '@weft/core';
import { fixture } from '@weft/testing';
import { describe, expect, it } from 'vitest';
import { detectTokenizerFormat, loadTokenizer } from '../../src/load.js';
import { SentencePieceTokenizer } from '../../src/sentencepiece/index.js';
import { TiktokenTokenizer } from '../../src/tiktoken/index.js';
import { rankFile } from './helpers.js';

describe('loadTokenizer detects the format from the bytes', () => {
  const files: [string, string][] = [
    ['gpt2/tokenizer.json', 'tokenizer.json'],
    ['mistral-7b-v0.1/tokenizer.json', 'tokenizer.json'],
    ['gpt2/r50k_base.tiktoken', 'tiktoken'],
    ['llama2/tokenizer.model', 'sentencepiece'],
    ['sentencepiece/test_model.model', 'sentencepiece'],
    ['llama2/tokenizer.bin', 'llama2c'],
    ['llama2c/tok512.bin', 'llama2c'],
  ];
  it.each(files)('%s → %s', (rel, format) => {
    const bytes = readFileSync(fixture(rel));
    expect(detectTokenizerFormat(bytes)).toBe(format);
    const tok = loadTokenizer(bytes, { fileName: rel });
    const text = 'Hello world, this is weft.';
    expect(tok.decode(tok.encode(text), { skipSpecialTokens: true }).trim()).toBe(text);
  });

  it('guesses the tiktoken encoding from the rank count', () => {
    for (const name of ['r50k_base', 'p50k_base', 'cl100k_base'] as const) {
      const tok = loadTokenizer(readFileSync(rankFile(name)));
      expect(tok).toBeInstanceOf(TiktokenTokenizer);
      expect((tok as TiktokenTokenizer).name).toBe(name);
    }
    expect(loadTokenizer(readFileSync(fixture('llama2/tokenizer.model')))).toBeInstanceOf(SentencePieceTokenizer);
  });

  it('unknown formats, config files and unknown rank counts give InvalidFileError', () => {
    expect(() => loadTokenizer(new Uint8Array([1, 2, 3]), { fileName: 'x.bin' })).toThrowError(InvalidFileError);
    expect(() => loadTokenizer('hello there', { fileName: 'notes.txt' })).toThrowError(/not a tokenizer format/);
    expect(() => loadTokenizer(readFileSync(fixture('mistral-7b-v0.1/tokenizer_config.json')))).toThrowError(
      /not a tokenizer.json/,
    );
    expect(() => loadTokenizer('IQ== 0\nIg== 1\n', { fileName: 'two.tiktoken' })).toThrowError(/matches no built-in encoding/);
    expect(() => loadTokenizer('{"model": ', { fileName: 'cut.json' })).toThrowError(/cut.json/);
  });
});
