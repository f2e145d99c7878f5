import { InvalidFileError } from '@weft/core';
import type { AddedToken } from '../common/added-tokens.js';
import type { PaddingConfig, Side, TruncationConfig, TruncationStrategy } from '../common/encoding.js';
import { arr, asObject, bool, FILE, fail, field, int, type JsonObject, str } from './config.js';
import { createDecoder } from './decoders/index.js';
import { createModel, type ModelBuildOptions } from './models/index.js';
import { createNormalizer } from './normalizers/index.js';
import { createPostProcessor } from './post-processors/index.js';
import { createPreTokenizer } from './pre-tokenizers/index.js';
import { JsonTokenizer } from './tokenizer.js';

/** Options of {@link tokenizerFromJSON}. */
export interface LoadOptions extends ModelBuildOptions {}

function side(o: JsonObject, path: string): Side {
  const d = str(o, 'direction', path, 'Right');
  if (d === 'Right') return 'right';
  if (d === 'Left') return 'left';
  fail(`${path}.direction`, `is ${JSON.stringify(d)}`, 'use "Right" or "Left"');
}

function truncation(v: unknown): TruncationConfig | null {
  if (v === null || v === undefined) return null;
  const path = 'truncation';
  const o = asObject(v, path);
  const s = str(o, 'strategy', path, 'LongestFirst');
  const strategies: Record<string, TruncationStrategy> = {
    LongestFirst: 'longest-first',
    OnlyFirst: 'only-first',
    OnlySecond: 'only-second',
  };
  const strategy = Object.hasOwn(strategies, s)
    ? strategies[s]!
    : fail(`${path}.strategy`, `is ${JSON.stringify(s)}`, 'use LongestFirst, OnlyFirst or OnlySecond');
  const maxLength = int(o, 'max_length', path);
  const stride = int(o, 'stride', path, 0);
  if (stride >= maxLength && maxLength > 0) fail(`${path}.stride`, `(${stride}) must be smaller than max_length (${maxLength})`);
  return { maxLength, strategy, direction: side(o, path), stride };
}

function padding(v: unknown): PaddingConfig | null {
  if (v === null || v === undefined) return null;
  const path = 'padding';
  const o = asObject(v, path);
  const s = field(o, 'strategy');
  let strategy: PaddingConfig['strategy'];
  if (s === 'BatchLongest' || s === undefined) strategy = { kind: 'batch-longest' };
  else if (typeof s === 'object' && s !== null && typeof (s as JsonObject).Fixed === 'number')
    strategy = { kind: 'fixed', length: int(s as JsonObject, 'Fixed', `${path}.strategy`) };
  else fail(`${path}.strategy`, `is ${JSON.stringify(s)}`, 'use "BatchLongest" or {"Fixed": n}');
  const m = field(o, 'pad_to_multiple_of');
  return {
    strategy,
    direction: side(o, path),
    padToMultipleOf: m === null || m === undefined ? null : int(o, 'pad_to_multiple_of', path),
    padId: int(o, 'pad_id', path, 0),
    padTypeId: int(o, 'pad_type_id', path, 0),
    padToken: str(o, 'pad_token', path, '[PAD]'),
  };
}

function addedTokens(v: unknown): AddedToken[] {
  if (v === undefined || v === null) return [];
  const list = arr({ added_tokens: v }, 'added_tokens', '');
  return list.map((raw, i) => {
    const path = `added_tokens[${i}]`;
    const o = asObject(raw, path);
    return {
      id: int(o, 'id', path),
      content: str(o, 'content', path),
      singleWord: bool(o, 'single_word', path, false),
      lstrip: bool(o, 'lstrip', path, false),
      rstrip: bool(o, 'rstrip', path, false),
      normalized: bool(o, 'normalized', path, true),
      special: bool(o, 'special', path, false),
    };
  });
}

const component = <T>(o: JsonObject, key: string, make: (v: unknown, path: string) => T): T | null => {
  const v = field(o, key);
  return v === null || v === undefined ? null : make(v, key);
};

/**
 * Builds a tokenizer from a tokenizer.json (parsed object or JSON text). The file is untrusted:
 * every problem becomes an {@link InvalidFileError} naming the field.
 */
export function tokenizerFromJSON(json: unknown, opts: LoadOptions = {}): JsonTokenizer {
  let data = json;
  if (typeof json === 'string') {
    try {
      data = JSON.parse(json);
    } catch (e) {
      throw new InvalidFileError(
        FILE,
        `is not valid JSON (${(e as Error).message})`,
        'pass the contents of a tokenizer.json file',
        { cause: e },
      );
    }
  } else if (json instanceof Uint8Array) {
    return tokenizerFromJSON(new TextDecoder().decode(json), opts);
  }
  const root = asObject(data, '(root)');
  if (field(root, 'model') === undefined) fail('model', 'is missing', 'a tokenizer.json always has a "model" object');
  return new JsonTokenizer({
    normalizer: component(root, 'normalizer', createNormalizer),
    preTokenizer: component(root, 'pre_tokenizer', createPreTokenizer),
    model: createModel(field(root, 'model'), opts),
    postProcessor: component(root, 'post_processor', createPostProcessor),
    decoder: component(root, 'decoder', createDecoder),
    addedTokens: addedTokens(field(root, 'added_tokens')),
    truncation: truncation(field(root, 'truncation')),
    padding: padding(field(root, 'padding')),
  });
}

/** Reads and builds a tokenizer.json from disk (Node only; `node:fs` is imported lazily). */
export async function tokenizerFromFile(path: string, opts: LoadOptions = {}): Promise<JsonTokenizer> {
  // A computed specifier keeps bundlers (and the browser build) away from node:fs.
  const specifier = 'node:fs/promises';
  const { readFile } = (await import(/* @vite-ignore */ specifier)) as { readFile(p: string, enc: 'utf8'): Promise<string> };
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new InvalidFileError(path, `cannot be read (${(e as Error).message})`, 'check the path', { cause: e });
  }
  try {
    return tokenizerFromJSON(text, opts);
  } catch (e) {
    if (e instanceof InvalidFileError && e.file === FILE) throw new InvalidFileError(path, e.problem, e.hint, { cause: e });
    throw e;
  }
}
