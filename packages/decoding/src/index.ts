/**
 * @weft/decoding — decoding strategies over any CausalLM's logits: processors, samplers, greedy /
 * sampling / beam / contrastive / speculative search, stop strings, streaming `generate()`, an
 * OpenAI-style chat adapter and CLI flag parsing.
 * @packageDocumentation
 */

export {
  type ChatCompletion,
  type ChatCompletionChunk,
  type ChatCompletionRequest,
  type ChatEngine,
  type ChatFinishReason,
  type ChatMessage,
  type ChatRenderOptions,
  type ChatTemplate,
  createChatCompletion,
  streamChatCompletion,
} from './chat/chat-completion.js';
export {
  type FlagSpec,
  type FlagValue,
  GENERATE_FLAGS,
  generateFlagsHelp,
  type ParsedGenerateFlags,
  parseGenerateFlags,
} from './cli/flags.js';
export * from './constraints/index.js';
export {
  type GenerateTextOptions,
  type GenerationResult,
  generate,
  generateBatch,
  generateText,
  type TextChunk,
} from './generate.js';
export { type GenerateTokensOptions, generateTokens } from './generate-tokens.js';
export { BadWordsProcessor } from './processors/bad-words.js';
export { EpsilonProcessor, EtaProcessor } from './processors/epsilon.js';
export { createProcessor, PROCESSOR_KINDS, ProcessorChain, type ProcessorSpec } from './processors/factory.js';
export { ForcedBosProcessor, ForcedEosProcessor } from './processors/forced.js';
export { FrequencyPresencePenaltyProcessor } from './processors/frequency-presence.js';
export { LogitBiasProcessor } from './processors/logit-bias.js';
export { MinNewTokensProcessor } from './processors/min-new-tokens.js';
export { MinPProcessor } from './processors/min-p.js';
export { NoRepeatNGramProcessor } from './processors/no-repeat-ngram.js';
export { RepetitionPenaltyProcessor } from './processors/repetition-penalty.js';
export { TemperatureProcessor } from './processors/temperature.js';
export { TopKProcessor } from './processors/top-k.js';
export { TopPProcessor } from './processors/top-p.js';
export { TypicalProcessor } from './processors/typical.js';
export { type CachePolicy, SequenceState } from './runtime/cache-policy.js';
export {
  canonicalOptions,
  type DraftSpec,
  GENERATE_OPTION_NAMES,
  type GenerateOptions,
  type GenerateOptionsCamel,
  type GenerateOptionsSnake,
  MAX_BEAMS,
  type ResolvedGenerateOptions,
  resolveGenerateOptions,
  type Strategy,
} from './runtime/options.js';
export { PrefixCache } from './runtime/prefix-cache.js';
export { StopStringMatcher } from './runtime/stop-strings.js';
export { argmax, llama2cSample, llama2cSampleDense, sampleMult, sampleTopP, softmaxF32 } from './sampling/llama2c.js';
export { GreedySampler, MultinomialSampler } from './sampling/samplers.js';
export { keepTopK } from './sampling/top-k.js';
export { type BeamHypothesis, beamSearch } from './search/beam.js';
export { type CausalLMWithHidden, contrastiveSearch } from './search/contrastive.js';
export type { FinishReason } from './search/finish.js';
export { promptLookupDraft } from './search/prompt-lookup.js';
export { sampleSearch } from './search/sample.js';
export { type SpeculativeStats, speculativeSearch } from './search/speculative.js';
export { prepare, streamTokens } from './stream-tokens.js';
