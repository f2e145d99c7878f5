import type { Aligned, Normalizer } from './types.js';

/** tokenizer.json `Sequence`: applies normalizers in order. */
export class NormalizerSequence implements Normalizer {
  readonly type = 'Sequence';
  constructor(readonly normalizers: readonly Normalizer[]) {}
  normalize(text: string): string {
    let t = text;
    for (const n of this.normalizers) t = n.normalize(t);
    return t;
  }
  normalizeAligned(input: Aligned): Aligned {
    let a = input;
    for (const n of this.normalizers) a = n.normalizeAligned(a);
    return a;
  }
}
