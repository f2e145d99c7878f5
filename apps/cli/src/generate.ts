import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Backend, InvalidFileError, OptionError } from '@weft/core';
import {
  type ConstraintSpec,
  constraintProcessor,
  type GenerateOptions,
  type GenerationResult,
  generate,
  generateFlagsHelp,
  parseGenerateFlags,
  TokenVocabulary,
} from '@weft/decoding';
import { loadLlama2c } from '@weft/models';
import { loadLlama2cTokenizer } from '@weft/tokenizers';

/** The embedded default model and tokenizer (the repo's models/ folder). */
export const DEFAULT_MODEL = fileURLToPath(new URL('../../../models/stories260K.bin', import.meta.url));
export const DEFAULT_TOKENIZER = fileURLToPath(new URL('../../../models/tok512.bin', import.meta.url));

export const GENERATE_HELP = `weft generate — continue a prompt with a llama2.c model (default: the embedded stories260K)

  --prompt <text>          text to continue (default: empty, the model starts a story)
  --max-tokens <n>         tokens to generate after the prompt (default 256; = --max-new-tokens)
  --steps <n>              llama2.c's -n instead: positions including the prompt (BOS excluded)
  --model <path>           llama2.c checkpoint (.bin)
  --tokenizer <path>       llama2.c tokenizer (.bin)
  --backend <cpu|webgpu>   where the model runs (default cpu)
  --precision <f32|f16>    WebGPU storage/arithmetic precision (default f32; f16 needs shader-f16)
  --attention <kind>       attention variant: full (default), flash, sliding-window:<W>
  --regex <pattern>        constrain the continuation to match a regular expression
  --json-schema <json|@f>  constrain the continuation to JSON valid against a schema (inline or @file)

Without a strategy flag, sampling follows llama2.c's defaults: --temperature 1 --top-p 0.9.
Decoding options (Hugging Face GenerationConfig names):`;

/** Flags the CLI itself handles; everything else goes to @weft/decoding's parser. */
const CLI_FLAGS = new Set([
  '--prompt',
  '--max-tokens',
  '--steps',
  '--model',
  '--tokenizer',
  '--backend',
  '--precision',
  '--attention',
  '--regex',
  '--json-schema',
]);

function readFile(path: string, what: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new InvalidFileError(path, `cannot read the ${what}: ${(e as Error).message}`, `check the path given to --${what}`);
  }
}

async function createBackend(name: string, precision: string | undefined): Promise<Backend | undefined> {
  if (precision !== undefined && precision !== 'f32' && precision !== 'f16')
    throw new OptionError('--precision', `unknown precision '${precision}'`, "use 'f32' or 'f16'");
  if (name === 'cpu') {
    if (precision === 'f16')
      throw new OptionError('--precision', 'f16 is a WebGPU precision; the CPU backend computes in f32', 'add --backend webgpu');
    return undefined;
  }
  if (name === 'webgpu') {
    // Resolved at run time so the CLI works without the WebGPU package built.
    const mod = (await import(new URL('./backend-webgpu.js', import.meta.url).href).catch((e: unknown) => {
      throw new OptionError('--backend', `webgpu is unavailable: ${(e as Error).message}`, 'use --backend cpu');
    })) as { createBackend(precision?: 'f32' | 'f16'): Promise<Backend> };
    return mod.createBackend(precision);
  }
  throw new OptionError('--backend', `unknown backend '${name}'`, "use 'cpu' or 'webgpu'");
}

function attentionSpec(raw: string | undefined) {
  if (raw === undefined || raw === 'full') return undefined;
  if (raw === 'flash') return { kind: 'flash', mask: { kind: 'causal' } } as const;
  const m = /^sliding-window:(\d+)$/.exec(raw);
  if (m) return { kind: 'sliding-window', window: Number(m[1]) } as const;
  throw new OptionError('--attention', `unknown variant '${raw}'`, 'use full, flash or sliding-window:<window>');
}

/** Splits argv into the CLI's own flags and the decoding flags. */
function splitArgs(argv: readonly string[]): { own: Map<string, string>; rest: string[] } {
  const own = new Map<string, string>();
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(0, eq) : a;
    if (CLI_FLAGS.has(name)) {
      const value = eq > 0 ? a.slice(eq + 1) : argv[++i];
      if (value === undefined) throw new OptionError(name, 'needs a value', `e.g. ${name} 1`);
      own.set(name.slice(2), value);
    } else rest.push(a);
  }
  return { own, rest };
}

/** The --regex / --json-schema constraint, if any (validated before the model loads). */
function constraintSpec(own: Map<string, string>): ConstraintSpec | undefined {
  const regex = own.get('regex');
  const schemaRaw = own.get('json-schema');
  if (regex !== undefined && schemaRaw !== undefined) throw new OptionError('--regex', 'cannot be combined with --json-schema');
  if (regex !== undefined) return { kind: 'regex', pattern: regex };
  if (schemaRaw === undefined) return undefined;
  const text = schemaRaw.startsWith('@') ? new TextDecoder().decode(readFile(schemaRaw.slice(1), 'json-schema')) : schemaRaw;
  try {
    return { kind: 'json-schema', schema: JSON.parse(text) };
  } catch (e) {
    throw new OptionError(
      '--json-schema',
      `is not valid JSON (${(e as Error).message})`,
      'pass a schema inline (\'{"type":"object",...}\') or as @file.json',
    );
  }
}

function intFlag(own: Map<string, string>, name: string, min: number): number | undefined {
  const raw = own.get(name);
  if (raw === undefined) return undefined;
  const v = Number(raw);
  if (!Number.isInteger(v) || v < min) throw new OptionError(`--${name}`, `'${raw}' is not an integer ≥ ${min}`);
  return v;
}

/** Runs `weft generate`. Writes text to `out`, timing to `err`. */
export async function runGenerate(
  argv: readonly string[],
  out: (s: string) => void,
  err: (s: string) => void,
  signal?: AbortSignal,
): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    out(`${GENERATE_HELP}\n${generateFlagsHelp()}\n`);
    return 0;
  }
  const { own, rest } = splitArgs(argv);
  const { options, rest: positional } = parseGenerateFlags(rest);
  if (positional.length) throw new OptionError(positional[0]!, 'unexpected argument', 'put the prompt in --prompt "..."');
  const steps = intFlag(own, 'steps', 1);
  const maxTokens = intFlag(own, 'max-tokens', 0);
  if ([steps, maxTokens, options.maxNewTokens].filter((x) => x !== undefined).length > 1)
    throw new OptionError('--steps', 'give only one of --steps, --max-tokens and --max-new-tokens');
  const backend = await createBackend(own.get('backend') ?? 'cpu', own.get('precision'));
  const modelPath = own.get('model') ?? DEFAULT_MODEL;
  const tokPath = own.get('tokenizer') ?? DEFAULT_TOKENIZER;
  const attention = attentionSpec(own.get('attention'));
  const constraint = constraintSpec(own);
  const model = loadLlama2c(readFile(modelPath, 'model'), {
    fileName: modelPath,
    ...(backend ? { backend } : {}),
    ...(attention ? { attention } : {}),
  });
  try {
    const tokenizer = loadLlama2cTokenizer(readFile(tokPath, 'tokenizer'), tokPath, model.config.vocabSize);
    const promptIds = tokenizer.encode(own.get('prompt') ?? '');
    const room = model.config.contextLength - promptIds.length;
    if (room < 0)
      throw new OptionError('--prompt', `${promptIds.length} tokens exceed the model's context of ${model.config.contextLength}`);
    // llama2.c's -n counts positions: BOS .. last sampled token, prompt included.
    const maxNewTokens = Math.min(
      room + 1,
      steps !== undefined ? Math.max(0, steps - (promptIds.length - 1)) : (maxTokens ?? options.maxNewTokens ?? 256),
    );
    const strategyGiven = [
      'temperature',
      'doSample',
      'numBeams',
      'penaltyAlpha',
      'promptLookupNumTokens',
      'topK',
      'topP',
      'minP',
      'typicalP',
    ].some((k) => options[k as keyof GenerateOptions] !== undefined);
    const opts: { -readonly [K in keyof GenerateOptions]: GenerateOptions[K] } = {
      ...(strategyGiven ? {} : { temperature: 1, topP: 0.9 }),
      ...options,
      maxNewTokens,
      // llama2.c ends a story at BOS; EOS comes from the model config.
      stopTokenIds: [...(options.stopTokenIds ?? []), tokenizer.special.bos!],
      ...(signal ? { signal } : {}),
    };
    if (constraint) {
      // Compiled and checked against the vocabulary before any model compute.
      const vocab = TokenVocabulary.fromTokenizer(tokenizer, { eos: [model.config.eosTokenId ?? tokenizer.special.eos!] });
      opts.processors = [...(opts.processors ?? []), constraintProcessor(constraint, vocab)];
    }
    const echo = tokenizer.createStreamDecoder();
    let prompt = '';
    for (const id of promptIds) prompt += echo.push(id);
    out(prompt);
    const started = performance.now();
    const it = generate(model, tokenizer, promptIds, opts);
    let result: GenerationResult;
    for (;;) {
      const r = await it.next();
      if (r.done) {
        result = r.value;
        break;
      }
      out(r.value.text);
    }
    out('\n');
    const seconds = (performance.now() - started) / 1000;
    const n = result.tokens.length;
    err(
      `achieved tok/s: ${(n / Math.max(seconds, 1e-9)).toFixed(1)} (${n} tokens in ${seconds.toFixed(3)} s, backend ${model.backend.info.name}, finish: ${result.finishReason})\n`,
    );
    return 0;
  } finally {
    model.dispose();
  }
}
