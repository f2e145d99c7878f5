import { arr, asObject, bool, fail, field, int, type JsonObject, optStr, str, typeOf, unknownType } from '../config.js';
import { BPE } from './bpe.js';
import type { Model } from './types.js';
import { vocabFromObject } from './types.js';
import { Unigram } from './unigram.js';
import { WordLevel } from './wordlevel.js';
import { WordPiece } from './wordpiece.js';

export type { BPEOptions } from './bpe.js';
export { HashMergeTable, MapMergeTable, type MergeTable, mergeHeap, mergeReference, pairKey } from './bpe-merge.js';
export type { Model } from './types.js';
export type { WordPieceOptions } from './wordpiece.js';
export { BPE, Unigram, WordLevel, WordPiece };

const KNOWN = ['BPE', 'WordPiece', 'WordLevel', 'Unigram'];

/** Options that are not part of the file. */
export interface ModelBuildOptions {
  /** Per-word cache entries (default 100 000 per generation; 0 disables caching). */
  readonly cacheCapacity?: number;
}

/** The model type of a legacy file without `type`, guessed from its fields as HF's untagged reader does. */
function inferType(o: JsonObject): string | null {
  if (Array.isArray(field(o, 'vocab'))) return 'Unigram';
  if (field(o, 'merges') !== undefined) return 'BPE';
  if (field(o, 'max_input_chars_per_word') !== undefined || field(o, 'continuing_subword_prefix') !== undefined)
    return 'WordPiece';
  if (field(o, 'vocab') !== undefined) return 'WordLevel';
  return null;
}

function parseMerges(list: unknown[], path: string): Array<[string, string]> {
  const out: Array<[string, string]> = new Array(list.length);
  for (let i = 0; i < list.length; i++) {
    const m = list[i];
    if (typeof m === 'string') {
      const sp = m.indexOf(' ');
      if (sp < 0) fail(`${path}[${i}]`, `is ${JSON.stringify(m)}, expected "left right"`);
      out[i] = [m.slice(0, sp), m.slice(sp + 1)];
    } else if (Array.isArray(m) && m.length === 2 && typeof m[0] === 'string' && typeof m[1] === 'string') {
      out[i] = [m[0], m[1]];
    } else fail(`${path}[${i}]`, 'must be a "left right" string or a [left, right] pair');
  }
  return out;
}

/** Builds the model from its tokenizer.json config; throws InvalidFileError on unknown types or bad fields. */
export function createModel(config: unknown, opts: ModelBuildOptions = {}, path = 'model'): Model {
  const o = asObject(config, path);
  const type = typeOf(o, path) ?? inferType(o);
  const cacheCapacity = opts.cacheCapacity ?? 100_000;
  switch (type) {
    case 'BPE': {
      const { map, tokens } = vocabFromObject(asObject(field(o, 'vocab'), `${path}.vocab`), `${path}.vocab`, fail);
      const merges = parseMerges(field(o, 'merges') === undefined ? [] : arr(o, 'merges', path), `${path}.merges`);
      const emptyToNull = (s: string | null) => (s === '' ? null : s);
      return new BPE(map, tokens, merges, {
        unkToken: optStr(o, 'unk_token', path),
        continuingSubwordPrefix: emptyToNull(optStr(o, 'continuing_subword_prefix', path)),
        endOfWordSuffix: emptyToNull(optStr(o, 'end_of_word_suffix', path)),
        fuseUnk: bool(o, 'fuse_unk', path, false),
        byteFallback: bool(o, 'byte_fallback', path, false),
        ignoreMerges: bool(o, 'ignore_merges', path, false),
        cacheCapacity,
      });
    }
    case 'WordPiece': {
      const { map, tokens } = vocabFromObject(asObject(field(o, 'vocab'), `${path}.vocab`), `${path}.vocab`, fail);
      return new WordPiece(map, tokens, {
        unkToken: str(o, 'unk_token', path, '[UNK]'),
        continuingSubwordPrefix: str(o, 'continuing_subword_prefix', path, '##'),
        maxInputCharsPerWord: int(o, 'max_input_chars_per_word', path, 100),
        cacheCapacity,
      });
    }
    case 'WordLevel': {
      const { map, tokens } = vocabFromObject(asObject(field(o, 'vocab'), `${path}.vocab`), `${path}.vocab`, fail);
      return new WordLevel(map, tokens, str(o, 'unk_token', path, '<unk>'));
    }
    case 'Unigram': {
      const list = arr(o, 'vocab', path);
      const pieces: Array<[string, number]> = new Array(list.length);
      for (let i = 0; i < list.length; i++) {
        const e = list[i];
        if (!Array.isArray(e) || typeof e[0] !== 'string' || typeof e[1] !== 'number' || !Number.isFinite(e[1])) {
          fail(`${path}.vocab[${i}]`, 'must be a [piece, score] pair');
        }
        pieces[i] = [e[0], e[1]];
      }
      const unk = field(o, 'unk_id');
      const unkId = unk === undefined || unk === null ? null : int(o, 'unk_id', path);
      return new Unigram(pieces, unkId, bool(o, 'byte_fallback', path, false), cacheCapacity);
    }
    default:
      return unknownType(path, type, KNOWN);
  }
}
