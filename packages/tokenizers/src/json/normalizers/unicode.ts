import { type Aligned, mapSegments, type Normalizer, proportional, starterBoundaries } from './types.js';

/** The four Unicode normalization forms. */
export type UnicodeForm = 'NFC' | 'NFD' | 'NFKC' | 'NFKD';

/** NFC / NFD / NFKC / NFKD (String.prototype.normalize). */
export class UnicodeNormalizer implements Normalizer {
  constructor(readonly type: UnicodeForm) {}

  normalize(text: string): string {
    return text.normalize(this.type);
  }

  normalizeAligned(input: Aligned): Aligned {
    const full = this.normalize(input.text);
    const seg = mapSegments(input, starterBoundaries(input.text), (s) => s.normalize(this.type));
    return seg.text === full ? seg : proportional(input, full);
  }
}
