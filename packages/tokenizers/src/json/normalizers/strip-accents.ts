import { type Aligned, mapCodePoints, type Normalizer } from './types.js';

const NONSPACING_MARKS = /\p{Mn}/gu;

/** Removes non-spacing marks (category Mn); usually placed after NFD/NFKD. */
export function removeNonspacingMarks(text: string): string {
  return text.replace(NONSPACING_MARKS, '');
}

/** tokenizer.json `StripAccents`. */
export class StripAccents implements Normalizer {
  readonly type = 'StripAccents';
  normalize(text: string): string {
    return removeNonspacingMarks(text);
  }
  normalizeAligned(input: Aligned): Aligned {
    return mapCodePoints(input, removeNonspacingMarks);
  }
}
