import { OptionError } from '@weft/core';

/** Options of {@link trainUnigram}. */
export interface UnigramTrainerOptions {
  /** Final vocabulary size, special and unknown tokens included. */
  readonly vocabSize: number;
  /** Longest piece in characters. Default 16. */
  readonly maxPieceLength?: number;
  /** Fraction of pieces kept by each pruning round. Default 0.75 (as SentencePiece). */
  readonly shrinkingFactor?: number;
  /** EM iterations between pruning rounds. Default 2. */
  readonly subIterations?: number;
  /** Unknown token (id after the special tokens). Default `<unk>`. */
  readonly unkToken?: string;
  /** Special tokens, given the first ids. Default none. */
  readonly specialTokens?: readonly string[];
}

/** A trained Unigram model: pieces with log-probabilities, best first. */
export interface TrainedUnigram {
  readonly pieces: readonly (readonly [string, number])[];
  readonly unkId: number;
  /** A tokenizer.json object: Metaspace pre-tokenizer and decoder, Unigram model. */
  toTokenizerJson(): Record<string, unknown>;
}

const SPACE = '\u2581';

/** Words as SentencePiece sees them: spaces become ▁ and start each word. Word → count. */
function countWords(texts: Iterable<string>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const text of texts) {
    for (const w of text.normalize('NFKC').split(/\s+/u)) {
      if (!w) continue;
      const word = SPACE + w;
      counts.set(word, (counts.get(word) ?? 0) + 1);
    }
  }
  return counts;
}

function logSumExp(a: number, b: number): number {
  if (a === Number.NEGATIVE_INFINITY) return b;
  if (b === Number.NEGATIVE_INFINITY) return a;
  return a > b ? a + Math.log1p(Math.exp(b - a)) : b + Math.log1p(Math.exp(a - b));
}

/** Character arrays of the words (code points), for lattices. */
type Word = { chars: string[]; count: number };

/** Expected piece counts under the current model (forward-backward on each word's lattice). */
function expectedCounts(
  words: Word[],
  score: Map<string, number>,
  maxLen: number,
): { counts: Map<string, number>; logLikelihood: number } {
  const counts = new Map<string, number>();
  let ll = 0;
  for (const { chars, count } of words) {
    const n = chars.length;
    const alpha = new Float64Array(n + 1).fill(Number.NEGATIVE_INFINITY);
    const beta = new Float64Array(n + 1).fill(Number.NEGATIVE_INFINITY);
    alpha[0] = 0;
    for (let s = 0; s < n; s++) {
      if (alpha[s] === Number.NEGATIVE_INFINITY) continue;
      let piece = '';
      for (let e = s + 1; e <= Math.min(n, s + maxLen); e++) {
        piece += chars[e - 1];
        const sc = score.get(piece);
        if (sc !== undefined) alpha[e] = logSumExp(alpha[e]!, alpha[s]! + sc);
      }
    }
    beta[n] = 0;
    for (let e = n; e > 0; e--) {
      if (beta[e] === Number.NEGATIVE_INFINITY) continue;
      let piece = '';
      for (let s = e - 1; s >= Math.max(0, e - maxLen); s--) {
        piece = chars[s] + piece;
        const sc = score.get(piece);
        if (sc !== undefined) beta[s] = logSumExp(beta[s]!, beta[e]! + sc);
      }
    }
    const z = alpha[n]!;
    if (z === Number.NEGATIVE_INFINITY) continue;
    ll += count * z;
    for (let s = 0; s < n; s++) {
      let piece = '';
      for (let e = s + 1; e <= Math.min(n, s + maxLen); e++) {
        piece += chars[e - 1];
        const sc = score.get(piece);
        if (sc === undefined) continue;
        const p = Math.exp(alpha[s]! + sc + beta[e]! - z);
        if (p > 0) counts.set(piece, (counts.get(piece) ?? 0) + count * p);
      }
    }
  }
  return { counts, logLikelihood: ll };
}

/** Best segmentation score of `chars` using pieces of `score` except `without`. */
function viterbiScore(chars: string[], score: Map<string, number>, maxLen: number, without: string): number {
  const n = chars.length;
  const best = new Float64Array(n + 1).fill(Number.NEGATIVE_INFINITY);
  best[0] = 0;
  for (let s = 0; s < n; s++) {
    if (best[s] === Number.NEGATIVE_INFINITY) continue;
    let piece = '';
    for (let e = s + 1; e <= Math.min(n, s + maxLen); e++) {
      piece += chars[e - 1];
      if (piece === without) continue;
      const sc = score.get(piece);
      if (sc !== undefined && best[s]! + sc > best[e]!) best[e] = best[s]! + sc;
    }
  }
  return best[n]!;
}

/**
 * Trains a SentencePiece-style Unigram model: seed with frequent substrings, then alternate EM
 * (forward-backward expected counts → log-probabilities) with pruning of the pieces whose
 * removal costs the corpus least likelihood, until the vocabulary fits.
 */
export function trainUnigram(texts: Iterable<string>, opts: UnigramTrainerOptions): TrainedUnigram {
  const special = [...(opts.specialTokens ?? [])];
  const unk = opts.unkToken ?? '<unk>';
  const maxLen = opts.maxPieceLength ?? 16;
  const shrink = opts.shrinkingFactor ?? 0.75;
  const subIterations = opts.subIterations ?? 2;
  if (!Number.isInteger(maxLen) || maxLen < 1)
    throw new OptionError('maxPieceLength', `must be a positive integer, got ${maxLen}`);
  if (!(shrink > 0 && shrink < 1)) throw new OptionError('shrinkingFactor', `must be in (0, 1), got ${shrink}`);
  if (!Number.isInteger(subIterations) || subIterations < 1)
    throw new OptionError('subIterations', `must be a positive integer, got ${subIterations}`);
  const words: Word[] = [...countWords(texts)].map(([w, count]) => ({ chars: [...w], count }));
  // Seed: every character, plus the most frequent substrings (×10 the target).
  const freq = new Map<string, number>();
  const chars = new Map<string, number>();
  for (const { chars: cs, count } of words) {
    for (let s = 0; s < cs.length; s++) {
      chars.set(cs[s]!, (chars.get(cs[s]!) ?? 0) + count);
      let piece = cs[s]!;
      for (let e = s + 2; e <= Math.min(cs.length, s + maxLen); e++) {
        piece += cs[e - 1];
        freq.set(piece, (freq.get(piece) ?? 0) + count);
      }
    }
  }
  const reserved = special.length + 1;
  const target = opts.vocabSize - reserved;
  if (!Number.isInteger(opts.vocabSize) || target < chars.size)
    throw new OptionError(
      'vocabSize',
      `must be at least ${chars.size + reserved} (the corpus has ${chars.size} distinct characters), got ${opts.vocabSize}`,
    );
  const seeds = [...freq]
    .filter(([, c]) => c >= 2)
    .sort((a, b) => b[1] * [...b[0]].length - a[1] * [...a[0]].length || (a[0] < b[0] ? -1 : 1));
  const score = new Map<string, number>();
  const total = [...chars.values()].reduce((a, b) => a + b, 0) + seeds.reduce((a, [, c]) => a + c, 0);
  for (const [c, n] of chars) score.set(c, Math.log(n / total));
  for (const [p, n] of seeds.slice(0, target * 10)) score.set(p, Math.log(n / total));
  for (let round = 0; round < 64; round++) {
    for (let it = 0; it < subIterations; it++) {
      const { counts } = expectedCounts(words, score, maxLen);
      let sum = 0;
      for (const c of counts.values()) sum += c;
      for (const p of [...score.keys()]) {
        const c = counts.get(p) ?? 0;
        if (c < 0.5 && !chars.has(p)) score.delete(p);
        else score.set(p, Math.log(Math.max(c, 1e-6) / sum));
      }
    }
    if (score.size <= target) break;
    // Loss of removing a piece ≈ its expected count × (its score − the best score without it).
    const { counts } = expectedCounts(words, score, maxLen);
    const losses: [string, number][] = [];
    for (const [p, sc] of score) {
      if (chars.has(p)) continue;
      const alt = viterbiScore([...p], score, maxLen, p);
      losses.push([p, (counts.get(p) ?? 0) * (sc - alt)]);
    }
    losses.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    const keep = Math.max(target - chars.size, Math.floor((score.size - chars.size) * shrink));
    for (const [p] of losses.slice(keep)) score.delete(p);
  }
  const pieces = [...score].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, target);
  const minScore = pieces.reduce((m, [, s]) => Math.min(m, s), 0);
  const all: [string, number][] = [...special.map((s) => [s, 0] as [string, number]), [unk, 0], ...pieces];
  const unkId = special.length;
  return {
    pieces: all,
    unkId,
    toTokenizerJson() {
      const metaspace = { type: 'Metaspace', replacement: SPACE, prepend_scheme: 'always', split: true };
      return {
        version: '1.0',
        truncation: null,
        padding: null,
        added_tokens: [...special, unk].map((content) => ({
          id: content === unk ? unkId : special.indexOf(content),
          content,
          single_word: false,
          lstrip: false,
          rstrip: false,
          normalized: false,
          special: true,
        })),
        normalizer: { type: 'NFKC' },
        pre_tokenizer: metaspace,
        post_processor: null,
        decoder: metaspace,
        model: {
          type: 'Unigram',
          unk_id: unkId,
          vocab: all.map(([p, s]) => [p, s === 0 && p === unk ? minScore - 10 : s]),
          byte_fallback: false,
        },
      };
    },
  };
}
