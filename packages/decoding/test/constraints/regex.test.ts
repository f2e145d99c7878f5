import { XorShiftRng } from '@weft/core';
import { buildNfa, compileRegex, nfaMatches, parseRegex } from '@weft/decoding';
import { freshSeed } from '@weft/testing';
import { describe, expect, it } from 'vitest';
import { distancesToAccept, randomString, sampleDfa } from './helpers.js';

// Patterns valid under JavaScript's `u` flag; compared with `new RegExp('^(?:p)$', 'u')`.
const PATTERNS = [
  'abc',
  'a|b|cd',
  'a*',
  'a+b?',
  '(ab)*c',
  '(?:a|bc)+d{2}',
  '[a-c]x[^a-c]',
  '[^abc]*',
  '\\d{2,4}',
  '\\d+(\\.\\d+)?',
  '-?(0|[1-9]\\d*)(\\.\\d+)?([eE][+-]?\\d+)?',
  '\\w+@\\w+\\.(com|org)',
  '\\s*x\\s*',
  '[\\d\\s]+',
  '\\D\\W\\S',
  '.{0,3}',
  '.*é.*',
  '[α-ω]+',
  '[^α-ω]?[€😀]+',
  '😀{2}|a',
  '(a|b){3,}',
  'x{0}y',
  '(a?){2}b',
  '[\\-a]+\\]',
  '\\u00e9|\\x41|\\u{1F600}',
  '[\\t\\n]\\\\\\.',
  '(?<year>\\d{4})-(?<m>\\d{2})',
  '^ab$',
  '(a|)b',
  '[]a|b',
  '[^]',
  'a*?b+?c??',
  '(cat|dog)s? (and|or) (cat|dog)s?',
  '[A-Z][a-z]{1,5}( [A-Z][a-z]{1,5})*',
];

const EXTRA = 'aAbcdxyz019 .-_\n\té€😀αωΩ\\"{}';

function mutate(rng: XorShiftRng, s: string, alphabet: string[]): string {
  const chars = Array.from(s);
  const op = rng.nextU32() % 3;
  const at = chars.length === 0 ? 0 : rng.nextU32() % chars.length;
  const ch = alphabet[rng.nextU32() % alphabet.length]!;
  if (op === 0) chars.splice(at, 0, ch);
  else if (op === 1) chars.splice(at, 1);
  else chars[at] = ch;
  return chars.join('');
}

describe('regex engine vs RegExp (full match)', () => {
  const seed = freshSeed();
  for (const pattern of PATTERNS) {
    it(`/${pattern}/ agrees with RegExp and the NFA on random strings (seed ${seed})`, () => {
      const rng = new XorShiftRng(seed);
      const js = new RegExp(`^(?:${pattern})$`, 'u');
      const dfa = compileRegex(pattern);
      const nfa = buildNfa(parseRegex(pattern));
      const dist = distancesToAccept(dfa);
      const alphabet = Array.from(new Set([...pattern, ...EXTRA]));
      const dec = new TextDecoder('utf-8', { fatal: true });
      const inputs: string[] = [];
      for (let i = 0; i < 150; i++) inputs.push(randomString(rng, alphabet.join(''), 8));
      let positives = 0;
      for (let i = 0; i < 150; i++) {
        const s = dec.decode(sampleDfa(dfa, rng, dist, 12));
        inputs.push(s);
        inputs.push(mutate(rng, s, alphabet));
      }
      for (const s of inputs) {
        const expected = js.test(s);
        if (expected) positives++;
        const bytes = new TextEncoder().encode(s);
        expect(dfa.matches(s), `dfa ${JSON.stringify(s)}`).toBe(expected);
        expect(nfaMatches(nfa, bytes), `nfa ${JSON.stringify(s)}`).toBe(expected);
      }
      expect(positives).toBeGreaterThan(0);
    });
  }
});

describe('regex errors', () => {
  it.each([
    ['(?=a)b', 'UNSUPPORTED'],
    ['(?<!a)b', 'UNSUPPORTED'],
    ['(a)\\1', 'UNSUPPORTED'],
    ['a\\bb', 'UNSUPPORTED'],
    ['\\p{L}', 'UNSUPPORTED'],
    ['a^b', 'UNSUPPORTED'],
    ['a$b', 'UNSUPPORTED'],
    ['(ab', 'INVALID_OPTION'],
    ['ab)', 'INVALID_OPTION'],
    ['*a', 'INVALID_OPTION'],
    ['a**', 'INVALID_OPTION'],
    ['[z-a]', 'INVALID_OPTION'],
    ['[abc', 'INVALID_OPTION'],
    ['a{3,2}', 'INVALID_OPTION'],
    ['a{5000}', 'INVALID_OPTION'],
    ['\\q', 'INVALID_OPTION'],
    ['[]', 'INVALID_OPTION'],
    ['a[]b', 'INVALID_OPTION'],
  ])('/%s/ → %s', (pattern, code) => {
    expect(() => compileRegex(pattern)).toThrow(expect.objectContaining({ code }));
  });

  it('deep nesting and huge inputs are typed errors, not stack overflows', () => {
    expect(() => compileRegex('('.repeat(5000) + 'a' + ')'.repeat(5000))).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTION' }),
    );
    expect(compileRegex('('.repeat(50) + 'a' + ')'.repeat(50)).matches('a')).toBe(true);
    expect(() => compileRegex('[a-z]{1000}[0-9]{1000}', { maxStates: 500 })).toThrow(
      expect.objectContaining({ option: 'maxStates' }),
    );
  });

  it('an empty language names the problem', () => {
    expect(() => compileRegex('[^\\s\\S]')).toThrow(/empty language/);
  });

  it('a state explosion stops at maxStates with a typed error', () => {
    // (a|b)*a(a|b){12} needs 2^13 states.
    expect(() => compileRegex('(a|b)*a(a|b){12}', { maxStates: 1000 })).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTION', option: 'maxStates' }),
    );
    expect(compileRegex('(a|b)*a(a|b){12}').size).toBeGreaterThan(4000);
  });
});
