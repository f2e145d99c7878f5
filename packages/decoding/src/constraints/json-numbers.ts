/**
 * JSON numbers as regular languages: plain `integer` / `number`, and `minimum` / `maximum` /
 * `exclusiveMinimum` / `exclusiveMaximum` bounds (exact for integers; integer-valued bounds for
 * numbers, written without an exponent).
 */
import { SpecError, UnsupportedError } from '@weft/core';
import { charSetFromRanges, charSetOf } from './charset.js';
import { decimalMagnitude, integerRange, type MagnitudeBound } from './integer-range.js';
import { alt, literal, optional, type RegexNode, repeat, seq, set, star } from './regex-ast.js';

/** The schema keywords a number reads. */
type NumberSchema = { readonly [keyword: string]: unknown };

const DIGIT = charSetFromRanges([[0x30, 0x39]]);
const DIGIT19 = charSetFromRanges([[0x31, 0x39]]);

/** Checks a count keyword. */
export function nonNegativeInt(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new SpecError(field, `must be a non-negative integer, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** Any JSON number (digit runs capped at maxDigits). */
export function numberRegex(maxDigits: number): RegexNode {
  return seq(
    integerRegex(maxDigits),
    optional(seq(literal('.'), digitsRegex(maxDigits))),
    optional(seq(set(charSetOf(0x65, 0x45)), optional(set(charSetOf(0x2b, 0x2d))), digitsRegex(maxDigits))),
  );
}

/** 1..maxDigits digits. */
export function digitsRegex(maxDigits: number): RegexNode {
  return repeat(set(DIGIT), 1, maxDigits);
}

/** A JSON integer with at most maxDigits digits. */
export function integerRegex(maxDigits: number): RegexNode {
  const tail = maxDigits === Number.POSITIVE_INFINITY ? star(set(DIGIT)) : repeat(set(DIGIT), 0, maxDigits - 1);
  return seq(optional(literal('-')), alt(literal('0'), seq(set(DIGIT19), tail)));
}

/**
 * Numbers within minimum/maximum (and the exclusive forms), or undefined if unbounded. Bounds
 * must be integers; bounded numbers are written without an exponent.
 */
export function boundedNumberRegex(schema: NumberSchema, path: string, maxDigits: number): RegexNode | undefined {
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
  const fraction = digitsRegex(maxDigits);
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
    throw new SpecError(`${path}.minimum`, 'no number satisfies these bounds', 'check minimum/maximum and their exclusive forms');
  return alt(...parts);
}

/** Integers within minimum/maximum (and the exclusive forms), or undefined if unbounded. */
export function boundedIntegerRegex(schema: NumberSchema, path: string): RegexNode | undefined {
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
