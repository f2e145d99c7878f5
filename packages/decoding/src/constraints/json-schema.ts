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
import { charSetOf, EMPTY_SET } from './charset.js';
import type { ByteDfa } from './dfa.js';
import { boundedIntegerRegex, boundedNumberRegex, integerRegex, nonNegativeInt, numberRegex } from './json-numbers.js';
import { JSON_CHAR, stringRegex } from './json-strings.js';
import { type AutomatonLimits, compileRegexNode } from './regex.js';
import { alt, EMPTY, literal, optional, type RegexNode, repeat, seq, set, star } from './regex-ast.js';
import { MAX_REPEAT } from './regex-parse.js';

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
    const scalars = alt(str, numberRegex(this.maxDigits), literal('true'), literal('false'), literal('null'));
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
        return boundedIntegerRegex(schema, path) ?? integerRegex(this.maxDigits);
      case 'number':
        return boundedNumberRegex(schema, path, this.maxDigits) ?? numberRegex(this.maxDigits);
      case 'string':
        return stringRegex(schema, path);
      case 'array':
        return this.array(schema, path, depth);
      case 'object':
        return this.object(schema, path, depth);
    }
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
