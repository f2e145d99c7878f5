/** Schemas the tests generate from (short enough for the real-model runs too). */
export const SCHEMAS: Record<string, Record<string, unknown>> = {
  person: {
    type: 'object',
    properties: {
      name: { type: 'string', minLength: 1, maxLength: 8 },
      age: { type: 'integer' },
      pet: { enum: ['cat', 'dog', null] },
      happy: { type: 'boolean' },
    },
    required: ['name', 'age'],
    additionalProperties: false,
  },
  list: { type: 'array', items: { type: 'integer' }, minItems: 1, maxItems: 4 },
  emptyOk: { type: 'array', items: { type: 'number' }, maxItems: 3 },
  nested: {
    type: 'object',
    properties: {
      tags: { type: 'array', items: { type: 'string', maxLength: 4 }, maxItems: 3 },
      point: {
        type: 'object',
        properties: { x: { type: 'number' }, y: { type: 'number' } },
        required: ['x', 'y'],
      },
      note: { type: ['string', 'null'], maxLength: 5 },
    },
    required: ['point'],
  },
  choice: {
    anyOf: [
      { type: 'object', properties: { kind: { const: 'a' }, n: { type: 'integer' } }, required: ['kind', 'n'] },
      { type: 'object', properties: { kind: { const: 'b' }, s: { type: 'string', maxLength: 3 } }, required: ['kind'] },
      { type: 'null' },
    ],
  },
  allOptional: {
    type: 'object',
    properties: { a: { type: 'boolean' }, b: { type: 'null' }, c: { type: 'integer' } },
  },
  patterned: { type: 'string', pattern: '^[A-Z][a-z]{1,4}-\\d{2}$' },
  searchPattern: { type: 'string', pattern: 'ab|"' },
  enumMixed: { enum: [1, 'two', [3], { four: 4 }, true] },
  constWithType: { type: 'string', enum: ['x', 1, 'yy', 'z'], maxLength: 1 },
  text: { type: 'string', minLength: 2, maxLength: 6 },
  bounded: {
    type: 'array',
    items: { type: 'integer', minimum: -5, exclusiveMaximum: 120 },
    minItems: 2,
    maxItems: 2,
  },
  formats: {
    type: 'object',
    properties: {
      day: { type: 'string', format: 'date' },
      at: { type: 'string', format: 'date-time' },
      t: { type: 'string', format: 'time' },
      id: { type: 'string', format: 'uuid' },
      ip: { type: 'string', format: 'ipv4' },
      mail: { type: 'string', format: 'email' },
    },
    required: ['day', 'at', 't', 'id', 'ip', 'mail'],
  },
  tuple: {
    type: 'array',
    prefixItems: [{ type: 'string', maxLength: 3 }, { type: 'integer' }, { type: 'boolean' }],
    items: { type: 'null' },
    minItems: 2,
    maxItems: 5,
  },
  closedTuple: { type: 'array', prefixItems: [{ const: 1 }, { enum: ['a', 'b'] }], items: false },
  tree: {
    $defs: {
      node: {
        type: 'object',
        properties: {
          v: { type: 'integer', minimum: 0, maximum: 9 },
          kids: { type: 'array', items: { $ref: '#/$defs/node' }, maxItems: 2 },
        },
        required: ['v'],
      },
    },
    $ref: '#/$defs/node',
  },
};
