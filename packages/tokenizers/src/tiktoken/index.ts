export {
  TIKTOKEN_ENCODINGS,
  type TiktokenEncodingName,
  type TiktokenScannerKind,
  type TiktokenSpec,
  tiktokenEncodingForRankCount,
} from './presets.js';
export { parseTiktokenRanks, type TiktokenRanks } from './rank-file.js';
export { tiktokenPatternToRegExp } from './scanner.js';
export { loadTiktoken, type TiktokenEncodeOptions, TiktokenTokenizer } from './tokenizer.js';
