import {
  type DecodeOptions,
  type EncodeOptions,
  OptionError,
  type SpecialTokenIds,
  type Tokenizer,
  type TokenStreamDecoder,
} from '@weft/core';
import { type AddedToken, AddedTokenMatcher } from '../common/added-tokens.js';
import {
  type Encoding,
  emptyEncoding,
  type MutableEncoding,
  type PaddingConfig,
  paddedLength,
  padEncoding,
  padIds,
  type TruncationConfig,
  truncateEncoding,
} from '../common/encoding.js';
import { createWindowStreamDecoder } from '../common/stream-decoder.js';
import { wellFormed } from '../common/utf8.js';
import type { Decoder } from './decoders/types.js';
import type { Model } from './models/types.js';
import type { Normalizer } from './normalizers/types.js';
import { type Aligned, alignedOf } from './normalizers/types.js';
import { templateEncoding, templateIds, trimByteLevelOffsets } from './post-process.js';
import { addedCount, type PostProcessor, plainTemplate, type TemplateItem } from './post-processors/types.js';
import type { Pieces, PreTokenizer } from './pre-tokenizers/pieces.js';

/** The stages of a tokenizer.json pipeline. */
export interface TokenizerParts {
  readonly normalizer: Normalizer | null;
  readonly preTokenizer: PreTokenizer | null;
  readonly model: Model;
  readonly postProcessor: PostProcessor | null;
  readonly decoder: Decoder | null;
  readonly addedTokens: readonly AddedToken[];
  readonly truncation: TruncationConfig | null;
  readonly padding: PaddingConfig | null;
}

/** Options of {@link JsonTokenizer.encodeWithDetails}. */
export interface EncodeDetailsOptions extends EncodeOptions {
  /** A second sequence (question/answer, sentence pairs): laid out by the post-processor's pair template. */
  readonly pair?: string;
}

const BOS = ['<s>', '<|begin_of_text|>', '<bos>', '<|startoftext|>', '<|startoftranscript|>', '[CLS]'];
const EOS = ['</s>', '<|end_of_text|>', '<eos>', '<|endoftext|>', '[SEP]'];
const PAD = ['<pad>', '[PAD]', '<|padding|>', '<|pad|>'];

/**
 * A tokenizer built from a Hugging Face tokenizer.json: normalizer → pre-tokenizer → model →
 * post-processor, with added tokens split out first, and a decoder for the way back.
 * Create with `tokenizerFromJSON` / `tokenizerFromFile`.
 */
export class JsonTokenizer implements Tokenizer {
  readonly vocabSize: number;
  readonly special: SpecialTokenIds;
  /** Truncation applied by every encode (from the file unless changed). */
  truncation: TruncationConfig | null;
  /** Padding applied by every encode (from the file unless changed). */
  padding: PaddingConfig | null;

  private readonly rawMatcher: AddedTokenMatcher;
  private readonly normMatcher: AddedTokenMatcher;
  private readonly addedById = new Map<number, AddedToken>();
  private readonly addedByContent = new Map<string, number>();
  private readonly specialIds = new Set<number>();

  constructor(readonly parts: TokenizerParts) {
    this.truncation = parts.truncation;
    this.padding = parts.padding;
    let maxId = -1;
    for (const t of parts.addedTokens) {
      this.addedById.set(t.id, t);
      this.addedByContent.set(t.content, t.id);
      if (t.special) this.specialIds.add(t.id);
      if (t.id > maxId) maxId = t.id;
    }
    // Tokens present in the file twice: the later entry wins, as in HF.
    this.rawMatcher = new AddedTokenMatcher(parts.addedTokens.filter((t) => !t.normalized || parts.normalizer === null));
    this.normMatcher = new AddedTokenMatcher(parts.normalizer === null ? [] : parts.addedTokens.filter((t) => t.normalized));
    let modelMax = parts.model.vocabSize - 1;
    // Sparse or shifted vocabularies: find the real largest id.
    if (parts.model.idToToken(modelMax) === undefined) {
      for (let id = modelMax + 64; id >= 0; id--) {
        if (parts.model.idToToken(id) !== undefined) {
          modelMax = id;
          break;
        }
      }
    }
    this.vocabSize = Math.max(maxId, modelMax) + 1;
    const find = (names: string[]) => {
      for (const n of names) {
        const id = this.addedByContent.get(n) ?? (this.specialIds.size === 0 ? parts.model.tokenToId(n) : undefined);
        if (id !== undefined) return id;
      }
      return undefined;
    };
    const unkName = (parts.model as { options?: { unkToken?: string | null } }).options?.unkToken;
    const unigramUnk = (parts.model as { unkId?: number | null }).unkId;
    const special: { bos?: number; eos?: number; pad?: number; unk?: number } = {};
    const bos = find(BOS);
    const eos = find(EOS);
    const pad = parts.padding?.padId ?? find(PAD);
    const unk =
      typeof unkName === 'string' ? parts.model.tokenToId(unkName) : typeof unigramUnk === 'number' ? unigramUnk : undefined;
    if (bos !== undefined) special.bos = bos;
    if (eos !== undefined) special.eos = eos;
    if (pad !== undefined) special.pad = pad;
    if (unk !== undefined) special.unk = unk;
    this.special = special;
  }

  /** Id of a token string (added tokens first, then the model vocabulary). */
  tokenToId(token: string): number | undefined {
    return this.addedByContent.get(token) ?? this.parts.model.tokenToId(token);
  }

  /** Token string of an id, or undefined when out of range. */
  idToToken(id: number): string | undefined {
    return this.addedById.get(id)?.content ?? this.parts.model.idToToken(id);
  }

  /** The added tokens of the file (special and not). */
  get addedTokens(): readonly AddedToken[] {
    return this.parts.addedTokens;
  }

  /** True for ids of special added tokens. */
  isSpecial(id: number): boolean {
    return this.specialIds.has(id);
  }

  private template(pair: boolean): readonly TemplateItem[] {
    return this.parts.postProcessor?.template(pair) ?? plainTemplate(pair, 1);
  }

  private preTokenize(text: string, segmentStart: number, withSpans: boolean): Pieces {
    const pieces: Pieces = { texts: [text], offs: [0], spans: null };
    if (withSpans) {
      const s: number[] = new Array(text.length * 2);
      for (let i = 0; i < text.length; i++) {
        s[2 * i] = i;
        s[2 * i + 1] = i + 1;
      }
      pieces.spans = [s];
    }
    return this.parts.preTokenizer ? this.parts.preTokenizer.preTokenize(pieces, { segmentStart }) : pieces;
  }

  /** Ids of one sequence, without special tokens, truncation or padding. */
  private sequenceIds(input: string): number[] {
    const text = wellFormed(input);
    const ids: number[] = [];
    const { normalizer, model } = this.parts;
    for (const split of this.rawMatcher.split(text)) {
      if (split.id >= 0) {
        ids.push(split.id);
        continue;
      }
      const seg = split.start === 0 && split.end === text.length ? text : text.slice(split.start, split.end);
      const norm = normalizer ? normalizer.normalize(seg) : seg;
      const subs = this.normMatcher.size > 0 ? this.normMatcher.split(norm) : [{ start: 0, end: norm.length, id: -1 }];
      for (const sub of subs) {
        if (sub.id >= 0) {
          ids.push(sub.id);
          continue;
        }
        const piece = sub.start === 0 && sub.end === norm.length ? norm : norm.slice(sub.start, sub.end);
        if (piece.length === 0) continue;
        const words = this.preTokenize(piece, split.start + sub.start, false).texts;
        for (let i = 0; i < words.length; i++) model.tokenize(words[i]!, ids);
      }
    }
    return ids;
  }

  /** Full encoding of one sequence (no special tokens yet). */
  private sequenceEncoding(input: string, sequence: 0 | 1): MutableEncoding {
    const text = wellFormed(input);
    const e = emptyEncoding();
    const { normalizer, model } = this.parts;
    let word = 0;
    const pushAdded = (id: number, s: number, t: number) => {
      e.ids.push(id);
      e.tokens.push(this.idToToken(id) ?? '');
      e.offsets.push([s, t]);
      e.attentionMask.push(1);
      e.typeIds.push(0);
      e.specialTokensMask.push(0);
      e.wordIds.push(word++);
      e.sequenceIds.push(sequence);
    };
    for (const split of this.rawMatcher.split(text)) {
      if (split.id >= 0) {
        pushAdded(split.id, split.start, split.end);
        continue;
      }
      const seg = text.slice(split.start, split.end);
      const fast = normalizer ? normalizer.normalize(seg) : seg;
      let aligned: Aligned = alignedOf(seg);
      if (normalizer) {
        aligned = normalizer.normalizeAligned(aligned);
        if (aligned.text !== fast) throw new Error(`internal: aligned normalization differs for ${JSON.stringify(seg)}`);
      }
      const norm = aligned.text;
      const origin = (a: number, b: number): [number, number] => {
        if (b <= a) {
          const at = a < norm.length ? aligned.starts[a]! : seg.length;
          return [split.start + at, split.start + at];
        }
        return [split.start + aligned.starts[a]!, split.start + aligned.ends[b - 1]!];
      };
      const subs = this.normMatcher.size > 0 ? this.normMatcher.split(norm) : [{ start: 0, end: norm.length, id: -1 }];
      for (const sub of subs) {
        if (sub.id >= 0) {
          const [s, t] = origin(sub.start, sub.end);
          pushAdded(sub.id, s, t);
          continue;
        }
        const piece = norm.slice(sub.start, sub.end);
        if (piece.length === 0) continue;
        const pieces = this.preTokenize(piece, split.start + sub.start, true);
        for (let k = 0; k < pieces.texts.length; k++) {
          const w = pieces.texts[k]!;
          const spans = pieces.spans![k]!;
          const r = model.tokenizeWithSpans(w);
          for (let j = 0; j < r.ids.length; j++) {
            const a = r.spans[2 * j]!;
            const b = r.spans[2 * j + 1]!;
            let s: number;
            let t: number;
            if (b > a) {
              s = spans[2 * a]!;
              t = spans[2 * (b - 1) + 1]!;
            } else {
              s = t = a < w.length ? spans[2 * a]! : (spans[spans.length - 1] ?? 0);
            }
            const [os, ot] = t > s ? origin(sub.start + s, sub.start + t) : origin(sub.start + s, sub.start + s);
            e.ids.push(r.ids[j]!);
            e.tokens.push(r.tokens?.[j] ?? model.idToToken(r.ids[j]!) ?? '');
            e.offsets.push([os, ot]);
            e.attentionMask.push(1);
            e.typeIds.push(0);
            e.specialTokensMask.push(0);
            e.wordIds.push(word);
            e.sequenceIds.push(sequence);
          }
          word++;
        }
      }
    }
    const trim = this.parts.postProcessor?.trim;
    if (trim) trimByteLevelOffsets(e, trim);
    return e;
  }

  /** Token budgets of the two sequences under the truncation settings (HF `truncate_encodings`). */
  private budgets(n1: number, n2: number | null, addSpecial: boolean): [number, number] {
    const t = this.truncation!;
    const added = addSpecial ? addedCount(this.template(n2 !== null)) : 0;
    const max = Math.max(0, t.maxLength - added);
    if (n2 === null) return [Math.min(n1, max), 0];
    if (n1 + n2 <= max) return [n1, n2];
    const toRemove = n1 + n2 - max;
    switch (t.strategy) {
      case 'longest-first': {
        let a = n1;
        let b = n2;
        let swap = false;
        if (a > b) {
          swap = true;
          [a, b] = [b, a];
        }
        if (a > max) b = a;
        else b = Math.max(a, max - a);
        if (a + b > max) {
          a = Math.floor(max / 2);
          b = a + (max % 2);
        }
        return swap ? [b, a] : [a, b];
      }
      case 'only-first':
        if (n1 <= toRemove)
          throw new OptionError(
            'truncation',
            'the first sequence is not long enough to be truncated',
            'use strategy longest-first',
          );
        return [n1 - toRemove, n2];
      case 'only-second':
        if (n2 <= toRemove)
          throw new OptionError(
            'truncation',
            'the second sequence is not long enough to be truncated',
            'use strategy longest-first',
          );
        return [n1, n2 - toRemove];
    }
  }

  /** Token ids of `text` (special tokens, truncation and padding as configured). */
  encode(text: string, opts: EncodeOptions = {}): number[] {
    const addSpecial = opts.addSpecialTokens ?? true;
    let ids = this.sequenceIds(text);
    if (this.truncation) {
      const [keep] = this.budgets(ids.length, null, addSpecial);
      if (keep < ids.length) ids = this.truncation.direction === 'right' ? ids.slice(0, keep) : ids.slice(ids.length - keep);
    }
    ids = templateIds(this.template(false), ids, null, addSpecial);
    if (this.padding?.strategy.kind === 'fixed') ids = padIds(ids, paddedLength(this.padding, ids.length), this.padding);
    else if (this.padding?.padToMultipleOf) ids = padIds(ids, paddedLength(this.padding, ids.length), this.padding);
    return ids;
  }

  /** Ids, tokens, offsets, masks and overflowing windows of `text` (and an optional pair). */
  encodeWithDetails(text: string, opts: EncodeDetailsOptions = {}): Encoding {
    const e = this.encodeDetailsUnpadded(text, opts);
    if (this.padding) padEncoding(e, paddedLength(this.padding, e.ids.length), this.padding);
    return e;
  }

  private encodeDetailsUnpadded(text: string, opts: EncodeDetailsOptions): MutableEncoding {
    const addSpecial = opts.addSpecialTokens ?? true;
    let a = this.sequenceEncoding(text, 0);
    let b = opts.pair === undefined ? null : this.sequenceEncoding(opts.pair, 1);
    if (this.truncation) {
      const [ka, kb] = this.budgets(a.ids.length, b ? b.ids.length : null, addSpecial);
      const { stride, direction } = this.truncation;
      if (ka < a.ids.length) a = truncateEncoding(a, ka, stride, direction);
      if (b && kb < b.ids.length) b = truncateEncoding(b, kb, stride, direction);
    }
    const items = this.template(b !== null);
    const out = templateEncoding(items, a, b, addSpecial);
    for (const o of a.overflowing) out.overflowing.push(templateEncoding(items, o, b, addSpecial));
    if (b) for (const o of b.overflowing) out.overflowing.push(templateEncoding(items, a, o, addSpecial));
    return out;
  }

  /** Encodes many texts; with BatchLongest padding every row is padded to the longest. */
  encodeBatch(texts: readonly string[], opts: EncodeOptions = {}): number[][] {
    const pad = this.padding;
    this.padding = pad && pad.strategy.kind === 'fixed' ? pad : null;
    let rows: number[][];
    try {
      rows = texts.map((t) => this.encode(t, opts));
    } finally {
      this.padding = pad;
    }
    if (pad && pad.strategy.kind === 'batch-longest') {
      const longest = rows.reduce((m, r) => Math.max(m, r.length), 0);
      const len = paddedLength(pad, longest);
      rows = rows.map((r) => padIds(r, len, pad));
    }
    return rows;
  }

  /** {@link encodeWithDetails} for many texts, padded together when padding is set. */
  encodeBatchWithDetails(texts: readonly string[], opts: EncodeOptions = {}): Encoding[] {
    const rows = texts.map((t) => this.encodeDetailsUnpadded(t, opts));
    if (this.padding) {
      const longest = rows.reduce((m, r) => Math.max(m, r.ids.length), 0);
      const len = paddedLength(this.padding, longest);
      for (const r of rows) padEncoding(r, len, this.padding);
    }
    return rows;
  }

  /** Token strings of ids, as the decoder receives them (unknown ids are skipped, like HF). */
  idsToTokens(ids: ArrayLike<number>, skipSpecialTokens = false): string[] {
    const tokens: string[] = [];
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      if (skipSpecialTokens && this.specialIds.has(id)) continue;
      const t = this.idToToken(id);
      if (t !== undefined) tokens.push(t);
    }
    return tokens;
  }

  /** Text of token ids. */
  decode(ids: ArrayLike<number>, opts: DecodeOptions = {}): string {
    const tokens = this.idsToTokens(ids, opts.skipSpecialTokens ?? false);
    const d = this.parts.decoder;
    return d ? d.decodeChain(tokens).join('') : tokens.join(' ');
  }

  /** Streaming decoder: push ids as they are generated, get text that is final (whole characters only). */
  createStreamDecoder(opts: DecodeOptions = {}): TokenStreamDecoder {
    return createWindowStreamDecoder((ids, o) => this.decode(ids, o), opts);
  }
}
