import { inRanges } from '../../common/unicode.js';
import { HF_COMBINING_MARK, HF_NONSPACING_MARK } from '../../common/unicode-tables.js';
import { type Aligned, mapCodePoints, type Normalizer } from './types.js';

/**
 * Removes the marks of a table (HF's, see scripts/json-unicode-tables.mjs). Marks start at
 * U+0300, so text below that is returned untouched.
 */
export function removeMarks(text: string, table: readonly number[]): string {
  let i = 0;
  while (i < text.length && text.charCodeAt(i) < 0x300) i++;
  if (i === text.length) return text;
  let out = text.slice(0, i);
  for (; i < text.length; ) {
    const cp = text.codePointAt(i)!;
    const w = cp > 0xffff ? 2 : 1;
    if (cp < 0x300 || !inRanges(table, cp)) out += w === 1 ? text[i] : text.slice(i, i + 2);
    i += w;
  }
  return out;
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
