import { InvalidFileError, type Tokenizer } from '@weft/core';
import { tokenizerFromJSON } from './json/index.js';
import { loadLlama2cTokenizer } from './llama2c/index.js';
import { loadSentencePiece } from './sentencepiece/index.js';
import {
  loadTiktoken,
  parseTiktokenRanks,
  TIKTOKEN_ENCODINGS,
  type TiktokenEncodingName,
  type TiktokenSpec,
  tiktokenEncodingForRankCount,
} from './tiktoken/index.js';
import { TiktokenTokenizer } from './tiktoken/tokenizer.js';

/** The formats {@link loadTokenizer} recognises. */
export type TokenizerFormat = 'tokenizer.json' | 'tiktoken' | 'sentencepiece' | 'llama2c';

/** Options of {@link loadTokenizer}. */
export interface LoadTokenizerOptions {
  /** Name used in error messages. Default: the detected kind of file. */
  readonly fileName?: string;
  /** For `.tiktoken` files: the encoding (default: guessed from the number of ranks). */
  readonly tiktokenEncoding?: TiktokenEncodingName | TiktokenSpec;
  /** For llama2.c tokenizer.bin: the vocabulary size (from the checkpoint header). */
  readonly vocabSize?: number;
}

const TIKTOKEN_LINE = /^[A-Za-z0-9+/]+={0,2} \d+\r?$/;

/**
 * Recognises a tokenizer file from its bytes (never from its name): JSON with a `model` is a
 * tokenizer.json, `<base64> <rank>` lines a tiktoken rank file, a protobuf starting with a
 * `pieces` field a SentencePiece `.model`, a small int32 then float/length records a llama2.c
 * tokenizer.bin. Returns undefined when it is none of these.
 */
export function detectTokenizerFormat(data: Uint8Array): TokenizerFormat | undefined {
  let i = 0;
  if (data[0] === 0xef && data[1] === 0xbb && data[2] === 0xbf) i = 3;
  while (i < data.length && (data[i] === 0x20 || data[i] === 0x0a || data[i] === 0x0d || data[i] === 0x09)) i++;
  if (data[i] === 0x7b) return 'tokenizer.json';
  let eol = 0;
  while (eol < data.length && eol < 4096 && data[eol] !== 0x0a) eol++;
  const first = new TextDecoder('latin1').decode(data.subarray(0, eol));
  if (TIKTOKEN_LINE.test(first)) return 'tiktoken';
  // SentencePiece ModelProto: field 1 (pieces), wire type 2, then a SentencePiece message whose
  // first field is 1 (piece), wire type 2.
  if (data[0] === 0x0a && data.length > 4) {
    let p = 1;
    let len = 0;
    let shift = 0;
    while (p < data.length && p < 6) {
      const b = data[p++]!;
      len |= (b & 0x7f) << shift;
      shift += 7;
      if (b < 0x80) break;
    }
    if (len > 0 && p + len <= data.length && data[p] === 0x0a) return 'sentencepiece';
  }
  if (data.length >= 12) {
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    const maxLen = view.getInt32(0, true);
    const score = view.getFloat32(4, true);
    const len = view.getInt32(8, true);
    if (maxLen > 0 && maxLen <= 1024 && Number.isFinite(score) && len > 0 && len <= maxLen) return 'llama2c';
  }
  return undefined;
}

/**
 * Loads any tokenizer file weft supports, detecting the format from its content.
 *
 * @example
 * const tok = loadTokenizer(await readFile('tokenizer.model'));   // SentencePiece
 * const gpt4 = loadTokenizer(await readFile('cl100k_base.tiktoken')); // cl100k_base, by rank count
 */
export function loadTokenizer(data: Uint8Array | string, opts: LoadTokenizerOptions = {}): Tokenizer {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  const format = detectTokenizerFormat(bytes);
  const name = opts.fileName;
  switch (format) {
    case 'tokenizer.json': {
      const text = new TextDecoder().decode(bytes);
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch (cause) {
        throw new InvalidFileError(
          name ?? 'tokenizer.json',
          `is not valid JSON (${(cause as Error).message})`,
          'pass the contents of a tokenizer.json',
          { cause },
        );
      }
      if (json === null || typeof json !== 'object' || !('model' in json))
        throw new InvalidFileError(
          name ?? 'JSON file',
          'is JSON but not a tokenizer.json (no "model")',
          'tokenizer_config.json holds chat templates (see loadChatTemplate); pass tokenizer.json here',
        );
      try {
        return tokenizerFromJSON(json);
      } catch (e) {
        if (name && e instanceof InvalidFileError) throw new InvalidFileError(name, e.problem, e.hint, { cause: e });
        throw e;
      }
    }
    case 'tiktoken': {
      const file = name ?? 'rank file';
      if (opts.tiktokenEncoding) return loadTiktoken(bytes, opts.tiktokenEncoding, file);
      const ranks = parseTiktokenRanks(bytes, file);
      const guess = tiktokenEncodingForRankCount(ranks.count);
      if (!guess)
        throw new InvalidFileError(
          file,
          `is a tiktoken rank file with ${ranks.count} ranks, which matches no built-in encoding`,
          'pass { tiktokenEncoding: TiktokenSpec } with its split pattern and special tokens',
        );
      return new TiktokenTokenizer(ranks, TIKTOKEN_ENCODINGS[guess], file);
    }
    case 'sentencepiece':
      return loadSentencePiece(bytes, name ?? 'tokenizer.model');
    case 'llama2c':
      return loadLlama2cTokenizer(bytes, name ?? 'tokenizer.bin', opts.vocabSize);
    default:
      throw new InvalidFileError(
        name ?? 'tokenizer file',
        'is not a tokenizer format weft knows',
        'pass a tokenizer.json, a .tiktoken rank file, a SentencePiece .model or a llama2.c tokenizer.bin',
      );
  }
}
