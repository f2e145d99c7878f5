import { arr, asObject, bool, type JsonObject, optStr, pattern, str, typeOf, unknownType } from '../config.js';
import { BertNormalizer } from './bert.js';
import { Lowercase } from './lowercase.js';
import { base64Decode, Precompiled } from './precompiled.js';
import { Prepend } from './prepend.js';
import { Replace } from './replace.js';
import { NormalizerSequence } from './sequence.js';
import { Strip } from './strip.js';
import { StripAccents } from './strip-accents.js';
import type { Normalizer } from './types.js';
import { UnicodeNormalizer } from './unicode.js';

export type { Aligned, Normalizer } from './types.js';
export { alignedOf } from './types.js';
export { BertNormalizer, Lowercase, NormalizerSequence, Precompiled, Prepend, Replace, Strip, StripAccents, UnicodeNormalizer };

const KNOWN = [
  'NFC',
  'NFD',
  'NFKC',
  'NFKD',
  'Lowercase',
  'StripAccents',
  'BertNormalizer',
  'Precompiled',
  'Replace',
  'Prepend',
  'Strip',
  'Sequence',
];

/** Builds a normalizer from its tokenizer.json config; throws InvalidFileError on unknown types or bad fields. */
export function createNormalizer(config: unknown, path = 'normalizer'): Normalizer {
  const o: JsonObject = asObject(config, path);
  const type = typeOf(o, path);
  switch (type) {
    case 'NFC':
    case 'NFD':
    case 'NFKC':
    case 'NFKD':
      return new UnicodeNormalizer(type);
    case 'Lowercase':
      return new Lowercase();
    case 'StripAccents':
      return new StripAccents();
    case 'BertNormalizer': {
      const sa = o.strip_accents;
      return new BertNormalizer({
        cleanText: bool(o, 'clean_text', path, true),
        handleChineseChars: bool(o, 'handle_chinese_chars', path, true),
        stripAccents: sa === null || sa === undefined ? null : bool(o, 'strip_accents', path, false),
        lowercase: bool(o, 'lowercase', path, true),
      });
    }
    case 'Precompiled': {
      const p = `${path}.precompiled_charsmap`;
      const b64 = optStr(o, 'precompiled_charsmap', path);
      return new Precompiled(b64 === null ? new Uint8Array(0) : base64Decode(b64, p), p);
    }
    case 'Replace':
      return new Replace(pattern(o, 'pattern', path), str(o, 'content', path));
    case 'Prepend':
      return new Prepend(str(o, 'prepend', path));
    case 'Strip':
      return new Strip(bool(o, 'strip_left', path, true), bool(o, 'strip_right', path, true));
    case 'Sequence':
      return new NormalizerSequence(arr(o, 'normalizers', path).map((n, i) => createNormalizer(n, `${path}.normalizers[${i}]`)));
    default:
      return unknownType(path, type, KNOWN);
  }
}
