import { type Aligned, mapCodePoints, type Normalizer } from './types.js';

/**
 * Lowercases each character on its own (Rust `char::to_lowercase`), so a final capital sigma
 * becomes `σ`, not the `ς` that JS's context-sensitive `toLowerCase` produces.
 */
export function lowercaseChars(text: string): string {
  const lower = text.toLowerCase();
  if (!text.includes('\u03a3')) return lower;
  let out = '';
  for (const ch of text) out += ch === '\u03a3' ? '\u03c3' : ch.toLowerCase();
  return out;
}

/** tokenizer.json `Lowercase`. */
export class Lowercase implements Normalizer {
  readonly type = 'Lowercase';
  normalize(text: string): string {
    return lowercaseChars(text);
  }
  normalizeAligned(input: Aligned): Aligned {
    return mapCodePoints(input, lowercaseChars);
  }
}
