import { XorShiftRng } from '@weft/core';
import { compileJsonSchema } from '@weft/decoding';
import { freshSeed } from '@weft/testing';
import { describe, expect, it } from 'vitest';
import { distancesToAccept, mooreBlockCount, sampleDfa } from './helpers.js';
import { SCHEMAS } from './schemas.js';
import { validate } from './validate-schema.js';

const dec = new TextDecoder('utf-8', { fatal: true });

describe('JSON schema → DFA: every member parses and validates', () => {
  const seed = freshSeed();
  for (const [name, schema] of Object.entries(SCHEMAS)) {
    for (const whitespace of [{ kind: 'compact' as const }, { kind: 'flexible' as const, maxRun: 2 }]) {
      it(`${name} (${whitespace.kind}, seed ${seed})`, () => {
        const rng = new XorShiftRng(seed);
        const dfa = compileJsonSchema(schema, { whitespace });
        const dist = distancesToAccept(dfa);
        const seen = new Set<string>();
        for (let i = 0; i < 200; i++) {
          const text = dec.decode(sampleDfa(dfa, rng, dist, 30, 0.1));
          seen.add(text);
          let value: unknown;
          expect(() => (value = JSON.parse(text)), text).not.toThrow();
          expect(validate(value, schema), text).toBe(true);
          if (whitespace.kind === 'compact') expect(text, 'compact: no whitespace outside strings').not.toMatch(/^[^"]*\s/);
        }
        expect(seen.size).toBeGreaterThan(1);
      });
    }
  }

  it('automata are minimal (Hopcroft result = Moore reference block count)', () => {
    for (const [name, schema] of Object.entries(SCHEMAS)) {
      const dfa = compileJsonSchema(schema, { whitespace: { kind: 'flexible', maxRun: 1 } });
      expect(mooreBlockCount(dfa), name).toBe(dfa.size);
    }
  });

  it('accepts what JSON.stringify writes for valid values, rejects invalid ones', () => {
    const person = compileJsonSchema(SCHEMAS.person!);
    expect(person.matches('{"name":"Al","age":3}')).toBe(true);
    expect(person.matches('{"name":"Al","age":-30,"pet":null,"happy":false}')).toBe(true);
    expect(person.matches('{"name":"Al","age":3,"happy":true}')).toBe(true);
    expect(person.matches('{"age":3,"name":"Al"}')).toBe(false); // declaration order
    expect(person.matches('{"name":"","age":3}')).toBe(false); // minLength 1
    expect(person.matches('{"name":"Al","age":3.5}')).toBe(false);
    expect(person.matches('{"name":"Al","age":03}')).toBe(false);
    expect(person.matches('{"name":"Al","age":3,"x":1}')).toBe(false);
    expect(person.matches('{"name":"Al"}')).toBe(false);
    expect(person.matches('{"name":"Al","age":3,}')).toBe(false);
    const text = compileJsonSchema(SCHEMAS.text!);
    expect(text.matches(JSON.stringify('a"\\\n'))).toBe(true); // 4 chars via escapes
    expect(text.matches('"\\u00e9x"')).toBe(true);
    expect(text.matches('"\\ud800x"')).toBe(false); // lone surrogate escape
    expect(text.matches('"😀é"')).toBe(true); // 2 code points
    expect(text.matches('"a"')).toBe(false);
    expect(text.matches('"a\nb"')).toBe(false); // raw control character
    const flexible = compileJsonSchema(SCHEMAS.list!, { whitespace: { kind: 'flexible', maxRun: 2 } });
    expect(flexible.matches('[ 1 ,\n2 ]')).toBe(true);
    expect(flexible.matches('[   1]')).toBe(false);
    const search = compileJsonSchema(SCHEMAS.searchPattern!);
    expect(search.matches('"xxabyy"')).toBe(true);
    expect(search.matches('"say \\"hi"')).toBe(true);
    expect(search.matches('"xyz"')).toBe(false);
  });
});

describe('JSON schema errors (before any compute)', () => {
  it.each([
    [{ type: 'string', minLength: 5, maxLength: 2 }, 'INVALID_SPEC', 'schema.minLength'],
    [{ enum: [] }, 'INVALID_SPEC', 'schema.enum'],
    [{ type: 'integer', enum: ['a', 'b'] }, 'INVALID_SPEC', 'schema.enum'],
    [{ type: 'array', items: { type: 'null' }, minItems: 3, maxItems: 1 }, 'INVALID_SPEC', 'schema.minItems'],
    [{ type: 'object', properties: { a: { type: 'null' } }, required: ['b'] }, 'INVALID_SPEC', 'schema.required'],
    [{ type: 'strin' }, 'INVALID_SPEC', 'schema.type'],
    [{ type: [] }, 'INVALID_SPEC', 'schema.type'],
    [{ type: 'array' }, 'INVALID_SPEC', 'schema.items'],
    [{ type: 'string', maxLength: -1 }, 'INVALID_SPEC', 'schema.maxLength'],
    [
      { type: 'object', properties: { a: { type: 'string', minLength: 3, maxLength: 1 } } },
      'INVALID_SPEC',
      'schema.properties.a.minLength',
    ],
    [false, 'INVALID_SPEC', 'schema'],
    ['string', 'INVALID_SPEC', 'schema'],
    [{ anyOf: [] }, 'INVALID_SPEC', 'schema.anyOf'],
  ])('%j → %s at %s', (schema, code, field) => {
    expect(() => compileJsonSchema(schema)).toThrow(expect.objectContaining({ code, field }));
  });

  it.each([
    [{ type: 'integer', multipleOf: 2 }, 'multipleOf'],
    [{ type: 'string', format: 'hostname' }, 'format'],
    [{ type: 'string', format: 'date', maxLength: 3 }, 'format'],
    [{ $ref: 'other.json#/a' }, '$ref'],
    [{ oneOf: [{ type: 'null' }] }, 'oneOf'],
    [{ type: 'object', properties: { a: { type: 'null', not: {} } } }, 'not'],
    [{ type: 'string', pattern: 'a', maxLength: 3 }, 'pattern'],
    [{ type: 'object', additionalProperties: { type: 'string' } }, 'additionalProperties'],
    [{ type: 'array', items: [{ type: 'null' }] }, 'items'],
    [{ type: 'null', anyOf: [{ type: 'null' }] }, 'anyOf'],
    [{}, 'any JSON value'],
    [true, 'any JSON value'],
    [{ type: 'string', pattern: '(?=a)' }, 'lookahead'],
  ])('%j → UnsupportedError naming %s', (schema, name) => {
    expect(() => compileJsonSchema(schema)).toThrow(
      expect.objectContaining({ code: 'UNSUPPORTED', message: expect.stringContaining(name) }),
    );
  });

  it('a pattern with an empty language is an error', () => {
    expect(() => compileJsonSchema({ type: 'string', pattern: '^[]$' })).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTION' }),
    );
  });

  it('bad options are typed errors', () => {
    expect(() => compileJsonSchema({ type: 'null' }, { whitespace: { kind: 'flexible', maxRun: -1 } })).toThrow(
      expect.objectContaining({ code: 'INVALID_SPEC', field: 'whitespace.maxRun' }),
    );
    expect(() => compileJsonSchema({ type: 'null' }, { whitespace: { kind: 'tabs' } as never })).toThrow(
      expect.objectContaining({ field: 'whitespace.kind' }),
    );
  });

  it('$ref recursion unrolls to maxRefDepth levels', () => {
    const tree = SCHEMAS.tree!;
    const dfa = compileJsonSchema(tree);
    expect(dfa.matches('{"v":1,"kids":[{"v":2,"kids":[{"v":3}]}]}')).toBe(true); // 3 levels
    expect(dfa.matches('{"v":1,"kids":[{"v":2,"kids":[{"v":3,"kids":[]}]}]}')).toBe(true); // empty kids need no 4th level
    const four = '{"v":1,"kids":[{"v":2,"kids":[{"v":3,"kids":[{"v":4}]}]}]}';
    expect(dfa.matches(four)).toBe(false); // 4th level cut
    expect(compileJsonSchema(tree, { maxRefDepth: 4 }).matches(four)).toBe(true);
    expect(() => compileJsonSchema({ $ref: '#/$defs/missing' })).toThrow(expect.objectContaining({ code: 'INVALID_SPEC' }));
    expect(() => compileJsonSchema({ $ref: 'http://x/y.json' })).toThrow(expect.objectContaining({ code: 'UNSUPPORTED' }));
    // Recursion with no way out is an empty language.
    expect(() =>
      compileJsonSchema({ $defs: { a: { type: 'array', items: { $ref: '#/$defs/a' }, minItems: 1 } }, $ref: '#/$defs/a' }),
    ).toThrow(/empty language/);
  });

  it('prefixItems and items: false', () => {
    const tuple = compileJsonSchema(SCHEMAS.tuple!);
    expect(tuple.matches('["ab",1]')).toBe(true);
    expect(tuple.matches('["ab",1,true,null,null]')).toBe(true);
    expect(tuple.matches('["ab"]')).toBe(false); // minItems 2
    expect(tuple.matches('["ab",1,true,null,null,null]')).toBe(false); // maxItems 5
    expect(tuple.matches('["ab",1,null]')).toBe(false); // third is boolean
    const closed = compileJsonSchema(SCHEMAS.closedTuple!);
    expect(['[]', '[1]', '[1,"a"]', '[1,"b"]'].every((t) => closed.matches(t))).toBe(true);
    expect(closed.matches('[1,"a",2]')).toBe(false);
    expect(() => compileJsonSchema({ type: 'array', prefixItems: [{ type: 'null' }], items: false, minItems: 2 })).toThrow(
      expect.objectContaining({ code: 'INVALID_SPEC', field: 'schema.minItems' }),
    );
  });

  it('anyValueDepth: any JSON value nested up to n levels', () => {
    const seed = freshSeed();
    const rng = new XorShiftRng(seed);
    const schema = { type: 'object', properties: { meta: {}, n: { type: 'integer' } }, required: ['meta'] };
    expect(() => compileJsonSchema(schema)).toThrow(
      expect.objectContaining({ code: 'UNSUPPORTED', message: expect.stringContaining('anyValueDepth') }),
    );
    const dfa = compileJsonSchema(schema, { anyValueDepth: 2 });
    const depth = (v: unknown): number =>
      Array.isArray(v)
        ? 1 + Math.max(0, ...v.map(depth))
        : v !== null && typeof v === 'object'
          ? 1 + Math.max(0, ...Object.values(v).map(depth))
          : 0;
    const dist = distancesToAccept(dfa);
    let nested = 0;
    for (let i = 0; i < 200; i++) {
      const text = dec.decode(sampleDfa(dfa, rng, dist, 40, 0.05));
      const v = JSON.parse(text) as { meta: unknown };
      expect(depth(v.meta), `seed ${seed}: ${text}`).toBeLessThanOrEqual(2);
      if (depth(v.meta) >= 1) nested++;
    }
    expect(nested).toBeGreaterThan(0);
    // Random values of depth ≤ 2 are accepted as JSON.stringify writes them; depth 3 is not.
    const leaf = () => [1, -2.5e3, 'a"b\\', true, null, 'é😀'][rng.nextU32() % 6];
    const value = (d: number): unknown => {
      if (d === 0 || rng.nextFloat() < 0.3) return leaf();
      if (rng.nextFloat() < 0.5) return Array.from({ length: rng.nextU32() % 3 }, () => value(d - 1));
      return Object.fromEntries(Array.from({ length: rng.nextU32() % 3 }, (_, k) => [`k${k}`, value(d - 1)]));
    };
    for (let i = 0; i < 100; i++) {
      const meta = value(2);
      expect(dfa.matches(JSON.stringify({ meta })), JSON.stringify(meta)).toBe(true);
    }
    expect(dfa.matches('{"meta":[[[1]]]}')).toBe(false);
  });

  it('number bounds (integer bounds, inclusive and exclusive) against plain comparisons', () => {
    const seed = freshSeed();
    const rng = new XorShiftRng(seed);
    const probes: string[] = [];
    for (const int of ['0', '1', '2', '3', '5', '7', '10', '12']) {
      for (const frac of ['', '.0', '.00', '.5', '.05', '.999', '.001']) probes.push(int + frac, `-${int}${frac}`);
    }
    for (let trial = 0; trial < 80; trial++) {
      const schema: Record<string, unknown> = { type: 'number' };
      const a = (rng.nextU32() % 15) - 7;
      const b = a + (rng.nextU32() % 8);
      if (rng.nextFloat() < 0.8) schema[rng.nextFloat() < 0.5 ? 'minimum' : 'exclusiveMinimum'] = a;
      if (rng.nextFloat() < 0.8) schema[rng.nextFloat() < 0.5 ? 'maximum' : 'exclusiveMaximum'] = b;
      const ok = (x: number) =>
        (schema.minimum === undefined || x >= (schema.minimum as number)) &&
        (schema.exclusiveMinimum === undefined || x > (schema.exclusiveMinimum as number)) &&
        (schema.maximum === undefined || x <= (schema.maximum as number)) &&
        (schema.exclusiveMaximum === undefined || x < (schema.exclusiveMaximum as number));
      let dfa: ReturnType<typeof compileJsonSchema>;
      try {
        dfa = compileJsonSchema(schema, { maxDigits: 3 });
      } catch (err) {
        // Only an empty interval may fail: exclusive bounds that meet.
        expect(err, `seed ${seed} ${JSON.stringify(schema)}`).toMatchObject({ code: 'INVALID_SPEC' });
        expect(probes.some((t) => ok(Number(t)))).toBe(false);
        continue;
      }
      for (const t of probes) expect(dfa.matches(t), `seed ${seed} ${JSON.stringify(schema)} ${t}`).toBe(ok(Number(t)));
      const dist = distancesToAccept(dfa);
      for (let i = 0; i < 30; i++) {
        const text = dec.decode(sampleDfa(dfa, rng, dist, 6));
        expect(ok(JSON.parse(text)), `seed ${seed} ${JSON.stringify(schema)} ${text}`).toBe(true);
      }
    }
    expect(() => compileJsonSchema({ type: 'number', minimum: 0.5 })).toThrow(expect.objectContaining({ code: 'UNSUPPORTED' }));
    expect(compileJsonSchema({ type: 'number', minimum: 0, maximum: 1 }).matches('1e-3')).toBe(false); // no exponent when bounded
  });

  it('enum/const beside other keywords: type filters all values, the rest filters scalars', () => {
    const arrays = compileJsonSchema({ type: 'array', enum: [[1, 2], [3], 'x'] });
    expect(arrays.matches('[1,2]')).toBe(true);
    expect(arrays.matches('[3]')).toBe(true);
    expect(arrays.matches('"x"')).toBe(false);
    const mixed = compileJsonSchema({ enum: ['ab', 'abcdef', 3, { k: 'long value' }], maxLength: 3 });
    expect(['"ab"', '3', '{"k":"long value"}'].map((t) => mixed.matches(t))).toEqual([true, true, true]);
    expect(mixed.matches('"abcdef"')).toBe(false);
    const ints = compileJsonSchema({ type: 'integer', enum: [1, 2.5, 'x', 7], minimum: 2 });
    expect(['1', '2.5', '"x"', '7'].map((t) => ints.matches(t))).toEqual([false, false, false, true]);
    expect(() => compileJsonSchema({ $ref: '#/%zz' })).toThrow(expect.objectContaining({ code: 'INVALID_SPEC' }));
  });

  it('formats', () => {
    const f = (format: string) => compileJsonSchema({ type: 'string', format });
    expect(f('date').matches('"2024-02-29"')).toBe(true);
    expect(f('date').matches('"2024-13-01"')).toBe(false);
    expect(f('date-time').matches('"2024-02-29T23:59:60Z"')).toBe(false);
    expect(f('date-time').matches('"2024-02-29T23:59:59.123+05:30"')).toBe(true);
    expect(f('uuid').matches('"123e4567-e89b-12d3-a456-426614174000"')).toBe(true);
    expect(f('ipv4').matches('"192.168.0.255"')).toBe(true);
    expect(f('ipv4').matches('"192.168.0.256"')).toBe(false);
    expect(f('ipv4').matches('"01.1.1.1"')).toBe(false);
    expect(f('email').matches('"lily.smith@park.example.org"')).toBe(true);
    expect(f('email').matches('"lily@-park.org"')).toBe(false);
  });

  it('integer bounds', () => {
    const dfa = compileJsonSchema({ type: 'integer', minimum: 2.5, exclusiveMaximum: 10 });
    for (let x = -20; x <= 20; x++) expect(dfa.matches(String(x)), String(x)).toBe(x >= 3 && x < 10);
    expect(() => compileJsonSchema({ type: 'integer', minimum: 5, maximum: 4 })).toThrow(
      expect.objectContaining({ code: 'INVALID_SPEC' }),
    );
    expect(() => compileJsonSchema({ type: 'integer', minimum: '1' })).toThrow(
      expect.objectContaining({ field: 'schema.minimum' }),
    );
  });

  it('maxDigits bounds numbers', () => {
    const dfa = compileJsonSchema({ type: 'number' }, { maxDigits: 2 });
    expect(dfa.matches('-12.34e+56')).toBe(true);
    expect(dfa.matches('123')).toBe(false);
    expect(dfa.matches('1.234')).toBe(false);
  });
});
