/**
 * The smallest useful generation loop: prompt ids in, token ids out, one at a time.
 * Greedy, or llama2.c-compatible seeded sampling (temperature, top-p) with optional top-k.
 *
 * Shapes: V = vocabulary size, logits are [V].
 */
import { type CausalLM, OptionError, XorShiftRng } from '@weft/core';
import { forwardChecked } from './runtime/forward.js';
import { argmax, llama2cSample } from './sampling/llama2c.js';
import { keepTopK } from './sampling/top-k.js';
import { describe, optIds, optInt, optNumber } from './validate.js';

/** Options of {@link generateTokens}. */
export interface GenerateTokensOptions {
  /** Most tokens to generate. Default: until a stop id or the context is full. */
  maxNewTokens?: number;
  /**
   * 0 = greedy (argmax, ties → lowest id). > 0 = sampling from softmax(logits / temperature).
   * Default: 0 when neither topK nor topP is given, else 1.
   */
  temperature?: number;
  /** Keep only the k most likely tokens before sampling (ties at the k-th value are kept). 0 = off. */
  topK?: number;
  /** Nucleus sampling in (0, 1], as llama2.c's `sample_topp`. 1 = off. */
  topP?: number;
  /** Seed of llama2.c's xorshift64* generator. Default: derived from the clock. */
  seed?: number;
  /** Cancels generation: the generator frees its cache and throws AbortError. */
  signal?: AbortSignal;
  /** Generation stops after yielding one of these ids. */
  stopTokenIds?: readonly number[];
}

/** Options after validation, with defaults filled in. */
export interface ResolvedTokenOptions {
  readonly maxNewTokens: number;
  readonly temperature: number;
  readonly topK: number;
  readonly topP: number;
  readonly seed: number;
  readonly stopTokenIds: ReadonlySet<number>;
}

/** Validates {@link GenerateTokensOptions} (throws OptionError) and fills defaults. */
export function resolveTokenOptions(opts: GenerateTokensOptions, vocabSize: number): ResolvedTokenOptions {
  if (opts === null || typeof opts !== 'object')
    throw new OptionError('options', `got ${describe(opts)}`, 'pass an options object');
  const maxNewTokens = optInt('maxNewTokens', opts.maxNewTokens, 0) ?? Number.POSITIVE_INFINITY;
  const topK = optInt('topK', opts.topK, 0) ?? 0;
  const topP = optNumber('topP', opts.topP, { min: 0, minOpen: true, max: 1 }) ?? 1;
  const sampling = topK > 0 || topP < 1;
  const temperature = optNumber('temperature', opts.temperature, { min: 0 }) ?? (sampling ? 1 : 0);
  const seed = optInt('seed', opts.seed, 0) ?? (Date.now() ^ Math.floor(Math.random() * 0x7fffffff)) >>> 0;
  const stop = optIds('stopTokenIds', opts.stopTokenIds, vocabSize) ?? [];
  return { maxNewTokens, temperature, topK, topP, seed, stopTokenIds: new Set(stop) };
}

/** Checks prompt ids against the vocabulary; returns them as an Int32Array. */
export function checkPrompt(promptIds: ArrayLike<number>, vocabSize: number, option = 'promptIds'): Int32Array {
  if (promptIds.length === 0) throw new OptionError(option, 'is empty', 'start the prompt with the BOS id (e.g. [1] for Llama)');
  const ids = new Int32Array(promptIds.length);
  for (let i = 0; i < promptIds.length; i++) {
    const id = promptIds[i]!;
    if (!Number.isInteger(id) || id < 0 || id >= vocabSize) {
      throw new OptionError(
        option,
        `id ${id} at position ${i} is outside the vocabulary`,
        `token ids are integers in [0, ${vocabSize})`,
      );
    }
    ids[i] = id;
  }
  return ids;
}

/**
 * Generates token ids after `promptIds`. The prompt goes through the model in one forward pass
 * into a fresh cache; then each step picks a token, yields it and feeds it back.
 *
 * Picks: temperature 0 → argmax (ties → lowest id). Otherwise logits are masked to the top-k (if
 * set), then llama2.c's `sample` runs: logits/temperature, float32 softmax, `rng.nextFloat()` as
 * the coin, and `sample_mult` or `sample_topp`. With the same seed, temperature and top-p this
 * reproduces `llama2.c run -s seed -t temperature -p topp` token for token.
 *
 * Stops after `maxNewTokens`, after yielding a stop id, or when the cache holds `contextLength`
 * tokens (the last token is yielded but not fed). On abort it frees the cache and throws
 * {@link AbortError}; the cache is also freed when the consumer stops early.
 *
 * @throws OptionError for bad options or prompt ids, before any compute.
 */
export async function* generateTokens(
  lm: CausalLM,
  promptIds: ArrayLike<number>,
  opts: GenerateTokensOptions = {},
): AsyncGenerator<number, void, undefined> {
  const vocabSize = lm.config.vocabSize;
  const o = resolveTokenOptions(opts, vocabSize);
  if (opts.signal !== undefined && !(typeof opts.signal === 'object' && opts.signal !== null && 'aborted' in opts.signal)) {
    throw new OptionError('signal', `got ${describe(opts.signal)}`, 'pass an AbortSignal');
  }
  const prompt = checkPrompt(promptIds, vocabSize);
  const limit = lm.config.contextLength;
  if (prompt.length > limit) {
    throw new OptionError(
      'promptIds',
      `has ${prompt.length} tokens but the model's context holds ${limit}`,
      'shorten the prompt',
    );
  }
  if (o.maxNewTokens === 0) return;
  const signal = opts.signal;
  const rng = new XorShiftRng(o.seed);
  const cache = lm.createCache();
  try {
    let logits = await forwardChecked(lm, prompt, cache, signal);
    for (let step = 0; ; step++) {
      if (logits.length !== vocabSize) logits = logits.subarray(logits.length - vocabSize);
      let next: number;
      if (o.temperature === 0) next = argmax(logits);
      else {
        const work = Float32Array.from(logits);
        if (o.topK > 0) keepTopK(work, o.topK);
        next = llama2cSample(work, o.temperature, o.topP, rng);
      }
      yield next;
      if (o.stopTokenIds.has(next) || step + 1 >= o.maxNewTokens || cache.length >= limit) return;
      logits = await forwardChecked(lm, [next], cache, signal);
    }
  } finally {
    cache.dispose();
  }
}
