import { rangesToClass } from '../../common/unicode.js';
import { HF_COMBINING_MARK, HF_NONSPACING_MARK } from '../../common/unicode-tables.js';
import { type Aligned, mapCodePoints, type Normalizer } from './types.js';

const markRegexes = new Map<readonly number[], RegExp>();

/**
 * Removes the marks of a table (HF's, see scripts/json-unicode-tables.mjs) with one native
 * regex pass. Marks start at U+0300, so text below that is returned untouched.
 */
export function removeMarks(text: string, table: readonly number[]): string {
  let i = 0;
  while (i < text.length && text.charCodeAt(i) < 0x300) i++;
  if (i === text.length) return text;
  let re = markRegexes.get(table);
  if (!re) {
    re = new RegExp(`[${rangesToClass(table)}]`, 'gu');
    markRegexes.set(table, re);
  }
  return text.replace(re, '');
}

/** BertNormalizer's accent stripping: nonspacing marks (Mn) only; apply after NFD. */
export function removeNonspacingMarks(text: string): string {
  return removeMarks(text, HF_NONSPACING_MARK);
}

/** tokenizer.json `StripAccents`: removes every combining mark (Mn, Mc, Me). */
export class StripAccents implements Normalizer {
  readonly type = 'StripAccents';
  normalize(text: string): string {
    return removeMarks(text, HF_COMBINING_MARK);
  }
  normalizeAligned(input: Aligned): Aligned {
    return mapCodePoints(input, (t) => removeMarks(t, HF_COMBINING_MARK));
  }
}
