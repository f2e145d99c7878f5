/**
 * The detailed result of encoding: ids plus everything a model or a UI needs next to them.
 * N = number of tokens; every array has length N.
 */
export interface Encoding {
  /** Token ids. */
  readonly ids: number[];
  /** Token strings as stored in the vocabulary (byte-level tokens look like `Ġhello`). */
  readonly tokens: string[];
  /** [start, end) of each token in the input string, in UTF-16 code units (JS string indices). */
  readonly offsets: Array<[number, number]>;
  /** 1 for real tokens, 0 for padding. */
  readonly attentionMask: number[];
  /** Segment ids (0 for the first sequence, 1 for the second, as the post-processor says). */
  readonly typeIds: number[];
  /** 1 for tokens added by the post-processor or padding, 0 otherwise. */
  readonly specialTokensMask: number[];
  /** Index of the pre-tokenized word each token came from, null for added/special tokens. */
  readonly wordIds: Array<number | null>;
  /** Which input sequence (0 or 1) each token belongs to, null for special tokens and padding. */
  readonly sequenceIds: Array<number | null>;
  /** Windows cut off by truncation (empty unless truncation applies). */
  readonly overflowing: Encoding[];
}

/** A mutable encoding used while building one. */
export interface MutableEncoding extends Encoding {
  ids: number[];
  tokens: string[];
  offsets: Array<[number, number]>;
  attentionMask: number[];
  typeIds: number[];
  specialTokensMask: number[];
  wordIds: Array<number | null>;
  sequenceIds: Array<number | null>;
  overflowing: MutableEncoding[];
}

/** An empty encoding to fill. */
export function emptyEncoding(): MutableEncoding {
  return {
    ids: [],
    tokens: [],
    offsets: [],
    attentionMask: [],
    typeIds: [],
    specialTokensMask: [],
    wordIds: [],
    sequenceIds: [],
    overflowing: [],
  };
}

/** Which side loses tokens when truncating, or receives padding. */
export type Side = 'right' | 'left';

/** How to truncate a pair of sequences. */
export type TruncationStrategy = 'longest-first' | 'only-first' | 'only-second';

/** Truncation settings (tokenizer.json `truncation`). */
export interface TruncationConfig {
  /** Maximum number of tokens, special tokens included. */
  readonly maxLength: number;
  readonly strategy: TruncationStrategy;
  readonly direction: Side;
  /** Tokens shared between consecutive overflowing windows. */
  readonly stride: number;
}

/** Padding length policy. */
export type PaddingStrategy = { readonly kind: 'batch-longest' } | { readonly kind: 'fixed'; readonly length: number };

/** Padding settings (tokenizer.json `padding`). */
export interface PaddingConfig {
  readonly strategy: PaddingStrategy;
  readonly direction: Side;
  readonly padToMultipleOf: number | null;
  readonly padId: number;
  readonly padTypeId: number;
  readonly padToken: string;
}

function sliceEncoding(e: Encoding, start: number, end: number): MutableEncoding {
  return {
    ids: e.ids.slice(start, end),
    tokens: e.tokens.slice(start, end),
    offsets: e.offsets.slice(start, end),
    attentionMask: e.attentionMask.slice(start, end),
    typeIds: e.typeIds.slice(start, end),
    specialTokensMask: e.specialTokensMask.slice(start, end),
    wordIds: e.wordIds.slice(start, end),
    sequenceIds: e.sequenceIds.slice(start, end),
    overflowing: [],
  };
}

/**
 * Cuts an encoding (before special tokens are added) to `maxLength` tokens, as HF's
 * `Encoding::truncate`: the kept part first, the rest as overflowing windows of the same size
 * that overlap by `stride` tokens.
 */
export function truncateEncoding(e: Encoding, maxLength: number, stride: number, direction: Side): MutableEncoding {
  const n = e.ids.length;
  if (maxLength >= n)
    return { ...sliceEncoding(e, 0, n), overflowing: e.overflowing.map((o) => sliceEncoding(o, 0, o.ids.length)) };
  if (maxLength === 0) {
    const kept = sliceEncoding(e, 0, 0);
    kept.overflowing.push(sliceEncoding(e, 0, n));
    return kept;
  }
  const offset = maxLength - stride;
  if (offset <= 0) throw new RangeError(`truncation stride (${stride}) must be smaller than the length budget (${maxLength})`);
  // Window starts, as in HF: right truncation keeps the first window; left keeps the last.
  const parts: Array<[number, number]> = [];
  if (direction === 'right') {
    for (let start = 0; ; start += offset) {
      const end = Math.min(start + maxLength, n);
      parts.push([start, end]);
      if (end >= n) break;
    }
  } else {
    for (let end = n; ; end -= offset) {
      const start = Math.max(end - maxLength, 0);
      parts.push([start, end]);
      if (start <= 0) break;
    }
  }
  const [first, ...rest] = parts;
  const kept = sliceEncoding(e, first![0], first![1]);
  for (const [s, t] of rest) kept.overflowing.push(sliceEncoding(e, s, t));
  return kept;
}

/** Length a padding config asks for, given the longest encoding of the batch. */
export function paddedLength(config: PaddingConfig, longest: number): number {
  let target = config.strategy.kind === 'fixed' ? config.strategy.length : longest;
  const m = config.padToMultipleOf;
  if (m && m > 0 && target % m !== 0) target += m - (target % m);
  return target;
}

/** Pads an encoding (and its overflowing windows) to `length` tokens; longer ones stay as they are. */
export function padEncoding(e: MutableEncoding, length: number, config: PaddingConfig): MutableEncoding {
  for (const o of e.overflowing) padEncoding(o, length, config);
  const missing = length - e.ids.length;
  if (missing <= 0) return e;
  const fill = <T>(arr: T[], value: T) => {
    const pad = new Array<T>(missing).fill(value);
    if (config.direction === 'right') arr.push(...pad);
    else arr.unshift(...pad);
  };
  fill(e.ids, config.padId);
  fill(e.tokens, config.padToken);
  const offsets: Array<[number, number]> = Array.from({ length: missing }, () => [0, 0]);
  if (config.direction === 'right') e.offsets.push(...offsets);
  else e.offsets.unshift(...offsets);
  fill(e.attentionMask, 0);
  fill(e.typeIds, config.padTypeId);
  fill(e.specialTokensMask, 1);
  fill<number | null>(e.wordIds, null);
  fill<number | null>(e.sequenceIds, null);
  return e;
}

/** Pads only an id list (the fast `encode` path). */
export function padIds(ids: number[], length: number, config: PaddingConfig): number[] {
  const missing = length - ids.length;
  if (missing <= 0) return ids;
  const pad = new Array<number>(missing).fill(config.padId);
  return config.direction === 'right' ? ids.concat(pad) : pad.concat(ids);
}
