/**
 * JSON-schema subset → regular language of the JSON texts that validate.
 *
 * Schemas without `$ref` describe finitely nested values, so every supported schema is a
 * regular language and compiles to one byte DFA. Output shape (see docs/decoding/constraints.md):
 * object properties appear in declaration order, optional ones may be skipped, undeclared ones
 * are never generated; whitespace follows {@link WhitespacePolicy}; strings use the mandatory
 * JSON escapes, plus `\uXXXX` outside patterns.
 */
import { SpecError, UnsupportedError } from '@weft/core';
import { ANY_CHAR, type CharSet, charSetFromRanges, charSetOf, EMPTY_SET, hasChar, subtract } from './charset.js';
import type { ByteDfa } from './dfa.js';
import { decimalMagnitude, integerRange, type MagnitudeBound } from './integer-range.js';
import { type AutomatonLimits, compileRegexNode } from './regex.js';
import { alt, EMPTY, literal, optional, type RegexNode, repeat, seq, set, star } from './regex-ast.js';
import { MAX_REPEAT, parseRegex } from './regex-parse.js';

/** Where whitespace may appear between JSON tokens. */
export type WhitespacePolicy =
  /** None at all, like `JSON.stringify(value)` (default; fewest tokens, smallest automaton). */
  | { readonly kind: 'compact' }
  /** Up to `maxRun` of space, tab, CR, LF between any two tokens. */
  | { readonly kind: 'flexible'; readonly maxRun: number };

/** Options of {@link compileJsonSchema}. */
export interface JsonSchemaOptions extends AutomatonLimits {
  /** Default `{ kind: 'compact' }`. */
  readonly whitespace?: WhitespacePolicy;
  /**
   * Cap on the digits of each part of a number (integer part, fraction, exponent). Default
   * unbounded. Bounding it makes every number finish within a known number of bytes.
   */
  readonly maxDigits?: number;
  /**
   * How many levels deep one `$ref` may expand inside itself before that branch is cut
   * (default 3).
   * Recursive schemas are thereby unrolled to a bounded depth: a cut branch matches nothing,
   * so recursion must have a way out (an optional property, `minItems: 0`, an `anyOf` branch).
   */
  readonly maxRefDepth?: number;
  /**
   * Nesting depth for schemas that allow any JSON value (`{}`, `true`, annotations only).
   * Default 0: such schemas are an `UnsupportedError`. With n > 0 they accept any scalar, and
   * arrays/objects nested up to n levels (any JSON is not regular; this bounds it).
   */
  readonly anyValueDepth?: number;
}

/** The schema types a JSON value has (an integral number is both `integer` and `number`). */
function jsonTypesOf(v: unknown): JsonType[] {
  if (v === null) return ['null'];
  if (Array.isArray(v)) return ['array'];
  switch (typeof v) {
    case 'boolean':
      return ['boolean'];
    case 'number':
      return Number.isInteger(v) ? ['integer', 'number'] : ['number'];
    case 'string':
      return ['string'];
    default:
      return ['object'];
  }
}

/** A JSON schema object (the subset is checked at compile time). */
export type JsonSchema = { readonly [keyword: string]: unknown };

const TYPES = ['object', 'array', 'string', 'number', 'integer', 'boolean', 'null'] as const;
type JsonType = (typeof TYPES)[number];

/** Keywords that only annotate and are ignored. */
const ANNOTATIONS = new Set(['title', 'description', '$schema', '$id', '$comment', 'default', 'examples', 'deprecated']);
/** Keywords that hold definitions for `$ref` and do not constrain the value themselves. */
const CONTAINERS = new Set(['$defs', 'definitions']);
const SUPPORTED = new Set([
  '$ref',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'type',
  'properties',
  'required',
  'additionalProperties',
  'items',
  'prefixItems',
  'format',
  'minItems',
  'maxItems',
  'enum',
  'const',
  'anyOf',
  'pattern',
  'minLength',
  'maxLength',
]);
const MAX_DEPTH = 32;

/**
 * Compiles `schema` into a DFA over the UTF-8 bytes of every JSON text the schema accepts
 * (within the output shape described in the module comment).
 * @throws SpecError for malformed or unsatisfiable schemas (field = keyword path).
 * @throws UnsupportedError naming any keyword outside the subset.
 * @throws OptionError for a bad option or an automaton over `maxStates`.
 */
export function compileJsonSchema(schema: unknown, options: JsonSchemaOptions = {}): ByteDfa {
  return compileRegexNode(jsonSchemaToRegex(schema, options), options, 'schema');
}

/** The regular language of `schema` as a {@link RegexNode} (for composition and tests). */
export function jsonSchemaToRegex(schema: unknown, options: JsonSchemaOptions = {}): RegexNode {
  return new SchemaCompiler(options, schema).compile(schema, 'schema', 0);
}

const NOTHING: RegexNode = set(EMPTY_SET);
const ignorable = (k: string) => ANNOTATIONS.has(k) || CONTAINERS.has(k);

const isObject = (v: unknown): v is JsonSchema => typeof v === 'object' && v !== null && !Array.isArray(v);

const STRING_SPECIAL: CharSet = charSetFromRanges([
  [0x00, 0x1f],
  [0x22, 0x22],
  [0x5c, 0x5c],
]);
const STRING_PLAIN: CharSet = subtract(ANY_CHAR, STRING_SPECIAL);
const HEX: CharSet = charSetFromRanges([
  [0x30, 0x39],
  [0x41, 0x46],
  [0x61, 0x66],
]);
const SHORT_ESCAPES: Record<number, string> = { 34: '\\"', 92: '\\\\', 8: '\\b', 12: '\\f', 10: '\\n', 13: '\\r', 9: '\\t' };
const DIGIT = charSetFromRanges([[0x30, 0x39]]);
const DIGIT19 = charSetFromRanges([[0x31, 0x39]]);

/**
 * `format` values with a regular form (ASCII spellings, ranges of fields but not calendars:
 * `2023-02-31` passes `date`). `email` is a simplified, bounded dot-atom.
 */
const FORMATS: Record<string, string> = {
  date: '\\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])',
  time: '([01]\\d|2[0-3]):[0-5]\\d:[0-5]\\d(\\.\\d{1,6})?(Z|[+-]([01]\\d|2[0-3]):[0-5]\\d)',
  'date-time':
    '\\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])T([01]\\d|2[0-3]):[0-5]\\d:[0-5]\\d(\\.\\d{1,6})?(Z|[+-]([01]\\d|2[0-3]):[0-5]\\d)',
  uuid: '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}',
  ipv4: '((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)',
  email:
    '[A-Za-z0-9_%+-]{1,32}(\\.[A-Za-z0-9_%+-]{1,16}){0,2}@[A-Za-z0-9]([A-Za-z0-9-]{0,20}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,20}[A-Za-z0-9])?){1,3}',
};

/** One character of a JSON string body, any spelling (no surrogate `\u` escapes). */
const JSON_CHAR: RegexNode = alt(
  set(STRING_PLAIN),
  seq(literal('\\'), set(charSetOf(0x22, 0x5c, 0x2f, 0x62, 0x66, 0x6e, 0x72, 0x74))),
  seq(
    literal('\\u'),
    alt(
      seq(set(subtract(HEX, charSetOf(0x64, 0x44))), set(HEX), set(HEX), set(HEX)),
      seq(set(charSetOf(0x64, 0x44)), set(charSetFromRanges([[0x30, 0x37]])), set(HEX), set(HEX)),
    ),
  ),
);

/** The canonical JSON spelling of one code point inside a string body. */
function escapeChar(cp: number): string {
  return SHORT_ESCAPES[cp] ?? `\\u${cp.toString(16).padStart(4, '0')}`;
}

/** Rewrites a regex over decoded characters into one over their JSON string encoding. */
function toJsonStringBody(node: RegexNode): RegexNode {
  switch (node.kind) {
    case 'empty':
      return node;
    case 'set': {
      const options: RegexNode[] = [];
      const plain = subtract(node.set, STRING_SPECIAL);
      if (plain.length > 0) options.push(set(plain));
      for (let cp = 0; cp <= 0x5c; cp++)
        if (hasChar(STRING_SPECIAL, cp) && hasChar(node.set, cp)) options.push(literal(escapeChar(cp)));
      return options.length === 0 ? node : alt(...options);
    }
    case 'concat':
      return seq(...node.items.map(toJsonStringBody));
    case 'alt':
      return alt(...node.options.map(toJsonStringBody));
    case 'repeat':
      return repeat(toJsonStringBody(node.item), node.min, node.max);
  }
}

function nonNegativeInt(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new SpecError(field, `must be a non-negative integer, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** Finds whether `src` ends with an unescaped `$`. */
function endsWithAnchor(src: string): boolean {
  if (!src.endsWith('$')) return false;
  let slashes = 0;
  for (let i = src.length - 2; i >= 0 && src[i] === '\\'; i--) slashes++;
  return slashes % 2 === 0;
}

class SchemaCompiler {
  private readonly ws: RegexNode;
  private readonly maxDigits: number;
  private readonly maxRefDepth: number;
  private readonly anyValueDepth: number;
  private readonly openRefs = new Map<string, number>();
  constructor(
    private readonly options: JsonSchemaOptions,
    private readonly root: unknown,
  ) {
    this.maxRefDepth = options.maxRefDepth === undefined ? 3 : nonNegativeInt(options.maxRefDepth, 'maxRefDepth');
    this.anyValueDepth = options.anyValueDepth === undefined ? 0 : nonNegativeInt(options.anyValueDepth, 'anyValueDepth');
    if (this.anyValueDepth > 8) throw new SpecError('anyValueDepth', `${this.anyValueDepth} is too deep (at most 8)`);
    const w = options.whitespace ?? { kind: 'compact' };
    if (w.kind === 'compact') this.ws = EMPTY;
    else if (w.kind === 'flexible') {
      const run = nonNegativeInt(w.maxRun, 'whitespace.maxRun');
      this.ws = repeat(set(charSetOf(0x20, 0x09, 0x0a, 0x0d)), 0, Math.min(run, MAX_REPEAT));
    } else {
      throw new SpecError(
        'whitespace.kind',
        `unknown whitespace policy ${JSON.stringify((w as { kind: unknown }).kind)}`,
        "use 'compact' or 'flexible'",
      );
    }
    const d = options.maxDigits;
    this.maxDigits = d === undefined ? Number.POSITIVE_INFINITY : nonNegativeInt(d, 'maxDigits');
    if (this.maxDigits === 0) throw new SpecError('maxDigits', 'must be at least 1');
  }

  compile(schema: unknown, path: string, depth: number): RegexNode {
    if (depth > MAX_DEPTH) throw new SpecError(path, `nesting deeper than ${MAX_DEPTH} levels`, 'flatten the schema');
    if (schema === true || (isObject(schema) && Object.keys(schema).every(ignorable))) {
      if (this.anyValueDepth > 0) return this.anyValue(this.anyValueDepth);
      throw new UnsupportedError(
        `a schema that allows any JSON value (at ${path})`,
        'give it a `type`, or set the option anyValueDepth to accept any JSON nested that deep',
      );
    }
    if (schema === false) throw new SpecError(path, 'the schema `false` accepts no value');
    if (!isObject(schema)) throw new SpecError(path, `a schema must be an object, got ${JSON.stringify(schema)}`);
    for (const key of Object.keys(schema)) {
      if (!SUPPORTED.has(key) && !ignorable(key)) {
        throw new UnsupportedError(`JSON-schema keyword \`${key}\` (at ${path})`, `supported: ${[...SUPPORTED].join(', ')}`);
      }
    }

    if (schema.$ref !== undefined) return this.compileRef(schema, path, depth);

    if (schema.anyOf !== undefined) {
      const siblings = Object.keys(schema).filter((k) => k !== 'anyOf' && !ignorable(k));
      if (siblings.length > 0) {
        throw new UnsupportedError(
          `\`anyOf\` beside ${siblings.map((s) => `\`${s}\``).join(', ')} (at ${path})`,
          'move those keywords into every anyOf branch',
        );
      }
      if (!Array.isArray(schema.anyOf) || schema.anyOf.length === 0)
        throw new SpecError(`${path}.anyOf`, 'must be a non-empty array of schemas');
      return alt(...schema.anyOf.map((s, i) => this.compile(s, `${path}.anyOf[${i}]`, depth + 1)));
    }

    if (schema.const !== undefined || schema.enum !== undefined) return this.compileEnum(schema, path, depth);

    const types = this.types(schema, path);
    return alt(...types.map((t) => this.compileType(t, schema, path, depth)));
  }

  /** Any JSON value with arrays/objects nested at most `levels` deep. */
  private anyValue(levels: number): RegexNode {
    const str = seq(literal('"'), star(JSON_CHAR), literal('"'));
    const scalars = alt(str, this.compileType('number', {}, '', 0), literal('true'), literal('false'), literal('null'));
    if (levels === 0) return scalars;
    const inner = this.anyValue(levels - 1);
    const ws = this.ws;
    const comma = seq(ws, literal(','), ws);
    const member = seq(str, ws, literal(':'), ws, inner);
    const array = seq(literal('['), ws, optional(seq(inner, star(seq(comma, inner)))), ws, literal(']'));
    const object = seq(literal('{'), ws, optional(seq(member, star(seq(comma, member)))), ws, literal('}'));
    return alt(scalars, array, object);
  }

  private compileRef(schema: JsonSchema, path: string, depth: number): RegexNode {
    const siblings = Object.keys(schema).filter((k) => k !== '$ref' && !ignorable(k));
    if (siblings.length > 0) {
      throw new UnsupportedError(
        `\`$ref\` beside ${siblings.map((s) => `\`${s}\``).join(', ')} (at ${path})`,
        'move them into the referenced schema',
      );
    }
    const ref = schema.$ref;
    if (typeof ref !== 'string' || !ref.startsWith('#')) {
      throw new UnsupportedError(
        `\`$ref\` ${JSON.stringify(ref)} (at ${path})`,
        'only local references like "#/$defs/name" are supported',
      );
    }
    const open = this.openRefs.get(ref) ?? 0;
    if (open >= this.maxRefDepth) return NOTHING; // recursion cut: this branch cannot be taken
    let target: unknown = this.root;
    const tokens = ref === '#' ? [] : ref.slice(1).split('/').slice(1);
    if (ref !== '#' && !ref.startsWith('#/'))
      throw new UnsupportedError(`\`$ref\` ${JSON.stringify(ref)} (at ${path})`, 'use a JSON pointer like "#/$defs/name"');
    for (const raw of tokens) {
      let key: string;
      try {
        key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
      } catch {
        throw new SpecError(`${path}.$ref`, `${ref} is not a valid JSON pointer (bad %-escape)`);
      }
      if (!isObject(target) || !(key in target)) throw new SpecError(`${path}.$ref`, `${ref} does not resolve (no "${key}")`);
      target = target[key];
    }
    this.openRefs.set(ref, open + 1);
    try {
      return this.compile(target, `${path}.$ref(${ref})`, depth + 1);
    } finally {
      this.openRefs.set(ref, open);
    }
  }

  private types(schema: JsonSchema, path: string): JsonType[] {
    const t = schema.type;
    if (t === undefined) {
      throw new SpecError(`${path}.type`, 'missing', 'give `type` (or `enum`, `const`, `anyOf`)');
    }
    const list = Array.isArray(t) ? t : [t];
    if (list.length === 0) throw new SpecError(`${path}.type`, 'an empty type list accepts no value');
    for (const x of list) {
      if (!TYPES.includes(x as JsonType))
        throw new SpecError(`${path}.type`, `unknown type ${JSON.stringify(x)}`, `use one of ${TYPES.join(', ')}`);
    }
    return [...new Set(list as JsonType[])];
  }

  private compileEnum(schema: JsonSchema, path: string, depth: number): RegexNode {
    const field = schema.const !== undefined ? `${path}.const` : `${path}.enum`;
    let values: unknown[];
    if (schema.const !== undefined) {
      values = [schema.const];
      if (schema.enum !== undefined) {
        if (!Array.isArray(schema.enum)) throw new SpecError(`${path}.enum`, 'must be an array');
        const texts = new Set(schema.enum.map((v) => JSON.stringify(v)));
        values = values.filter((v) => texts.has(JSON.stringify(v)));
      }
    } else {
      if (!Array.isArray(schema.enum)) throw new SpecError(field, 'must be an array');
      values = schema.enum;
    }
    // Other keywords restrict the listed values. `type` filters every value; the remaining
    // keywords filter scalar values (checked on their JSON text); arrays and objects are kept.
    const rest: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(schema)) if (k !== 'enum' && k !== 'const' && k !== 'type' && !ignorable(k)) rest[k] = v;
    const allowedTypes = schema.type === undefined ? undefined : this.types(schema, path);
    const unique = new Map<string, unknown>();
    for (const v of values) {
      const text = JSON.stringify(v);
      if (text === undefined) throw new SpecError(field, `${String(v)} is not a JSON value`);
      unique.set(text, v);
    }
    const kept: string[] = [];
    for (const [text, v] of unique) {
      const types = jsonTypesOf(v);
      const matching = allowedTypes === undefined ? types : types.filter((t) => allowedTypes.includes(t));
      if (matching.length === 0) continue;
      const scalar = matching.filter((t) => t !== 'array' && t !== 'object');
      if (scalar.length > 0 && Object.keys(rest).length > 0) {
        const dfa = compileRegexNode(this.compile({ ...rest, type: scalar }, path, depth + 1), this.options, 'schema');
        if (!dfa.matches(text)) continue;
      }
      kept.push(text);
    }
    if (kept.length === 0) {
      throw new SpecError(
        field,
        values.length === 0 ? 'no value listed' : 'no listed value satisfies the other keywords',
        'list at least one allowed value',
      );
    }
    return alt(...kept.map((t) => this.literalJson(t)));
  }

  /** A compact JSON text, with whitespace allowed where the policy allows it. */
  private literalJson(text: string): RegexNode {
    if (this.ws.kind === 'empty') return literal(text);
    const parts: RegexNode[] = [];
    let inString = false;
    let chunk = '';
    for (let i = 0; i < text.length; i++) {
      const c = text[i]!;
      chunk += c;
      if (inString) {
        if (c === '\\') chunk += text[++i]!;
        else if (c === '"') inString = false;
      } else if (c === '"') inString = true;
      else if ('{}[],:'.includes(c)) {
        parts.push(literal(chunk.slice(0, -1)), this.ws, literal(c), this.ws);
        chunk = '';
      }
    }
    parts.push(literal(chunk));
    return seq(...parts);
  }

  private compileType(type: JsonType, schema: JsonSchema, path: string, depth: number): RegexNode {
    switch (type) {
      case 'null':
        return literal('null');
      case 'boolean':
        return alt(literal('true'), literal('false'));
      case 'integer':
        return this.boundedInteger(schema, path) ?? this.integer();
      case 'number':
        return (
          this.boundedNumber(schema, path) ??
          seq(
            this.integer(),
            optional(seq(literal('.'), this.digits())),
            optional(seq(set(charSetOf(0x65, 0x45)), optional(set(charSetOf(0x2b, 0x2d))), this.digits())),
          )
        );
      case 'string':
        return this.string(schema, path);
      case 'array':
        return this.array(schema, path, depth);
      case 'object':
        return this.object(schema, path, depth);
    }
  }

  /**
   * Numbers within minimum/maximum (and the exclusive forms), or undefined if unbounded. Bounds
   * must be integers; bounded numbers are written without an exponent.
   */
  private boundedNumber(schema: JsonSchema, path: string): RegexNode | undefined {
    const keys = ['minimum', 'exclusiveMinimum', 'maximum', 'exclusiveMaximum'] as const;
    const bound: Partial<Record<(typeof keys)[number], number>> = {};
    for (const k of keys) {
      const v = schema[k];
      if (v === undefined) continue;
      if (typeof v !== 'number' || !Number.isFinite(v))
        throw new SpecError(`${path}.${k}`, `must be a finite number, got ${JSON.stringify(v)}`);
      if (!Number.isSafeInteger(v)) {
        throw new UnsupportedError(
          `a non-integer \`${k}\` (${v}) on type number (at ${path})`,
          'use integer bounds, or type integer',
        );
      }
      bound[k] = v;
    }
    if (Object.keys(bound).length === 0) return undefined;
    // The tighter of minimum / exclusiveMinimum (equal values: the exclusive one).
    const pick = (incl: number | undefined, excl: number | undefined, lower: boolean): MagnitudeBound | undefined => {
      if (incl === undefined && excl === undefined) return undefined;
      if (incl === undefined) return { value: excl!, strict: true };
      if (excl === undefined) return { value: incl, strict: false };
      const exclTighter = lower ? excl >= incl : excl <= incl;
      return exclTighter ? { value: excl, strict: true } : { value: incl, strict: false };
    };
    const lo = pick(bound.minimum, bound.exclusiveMinimum, true);
    const hi = pick(bound.maximum, bound.exclusiveMaximum, false);
    const fraction = this.digits();
    const parts: RegexNode[] = [];
    // Text without a sign: value = magnitude m ≥ 0.
    if (hi === undefined || hi.value >= 0) {
      const lower = lo === undefined || lo.value < 0 ? { value: 0, strict: false } : lo;
      const m = decimalMagnitude(lower, hi, fraction);
      if (m) parts.push(m);
    }
    // Text "-m": value −m, so lo bounds m from above and hi from below.
    if (lo === undefined || lo.value <= 0) {
      const upper = lo === undefined ? undefined : { value: -lo.value, strict: lo.strict };
      const lower = hi === undefined || hi.value > 0 ? { value: 0, strict: false } : { value: -hi.value, strict: hi.strict };
      const m = decimalMagnitude(lower, upper, fraction);
      if (m) parts.push(seq(literal('-'), m));
    }
    if (parts.length === 0)
      throw new SpecError(
        `${path}.minimum`,
        'no number satisfies these bounds',
        'check minimum/maximum and their exclusive forms',
      );
    return alt(...parts);
  }

  /** Integers within minimum/maximum (and the exclusive forms), or undefined if unbounded. */
  private boundedInteger(schema: JsonSchema, path: string): RegexNode | undefined {
    const num = (k: string): number | undefined => {
      const v = schema[k];
      if (v === undefined) return undefined;
      if (typeof v !== 'number' || !Number.isFinite(v))
        throw new SpecError(`${path}.${k}`, `must be a finite number, got ${JSON.stringify(v)}`);
      return v;
    };
    const bounds = [num('minimum'), num('exclusiveMinimum'), num('maximum'), num('exclusiveMaximum')];
    if (bounds.every((b) => b === undefined)) return undefined;
    const [min, exMin, max, exMax] = bounds;
    const los = [min === undefined ? undefined : Math.ceil(min), exMin === undefined ? undefined : Math.floor(exMin) + 1].filter(
      (x) => x !== undefined,
    );
    const his = [max === undefined ? undefined : Math.floor(max), exMax === undefined ? undefined : Math.ceil(exMax) - 1].filter(
      (x) => x !== undefined,
    );
    const lo = los.length > 0 ? Math.max(...los) : undefined;
    const hi = his.length > 0 ? Math.min(...his) : undefined;
    return integerRange(lo, hi, `${path}.${min !== undefined || exMin !== undefined ? 'minimum' : 'maximum'}`);
  }

  private digits(): RegexNode {
    return repeat(set(DIGIT), 1, this.maxDigits);
  }

  private integer(): RegexNode {
    const tail = this.maxDigits === Number.POSITIVE_INFINITY ? star(set(DIGIT)) : repeat(set(DIGIT), 0, this.maxDigits - 1);
    return seq(optional(literal('-')), alt(literal('0'), seq(set(DIGIT19), tail)));
  }

  private string(schema: JsonSchema, path: string): RegexNode {
    const quote = literal('"');
    if (schema.format !== undefined) {
      const f = schema.format;
      const source = typeof f === 'string' ? FORMATS[f] : undefined;
      if (source === undefined) {
        throw new UnsupportedError(
          `\`format\` ${JSON.stringify(f)} (at ${path})`,
          `supported formats: ${Object.keys(FORMATS).join(', ')}`,
        );
      }
      const others = ['pattern', 'minLength', 'maxLength'].filter((k) => schema[k] !== undefined);
      if (others.length > 0)
        throw new UnsupportedError(`\`format\` together with \`${others[0]}\` (at ${path})`, 'use one of them');
      return seq(quote, parseRegex(source, `${path}.format`), quote);
    }
    if (schema.pattern !== undefined) {
      if (typeof schema.pattern !== 'string') throw new SpecError(`${path}.pattern`, 'must be a string');
      if (schema.minLength !== undefined || schema.maxLength !== undefined) {
        throw new UnsupportedError(
          `\`pattern\` together with \`minLength\`/\`maxLength\` (at ${path})`,
          'put the length bounds into the pattern, e.g. `^[a-z]{2,8}$`',
        );
      }
      const src = schema.pattern;
      let body = parseRegex(src, `${path}.pattern`);
      // JSON-schema patterns search: an unanchored side may be surrounded by anything.
      const anyText = star(set(ANY_CHAR));
      body = seq(src.startsWith('^') ? EMPTY : anyText, body, endsWithAnchor(src) ? EMPTY : anyText);
      return seq(quote, toJsonStringBody(body), quote);
    }
    const min = schema.minLength === undefined ? 0 : nonNegativeInt(schema.minLength, `${path}.minLength`);
    const max = schema.maxLength === undefined ? Number.POSITIVE_INFINITY : nonNegativeInt(schema.maxLength, `${path}.maxLength`);
    if (min > max)
      throw new SpecError(`${path}.minLength`, `minLength ${min} is greater than maxLength ${max}: no string satisfies both`);
    if (min > MAX_REPEAT || (max !== Number.POSITIVE_INFINITY && max > MAX_REPEAT)) {
      throw new SpecError(
        `${path}.maxLength`,
        `string length bounds above ${MAX_REPEAT} are not supported`,
        'leave maxLength out or lower it',
      );
    }
    return seq(quote, repeat(JSON_CHAR, min, max), quote);
  }

  private array(schema: JsonSchema, path: string, depth: number): RegexNode {
    const prefixSchemas = schema.prefixItems;
    if (prefixSchemas !== undefined && !Array.isArray(prefixSchemas))
      throw new SpecError(`${path}.prefixItems`, 'must be an array of schemas');
    if (Array.isArray(schema.items))
      throw new UnsupportedError(`tuple-form \`items\` (at ${path})`, 'use prefixItems for tuples');
    if (schema.items === undefined && prefixSchemas === undefined)
      throw new SpecError(`${path}.items`, 'missing: arrays need an item schema');
    const prefix = (prefixSchemas ?? []).map((s, i) => this.compile(s, `${path}.prefixItems[${i}]`, depth + 1));
    // After the prefix: `items` (false or absent with a prefix = no further items are generated).
    const rest =
      schema.items === undefined || schema.items === false ? undefined : this.compile(schema.items, `${path}.items`, depth + 1);
    const k = prefix.length;
    const min = schema.minItems === undefined ? 0 : nonNegativeInt(schema.minItems, `${path}.minItems`);
    let max = schema.maxItems === undefined ? Number.POSITIVE_INFINITY : nonNegativeInt(schema.maxItems, `${path}.maxItems`);
    if (rest === undefined) max = Math.min(max, k);
    if (min > max) {
      throw new SpecError(
        `${path}.minItems`,
        `minItems ${min} is greater than the most items allowed (${max}): no array satisfies both`,
      );
    }
    if (min > MAX_REPEAT || (max !== Number.POSITIVE_INFINITY && max > MAX_REPEAT) || k > MAX_REPEAT) {
      throw new SpecError(`${path}.maxItems`, `item count bounds above ${MAX_REPEAT} are not supported`);
    }
    const ws = this.ws;
    const comma = seq(ws, literal(','), ws);
    // from(i): the elements from index i on, once i elements are written.
    const from = (i: number): RegexNode => {
      if (i >= max) return EMPTY;
      if (i < k) {
        const body = seq(i === 0 ? EMPTY : comma, prefix[i]!, from(i + 1));
        return i < min ? body : optional(body);
      }
      const item = rest!;
      const lo = Math.max(min - i, 0);
      const hi = max - i;
      if (i > 0) return repeat(seq(comma, item), lo, hi);
      const elements = seq(item, repeat(seq(comma, item), Math.max(lo - 1, 0), hi - 1));
      return lo === 0 ? optional(elements) : elements;
    };
    return seq(literal('['), ws, from(0), ws, literal(']'));
  }

  private object(schema: JsonSchema, path: string, depth: number): RegexNode {
    const props = schema.properties ?? {};
    if (!isObject(props)) throw new SpecError(`${path}.properties`, 'must be an object mapping names to schemas');
    const extra = schema.additionalProperties;
    if (extra !== undefined && typeof extra !== 'boolean') {
      throw new UnsupportedError(`\`additionalProperties\` as a schema (at ${path})`, 'list the properties, or use false');
    }
    const required = schema.required ?? [];
    if (!Array.isArray(required) || !required.every((r) => typeof r === 'string')) {
      throw new SpecError(`${path}.required`, 'must be an array of property names');
    }
    const names = Object.keys(props);
    for (const r of required) {
      if (!names.includes(r)) {
        throw new SpecError(
          `${path}.required`,
          `"${r}" is required but not declared in properties`,
          'declare it (only declared properties are generated)',
        );
      }
    }
    const ws = this.ws;
    const pairs = names.map((name) =>
      seq(
        literal(JSON.stringify(name)),
        ws,
        literal(':'),
        ws,
        this.compile(props[name], `${path}.properties.${name}`, depth + 1),
      ),
    );
    const isRequired = names.map((n) => required.includes(n));
    const comma = seq(ws, literal(','), ws);
    // after[i]: properties i.. once something was written (each needs a leading comma).
    const after: RegexNode[] = new Array(names.length + 1);
    after[names.length] = EMPTY;
    for (let i = names.length - 1; i >= 0; i--) {
      const one = seq(comma, pairs[i]!);
      after[i] = seq(isRequired[i] ? one : optional(one), after[i + 1]!);
    }
    // first(i): properties i.. with nothing written yet. Optional ones may all be skipped.
    let first: RegexNode = EMPTY;
    for (let i = names.length - 1; i >= 0; i--) {
      const take = seq(pairs[i]!, after[i + 1]!);
      first = isRequired[i] ? take : alt(take, first);
    }
    return seq(literal('{'), ws, first, ws, literal('}'));
  }
}
