import { OptionError } from '@weft/core';
import { describe, expect, it } from 'vitest';
import { GENERATE_FLAGS, generateFlagsHelp, parseGenerateFlags } from './flags.js';

describe('parseGenerateFlags', () => {
  it('maps llama2.c-style and HF-style flags to options', () => {
    const { options, rest } = parseGenerateFlags([
      'model.bin',
      '-t',
      '0.8',
      '-p',
      '0.9',
      '-s',
      '42',
      '-n',
      '64',
      '--top-k=40',
      '--stop',
      'The end',
      '--stop',
      '\\n\\n',
      'hello',
    ]);
    expect(options).toEqual({
      temperature: 0.8,
      topP: 0.9,
      seed: 42,
      maxNewTokens: 64,
      topK: 40,
      stopStrings: ['The end', '\n\n'],
    });
    expect(rest).toEqual(['model.bin', 'hello']);
  });

  it('handles booleans, lists, biases, beams, speculative and cache flags', () => {
    const { options } = parseGenerateFlags([
      '--num-beams',
      '4',
      '--early-stopping',
      'never',
      '--no-skip-special-tokens',
      '--logit-bias',
      '12=-inf',
      '--logit-bias=7=2.5',
      '--bad-words',
      '3,4',
      '--bad-words',
      '9',
      '--eos-token-id',
      '2',
      '--sliding-window',
      '256',
      '--sink-tokens',
      '4',
    ]);
    expect(options).toEqual({
      numBeams: 4,
      earlyStopping: 'never',
      skipSpecialTokens: false,
      logitBias: { 12: Number.NEGATIVE_INFINITY, 7: 2.5 },
      badWordsIds: [[3, 4], [9]],
      eosTokenId: [2],
      cache: { kind: 'sliding-window', window: 256, sinkTokens: 4 },
    });
    expect(parseGenerateFlags(['--greedy', '--prompt-lookup', '5']).options).toEqual({
      temperature: 0,
      promptLookupNumTokens: 5,
    });
    expect(parseGenerateFlags(['--do-sample', '--penalty-alpha', '0.6']).options).toEqual({ doSample: true, penaltyAlpha: 0.6 });
  });

  it('rejects unknown flags (strict), missing and malformed values with OptionError', () => {
    const bad = [
      ['--top_p', '0.9'],
      ['--topp', '0.9'],
      ['--top-p'],
      ['--top-k', '2.5'],
      ['--temperature', 'hot'],
      ['--logit-bias', '12:3'],
      ['--sink-tokens', '2'],
      ['--early-stopping=maybe'],
      ['-t', '1', '-t', '2'],
    ];
    for (const argv of bad) expect(() => parseGenerateFlags(argv), argv.join(' ')).toThrow(OptionError);
    expect(() => parseGenerateFlags(['--topp', '1'])).toThrow(/--top-p/);
    expect(parseGenerateFlags(['--model', 'x.bin', '-t', '0'], { strict: false })).toEqual({
      options: { temperature: 0 },
      rest: ['--model', 'x.bin'],
    });
  });

  it('documents every flag in the help text', () => {
    const help = generateFlagsHelp();
    for (const f of GENERATE_FLAGS) expect(help).toContain(f.flag);
  });
});
