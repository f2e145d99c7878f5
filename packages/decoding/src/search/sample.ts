/** Greedy search and seeded multinomial sampling, one token per forward pass. */
import { type CausalLM, XorShiftRng } from '@weft/core';
import type { ResolvedGenerateOptions } from '../runtime/options.js';
import { startSequence } from '../runtime/sequence.js';
import type { FinishReason } from './finish.js';
import { pick, processed } from './pick.js';

/**
 * Yields tokens after `prompt` (greedy or sampled as `o.strategy` says) and returns why it stopped.
 * The cache is freed however the loop ends (finished, aborted, or the consumer stopped early).
 */
export async function* sampleSearch(
  lm: CausalLM,
  prompt: readonly number[],
  o: ResolvedGenerateOptions,
): AsyncGenerator<number, FinishReason, undefined> {
  if (o.maxNewTokens === 0) return 'length';
  const sample = o.strategy.kind === 'sample';
  const rng = new XorShiftRng(o.seed);
  const deadline = Date.now() + o.maxTimeMs;
  const { seq, logits: first } = await startSequence(lm, prompt, {
    policy: o.cache,
    prefixCache: o.prefixCache,
    signal: o.signal,
  });
  try {
    let logits = first;
    for (let step = 0; ; step++) {
      const work = processed(logits, o.processors, seq.history, seq.promptLength);
      const next = o.sampler ? o.sampler.sample(work, rng) : pick(work, sample, o.topP, rng);
      yield next;
      if (o.stopTokenIds.has(next)) return 'stop';
      if (step + 1 >= o.maxNewTokens) return 'length';
      if (Date.now() >= deadline) return 'time';
      if (seq.isFull()) return 'context';
      logits = await seq.feed([next]);
    }
  } finally {
    seq.dispose();
  }
}
