import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Backend, InvalidFileError, OptionError } from '@weft/core';
import { generateTokens } from '@weft/decoding';
import { loadLlama2c } from '@weft/models';
import { loadLlama2cTokenizer } from '@weft/tokenizers';
import { type ParsedArgs, numberOption, stringOption } from './args.js';

/** The embedded default model and tokenizer (the repo's models/ folder). */
export const DEFAULT_MODEL = fileURLToPath(new URL('../../../models/stories260K.bin', import.meta.url));
export const DEFAULT_TOKENIZER = fileURLToPath(new URL('../../../models/tok512.bin', import.meta.url));

export const GENERATE_HELP = `weft generate — continue a prompt with a llama2.c model (default: the embedded stories260K)

  --prompt <text>        text to continue (default: empty, the model starts a story)
  --max-tokens <n>       tokens to generate after the prompt (default: 256)
  --steps <n>            llama2.c's -n instead: positions including the prompt (BOS excluded)
  --temperature <t>      0 = greedy; default 1.0 (as llama2.c)
  --top-k <k>            keep the k most likely tokens (default: off)
  --top-p <p>            nucleus sampling in (0,1] (default 0.9 when sampling, as llama2.c)
  --seed <n>             seed of llama2.c's xorshift generator (default: clock)
  --model <path>         llama2.c checkpoint (.bin)
  --tokenizer <path>     llama2.c tokenizer (.bin)
  --backend <cpu|webgpu> where the model runs (default cpu)

stdout: the prompt followed by the streamed continuation; stderr: tokens/s.`;

function readFile(path: string, what: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new InvalidFileError(path, `cannot read the ${what}: ${(e as Error).message}`, `check the path given to --${what}`);
  }
}

async function createBackend(name: string): Promise<Backend | undefined> {
  if (name === 'cpu') return undefined;
  if (name === 'webgpu') {
    // Resolved at run time so the CLI works without the WebGPU package built.
    const mod = (await import(new URL('./backend-webgpu.js', import.meta.url).href).catch((e: unknown) => {
      throw new OptionError('--backend', `webgpu is unavailable: ${(e as Error).message}`, 'use --backend cpu');
    })) as { createBackend(): Promise<Backend> };
    return mod.createBackend();
  }
  throw new OptionError('--backend', `unknown backend '${name}'`, "use 'cpu' or 'webgpu'");
}

/** Runs `weft generate`. Writes text to `out`, timing to `err`. */
export async function runGenerate(args: ParsedArgs, out: (s: string) => void, err: (s: string) => void, signal?: AbortSignal): Promise<number> {
  const known = new Set(['prompt', 'max-tokens', 'steps', 'temperature', 'top-k', 'top-p', 'seed', 'model', 'tokenizer', 'backend', 'help']);
  for (const k of args.options.keys()) if (!known.has(k)) throw new OptionError(`--${k}`, 'unknown option', 'run `weft generate --help`');
  if (args.options.has('help')) {
    out(GENERATE_HELP + '\n');
    return 0;
  }
  const prompt = stringOption(args, 'prompt') ?? '';
  const temperature = numberOption(args, 'temperature', { min: 0 }) ?? 1.0;
  const topK = numberOption(args, 'top-k', { integer: true, min: 0 });
  const topP = numberOption(args, 'top-p', { min: Number.MIN_VALUE, max: 1 }) ?? (temperature > 0 ? 0.9 : 1);
  const seed = numberOption(args, 'seed', { integer: true, min: 0 });
  const steps = numberOption(args, 'steps', { integer: true, min: 1 });
  const maxTokensOpt = numberOption(args, 'max-tokens', { integer: true, min: 0 });
  if (steps !== undefined && maxTokensOpt !== undefined) throw new OptionError('--steps', 'cannot be combined with --max-tokens', 'pick one');
  const modelPath = stringOption(args, 'model') ?? DEFAULT_MODEL;
  const tokPath = stringOption(args, 'tokenizer') ?? DEFAULT_TOKENIZER;
  const backend = await createBackend(stringOption(args, 'backend') ?? 'cpu');

  const model = loadLlama2c(readFile(modelPath, 'model'), { fileName: modelPath, ...(backend ? { backend } : {}) });
  const tokenizer = loadLlama2cTokenizer(readFile(tokPath, 'tokenizer'), tokPath, model.config.vocabSize);
  const promptIds = tokenizer.encode(prompt);
  const room = model.config.contextLength - promptIds.length;
  if (room < 0) throw new OptionError('--prompt', `${promptIds.length} tokens exceed the model's context of ${model.config.contextLength}`);
  // llama2.c's -n counts positions: BOS .. last sampled token, prompt included.
  const maxNewTokens = Math.min(room + 1, steps !== undefined ? Math.max(0, steps - (promptIds.length - 1)) : (maxTokensOpt ?? 256));

  const stream = tokenizer.createStreamDecoder();
  for (const id of promptIds) out(stream.push(id));
  const bos = tokenizer.special.bos!;
  const eos = tokenizer.special.eos!;
  const started = performance.now();
  let count = 0;
  for await (const id of generateTokens(model, promptIds, {
    maxNewTokens,
    temperature,
    topP,
    ...(topK !== undefined ? { topK } : {}),
    ...(seed !== undefined ? { seed } : {}),
    ...(signal ? { signal } : {}),
    stopTokenIds: [bos, eos],
  })) {
    if (id === bos || id === eos) break;
    count++;
    out(stream.push(id));
  }
  out(stream.flush() + '\n');
  const seconds = (performance.now() - started) / 1000;
  err(`achieved tok/s: ${(count / Math.max(seconds, 1e-9)).toFixed(1)} (${count} tokens in ${seconds.toFixed(3)} s, backend ${model.backend.info.name})\n`);
  model.dispose();
  return 0;
}
