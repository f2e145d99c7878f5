import { readFileSync } from 'node:fs';
import { fixture } from '@weft/testing';
import { loadTokenizer } from '@weft/tokenizers';
import { describe, expect, it } from 'vitest';
import { parseArgs } from './args.js';
import { runTokenize, tokenizeText } from './tokenize.js';

async function run(argv: string[]): Promise<string> {
  let out = '';
  await runTokenize(parseArgs(['tokenize', ...argv], new Set(['json', 'no-special'])), (s) => {
    out += s;
  });
  return out;
}

describe('weft tokenize', () => {
  it('uses the embedded tok512 by default (BOS + run.c ids)', async () => {
    const r = JSON.parse(await run(['--text', 'Once upon a time', '--json'])) as { ids: number[] };
    expect(r.ids).toEqual([1, 403, 407, 261, 378]);
  });
  it('reads every supported format', async () => {
    for (const f of [
      'gpt2/tokenizer.json',
      'bert-base-uncased/tokenizer.json',
      'llama2/tokenizer.model',
      'gpt2/r50k_base.tiktoken',
      'llama2/tokenizer.bin',
    ]) {
      const r = JSON.parse(await run(['--tokenizer', fixture(f), '--text', 'Hello world', '--json', '--no-special'])) as {
        ids: number[];
        tokens: string[];
      };
      expect(r.ids.length, f).toBeGreaterThanOrEqual(2);
      expect(r.tokens.length).toBe(r.ids.length);
    }
    const gpt2 = tokenizeText(loadTokenizer(readFileSync(fixture('gpt2/tokenizer.json'))), 'Hello world', false);
    expect(gpt2.ids).toEqual([15496, 995]);
  });
  it('prints a table by default', async () => {
    expect(await run(['--text', 'Lily'])).toMatch(/tokens\n$/);
  });
});
