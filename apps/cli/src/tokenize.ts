import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { InvalidFileError, OptionError, type Tokenizer } from '@weft/core';
import { loadTokenizer } from '@weft/tokenizers';
import type { ParsedArgs } from './args.js';
import { DEFAULT_TOKENIZER } from './generate.js';

export const TOKENIZE_HELP = `weft tokenize — split text into tokens with any supported tokenizer
  --tokenizer <file>   tokenizer.json, .tiktoken, SentencePiece .model or llama2.c .bin
                       (default: the embedded tok512.bin)
  --text <text>        text to encode (default: standard input)
  --no-special         do not add special tokens (BOS, [CLS], ...)
  --json               print {"ids": [...], "tokens": [...]} instead of a table`;

/** Encodes text and returns ids with each token's text. */
export function tokenizeText(tokenizer: Tokenizer, text: string, addSpecialTokens: boolean): { ids: number[]; tokens: string[] } {
  const ids = tokenizer.encode(text, { addSpecialTokens });
  return { ids, tokens: ids.map((id) => tokenizer.idToToken(id) ?? `<${id}>`) };
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Runs `weft tokenize`. */
export async function runTokenize(args: ParsedArgs, out: (s: string) => void): Promise<number> {
  if (args.options.has('help')) {
    out(TOKENIZE_HELP + '\n');
    return 0;
  }
  const known = new Set(['tokenizer', 'text', 'no-special', 'json', 'help']);
  for (const k of args.options.keys())
    if (!known.has(k)) throw new OptionError(`--${k}`, 'unknown option', 'run `weft tokenize --help`');
  const path = (args.options.get('tokenizer') as string | undefined) ?? DEFAULT_TOKENIZER;
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new InvalidFileError(path, `cannot read the tokenizer: ${(e as Error).message}`);
  }
  const tokenizer = loadTokenizer(bytes, { fileName: basename(path) });
  const textOpt = args.options.get('text');
  const text = typeof textOpt === 'string' ? textOpt : args.positional.length ? args.positional.join(' ') : await readStdin();
  const { ids, tokens } = tokenizeText(tokenizer, text, !args.options.has('no-special'));
  if (args.options.has('json')) out(JSON.stringify({ ids, tokens }) + '\n');
  else {
    for (let i = 0; i < ids.length; i++) out(`${String(ids[i]).padStart(7)}  ${JSON.stringify(tokens[i])}\n`);
    out(`${ids.length} tokens\n`);
  }
  return 0;
}
