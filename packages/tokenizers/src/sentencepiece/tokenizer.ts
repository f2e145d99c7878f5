import {
  type DecodeOptions,
  type EncodeOptions,
  OutOfRangeError,
  type SpecialTokenIds,
  type Tokenizer,
  type TokenStreamDecoder,
} from '@weft/core';
import { createWindowStreamDecoder } from '../common/stream-decoder.js';
import { wellFormed } from '../common/utf8.js';
import { bpeSegment, type Segment, type SegmenterVocab, type SymbolSplitter } from './bpe.js';
import { type PieceType, parseSentencePieceModel, type SentencePieceModelProto } from './model-proto.js';
import { SentencePieceNormalizer, SPACE_SYMBOL } from './normalizer.js';
import { PieceTrie, unigramSegment } from './unigram.js';

/** Segmentation of normalized text by one model type (a factory per family, see {@link createSegmenter}). */
type Segmenter = (normalized: string) => Segment[];

/**
 * A SentencePiece `.model` (BPE, Unigram, word or char) implementing weft's {@link Tokenizer}:
 * the model's own normalizer (precompiled charsmap, e.g. NFKC; extra-whitespace removal; dummy
 * prefix), byte fallback, user-defined / control / unknown / unused pieces.
 *
 * `encode` adds BOS when the model has one and `addSpecialTokens` is not false (as Llama's
 * Hugging Face tokenizers do); SentencePiece itself adds nothing. Consecutive unknown pieces
 * fuse into one `<unk>`, as in `SentencePieceProcessor`.
 */
export class SentencePieceTokenizer implements Tokenizer {
  readonly vocabSize: number;
  readonly special: SpecialTokenIds;
  readonly model: SentencePieceModelProto;
  private readonly pieceToId = new Map<string, number>();
  private readonly types: PieceType[];
  private readonly byteIds = new Int32Array(256).fill(-1);
  private readonly byteOf: Int16Array;
  private readonly normalizer: SentencePieceNormalizer;
  private readonly segment: Segmenter;
  private readonly utf8 = new TextEncoder();
  private readonly utf8Decoder = new TextDecoder('utf-8', { ignoreBOM: true });

  constructor(model: SentencePieceModelProto, fileName = 'tokenizer.model') {
    this.model = model;
    const n = model.pieces.length;
    this.vocabSize = n;
    this.types = model.pieces.map((p) => p.type);
    this.byteOf = new Int16Array(n).fill(-1);
    const segPieces = new Map<string, number>();
    const scores = new Float32Array(n);
    const unused = new Uint8Array(n);
    const userDefined = new Uint8Array(n);
    const normal = new Uint8Array(n);
    const users: string[] = [];
    for (let id = 0; id < n; id++) {
      const { piece, score, type } = model.pieces[id]!;
      if (!this.pieceToId.has(piece)) this.pieceToId.set(piece, id);
      scores[id] = score;
      if (type === 'normal' || type === 'user-defined' || type === 'unused') {
        if (!segPieces.has(piece)) segPieces.set(piece, id);
      }
      if (type === 'unused') unused[id] = 1;
      if (type === 'normal') normal[id] = 1;
      if (type === 'user-defined') {
        userDefined[id] = 1;
        users.push(piece);
      }
      if (type === 'byte') {
        const m = /^<0x([0-9A-Fa-f]{2})>$/.exec(piece);
        if (m) {
          const b = Number.parseInt(m[1]!, 16);
          this.byteIds[b] = id;
          this.byteOf[id] = b;
        }
      }
    }
    const userMatcher = users.length ? longestMatcher(users) : undefined;
    this.normalizer = new SentencePieceNormalizer(model, fileName, userMatcher);
    const vocab: SegmenterVocab = { pieces: segPieces, scores, unused, userDefined };
    this.segment = createSegmenter(model.modelType, vocab, normal, symbolSplitter(userMatcher));
    const special: { bos?: number; eos?: number; pad?: number; unk?: number } = { unk: model.unkId };
    if (model.bosId >= 0) special.bos = model.bosId;
    if (model.eosId >= 0) special.eos = model.eosId;
    if (model.padId >= 0) special.pad = model.padId;
    this.special = special;
  }

  /** The model's normalization of `text` (spaces as `▁` when the model escapes them). */
  normalize(text: string): string {
    return this.normalizer.normalize(wellFormed(text));
  }

  /** Segments text into pieces (after normalization), without BOS. */
  encodeAsPieces(text: string): string[] {
    return this.encodeOrdinary(text).map((id) => this.model.pieces[id]!.piece);
  }

  /** Ids of `text`, without BOS/EOS. */
  encodeOrdinary(text: string): number[] {
    const normalized = this.normalize(text);
    const out: number[] = [];
    const unk = this.model.unkId;
    for (const seg of this.segment(normalized)) {
      let id = seg.id;
      if (id < 0) {
        const own = this.pieceToId.get(seg.piece);
        id = own !== undefined && this.types[own] !== 'byte' ? own : unk;
      }
      if (id === unk && this.model.byteFallback) {
        let all = true;
        const bytes = this.utf8.encode(seg.piece);
        for (const b of bytes) if (this.byteIds[b]! < 0) all = false;
        if (all) {
          for (const b of bytes) out.push(this.byteIds[b]!);
          continue;
        }
      }
      // Consecutive unknown pieces become one <unk>.
      if (id === unk && out.length > 0 && out[out.length - 1] === unk) continue;
      out.push(id);
    }
    return out;
  }

  /** Encodes text; with `addSpecialTokens` (default true) BOS comes first when the model has one. */
  encode(text: string, opts: EncodeOptions = {}): number[] {
    const ids = this.encodeOrdinary(text);
    if (opts.addSpecialTokens !== false && this.model.bosId >= 0) ids.unshift(this.model.bosId);
    return ids;
  }

  /**
   * Decodes ids: `▁` becomes a space, byte pieces are joined into UTF-8 (invalid bytes become
   * U+FFFD), unknown pieces print as the model's unk surface (` ⁇ `), control pieces print
   * their text unless `skipSpecialTokens`. The dummy-prefix space of the first piece is dropped.
   */
  decode(ids: ArrayLike<number>, opts: DecodeOptions = {}): string {
    let out = '';
    let pending: number[] = [];
    let first = true;
    const flushBytes = () => {
      if (pending.length) {
        out += this.utf8Decoder.decode(Uint8Array.from(pending));
        pending = [];
      }
    };
    for (let k = 0; k < ids.length; k++) {
      const id = ids[k]!;
      if (!Number.isInteger(id) || id < 0 || id >= this.vocabSize)
        throw new OutOfRangeError(`token id ${id} is outside the ${this.vocabSize} pieces`, 'pass ids produced by this model');
      const type = this.types[id]!;
      if (type === 'byte' && this.byteOf[id]! >= 0) {
        pending.push(this.byteOf[id]!);
        first = false;
        continue;
      }
      flushBytes();
      if (type === 'control') {
        if (!opts.skipSpecialTokens) out += this.model.pieces[id]!.piece;
        continue;
      }
      let text = type === 'unknown' ? this.model.unkSurface : this.model.pieces[id]!.piece.replaceAll(SPACE_SYMBOL, ' ');
      if (
        first &&
        this.model.normalizer.addDummyPrefix &&
        !this.model.treatWhitespaceAsSuffix &&
        text.startsWith(' ') &&
        type !== 'unknown'
      )
        text = text.slice(1);
      first = false;
      out += text;
    }
    flushBytes();
    if (this.model.treatWhitespaceAsSuffix && this.model.normalizer.addDummyPrefix && out.endsWith(' ')) out = out.slice(0, -1);
    return out;
  }

  idToToken(id: number): string | undefined {
    return this.model.pieces[id]?.piece;
  }

  tokenToId(token: string): number | undefined {
    return this.pieceToId.get(token);
  }

  /** The type of a piece (normal, unknown, control, user-defined, unused, byte). */
  pieceType(id: number): PieceType | undefined {
    return this.types[id];
  }

  createStreamDecoder(opts: DecodeOptions = {}): TokenStreamDecoder {
    return createWindowStreamDecoder((ids, o) => this.decode(ids, o), opts);
  }
}

/** Longest user-defined symbol at a position (0 if none). */
function longestMatcher(symbols: string[]): (text: string, pos: number) => number {
  const byFirst = new Map<number, string[]>();
  for (const s of symbols) {
    const c = s.charCodeAt(0);
    const list = byFirst.get(c) ?? [];
    list.push(s);
    byFirst.set(c, list);
  }
  for (const list of byFirst.values()) list.sort((a, b) => b.length - a.length);
  return (text, pos) => {
    const list = byFirst.get(text.charCodeAt(pos));
    if (!list) return 0;
    for (const s of list) if (text.startsWith(s, pos)) return s.length;
    return 0;
  };
}

/** Characters (code points) as initial symbols, user-defined symbols whole and frozen. */
function symbolSplitter(user: ((text: string, pos: number) => number) | undefined): SymbolSplitter {
  return (text) => {
    const starts: number[] = [];
    const frozen: boolean[] = [];
    for (let i = 0; i < text.length; ) {
      starts.push(i);
      const u = user ? user(text, i) : 0;
      if (u > 0) {
        frozen.push(true);
        i += u;
        continue;
      }
      frozen.push(false);
      const c = text.charCodeAt(i);
      i += c >= 0xd800 && c < 0xdc00 && i + 1 < text.length ? 2 : 1;
    }
    return { starts, frozen };
  };
}

/** The segmenter for a model type (throws on an unknown one). */
function createSegmenter(
  type: SentencePieceModelProto['modelType'],
  vocab: SegmenterVocab,
  normal: Uint8Array,
  split: SymbolSplitter,
): Segmenter {
  switch (type) {
    case 'bpe':
      return (text) => bpeSegment(text, vocab, split);
    case 'unigram': {
      const trie = new PieceTrie(vocab, normal);
      return (text) => unigramSegment(text, trie, split);
    }
    case 'char':
      return (text) => {
        const { starts } = split(text);
        return starts.map((s, k) => {
          const piece = text.slice(s, k + 1 < starts.length ? starts[k + 1] : text.length);
          return { piece, id: vocab.pieces.get(piece) ?? -1 };
        });
      };
    case 'word':
      return (text) =>
        (text.match(/\u2581?[^\u2581]+|\u2581+/g) ?? []).map((piece) => ({ piece, id: vocab.pieces.get(piece) ?? -1 }));
    default:
      throw new OutOfRangeError(`model type ${String(type)}`);
  }
}

/**
 * Loads a SentencePiece `.model` file.
 *
 * @example
 * const tok = loadSentencePiece(await readFile('tokenizer.model'), 'tokenizer.model');
 * tok.encode('Hello world'); // [1, 15043, 3186]
 */
export function loadSentencePiece(bytes: Uint8Array, fileName = 'tokenizer.model'): SentencePieceTokenizer {
  return new SentencePieceTokenizer(parseSentencePieceModel(bytes, fileName), fileName);
}
