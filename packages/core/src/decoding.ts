import type { Rng } from './rng.js';

/** What a logits processor may look at besides the logits. */
export interface GenerationContext {
  /** Every token so far: prompt, then generated. */
  readonly history: Int32Array;
  /** Tokens of the prompt at the start of `history`. */
  readonly promptLength: number;
  /** 0 for the first generated token. */
  readonly step: number;
}

/** Edits logits in place (masking, penalties, temperature, truncation). */
export interface LogitsProcessor {
  readonly name: string;
  process(logits: Float32Array, ctx: GenerationContext): void;
}

/** Picks one token id from (processed) logits. */
export interface Sampler {
  readonly name: string;
  sample(logits: Float32Array, rng: Rng): number;
}
