import { readFileSync } from 'node:fs';
import { InvalidFileError, OptionError, SpecError } from '@weft/core';
import { describe, expect, it } from 'vitest';
import { loadTiktoken, parseTiktokenRanks } from '../../src/tiktoken/index.js';
import { rankFile } from './helpers.js';

/** The 256 single bytes as rank lines, plus `extra`. */
function ranksText(extra = ''): string {
  let s = '';
  for (let b = 0; b < 256; b++) s += `${Buffer.from([b]).toString('base64')} ${b}\n`;
  return s + extra;
}

describe('malformed .tiktoken rank files give InvalidFileError naming the file and line', () => {
  const bad: [string, string, RegExp][] = [
    ['empty', '', /empty/],
    ['no space', 'IQ==0\n', /line 1: expected/],
    ['bad base64', 'I*Q= 0\n', /line 1: .*base64/],
    ['base64 length', 'IQ= 0\n', /line 1: .*base64/],
    ['bad rank', 'IQ== x1\n', /line 1: the rank/],
    ['negative rank', 'IQ== -1\n', /line 1: the rank/],
    ['missing rank', 'IQ== \n', /line 1: missing rank/],
    ['huge rank', 'IQ== 99999999\n', /out of range/],
    ['duplicate rank', 'IQ== 0\nIg== 0\n', /rank 0 appears twice/],
    ['binary garbage', '\u0000\u0001\u0002 \u00ff\n', /line 1/],
  ];
  it.each(bad)('%s', (_, text, re) => {
    let err: unknown;
    try {
      parseTiktokenRanks(text, 'bad.tiktoken');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InvalidFileError);
    expect((err as InvalidFileError).file).toBe('bad.tiktoken');
    expect((err as Error).message).toMatch(re);
  });

  it('rejects a rank file without all single bytes, with duplicate tokens, or of the wrong encoding', () => {
    expect(() => loadTiktoken('IQ== 0\n', { name: 'x', pattern: '\\s+|\\S+', specialTokens: {} }, 'one.tiktoken')).toThrowError(
      /byte 0 has no rank/,
    );
    expect(() =>
      loadTiktoken(ranksText('IQ== 256\n'), { name: 'x', pattern: '\\s+|\\S+', specialTokens: {} }, 'dup.tiktoken'),
    ).toThrowError(/same bytes/);
    expect(() => loadTiktoken(readFileSync(rankFile('r50k_base')), 'cl100k_base', 'r50k.tiktoken')).toThrowError(
      InvalidFileError,
    );
  });

  it('rejects unknown encodings, bad patterns and colliding special ids with typed errors', () => {
    expect(() => loadTiktoken(ranksText(), 'gpt5_base' as 'r50k_base')).toThrowError(OptionError);
    expect(() => loadTiktoken(ranksText(), { name: 'x', pattern: '(?i:ab)', specialTokens: {} })).toThrowError(SpecError);
    expect(() => loadTiktoken(ranksText(), { name: 'x', pattern: '([', specialTokens: {} })).toThrowError(SpecError);
    expect(() => loadTiktoken(ranksText(), { name: 'x', pattern: '\\S+|\\s+', specialTokens: { '<s>': 5 } })).toThrowError(
      SpecError,
    );
  });

  it('a custom spec with a regex pattern works end to end', () => {
    const enc = loadTiktoken(ranksText('YWI= 256\n'), {
      name: 'tiny',
      pattern: '\\p{L}+|\\s+|[^\\s\\p{L}]+',
      specialTokens: { '<eot>': 300 },
    });
    expect(enc.encode('ab a<eot>', { allowedSpecial: 'all' })).toEqual([256, 32, 97, 300]);
    expect(enc.vocabSize).toBe(301);
  });
});
