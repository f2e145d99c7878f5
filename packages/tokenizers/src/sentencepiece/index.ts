export {
  type PieceType,
  parseSentencePieceModel,
  type SentencePieceModelProto,
  type SentencePieceModelType,
} from './model-proto.js';
export { PrecompiledCharsmap, SentencePieceNormalizer, SPACE_SYMBOL } from './normalizer.js';
export { loadSentencePiece, SentencePieceTokenizer } from './tokenizer.js';
