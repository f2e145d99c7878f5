/**
 * Generation options with Hugging Face GenerationConfig names. Every option is accepted in
 * camelCase (`maxNewTokens`) and in HF snake_case (`max_new_tokens`); giving both with different
 * values, an unknown name or a value outside its domain throws {@link OptionError} before any compute.
 */
import { type CausalLM, type LogitsProcessor, OptionError, type Sampler } from '@weft/core';
import { ProcessorChain, type ProcessorSpec } from '../processors/factory.js';
import { describe, isArrayLike, optBool, optIds, optInt, optNumber } from '../validate.js';
import { type CachePolicy, checkCachePolicy } from './cache-policy.js';
import { PrefixCache } from './prefix-cache.js';

/** The camelCase generation options (see {@link GenerateOptions}). */
export interface GenerateOptionsCamel {
  /** Most tokens to generate (HF `max_new_tokens`). Default: until EOS, a stop, or the context is full. */
  maxNewTokens?: number;
  /** Prompt + generated tokens (HF `max_length`); an alternative to maxNewTokens. */
  maxLength?: number;
  /** EOS is masked until this many tokens were generated (HF `min_new_tokens`). */
  minNewTokens?: number;
  /** Sample instead of greedy (HF `do_sample`). Default: true when temperature > 0 or a sampling option is set. */
  doSample?: boolean;
  /** Softmax temperature; 0 = greedy. */
  temperature?: number;
  /** Top-k truncation (0 = off). */
  topK?: number;
  /** Nucleus sampling in (0, 1] (1 = off), computed as llama2.c's sample_topp. */
  topP?: number;
  /** Min-p truncation in [0, 1]. */
  minP?: number;
  /** Locally typical sampling mass in (0, 1] (HF `typical_p`). */
  typicalP?: number;
  /** Epsilon sampling cutoff in (0, 1). */
  epsilonCutoff?: number;
  /** Eta sampling cutoff in (0, 1). */
  etaCutoff?: number;
  /** CTRL repetition penalty (> 0, 1 = off). */
  repetitionPenalty?: number;
  /** OpenAI frequency penalty in [−2, 2], over generated tokens. */
  frequencyPenalty?: number;
  /** OpenAI presence penalty in [−2, 2], over generated tokens. */
  presencePenalty?: number;
  /** Ban repeating any n-gram of this size (HF `no_repeat_ngram_size`). */
  noRepeatNgramSize?: number;
  /** Token sequences that must not be generated (HF `bad_words_ids`). */
  badWordsIds?: readonly (readonly number[])[];
  /** Additive bias per token id (OpenAI `logit_bias`). */
  logitBias?: Readonly<Record<string | number, number>> | ReadonlyMap<number, number>;
  /** Force the first generated token (HF `forced_bos_token_id`). */
  forcedBosTokenId?: number;
  /** Force this token as the last one at maxNewTokens (HF `forced_eos_token_id`). */
  forcedEosTokenId?: number;
  /** End-of-sequence id(s); generation stops after one (default: the model's eosTokenId). */
  eosTokenId?: number | readonly number[];
  /** More ids that stop generation (kept in the output). */
  stopTokenIds?: readonly number[];
  /** Stop when the text contains one of these (may span tokens; excluded from the output). */
  stopStrings?: string | readonly string[];
  /** Stop after this many seconds (checked between tokens; HF `max_time`). */
  maxTime?: number;
  /** Seed of the xorshift64* generator (llama2.c's). */
  seed?: number;
  /** Beam search with this many beams (HF `num_beams`). */
  numBeams?: number;
  /** Beam score = log-prob sum / length^lengthPenalty (HF `length_penalty`, default 1). */
  lengthPenalty?: number;
  /** true: stop when numBeams hypotheses are done; false: HF heuristic; 'never': exact bound. */
  earlyStopping?: boolean | 'never';
  /** Sequences returned by beam search (≤ numBeams). */
  numReturnSequences?: number;
  /** Contrastive search degeneration penalty α in (0, 1] (with topK > 1; HF `penalty_alpha`). */
  penaltyAlpha?: number;
  /** Speculative decoding with prompt-lookup drafts of this many tokens (HF `prompt_lookup_num_tokens`). */
  promptLookupNumTokens?: number;
  /** Longest n-gram prompt lookup tries to match (default 3). */
  maxMatchingNgramSize?: number;
  /** Speculative decoding with this draft model (HF `assistant_model`); same vocabulary. */
  assistantModel?: CausalLM;
  /** Draft tokens per speculative step with an assistant model (default 5). */
  numAssistantTokens?: number;
  /**
   * How the draft length evolves: 'constant' (default), or 'heuristic' (HF: +2 after a step where
   * every draft was accepted, −1 otherwise, never below 1).
   */
  numAssistantTokensSchedule?: 'constant' | 'heuristic';
  /** Extra processors (specs or your own objects), run after the built-in penalties and masks. */
  processors?: readonly (ProcessorSpec | LogitsProcessor)[];
  /** Your own final pick (core `Sampler`) for plain sampling, replacing the llama2.c draw; top-p then runs as a processor. */
  sampler?: Sampler;
  /** KV-cache policy (default fixed). */
  cache?: CachePolicy;
  /** Reuse of encoded prompt prefixes across calls. */
  prefixCache?: PrefixCache;
  /** Cancels generation (AbortError after the cache is freed). */
  signal?: AbortSignal;
  /** Drop special tokens from streamed text (HF `skip_special_tokens`). Default true. */
  skipSpecialTokens?: boolean;
}

/** `maxNewTokens` → `max_new_tokens`, at the type level. */
export type SnakeCase<S extends string> = S extends `${infer H}${infer T}`
  ? `${H extends Lowercase<H> ? H : `_${Lowercase<H>}`}${SnakeCase<T>}`
  : S;

/** The same options under Hugging Face's snake_case names (`max_new_tokens`, `top_p`, `num_beams`, ...). */
export type GenerateOptionsSnake = { [K in keyof GenerateOptionsCamel as SnakeCase<K & string>]?: GenerateOptionsCamel[K] };

/**
 * Options of {@link generate} and friends: every option in camelCase and in HF snake_case
 * (give one spelling per option; both with different values is an OptionError).
 */
export interface GenerateOptions extends GenerateOptionsCamel, GenerateOptionsSnake {}

/** Largest accepted `numBeams` (each beam holds its own KV cache). */
export const MAX_BEAMS = 1024;

/** camelCase name → HF snake_case name (only where they differ). */
const SNAKE: Readonly<Record<string, string>> = {
  maxNewTokens: 'max_new_tokens',
  maxLength: 'max_length',
  minNewTokens: 'min_new_tokens',
  doSample: 'do_sample',
  topK: 'top_k',
  topP: 'top_p',
  minP: 'min_p',
  typicalP: 'typical_p',
  epsilonCutoff: 'epsilon_cutoff',
  etaCutoff: 'eta_cutoff',
  repetitionPenalty: 'repetition_penalty',
  frequencyPenalty: 'frequency_penalty',
  presencePenalty: 'presence_penalty',
  noRepeatNgramSize: 'no_repeat_ngram_size',
  badWordsIds: 'bad_words_ids',
  logitBias: 'logit_bias',
  forcedBosTokenId: 'forced_bos_token_id',
  forcedEosTokenId: 'forced_eos_token_id',
  eosTokenId: 'eos_token_id',
  stopTokenIds: 'stop_token_ids',
  stopStrings: 'stop_strings',
  maxTime: 'max_time',
  numBeams: 'num_beams',
  lengthPenalty: 'length_penalty',
  earlyStopping: 'early_stopping',
  numReturnSequences: 'num_return_sequences',
  penaltyAlpha: 'penalty_alpha',
  promptLookupNumTokens: 'prompt_lookup_num_tokens',
  maxMatchingNgramSize: 'max_matching_ngram_size',
  assistantModel: 'assistant_model',
  numAssistantTokens: 'num_assistant_tokens',
  numAssistantTokensSchedule: 'num_assistant_tokens_schedule',
  prefixCache: 'prefix_cache',
  skipSpecialTokens: 'skip_special_tokens',
};
const SAME = ['temperature', 'seed', 'processors', 'sampler', 'cache', 'signal'];
const CAMEL_OF: Record<string, string> = {};
for (const [camel, snake] of Object.entries(SNAKE)) {
  CAMEL_OF[camel] = camel;
  CAMEL_OF[snake] = camel;
}
for (const name of SAME) CAMEL_OF[name] = name;
/** Every accepted option name (both spellings). */
export const GENERATE_OPTION_NAMES: readonly string[] = Object.keys(CAMEL_OF);

function suggest(name: string): string {
  const norm = (s: string) => s.toLowerCase().replace(/[_-]/g, '');
  const n = norm(name);
  const hit = GENERATE_OPTION_NAMES.find((k) => norm(k) === n);
  if (hit) return `did you mean \`${hit}\`?`;
  let best = '';
  let bestD = 4;
  for (const k of Object.keys(SNAKE).concat(SAME)) {
    const d = distance(n, norm(k));
    if (d < bestD) {
      bestD = d;
      best = k;
    }
  }
  return best ? `did you mean \`${best}\`?` : 'see GENERATE_OPTION_NAMES for the supported options';
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}

/**
 * Folds snake_case names into camelCase. Throws OptionError on unknown names and on the same
 * option given twice with different values.
 */
export function canonicalOptions(raw: unknown): GenerateOptions {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw))
    throw new OptionError('options', `got ${describe(raw)}`, 'pass an options object');
  const out: Record<string, unknown> = {};
  const from: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw)) {
    const camel = CAMEL_OF[key];
    if (value === undefined || (value === null && camel !== undefined)) continue; // null = unset, as in generation_config.json
    if (!camel) throw new OptionError(key, 'is not a generation option', suggest(key));
    if (camel in out && out[camel] !== value) {
      throw new OptionError(
        key,
        `conflicts with \`${from[camel]}\` (${describe(out[camel])} vs ${describe(value)})`,
        'give each option once',
      );
    }
    out[camel] = value;
    from[camel] = key;
  }
  return out as GenerateOptions;
}

/** The search strategy chosen from the options (as Hugging Face chooses its generation mode). */
export type Strategy =
  | { readonly kind: 'greedy' }
  | { readonly kind: 'sample' }
  | {
      readonly kind: 'beam';
      readonly numBeams: number;
      readonly lengthPenalty: number;
      readonly earlyStopping: boolean | 'never';
      readonly numReturnSequences: number;
    }
  | { readonly kind: 'contrastive'; readonly topK: number; readonly penaltyAlpha: number }
  | { readonly kind: 'speculative'; readonly sample: boolean; readonly draft: DraftSpec };

/** Where speculative drafts come from. */
export type DraftSpec =
  | { readonly kind: 'model'; readonly model: CausalLM; readonly numTokens: number; readonly schedule: 'constant' | 'heuristic' }
  | {
      readonly kind: 'prompt-lookup';
      readonly numTokens: number;
      readonly maxNgram: number;
      readonly schedule: 'constant' | 'heuristic';
    };

/** Validated options with defaults filled in, ready for the search loops. */
export interface ResolvedGenerateOptions {
  readonly strategy: Strategy;
  readonly maxNewTokens: number;
  readonly processors: ProcessorChain;
  /** llama2.c nucleus applied by the sampler (1 = off). */
  readonly topP: number;
  /** A user-supplied final pick (sampling strategies only). */
  readonly sampler: Sampler | undefined;
  readonly seed: number;
  readonly stopTokenIds: ReadonlySet<number>;
  readonly eosTokenIds: readonly number[];
  readonly stopStrings: readonly string[];
  readonly maxTimeMs: number;
  readonly cache: CachePolicy;
  readonly prefixCache: PrefixCache | undefined;
  readonly signal: AbortSignal | undefined;
  readonly skipSpecialTokens: boolean;
}

/**
 * Validates options against a model (and the prompt length, for maxLength) and builds the
 * processor chain in Hugging Face's order: repetition / frequency / presence penalties,
 * no-repeat-n-gram, bad words, logit bias, min-new-tokens, forced BOS/EOS, your processors, then
 * (when sampling) temperature, top-k, min-p, typical, epsilon, eta. Top-p runs last, in the sampler.
 */
export function resolveGenerateOptions(raw: unknown, lm: CausalLM, promptLength: number): ResolvedGenerateOptions {
  const o = canonicalOptions(raw);
  const V = lm.config.vocabSize;
  let maxNewTokens = optInt('maxNewTokens', o.maxNewTokens, 0);
  const maxLength = optInt('maxLength', o.maxLength, 1);
  if (maxLength !== undefined) {
    if (maxNewTokens !== undefined)
      throw new OptionError('maxLength', 'given together with maxNewTokens', 'give only one of them');
    if (maxLength <= promptLength)
      throw new OptionError(
        'maxLength',
        `${maxLength} leaves no room after a ${promptLength}-token prompt`,
        'raise maxLength or use maxNewTokens',
      );
    maxNewTokens = maxLength - promptLength;
  }
  const minNewTokens = optInt('minNewTokens', o.minNewTokens, 0) ?? 0;
  const temperature = optNumber('temperature', o.temperature, { min: 0 });
  const topK = optInt('topK', o.topK, 0) ?? 0;
  const topP = optNumber('topP', o.topP, { min: 0, minOpen: true, max: 1 }) ?? 1;
  const minP = optNumber('minP', o.minP, { min: 0, max: 1 }) ?? 0;
  const typicalP = optNumber('typicalP', o.typicalP, { min: 0, minOpen: true, max: 1 }) ?? 1;
  const epsilon = optNumber('epsilonCutoff', o.epsilonCutoff, { min: 0, max: 1, maxOpen: true }) ?? 0;
  const eta = optNumber('etaCutoff', o.etaCutoff, { min: 0, max: 1, maxOpen: true }) ?? 0;
  const repetitionPenalty = optNumber('repetitionPenalty', o.repetitionPenalty, { min: 0, minOpen: true }) ?? 1;
  const frequencyPenalty = optNumber('frequencyPenalty', o.frequencyPenalty, { min: -2, max: 2 }) ?? 0;
  const presencePenalty = optNumber('presencePenalty', o.presencePenalty, { min: -2, max: 2 }) ?? 0;
  const noRepeat = optInt('noRepeatNgramSize', o.noRepeatNgramSize, 0) ?? 0;
  const forcedBos = optInt('forcedBosTokenId', o.forcedBosTokenId, 0, V - 1);
  const forcedEos = optInt('forcedEosTokenId', o.forcedEosTokenId, 0, V - 1);
  const eosRaw = o.eosTokenId ?? lm.config.eosTokenId;
  const eosTokenIds = eosRaw === undefined ? [] : (optIds('eosTokenId', typeof eosRaw === 'number' ? [eosRaw] : eosRaw, V) ?? []);
  const stopIds = optIds('stopTokenIds', o.stopTokenIds, V) ?? [];
  const stopStrings = checkStopStrings(o.stopStrings);
  const maxTime = optNumber('maxTime', o.maxTime, { min: 0 });
  const seed = optInt('seed', o.seed, 0) ?? (Date.now() ^ Math.floor(Math.random() * 0x7fffffff)) >>> 0;
  const numBeams = optInt('numBeams', o.numBeams, 1, MAX_BEAMS) ?? 1;
  const lengthPenalty = optNumber('lengthPenalty', o.lengthPenalty, {}) ?? 1;
  const earlyStopping = o.earlyStopping === 'never' ? 'never' : (optBool('earlyStopping', o.earlyStopping) ?? false);
  const numReturn = optInt('numReturnSequences', o.numReturnSequences, 1) ?? 1;
  const penaltyAlpha = optNumber('penaltyAlpha', o.penaltyAlpha, { min: 0, max: 1 }) ?? 0;
  const lookup = optInt('promptLookupNumTokens', o.promptLookupNumTokens, 1);
  const maxNgram = optInt('maxMatchingNgramSize', o.maxMatchingNgramSize, 1) ?? 3;
  const numAssistant = optInt('numAssistantTokens', o.numAssistantTokens, 1) ?? 5;
  const schedule = o.numAssistantTokensSchedule ?? 'constant';
  if (schedule !== 'constant' && schedule !== 'heuristic') {
    throw new OptionError('numAssistantTokensSchedule', `got ${describe(schedule)}`, "use 'constant' or 'heuristic'");
  }
  const skipSpecialTokens = optBool('skipSpecialTokens', o.skipSpecialTokens) ?? true;
  const cache = checkCachePolicy(o.cache, lm.config.contextLength);
  if (o.prefixCache !== undefined && !(o.prefixCache instanceof PrefixCache))
    throw new OptionError('prefixCache', `got ${describe(o.prefixCache)}`, 'pass a PrefixCache');
  if (o.signal !== undefined && !(typeof o.signal === 'object' && o.signal !== null && 'aborted' in o.signal))
    throw new OptionError('signal', `got ${describe(o.signal)}`, 'pass an AbortSignal');
  const assistant = o.assistantModel;
  if (assistant !== undefined) {
    if (typeof assistant !== 'object' || typeof assistant.forward !== 'function')
      throw new OptionError('assistantModel', `got ${describe(assistant)}`, 'pass a CausalLM');
    if (assistant.config.vocabSize !== V)
      throw new OptionError(
        'assistantModel',
        `vocabulary ${assistant.config.vocabSize} differs from the model's ${V}`,
        'use a draft model with the same tokenizer',
      );
  }

  const samplingOptionGiven = (topK > 0 && penaltyAlpha === 0) || topP < 1 || minP > 0 || typicalP < 1 || epsilon > 0 || eta > 0;
  let doSample = optBool('doSample', o.doSample);
  if (doSample === undefined) doSample = temperature !== undefined ? temperature > 0 : samplingOptionGiven;
  if (doSample && temperature === 0)
    throw new OptionError('temperature', 'is 0 with doSample', 'use temperature > 0 to sample, or doSample: false for greedy');

  let strategy: Strategy;
  const contrastive = penaltyAlpha > 0 && topK > 1;
  const speculative = lookup !== undefined || assistant !== undefined;
  if (numBeams > 1) {
    if (doSample) throw new OptionError('doSample', 'beam sampling is not supported', 'use numBeams with doSample: false');
    if (speculative || contrastive)
      throw new OptionError('numBeams', 'cannot be combined with speculative or contrastive decoding', 'choose one strategy');
    if (numReturn > numBeams)
      throw new OptionError('numReturnSequences', `${numReturn} > numBeams ${numBeams}`, 'return at most numBeams sequences');
    strategy = { kind: 'beam', numBeams, lengthPenalty, earlyStopping, numReturnSequences: numReturn };
  } else {
    if (numReturn > 1)
      throw new OptionError(
        'numReturnSequences',
        `${numReturn} needs beam search`,
        'set numBeams ≥ numReturnSequences, or call generateBatch with several seeds',
      );
    if (contrastive) {
      if (doSample)
        throw new OptionError(
          'penaltyAlpha',
          'contrastive search is deterministic',
          'drop doSample/temperature, or drop penaltyAlpha',
        );
      if (speculative)
        throw new OptionError('penaltyAlpha', 'cannot be combined with speculative decoding', 'choose one strategy');
      strategy = { kind: 'contrastive', topK, penaltyAlpha };
    } else if (speculative) {
      if (lookup !== undefined && assistant !== undefined)
        throw new OptionError('promptLookupNumTokens', 'given together with assistantModel', 'choose one draft source');
      const draft: DraftSpec = assistant
        ? { kind: 'model', model: assistant, numTokens: numAssistant, schedule }
        : { kind: 'prompt-lookup', numTokens: lookup!, maxNgram, schedule };
      strategy = { kind: 'speculative', sample: doSample, draft };
    } else strategy = doSample ? { kind: 'sample' } : { kind: 'greedy' };
  }
  const sampler = o.sampler;
  if (sampler !== undefined) {
    if (typeof sampler !== 'object' || typeof sampler.sample !== 'function')
      throw new OptionError('sampler', `got ${describe(sampler)}`, 'pass an object with sample(logits, rng)');
    if (strategy.kind !== 'sample') {
      throw new OptionError(
        'sampler',
        `a custom sampler cannot drive ${strategy.kind === 'speculative' ? 'speculative decoding (its distribution is unknown)' : `${strategy.kind} search`}`,
        'use it with plain sampling (doSample / temperature > 0)',
      );
    }
  }
  if (cache.kind === 'sliding-window' && strategy.kind !== 'greedy' && strategy.kind !== 'sample') {
    throw new OptionError(
      'cache',
      `a sliding window cannot be used with ${strategy.kind} search`,
      "use the 'fixed' or 'growable' cache policy",
    );
  }

  const items: (ProcessorSpec | LogitsProcessor)[] = [];
  if (repetitionPenalty !== 1) items.push({ kind: 'repetition-penalty', penalty: repetitionPenalty });
  if (frequencyPenalty !== 0 || presencePenalty !== 0)
    items.push({ kind: 'frequency-presence-penalty', frequency: frequencyPenalty, presence: presencePenalty });
  if (noRepeat > 0) items.push({ kind: 'no-repeat-ngram', n: noRepeat });
  if (o.badWordsIds !== undefined) {
    if (!isArrayLike(o.badWordsIds))
      throw new OptionError('badWordsIds', `got ${describe(o.badWordsIds)}`, 'pass an array of token-id arrays');
    items.push({ kind: 'bad-words', sequences: o.badWordsIds });
  }
  if (o.logitBias !== undefined) items.push({ kind: 'logit-bias', bias: o.logitBias });
  if (minNewTokens > 0 && eosTokenIds.length > 0) items.push({ kind: 'min-new-tokens', minNewTokens, eosTokenIds });
  if (forcedBos !== undefined) items.push({ kind: 'forced-bos', tokenId: forcedBos });
  if (forcedEos !== undefined) {
    if (maxNewTokens === undefined)
      throw new OptionError('forcedEosTokenId', 'needs maxNewTokens', 'set maxNewTokens (or maxLength)');
    items.push({ kind: 'forced-eos', tokenId: forcedEos, maxNewTokens });
  }
  if (o.processors !== undefined) {
    if (!Array.isArray(o.processors))
      throw new OptionError('processors', `got ${describe(o.processors)}`, 'pass an array of processor specs or objects');
    items.push(...o.processors);
  }
  const sampling = strategy.kind === 'sample' || (strategy.kind === 'speculative' && strategy.sample);
  if (sampling) {
    if (temperature !== undefined && temperature !== 1) items.push({ kind: 'temperature', temperature });
    if (topK > 0) items.push({ kind: 'top-k', k: topK });
    if (minP > 0) items.push({ kind: 'min-p', p: minP });
    if (typicalP < 1) items.push({ kind: 'typical', mass: typicalP });
    if (epsilon > 0) items.push({ kind: 'epsilon', epsilon });
    if (eta > 0) items.push({ kind: 'eta', epsilon: eta });
    // a custom sampler has no nucleus of its own: apply top-p as a (Hugging Face rule) processor
    if (sampler && topP < 1) items.push({ kind: 'top-p', p: topP });
  }
  const processors = new ProcessorChain(items);
  return {
    strategy,
    maxNewTokens: maxNewTokens ?? Number.POSITIVE_INFINITY,
    processors,
    topP: sampling && !sampler ? topP : 1,
    sampler,
    seed,
    stopTokenIds: new Set([...eosTokenIds, ...stopIds]),
    eosTokenIds,
    stopStrings,
    maxTimeMs: maxTime === undefined ? Number.POSITIVE_INFINITY : maxTime * 1000,
    cache,
    prefixCache: o.prefixCache,
    signal: o.signal,
    skipSpecialTokens,
  };
}

function checkStopStrings(value: unknown): string[] {
  if (value === undefined) return [];
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || !list.every((s) => typeof s === 'string' && s.length > 0)) {
    throw new OptionError('stopStrings', `got ${describe(value)}`, 'pass a non-empty string or an array of non-empty strings');
  }
  return list;
}
