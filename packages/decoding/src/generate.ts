/** Text in, streamed text out: the familiar `generate()` over any CausalLM and Tokenizer. */
import { type CausalLM, OptionError, type Tokenizer } from '@weft/core';
import type { GenerateOptions } from './runtime/options.js';
import { StopStringMatcher } from './runtime/stop-strings.js';
import type { FinishReason } from './search/finish.js';
import type { SpeculativeStats } from './search/speculative.js';
import { prepare, runStrategy } from './stream-tokens.js';
import { describe, optBool } from './validate.js';

/** Options of {@link generate}: generation options plus how a string prompt is encoded. */
export interface GenerateTextOptions extends GenerateOptions {
  /** Add the tokenizer's special tokens (BOS...) when encoding a string prompt. Default true. */
  addSpecialTokens?: boolean;
  /** Receives speculative-decoding counters (drafted / accepted) when that strategy runs. */
  speculativeStats?: SpeculativeStats;
}

/** A piece of streamed output. */
export interface TextChunk {
  /** Newly final text (complete characters; never text that a stop string will take back). */
  readonly text: string;
  /** Tokens consumed since the previous chunk. */
  readonly tokens: readonly number[];
}

/** What a finished generation produced. */
export interface GenerationResult {
  readonly text: string;
  /** Generated token ids (EOS / stop ids included when they ended the sequence). */
  readonly tokens: number[];
  readonly promptTokens: number;
  readonly finishReason: FinishReason;
}

/**
 * Streams generated text. Iterate it with `for await` for {@link TextChunk}s; the generator's return
 * value (or {@link generateText}) gives the {@link GenerationResult}.
 *
 * @example
 * ```ts
 * for await (const chunk of generate(model, tokenizer, 'Once upon a time', { max_new_tokens: 64, temperature: 0.8, seed: 42 }))
 *   process.stdout.write(chunk.text);
 * ```
 * @throws OptionError (on first iteration, before any compute) for bad options; AbortError on abort.
 */
export async function* generate(
  lm: CausalLM,
  tokenizer: Tokenizer,
  prompt: string | ArrayLike<number>,
  options: GenerateTextOptions = {},
): AsyncGenerator<TextChunk, GenerationResult, undefined> {
  if (options === null || typeof options !== 'object')
    throw new OptionError('options', `got ${describe(options)}`, 'pass an options object');
  const { addSpecialTokens: add, speculativeStats, ...rest } = options;
  const addSpecialTokens = optBool('addSpecialTokens', add) ?? true;
  if (typeof prompt !== 'string' && !(Array.isArray(prompt) || ArrayBuffer.isView(prompt))) {
    throw new OptionError('prompt', 'is neither a string nor token ids', 'pass text or an array of token ids');
  }
  const ids = typeof prompt === 'string' ? tokenizer.encode(prompt, { addSpecialTokens }) : prompt;
  const { prompt: promptIds, o } = prepare(lm, ids, rest);
  const decoder = tokenizer.createStreamDecoder({ skipSpecialTokens: o.skipSpecialTokens });
  // Prime the decoder with the prompt so the first generated token decodes in context (a
  // SentencePiece piece after BOS drops its leading space; a split UTF-8 character completes).
  for (let i = 0; i < promptIds.length; i++) decoder.push(promptIds[i]!);
  const matcher = new StopStringMatcher(o.stopStrings);
  const tokens: number[] = [];
  let text = '';
  let chunkTokens: number[] = [];
  let finishReason: FinishReason = 'length';
  const inner = runStrategy(lm, promptIds, o, speculativeStats);
  try {
    for (;;) {
      const r = await inner.next();
      if (r.done) {
        finishReason = r.value;
        const { emit } = matcher.push(decoder.flush());
        const tail = emit + matcher.flush();
        if (matcher.matched !== undefined) finishReason = 'stop-string';
        if (tail || chunkTokens.length > 0) {
          text += tail;
          yield { text: tail, tokens: chunkTokens };
        }
        break;
      }
      tokens.push(r.value);
      chunkTokens.push(r.value);
      const { emit, stopped } = matcher.push(decoder.push(r.value));
      if (emit || stopped) {
        text += emit;
        yield { text: emit, tokens: chunkTokens };
        chunkTokens = [];
      }
      if (stopped) {
        finishReason = 'stop-string';
        break;
      }
    }
  } finally {
    await inner.return(finishReason);
  }
  return { text, tokens, promptTokens: promptIds.length, finishReason };
}

/** Runs {@link generate} to the end and returns the result. */
export async function generateText(
  lm: CausalLM,
  tokenizer: Tokenizer,
  prompt: string | ArrayLike<number>,
  options?: GenerateTextOptions,
): Promise<GenerationResult> {
  const it = generate(lm, tokenizer, prompt, options);
  for (;;) {
    const r = await it.next();
    if (r.done) return r.value;
  }
}

/**
 * Runs several prompts concurrently (each with its own cache, interleaved at every forward pass;
 * the CausalLM contract has no batched forward) and returns their results in order. `options`
 * may be one object for all prompts or one per prompt (e.g. different seeds).
 */
export async function generateBatch(
  lm: CausalLM,
  tokenizer: Tokenizer,
  prompts: readonly (string | ArrayLike<number>)[],
  options?: GenerateTextOptions | readonly GenerateTextOptions[],
): Promise<GenerationResult[]> {
  if (!Array.isArray(prompts)) throw new OptionError('prompts', 'is not an array', 'pass an array of prompts');
  if (Array.isArray(options) && options.length !== prompts.length) {
    throw new OptionError(
      'options',
      `${options.length} option objects for ${prompts.length} prompts`,
      'pass one options object, or one per prompt',
    );
  }
  const per = (i: number): GenerateTextOptions | undefined =>
    Array.isArray(options) ? options[i] : (options as GenerateTextOptions | undefined);
  return Promise.all(prompts.map((p, i) => generateText(lm, tokenizer, p, per(i))));
}
