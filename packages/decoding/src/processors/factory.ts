/** Processor specs (a discriminated union), the factory, and the chain. */
import { type GenerationContext, type LogitsProcessor, OptionError } from '@weft/core';
import { describe } from '../validate.js';
import { BadWordsProcessor } from './bad-words.js';
import { EpsilonProcessor, EtaProcessor } from './epsilon.js';
import { ForcedBosProcessor, ForcedEosProcessor } from './forced.js';
import { FrequencyPresencePenaltyProcessor } from './frequency-presence.js';
import { LogitBiasProcessor } from './logit-bias.js';
import { MinNewTokensProcessor } from './min-new-tokens.js';
import { MinPProcessor } from './min-p.js';
import { NoRepeatNGramProcessor } from './no-repeat-ngram.js';
import { RepetitionPenaltyProcessor } from './repetition-penalty.js';
import { TemperatureProcessor } from './temperature.js';
import { TopKProcessor } from './top-k.js';
import { TopPProcessor } from './top-p.js';
import { TypicalProcessor } from './typical.js';

/** Declarative description of one built-in processor. */
export type ProcessorSpec =
  | { readonly kind: 'temperature'; readonly temperature: number }
  | { readonly kind: 'top-k'; readonly k: number; readonly minTokensToKeep?: number }
  | { readonly kind: 'top-p'; readonly p: number; readonly minTokensToKeep?: number }
  | { readonly kind: 'min-p'; readonly p: number; readonly minTokensToKeep?: number }
  | { readonly kind: 'typical'; readonly mass: number; readonly minTokensToKeep?: number }
  | { readonly kind: 'epsilon'; readonly epsilon: number; readonly minTokensToKeep?: number }
  | { readonly kind: 'eta'; readonly epsilon: number; readonly minTokensToKeep?: number }
  | { readonly kind: 'repetition-penalty'; readonly penalty: number }
  | {
      readonly kind: 'frequency-presence-penalty';
      readonly frequency: number;
      readonly presence: number;
      readonly includePrompt?: boolean;
    }
  | { readonly kind: 'no-repeat-ngram'; readonly n: number }
  | { readonly kind: 'logit-bias'; readonly bias: ReadonlyMap<number, number> | Readonly<Record<string | number, number>> }
  | { readonly kind: 'bad-words'; readonly sequences: readonly (readonly number[])[] }
  | { readonly kind: 'min-new-tokens'; readonly minNewTokens: number; readonly eosTokenIds: readonly number[] }
  | { readonly kind: 'forced-bos'; readonly tokenId: number }
  | { readonly kind: 'forced-eos'; readonly tokenId: number; readonly maxNewTokens: number };

/** Builds a processor from its spec; throws {@link OptionError} on an unknown kind or bad field. */
export function createProcessor(spec: ProcessorSpec): LogitsProcessor {
  if (spec === null || typeof spec !== 'object')
    throw new OptionError('processor', `got ${describe(spec)}`, "pass a spec such as { kind: 'top-k', k: 40 }");
  switch (spec.kind) {
    case 'temperature':
      return new TemperatureProcessor(spec.temperature);
    case 'top-k':
      return new TopKProcessor(spec.k, spec.minTokensToKeep);
    case 'top-p':
      return new TopPProcessor(spec.p, spec.minTokensToKeep);
    case 'min-p':
      return new MinPProcessor(spec.p, spec.minTokensToKeep);
    case 'typical':
      return new TypicalProcessor(spec.mass, spec.minTokensToKeep);
    case 'epsilon':
      return new EpsilonProcessor(spec.epsilon, spec.minTokensToKeep);
    case 'eta':
      return new EtaProcessor(spec.epsilon, spec.minTokensToKeep);
    case 'repetition-penalty':
      return new RepetitionPenaltyProcessor(spec.penalty);
    case 'frequency-presence-penalty':
      return new FrequencyPresencePenaltyProcessor(spec.frequency, spec.presence, spec.includePrompt);
    case 'no-repeat-ngram':
      return new NoRepeatNGramProcessor(spec.n);
    case 'logit-bias':
      return new LogitBiasProcessor(spec.bias);
    case 'bad-words':
      return new BadWordsProcessor(spec.sequences);
    case 'min-new-tokens':
      return new MinNewTokensProcessor(spec.minNewTokens, spec.eosTokenIds);
    case 'forced-bos':
      return new ForcedBosProcessor(spec.tokenId);
    case 'forced-eos':
      return new ForcedEosProcessor(spec.tokenId, spec.maxNewTokens);
    default: {
      const kind = (spec as { kind?: unknown }).kind;
      throw new OptionError(
        'processor.kind',
        `unknown processor kind ${describe(kind)}`,
        `use one of: ${PROCESSOR_KINDS.join(', ')}, or pass your own LogitsProcessor object`,
      );
    }
  }
}

/** Every built-in processor kind. */
export const PROCESSOR_KINDS: readonly ProcessorSpec['kind'][] = [
  'temperature',
  'top-k',
  'top-p',
  'min-p',
  'typical',
  'epsilon',
  'eta',
  'repetition-penalty',
  'frequency-presence-penalty',
  'no-repeat-ngram',
  'logit-bias',
  'bad-words',
  'min-new-tokens',
  'forced-bos',
  'forced-eos',
];

/** Runs processors in order. Accepts specs and user objects implementing {@link LogitsProcessor}. */
export class ProcessorChain implements LogitsProcessor {
  readonly name = 'chain';
  readonly processors: readonly LogitsProcessor[];
  constructor(items: readonly (ProcessorSpec | LogitsProcessor)[]) {
    this.processors = items.map((item, i) => {
      if (item && typeof (item as LogitsProcessor).process === 'function') return item as LogitsProcessor;
      if (item && typeof (item as ProcessorSpec).kind === 'string') return createProcessor(item as ProcessorSpec);
      throw new OptionError(
        `processors[${i}]`,
        `got ${describe(item)}`,
        'pass a ProcessorSpec ({ kind: ... }) or an object with process(logits, ctx)',
      );
    });
  }
  process(logits: Float32Array, ctx: GenerationContext): void {
    for (const p of this.processors) p.process(logits, ctx);
  }
}
