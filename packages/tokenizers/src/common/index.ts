/**
 * Helpers shared by every tokenizer format (stable API: tiktoken, SentencePiece and the
 * tokenizer.json pipeline all build on these).
 */

export { type AddedToken, AddedTokenMatcher, type TextSplit } from './added-tokens.js';
export { BYTE_TO_CHAR, byteLevelToBytes, byteOfChar, bytesToByteLevel, CHAR_TO_BYTE, toByteLevel } from './byte-level.js';
export { WordCache } from './cache.js';
export {
  type Encoding,
  emptyEncoding,
  type MutableEncoding,
  type PaddingConfig,
  type PaddingStrategy,
  paddedLength,
  padEncoding,
  padIds,
  type Side,
  type TruncationConfig,
  type TruncationStrategy,
  truncateEncoding,
} from './encoding.js';
export { createWindowStreamDecoder } from './stream-decoder.js';
export {
  bertWordRegex,
  escapeRegex,
  inRanges,
  isBertPunctuation,
  isPunctuation,
  isWhiteSpace,
  rangesToClass,
  translateRegex,
  WHITE_SPACE_RE,
} from './unicode.js';
export { utf8DecodeLossy, utf8DecodeStrict, utf8Encode, utf8LengthAt, wellFormed } from './utf8.js';
