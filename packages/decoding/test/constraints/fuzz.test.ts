import { WeftError, XorShiftRng } from '@weft/core';
import { compileJsonSchema, compileRegex } from '@weft/decoding';
import { freshSeed } from '@weft/testing';
import { describe, expect, it } from 'vitest';
import { distancesToAccept, randomString, sampleDfa } from './helpers.js';

// Random patterns and schemas are untrusted input: the result is a DFA or a WeftError, never
// another exception. Where both weft and RegExp accept a random pattern they must agree.
describe('fuzz', () => {
  const seed = freshSeed();

  it(`random patterns: WeftError or same language as RegExp (seed ${seed})`, () => {
    const rng = new XorShiftRng(seed);
    const alphabet = 'ab|*+?()[]^$-{}0123,\\dws.é';
    let compared = 0;
    for (let i = 0; i < 400; i++) {
      const pattern = randomString(rng, alphabet, 10);
      let js: RegExp | undefined;
      try {
        js = new RegExp(`^(?:${pattern})$`, 'u');
      } catch {
        js = undefined;
      }
      let dfa: ReturnType<typeof compileRegex> | undefined;
      try {
        dfa = compileRegex(pattern, { maxStates: 2000 });
      } catch (err) {
        expect(err, `/${pattern}/`).toBeInstanceOf(WeftError);
        continue;
      }
      if (!js) continue; // weft is more lenient for a few constructs (e.g. a lone `]`)
      compared++;
      const dist = distancesToAccept(dfa);
      const dec = new TextDecoder();
      for (let k = 0; k < 30; k++) {
        const s = k % 2 === 0 ? randomString(rng, 'ab0123 é-,', 6) : dec.decode(sampleDfa(dfa, rng, dist, 6));
        expect(dfa.matches(s), `/${pattern}/ on ${JSON.stringify(s)}`).toBe(js.test(s));
      }
    }
    expect(compared).toBeGreaterThan(20);
  });

  it(`random schemas: DFA or WeftError (seed ${seed})`, () => {
    const rng = new XorShiftRng(seed);
    const pick = <T>(xs: T[]): T => xs[rng.nextU32() % xs.length]!;
    const values = [0, -1, 2, 5, 'a', '', null, true, [], {}, 1.5, 'x'];
    const keys = [
      'type',
      'properties',
      'required',
      'items',
      'minItems',
      'maxItems',
      'enum',
      'const',
      'anyOf',
      'minLength',
      'maxLength',
      'pattern',
      'minimum',
      'maximum',
      'additionalProperties',
      '$ref',
      'format',
    ];
    const types = ['object', 'array', 'string', 'number', 'integer', 'boolean', 'null', 'nope'];
    const gen = (depth: number): unknown => {
      if (rng.nextFloat() < 0.05) return pick(values);
      const s: Record<string, unknown> = {};
      const n = rng.nextU32() % 4;
      for (let i = 0; i < n; i++) {
        const k = pick(keys);
        switch (k) {
          case 'type':
            s.type = rng.nextFloat() < 0.2 ? [pick(types), pick(types)] : pick(types);
            break;
          case 'properties':
            s.properties = depth > 2 ? {} : { a: gen(depth + 1), b: gen(depth + 1) };
            break;
          case 'items':
            s.items = depth > 2 ? { type: 'null' } : gen(depth + 1);
            break;
          case 'anyOf':
            s.anyOf = depth > 2 ? [] : [gen(depth + 1), gen(depth + 1)];
            break;
          case 'required':
            s.required = rng.nextFloat() < 0.5 ? ['a'] : 'a';
            break;
          case 'enum':
            s.enum = [pick(values), pick(values)];
            break;
          case 'pattern':
            s.pattern = pick(['a+', '^b$', '(', '[0-9]{2}', '']);
            break;
          case '$ref':
            s.$ref = pick(['#', '#/properties/a', '#/nope']);
            break;
          default:
            s[k] = pick(values);
        }
      }
      return s;
    };
    let compiled = 0;
    for (let i = 0; i < 400; i++) {
      const schema = gen(0);
      try {
        compileJsonSchema(schema, { maxStates: 3000 });
        compiled++;
      } catch (err) {
        expect(err, JSON.stringify(schema)).toBeInstanceOf(WeftError);
      }
    }
    expect(compiled).toBeGreaterThan(10);
  });
});
