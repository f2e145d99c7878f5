/**
 * JSON strings as regular languages: the body of any JSON string, `minLength`/`maxLength`,
 * `pattern` (search semantics, re-spelled with JSON escapes) and `format`.
 */
import { SpecError, UnsupportedError } from '@weft/core';
import { ANY_CHAR, type CharSet, charSetFromRanges, charSetOf, hasChar, subtract } from './charset.js';
import { nonNegativeInt } from './json-numbers.js';
import { alt, EMPTY, literal, type RegexNode, repeat, seq, set, star } from './regex-ast.js';
import { MAX_REPEAT, parseRegex } from './regex-parse.js';

/** The schema keywords a string reads. */
type StringSchema = { readonly [keyword: string]: unknown };

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

/**
 * `format` values with a regular form (ASCII spellings, ranges of fields but not calendars:
 * `2023-02-31` passes `date`). `email` is a simplified, bounded dot-atom.
 */
export const FORMATS: Record<string, string> = {
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
export const JSON_CHAR: RegexNode = alt(
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
export function toJsonStringBody(node: RegexNode): RegexNode {
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

/** Finds whether `src` ends with an unescaped `$`. */
function endsWithAnchor(src: string): boolean {
  if (!src.endsWith('$')) return false;
  let slashes = 0;
  for (let i = src.length - 2; i >= 0 && src[i] === '\\'; i--) slashes++;
  return slashes % 2 === 0;
}

/** A JSON string (quotes included) valid under `format`, `pattern` or the length bounds. */
export function stringRegex(schema: StringSchema, path: string): RegexNode {
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
