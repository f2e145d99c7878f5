import { type GenerationContext, type LogitsProcessor, OptionError } from '@weft/core';

/**
 * Bans token sequences, HF `bad_words_ids`: a one-token sequence is always masked; a longer one
 * masks its last token whenever the history ends with the rest of it.
 */
export class BadWordsProcessor implements LogitsProcessor {
  readonly name = 'bad-words';
  readonly sequences: readonly (readonly number[])[];
  constructor(sequences: readonly (readonly number[])[]) {
    if (!Array.isArray(sequences))
      throw new OptionError('badWordsIds', 'is not an array', 'pass an array of token-id arrays, e.g. [[42], [7, 9]]');
    for (const [i, s] of sequences.entries()) {
      if (!Array.isArray(s) || s.length === 0 || !s.every((id) => Number.isInteger(id) && id >= 0)) {
        throw new OptionError(
          'badWordsIds',
          `entry ${i} is not a non-empty array of token ids`,
          'pass an array of token-id arrays, e.g. [[42], [7, 9]]',
        );
      }
    }
    this.sequences = sequences.map((s) => [...s]);
  }
  process(logits: Float32Array, ctx: GenerationContext): void {
    const h = ctx.history;
    for (const s of this.sequences) {
      const last = s[s.length - 1]!;
      if (last >= logits.length) continue;
      const k = s.length - 1;
      if (k > h.length) continue;
      let match = true;
      for (let j = 0; j < k; j++) {
        if (h[h.length - k + j] !== s[j]) {
          match = false;
          break;
        }
      }
      if (match) logits[last] = Number.NEGATIVE_INFINITY;
    }
  }
}
