/**
 * Integer intervals → regular expressions over their canonical decimal spellings
 * (no leading zeros, no "-0"), for JSON-schema `minimum` / `maximum` on integers.
 */
import { SpecError } from '@weft/core';
import { charSetFromRanges } from './charset.js';
import { alt, literal, type RegexNode, repeat, seq, set, star } from './regex-ast.js';

const digitSet = (lo: number, hi: number): RegexNode => set(charSetFromRanges([[0x30 + lo, 0x30 + hi]]));
const ANY_DIGIT = digitSet(0, 9);

/**
 * Integers in [lo, hi]; `undefined` means unbounded on that side. Bounds must be safe
 * integers with lo ≤ hi (checked by the caller; `field` names the keyword in errors).
 */
export function integerRange(lo: number | undefined, hi: number | undefined, field = 'minimum'): RegexNode {
  for (const v of [lo, hi]) {
    if (v !== undefined && !Number.isSafeInteger(v)) throw new SpecError(field, `bound ${v} is not a safe integer`);
  }
  if (lo !== undefined && hi !== undefined && lo > hi) {
    throw new SpecError(field, `no integer lies in [${lo}, ${hi}]`, 'check minimum/maximum (and their exclusive forms)');
  }
  const parts: RegexNode[] = [];
  // Negative part: "-" then a magnitude in [magLo, magHi].
  if (lo === undefined || lo < 0) {
    const magLo = hi === undefined || hi >= 0 ? 1 : -hi;
    const magHi = lo === undefined ? undefined : -lo;
    if (magHi === undefined || magLo <= magHi) parts.push(seq(literal('-'), nonNegative(magLo, magHi)));
  }
  // Non-negative part.
  if (hi === undefined || hi >= 0) {
    const posLo = lo === undefined ? 0 : Math.max(0, lo);
    if (hi === undefined || posLo <= hi) parts.push(nonNegative(posLo, hi));
  }
  return alt(...parts);
}

/** A bound on a magnitude: value, and whether the bound itself is excluded. */
export interface MagnitudeBound {
  readonly value: number;
  readonly strict: boolean;
}

/**
 * Unsigned JSON decimals `I(.F)?` (no exponent) whose value m satisfies `lower` ≤ m ≤ `upper`
 * (strict where marked), for integer bounds. `fraction` is the regex of the digits after the
 * point. Returns undefined when no value qualifies.
 */
export function decimalMagnitude(
  lower: MagnitudeBound,
  upper: MagnitudeBound | undefined,
  fraction: RegexNode,
): RegexNode | undefined {
  const L = lower.value;
  const anyFraction = repeat(seq(literal('.'), fraction), 0, 1);
  const zeroFraction = repeat(seq(literal('.'), repeat(literal('0'), 1, Number.POSITIVE_INFINITY)), 0, 1);
  // .F with some non-zero digit (value strictly above the integer part)
  const nonZeroFraction = seq(literal('.'), star(literal('0')), digitSet(1, 9), star(ANY_DIGIT));
  if (upper !== undefined) {
    const H = upper.value;
    if (H < L || (H === L && (lower.strict || upper.strict))) return undefined;
    if (H === L) return seq(nonNegative(L, L), zeroFraction);
  }
  const parts: RegexNode[] = [seq(nonNegative(L, L), lower.strict ? nonZeroFraction : anyFraction)];
  if (upper === undefined) parts.push(seq(nonNegative(L + 1, undefined), anyFraction));
  else {
    if (L + 1 <= upper.value - 1) parts.push(seq(nonNegative(L + 1, upper.value - 1), anyFraction));
    if (!upper.strict) parts.push(seq(nonNegative(upper.value, upper.value), zeroFraction));
  }
  return alt(...parts);
}

/** Canonical decimals of [lo, hi] with 0 ≤ lo, hi possibly unbounded. */
function nonNegative(lo: number, hi: number | undefined): RegexNode {
  const parts: RegexNode[] = [];
  const loDigits = String(lo).length;
  const hiDigits = hi === undefined ? undefined : String(hi).length;
  const lastFinite = hiDigits ?? loDigits;
  for (let n = loDigits; n <= lastFinite; n++) {
    const from = n === loDigits ? lo : 10 ** (n - 1);
    const to = hi !== undefined && n === hiDigits ? hi : 10 ** n - 1;
    if (from <= to) parts.push(sameWidth(String(from), String(to).padStart(n, '0')));
  }
  // Unbounded above: every number with more digits than lo.
  if (hi === undefined) parts.push(seq(digitSet(1, 9), repeat(ANY_DIGIT, loDigits, loDigits), star(ANY_DIGIT)));
  return alt(...parts);
}

/** Digit strings of equal width w between a and b (inclusive, a ≤ b). */
function sameWidth(a: string, b: string): RegexNode {
  if (a.length === 0) return literal('');
  const da = Number(a[0]);
  const db = Number(b[0]);
  const restA = a.slice(1);
  const restB = b.slice(1);
  if (a.length === 1) return digitSet(da, db);
  if (da === db) return seq(literal(a[0]!), sameWidth(restA, restB));
  const w = a.length - 1;
  const options: RegexNode[] = [seq(literal(a[0]!), sameWidth(restA, '9'.repeat(w)))];
  if (da + 1 <= db - 1) options.push(seq(digitSet(da + 1, db - 1), repeat(ANY_DIGIT, w, w)));
  options.push(seq(literal(b[0]!), sameWidth('0'.repeat(w), restB)));
  return alt(...options);
}
