/**
 * The four OpenAI encodings: split pattern, special tokens and which hand-written scanner
 * reproduces the pattern. Rank data is not bundled: pass the `.tiktoken` file.
 */

/** Names of the built-in encodings. */
export type TiktokenEncodingName = 'r50k_base' | 'p50k_base' | 'cl100k_base' | 'o200k_base';

/** Which hand-written pre-tokenizer implements the pattern (`regex` = run the pattern itself). */
export type TiktokenScannerKind = 'gpt2' | 'cl100k' | 'o200k' | 'regex';

/** Everything besides the ranks that defines a tiktoken encoding. */
export interface TiktokenSpec {
  readonly name: string;
  /** The split pattern in tiktoken's (Rust regex) syntax. */
  readonly pattern: string;
  readonly specialTokens: Readonly<Record<string, number>>;
  /** Defaults to `regex` (the pattern, translated to a JS RegExp). */
  readonly scanner?: TiktokenScannerKind;
  /** Highest rank + 1 the rank file must have (checked when given). */
  readonly rankCount?: number;
}

const GPT2_PATTERN = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";
const CL100K_PATTERN =
  "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
const O200K_PATTERN = [
  "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?",
  "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?",
  '\\p{N}{1,3}',
  ' ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*',
  '\\s*[\\r\\n]+',
  '\\s+(?!\\S)',
  '\\s+',
].join('|');

/** The built-in encodings (same patterns and special tokens as OpenAI's `tiktoken`). */
export const TIKTOKEN_ENCODINGS: Readonly<Record<TiktokenEncodingName, TiktokenSpec>> = {
  r50k_base: {
    name: 'r50k_base',
    pattern: GPT2_PATTERN,
    specialTokens: { '<|endoftext|>': 50256 },
    scanner: 'gpt2',
    rankCount: 50256,
  },
  p50k_base: {
    name: 'p50k_base',
    pattern: GPT2_PATTERN,
    specialTokens: { '<|endoftext|>': 50256 },
    scanner: 'gpt2',
    rankCount: 50281,
  },
  cl100k_base: {
    name: 'cl100k_base',
    pattern: CL100K_PATTERN,
    specialTokens: {
      '<|endoftext|>': 100257,
      '<|fim_prefix|>': 100258,
      '<|fim_middle|>': 100259,
      '<|fim_suffix|>': 100260,
      '<|endofprompt|>': 100276,
    },
    scanner: 'cl100k',
    rankCount: 100256,
  },
  o200k_base: {
    name: 'o200k_base',
    pattern: O200K_PATTERN,
    specialTokens: { '<|endoftext|>': 199999, '<|endofprompt|>': 200018 },
    scanner: 'o200k',
    rankCount: 199998,
  },
};

/** Guesses the encoding of a rank file from its number of ranks (undefined when unknown). */
export function tiktokenEncodingForRankCount(count: number): TiktokenEncodingName | undefined {
  for (const spec of Object.values(TIKTOKEN_ENCODINGS)) if (spec.rankCount === count) return spec.name as TiktokenEncodingName;
  return undefined;
}
