import { OptionError } from '@weft/core';
import { BYTE_TO_CHAR } from '../common/byte-level.js';

/** Options of {@link trainByteLevelBpe}. */
export interface BpeTrainerOptions {
  /** Final vocabulary size: special tokens + 256 bytes + merges. */
  readonly vocabSize: number;
  /** A pair must occur at least this often to be merged. Default 2. */
  readonly minFrequency?: number;
  /** Special tokens, given the first ids (e.g. `<|endoftext|>`). Default none. */
  readonly specialTokens?: readonly string[];
  /** Longest token in bytes; longer merges are skipped. Default unlimited. */
  readonly maxTokenLength?: number;
}

/** A trained byte-level BPE model. */
export interface TrainedBpe {
  /** Token (GPT-2 byte-level string) → id. */
  readonly vocab: ReadonlyMap<string, number>;
  /** Merges in priority order, as byte-level strings. */
  readonly merges: readonly (readonly [string, string])[];
  readonly specialTokens: readonly string[];
  /** A tokenizer.json object (GPT-2 style: ByteLevel pre-tokenizer and decoder, BPE model). */
  toTokenizerJson(): Record<string, unknown>;
}

/** GPT-2's split pattern (what HF's ByteLevel pre-tokenizer uses). */
const GPT2_SPLIT = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

/** Word (byte-level string) → count, after GPT-2 pre-tokenization of each text. */
export function countWords(texts: Iterable<string>): Map<string, number> {
  const enc = new TextEncoder();
  const counts = new Map<string, number>();
  for (const text of texts) {
    for (const m of text.matchAll(GPT2_SPLIT)) {
      const bytes = enc.encode(m[0]);
      let w = '';
      for (const b of bytes) w += BYTE_TO_CHAR[b];
      counts.set(w, (counts.get(w) ?? 0) + 1);
    }
  }
  return counts;
}

function checkOptions(opts: BpeTrainerOptions): { special: string[]; minFrequency: number; maxLen: number; merges: number } {
  const special = [...(opts.specialTokens ?? [])];
  if (!Number.isInteger(opts.vocabSize) || opts.vocabSize < 256 + special.length)
    throw new OptionError(
      'vocabSize',
      `must be an integer ≥ 256 + special tokens (${256 + special.length}), got ${opts.vocabSize}`,
    );
  const minFrequency = opts.minFrequency ?? 2;
  if (!Number.isInteger(minFrequency) || minFrequency < 1)
    throw new OptionError('minFrequency', `must be a positive integer, got ${minFrequency}`);
  const maxLen = opts.maxTokenLength ?? Number.POSITIVE_INFINITY;
  if (!(maxLen >= 2)) throw new OptionError('maxTokenLength', `must be ≥ 2, got ${maxLen}`);
  if (new Set(special).size !== special.length) throw new OptionError('specialTokens', 'contains duplicates');
  return { special, minFrequency, maxLen, merges: opts.vocabSize - 256 - special.length };
}

/** Shared result builder. `symbols[id]` is the byte-level string of symbol id (0..255 = bytes). */
function build(special: string[], symbols: string[], merges: [number, number][]): TrainedBpe {
  const vocab = new Map<string, number>();
  for (const s of special) vocab.set(s, vocab.size);
  for (const s of symbols) if (!vocab.has(s)) vocab.set(s, vocab.size);
  const mergeStrings = merges.map(([a, b]) => [symbols[a]!, symbols[b]!] as const);
  return {
    vocab,
    merges: mergeStrings,
    specialTokens: special,
    toTokenizerJson() {
      const byteLevel = { add_prefix_space: false, trim_offsets: true, use_regex: true };
      return {
        version: '1.0',
        truncation: null,
        padding: null,
        added_tokens: special.map((content) => ({
          id: vocab.get(content),
          content,
          single_word: false,
          lstrip: false,
          rstrip: false,
          normalized: false,
          special: true,
        })),
        normalizer: null,
        pre_tokenizer: { type: 'ByteLevel', ...byteLevel },
        post_processor: { type: 'ByteLevel', ...byteLevel, trim_offsets: false },
        decoder: { type: 'ByteLevel', ...byteLevel },
        model: {
          type: 'BPE',
          dropout: null,
          unk_token: null,
          continuing_subword_prefix: null,
          end_of_word_suffix: null,
          fuse_unk: false,
          byte_fallback: false,
          ignore_merges: false,
          vocab: Object.fromEntries(vocab),
          merges: mergeStrings.map(([a, b]) => `${a} ${b}`),
        },
      };
    },
  };
}

function initialSymbols(): string[] {
  const symbols: string[] = [];
  for (let b = 0; b < 256; b++) symbols.push(BYTE_TO_CHAR[b]!);
  return symbols;
}

/** Picks the best pair: highest count, then smallest (left, right) ids — deterministic. */
function better(count: number, key: number, bestCount: number, bestKey: number): boolean {
  return count > bestCount || (count === bestCount && key < bestKey);
}

const KEY = 1 << 20; // symbol ids stay below 2^20, so a pair is left * KEY + right (< 2^40, exact)

/**
 * The plain reference trainer: recounts every pair of every word before each merge. O(merges ×
 * corpus); for tests on small corpora.
 */
export function trainByteLevelBpeReference(texts: Iterable<string>, opts: BpeTrainerOptions): TrainedBpe {
  const { special, minFrequency, maxLen, merges: target } = checkOptions(opts);
  const symbols = initialSymbols();
  const byteLen: number[] = symbols.map(() => 1);
  const words = [...countWords(texts)].map(([w, c]) => ({ ids: [...w].map((ch) => symbols.indexOf(ch)), count: c }));
  const merges: [number, number][] = [];
  while (merges.length < target) {
    const counts = new Map<number, number>();
    for (const w of words)
      for (let i = 0; i + 1 < w.ids.length; i++) {
        const k = w.ids[i]! * KEY + w.ids[i + 1]!;
        counts.set(k, (counts.get(k) ?? 0) + w.count);
      }
    let bestKey = -1;
    let bestCount = 0;
    for (const [k, c] of counts) {
      const a = Math.floor(k / KEY);
      const b = k % KEY;
      if (byteLen[a]! + byteLen[b]! > maxLen) continue;
      if (c >= minFrequency && better(c, k, bestCount, bestKey)) {
        bestCount = c;
        bestKey = k;
      }
    }
    if (bestKey < 0) break;
    const a = Math.floor(bestKey / KEY);
    const b = bestKey % KEY;
    const id = symbols.length;
    symbols.push(symbols[a]! + symbols[b]!);
    byteLen.push(byteLen[a]! + byteLen[b]!);
    merges.push([a, b]);
    for (const w of words) {
      const out: number[] = [];
      for (let i = 0; i < w.ids.length; i++) {
        if (i + 1 < w.ids.length && w.ids[i] === a && w.ids[i + 1] === b) {
          out.push(id);
          i++;
        } else out.push(w.ids[i]!);
      }
      w.ids = out;
    }
  }
  return build(special, symbols, merges);
}

/**
 * Trains a byte-level BPE (GPT-2 style) on texts. Pair counts are kept incrementally: a merge
 * only revisits the words that contain its pair.
 *
 * @example
 * const bpe = trainByteLevelBpe([corpus], { vocabSize: 1000, specialTokens: ['<|endoftext|>'] });
 * writeFileSync('tokenizer.json', JSON.stringify(bpe.toTokenizerJson()));
 */
export function trainByteLevelBpe(texts: Iterable<string>, opts: BpeTrainerOptions): TrainedBpe {
  const { special, minFrequency, maxLen, merges: target } = checkOptions(opts);
  const symbols = initialSymbols();
  const byteLen: number[] = symbols.map(() => 1);
  const charId = new Map<string, number>(symbols.map((s, i) => [s, i]));
  const words: { ids: number[]; count: number }[] = [];
  for (const [w, c] of countWords(texts)) words.push({ ids: [...w].map((ch) => charId.get(ch)!), count: c });
  const counts = new Map<number, number>();
  const where = new Map<number, Set<number>>();
  const add = (k: number, c: number, wi: number) => {
    counts.set(k, (counts.get(k) ?? 0) + c);
    let s = where.get(k);
    if (!s) where.set(k, (s = new Set()));
    s.add(wi);
  };
  words.forEach((w, wi) => {
    for (let i = 0; i + 1 < w.ids.length; i++) add(w.ids[i]! * KEY + w.ids[i + 1]!, w.count, wi);
  });
  const merges: [number, number][] = [];
  while (merges.length < target) {
    let bestKey = -1;
    let bestCount = 0;
    for (const [k, c] of counts) {
      if (c < minFrequency || c < bestCount) continue;
      if (!better(c, k, bestCount, bestKey)) continue;
      if (byteLen[Math.floor(k / KEY)]! + byteLen[k % KEY]! > maxLen) continue;
      bestCount = c;
      bestKey = k;
    }
    if (bestKey < 0) break;
    const a = Math.floor(bestKey / KEY);
    const b = bestKey % KEY;
    const id = symbols.length;
    if (id >= KEY) break;
    symbols.push(symbols[a]! + symbols[b]!);
    byteLen.push(byteLen[a]! + byteLen[b]!);
    merges.push([a, b]);
    for (const wi of where.get(bestKey) ?? []) {
      const w = words[wi]!;
      // Remove this word's pairs, merge, add them back.
      for (let i = 0; i + 1 < w.ids.length; i++) {
        const k = w.ids[i]! * KEY + w.ids[i + 1]!;
        const c = counts.get(k)! - w.count;
        if (c === 0) counts.delete(k);
        else counts.set(k, c);
      }
      const out: number[] = [];
      for (let i = 0; i < w.ids.length; i++) {
        if (i + 1 < w.ids.length && w.ids[i] === a && w.ids[i + 1] === b) {
          out.push(id);
          i++;
        } else out.push(w.ids[i]!);
      }
      w.ids = out;
      for (let i = 0; i + 1 < out.length; i++) add(out[i]! * KEY + out[i + 1]!, w.count, wi);
    }
    where.delete(bestKey);
    counts.delete(bestKey);
  }
  return build(special, symbols, merges);
}
