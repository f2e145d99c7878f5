import { arr, asObject, bool, fail, field, int, pattern, str, typeOf, unknownType } from '../config.js';
import { BPEDecoder } from './bpe.js';
import { ByteFallbackDecoder } from './byte-fallback.js';
import { ByteLevelDecoder } from './byte-level.js';
import { CTCDecoder } from './ctc.js';
import { FuseDecoder } from './fuse.js';
import { MetaspaceDecoder } from './metaspace.js';
import { ReplaceDecoder } from './replace.js';
import { DecoderSequence } from './sequence.js';
import { StripDecoder } from './strip.js';
import type { Decoder } from './types.js';
import { WordPieceDecoder } from './wordpiece.js';

export type { Decoder } from './types.js';
export {
  BPEDecoder,
  ByteFallbackDecoder,
  ByteLevelDecoder,
  CTCDecoder,
  DecoderSequence,
  FuseDecoder,
  MetaspaceDecoder,
  ReplaceDecoder,
  StripDecoder,
  WordPieceDecoder,
};

const KNOWN = [
  'ByteLevel',
  'Metaspace',
  'WordPiece',
  'ByteFallback',
  'Fuse',
  'Strip',
  'Replace',
  'BPEDecoder',
  'CTC',
  'Sequence',
];

/** Builds a decoder from its tokenizer.json config; throws InvalidFileError on unknown types or bad fields. */
export function createDecoder(config: unknown, path = 'decoder'): Decoder {
  const o = asObject(config, path);
  const type = typeOf(o, path);
  switch (type) {
    case 'ByteLevel':
      return new ByteLevelDecoder();
    case 'Metaspace': {
      const replacement = str(o, 'replacement', path, '\u2581');
      const scheme = field(o, 'prepend_scheme');
      let dropFirst: boolean;
      if (scheme === undefined || scheme === null) dropFirst = bool(o, 'add_prefix_space', path, true);
      else if (scheme === 'always' || scheme === 'first' || scheme === 'never') dropFirst = scheme !== 'never';
      else fail(`${path}.prepend_scheme`, `is ${JSON.stringify(scheme)}`, 'use "always", "first" or "never"');
      return new MetaspaceDecoder(replacement, dropFirst);
    }
    case 'WordPiece':
      return new WordPieceDecoder(str(o, 'prefix', path, '##'), bool(o, 'cleanup', path, true));
    case 'ByteFallback':
      return new ByteFallbackDecoder();
    case 'Fuse':
      return new FuseDecoder();
    case 'Strip': {
      const content = str(o, 'content', path);
      if (Array.from(content).length !== 1) fail(`${path}.content`, 'must be exactly one character');
      return new StripDecoder(content, int(o, 'start', path, 0), int(o, 'stop', path, 0));
    }
    case 'Replace':
      return new ReplaceDecoder(pattern(o, 'pattern', path), str(o, 'content', path));
    case 'BPEDecoder':
      return new BPEDecoder(str(o, 'suffix', path, '</w>'));
    case 'CTC':
      return new CTCDecoder(
        str(o, 'pad_token', path, '<pad>'),
        str(o, 'word_delimiter_token', path, '|'),
        bool(o, 'cleanup', path, true),
      );
    case 'Sequence':
      return new DecoderSequence(arr(o, 'decoders', path).map((d, i) => createDecoder(d, `${path}.decoders[${i}]`)));
    default:
      return unknownType(path, type, KNOWN);
  }
}
