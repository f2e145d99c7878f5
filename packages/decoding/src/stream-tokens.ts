/** Token-level entry point for every strategy. */
import { type CausalLM, OptionError } from '@weft/core';
import { checkPrompt } from './generate-tokens.js';
import { type GenerateOptions, type ResolvedGenerateOptions, resolveGenerateOptions } from './runtime/options.js';
import { beamSearch } from './search/beam.js';
import { contrastiveSearch } from './search/contrastive.js';
import type { FinishReason } from './search/finish.js';
import { sampleSearch } from './search/sample.js';
import { type SpeculativeStats, speculativeSearch } from './search/speculative.js';

/** Validates prompt and options (OptionError before any compute) for {@link streamTokens}. */
export function prepare(
  lm: CausalLM,
  promptIds: ArrayLike<number>,
  options: GenerateOptions | undefined,
): { prompt: number[]; o: ResolvedGenerateOptions } {
  const prompt = Array.from(checkPrompt(promptIds, lm.config.vocabSize));
  const o = resolveGenerateOptions(options, lm, prompt.length);
  const limit = o.cache.kind === 'sliding-window' ? o.cache.window : lm.config.contextLength;
  if (prompt.length > limit)
    throw new OptionError('prompt', `has ${prompt.length} tokens but the context holds ${limit}`, 'shorten the prompt');
  return { prompt, o };
}

/**
 * Generates token ids with whichever strategy the options select (greedy, sampling, beam,
 * contrastive, speculative) and returns the finish reason. Beam search yields its best sequence
 * when it is complete. The KV cache is freed however the iteration ends.
 */
export async function* streamTokens(
  lm: CausalLM,
  promptIds: ArrayLike<number>,
  options?: GenerateOptions,
  stats?: SpeculativeStats,
): AsyncGenerator<number, FinishReason, undefined> {
  const { prompt, o } = prepare(lm, promptIds, options);
  return yield* runStrategy(lm, prompt, o, stats);
}

/** Dispatches on the resolved strategy. */
export async function* runStrategy(
  lm: CausalLM,
  prompt: number[],
  o: ResolvedGenerateOptions,
  stats?: SpeculativeStats,
): AsyncGenerator<number, FinishReason, undefined> {
  switch (o.strategy.kind) {
    case 'greedy':
    case 'sample':
      return yield* sampleSearch(lm, prompt, o);
    case 'contrastive':
      return yield* contrastiveSearch(lm, prompt, o);
    case 'speculative':
      return yield* speculativeSearch(lm, prompt, o, stats);
    case 'beam': {
      const [best] = await beamSearch(lm, prompt, o);
      if (!best) return 'length';
      yield* best.tokens;
      return best.finishReason;
    }
  }
}
