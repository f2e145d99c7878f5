/**
 * Command-line flags for `weft generate`, mapped onto {@link GenerateOptions}. The table
 * {@link GENERATE_FLAGS} is the schema (name, alias, value kind, option, help); the CLI can print
 * it as help text with {@link generateFlagsHelp}.
 */
import { OptionError } from '@weft/core';
import type { CachePolicy } from '../runtime/cache-policy.js';
import { canonicalOptions, type GenerateOptions } from '../runtime/options.js';

/** How a flag's value is read. */
export type FlagValue = 'int' | 'number' | 'string' | 'bool' | 'int-list' | 'bias' | 'early-stopping';

/** One supported flag. */
export interface FlagSpec {
  readonly flag: string;
  readonly alias?: string;
  readonly value: FlagValue;
  /** Target option (camelCase); list flags may repeat and accumulate. */
  readonly option: keyof GenerateOptions | 'slidingWindow' | 'sinkTokens' | 'greedy';
  readonly repeatable?: boolean;
  readonly help: string;
}

/** Every flag `parseGenerateFlags` understands. */
export const GENERATE_FLAGS: readonly FlagSpec[] = [
  { flag: '--max-new-tokens', alias: '-n', value: 'int', option: 'maxNewTokens', help: 'most tokens to generate' },
  { flag: '--max-length', value: 'int', option: 'maxLength', help: 'prompt + generated tokens' },
  { flag: '--min-new-tokens', value: 'int', option: 'minNewTokens', help: 'mask EOS until this many tokens' },
  { flag: '--temperature', alias: '-t', value: 'number', option: 'temperature', help: '0 = greedy; > 0 samples' },
  { flag: '--top-k', value: 'int', option: 'topK', help: 'keep the k most likely tokens (0 = off)' },
  { flag: '--top-p', alias: '-p', value: 'number', option: 'topP', help: "nucleus in (0, 1], llama2.c's sample_topp (1 = off)" },
  { flag: '--min-p', value: 'number', option: 'minP', help: 'min-p truncation in [0, 1]' },
  { flag: '--typical-p', value: 'number', option: 'typicalP', help: 'locally typical sampling mass in (0, 1]' },
  { flag: '--epsilon-cutoff', value: 'number', option: 'epsilonCutoff', help: 'epsilon sampling cutoff in (0, 1)' },
  { flag: '--eta-cutoff', value: 'number', option: 'etaCutoff', help: 'eta sampling cutoff in (0, 1)' },
  { flag: '--repetition-penalty', value: 'number', option: 'repetitionPenalty', help: 'CTRL repetition penalty (1 = off)' },
  { flag: '--frequency-penalty', value: 'number', option: 'frequencyPenalty', help: 'OpenAI frequency penalty in [-2, 2]' },
  { flag: '--presence-penalty', value: 'number', option: 'presencePenalty', help: 'OpenAI presence penalty in [-2, 2]' },
  { flag: '--no-repeat-ngram-size', value: 'int', option: 'noRepeatNgramSize', help: 'never repeat an n-gram of this size' },
  {
    flag: '--bad-words',
    value: 'int-list',
    option: 'badWordsIds',
    repeatable: true,
    help: 'ban a token sequence, e.g. 12,7 (repeatable)',
  },
  {
    flag: '--logit-bias',
    value: 'bias',
    option: 'logitBias',
    repeatable: true,
    help: 'ID=BIAS added to a logit (repeatable; -inf bans)',
  },
  { flag: '--forced-bos-token-id', value: 'int', option: 'forcedBosTokenId', help: 'force the first generated token' },
  { flag: '--forced-eos-token-id', value: 'int', option: 'forcedEosTokenId', help: 'force this token at max-new-tokens' },
  {
    flag: '--eos-token-id',
    value: 'int',
    option: 'eosTokenId',
    repeatable: true,
    help: 'end-of-sequence id (repeatable; default: the model’s)',
  },
  {
    flag: '--stop-token-id',
    value: 'int',
    option: 'stopTokenIds',
    repeatable: true,
    help: 'another id that stops generation (repeatable)',
  },
  {
    flag: '--stop',
    value: 'string',
    option: 'stopStrings',
    repeatable: true,
    help: 'stop string, excluded from the output (repeatable)',
  },
  { flag: '--max-time', value: 'number', option: 'maxTime', help: 'stop after this many seconds' },
  { flag: '--seed', alias: '-s', value: 'int', option: 'seed', help: "seed of llama2.c's xorshift64* RNG" },
  { flag: '--do-sample', value: 'bool', option: 'doSample', help: 'sample (default when temperature > 0)' },
  { flag: '--greedy', value: 'bool', option: 'greedy', help: 'greedy decoding (same as --temperature 0)' },
  { flag: '--num-beams', value: 'int', option: 'numBeams', help: 'beam search width' },
  { flag: '--length-penalty', value: 'number', option: 'lengthPenalty', help: 'beam score = logp / length^penalty' },
  {
    flag: '--early-stopping',
    value: 'early-stopping',
    option: 'earlyStopping',
    help: 'beam stopping: true | false | never (bare flag = true)',
  },
  { flag: '--num-return-sequences', value: 'int', option: 'numReturnSequences', help: 'beams returned (≤ num-beams)' },
  { flag: '--penalty-alpha', value: 'number', option: 'penaltyAlpha', help: 'contrastive search α (with --top-k > 1)' },
  {
    flag: '--prompt-lookup',
    alias: '--prompt-lookup-num-tokens',
    value: 'int',
    option: 'promptLookupNumTokens',
    help: 'speculative decoding with n-gram drafts of N tokens',
  },
  {
    flag: '--max-matching-ngram-size',
    value: 'int',
    option: 'maxMatchingNgramSize',
    help: 'longest n-gram prompt lookup matches (default 3)',
  },
  {
    flag: '--num-assistant-tokens',
    value: 'int',
    option: 'numAssistantTokens',
    help: 'draft tokens per step with a draft model',
  },
  {
    flag: '--sliding-window',
    value: 'int',
    option: 'slidingWindow',
    help: 'KV cache: keep generating past the context by shifting a window of N',
  },
  { flag: '--sink-tokens', value: 'int', option: 'sinkTokens', help: 'with --sliding-window: first tokens always kept' },
  {
    flag: '--skip-special-tokens',
    value: 'bool',
    option: 'skipSpecialTokens',
    help: 'drop special tokens from the text (default true; --no-skip-special-tokens)',
  },
];

const BY_NAME = new Map<string, FlagSpec>();
for (const f of GENERATE_FLAGS) {
  BY_NAME.set(f.flag, f);
  if (f.alias) BY_NAME.set(f.alias, f);
}

/** Result of {@link parseGenerateFlags}. */
export interface ParsedGenerateFlags {
  /** Options for generate() / streamTokens() (camelCase). */
  readonly options: GenerateOptions;
  /** Positional arguments and, with `strict: false`, flags this parser does not know (in order). */
  readonly rest: string[];
}

function parseValue(spec: FlagSpec, name: string, raw: string | undefined): unknown {
  if (raw === undefined)
    throw new OptionError(
      name,
      'needs a value',
      `e.g. ${spec.flag} ${spec.value === 'string' ? 'TEXT' : spec.value === 'bias' ? '42=-5' : '1'}`,
    );
  const num = (s: string, int: boolean) => {
    const v = /^[-+]?inf(inity)?$/i.test(s)
      ? s.startsWith('-')
        ? Number.NEGATIVE_INFINITY
        : Number.POSITIVE_INFINITY
      : Number(s);
    if (s.trim() === '' || Number.isNaN(v) || (int && !Number.isInteger(v)))
      throw new OptionError(
        name,
        `${JSON.stringify(s)} is not ${int ? 'an integer' : 'a number'}`,
        `e.g. ${spec.flag} ${int ? '3' : '0.8'}`,
      );
    return v;
  };
  switch (spec.value) {
    case 'int':
      return num(raw, true);
    case 'number':
      return num(raw, false);
    case 'string':
      return raw.replace(/\\n/g, '\n').replace(/\\t/g, '\t');
    case 'bool':
      if (raw === 'true' || raw === '1') return true;
      if (raw === 'false' || raw === '0') return false;
      throw new OptionError(name, `${JSON.stringify(raw)} is not true or false`, `use ${spec.flag} or ${spec.flag}=false`);
    case 'early-stopping':
      if (raw === 'never') return 'never';
      if (raw === 'true') return true;
      if (raw === 'false') return false;
      throw new OptionError(name, `${JSON.stringify(raw)} is not true, false or never`, `e.g. ${spec.flag}=never`);
    case 'int-list':
      return raw.split(',').map((s) => num(s, true));
    case 'bias': {
      const m = /^(\d+)=(.+)$/.exec(raw);
      if (!m) throw new OptionError(name, `${JSON.stringify(raw)} is not ID=BIAS`, `e.g. ${spec.flag} 42=-5`);
      return [Number(m[1]), num(m[2]!, false)] as const;
    }
  }
}

/**
 * Parses `weft generate` flags (`--top-p 0.9`, `--top-p=0.9`, `-p 0.9`, bare booleans and
 * `--no-<bool>`). Unknown flags throw {@link OptionError} unless `strict` is false, in which case
 * they are returned in `rest` with positionals. Values are range-checked later, by generate().
 */
export function parseGenerateFlags(argv: readonly string[], opts: { strict?: boolean } = {}): ParsedGenerateFlags {
  const strict = opts.strict ?? true;
  const out: Record<string, unknown> = {};
  const rest: string[] = [];
  let window: number | undefined;
  let sinks: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      rest.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || /^-\d/.test(arg) || arg === '-') {
      rest.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    let name = eq > 0 ? arg.slice(0, eq) : arg;
    let inline = eq > 0 ? arg.slice(eq + 1) : undefined;
    let spec = BY_NAME.get(name);
    if (!spec && name.startsWith('--no-')) {
      const positive = BY_NAME.get(`--${name.slice(5)}`);
      if (positive && (positive.value === 'bool' || positive.value === 'early-stopping')) {
        spec = positive;
        name = positive.flag;
        inline = 'false';
      }
    }
    if (!spec) {
      if (strict) {
        const near = GENERATE_FLAGS.find((f) => f.flag.replace(/-/g, '') === name.replace(/[-_]/g, ''));
        throw new OptionError(
          name,
          'is not a generate flag',
          near ? `did you mean ${near.flag}?` : 'see generateFlagsHelp() for the list',
        );
      }
      rest.push(arg);
      continue;
    }
    let raw = inline;
    if (raw === undefined) {
      const bare = spec.value === 'bool' || spec.value === 'early-stopping';
      const next = argv[i + 1];
      if (bare) {
        raw = 'true';
        if (next !== undefined && /^(true|false|never)$/.test(next)) {
          raw = next;
          i++;
        }
      } else {
        raw = next;
        i++;
      }
    }
    const value = parseValue(spec, name, raw);
    switch (spec.option) {
      case 'greedy':
        if (value === true) out.temperature = 0;
        break;
      case 'slidingWindow':
        window = value as number;
        break;
      case 'sinkTokens':
        sinks = value as number;
        break;
      case 'logitBias': {
        const bias = (out.logitBias as Record<number, number> | undefined) ?? {};
        const [id, b] = value as readonly [number, number];
        bias[id] = b;
        out.logitBias = bias;
        break;
      }
      default:
        if (spec.repeatable) {
          const list = (out[spec.option] as unknown[] | undefined) ?? [];
          list.push(value);
          out[spec.option] = list;
        } else {
          if (spec.option in out && out[spec.option] !== value)
            throw new OptionError(name, 'given twice with different values', 'give it once');
          out[spec.option] = value;
        }
    }
  }
  if (sinks !== undefined && window === undefined)
    throw new OptionError('--sink-tokens', 'needs --sliding-window', 'add --sliding-window N');
  if (window !== undefined)
    out.cache = { kind: 'sliding-window', window, ...(sinks !== undefined ? { sinkTokens: sinks } : {}) } satisfies CachePolicy;
  return { options: canonicalOptions(out), rest };
}

/** Help text listing every flag (for `weft generate --help`). */
export function generateFlagsHelp(): string {
  const rows = GENERATE_FLAGS.map((f) => {
    const value =
      f.value === 'bool'
        ? ''
        : f.value === 'bias'
          ? ' ID=BIAS'
          : f.value === 'int-list'
            ? ' IDS'
            : f.value === 'string'
              ? ' TEXT'
              : f.value === 'early-stopping'
                ? '[=never]'
                : ' N';
    return [`${f.flag}${value}${f.alias ? `, ${f.alias}` : ''}`, f.help] as const;
  });
  const width = Math.max(...rows.map((r) => r[0].length));
  return rows.map(([a, b]) => `  ${a.padEnd(width)}  ${b}`).join('\n');
}
