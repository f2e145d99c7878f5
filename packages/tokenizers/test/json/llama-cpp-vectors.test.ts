/**
 * llama.cpp's tokenizer test vectors (46 inputs): gpt-2 against gpt2/tokenizer.json and
 * bert-bge (uncased WordPiece, no [CLS]/[SEP]) against bert-base-uncased/tokenizer.json.
 */
import { readFileSync } from 'node:fs';
import { fixture } from '@weft/testing';
import { describe, expect, it } from 'vitest';
import { tokenizerFromJSON } from '../../src/json/index.js';

function vectors(out: string): Array<{ input: string; ids: number[] }> {
  const inputs = readFileSync(fixture('tokenizer-test-vectors/ggml-vocab.gguf.inp'), 'utf8').split('\n__ggml_vocab_test__\n');
  if (inputs[inputs.length - 1] === '') inputs.pop();
  const lines = readFileSync(fixture(`tokenizer-test-vectors/${out}`), 'utf8').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  expect(lines.length).toBe(inputs.length);
  return inputs.map((input, i) => ({
    input,
    ids: lines[i]!.trim() === '' ? [] : lines[i]!.trim().split(/\s+/).map(Number),
  }));
}

describe('llama.cpp tokenizer test vectors', () => {
  for (const [name, file, out] of [
    ['gpt-2', 'gpt2/tokenizer.json', 'ggml-vocab-gpt-2.gguf.out'],
    ['bert-bge', 'bert-base-uncased/tokenizer.json', 'ggml-vocab-bert-bge.gguf.out'],
  ] as const) {
    it(`${name}: 46/46 inputs give llama.cpp's ids`, () => {
      const tok = tokenizerFromJSON(readFileSync(fixture(file), 'utf8'));
      const cases = vectors(out);
      expect(cases.length).toBe(46);
      const failed = cases.filter(
        (c) => JSON.stringify(tok.encode(c.input, { addSpecialTokens: false })) !== JSON.stringify(c.ids),
      );
      console.log(`[llama.cpp vectors] ${name}: ${cases.length - failed.length}/${cases.length} pass`);
      for (const f of failed.slice(0, 5))
        console.log(`  ${JSON.stringify(f.input)} → ${tok.encode(f.input, { addSpecialTokens: false })} want ${f.ids}`);
      expect(failed.length).toBe(0);
    });
  }
});
