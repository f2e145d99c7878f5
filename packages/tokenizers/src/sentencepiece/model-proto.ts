import { InvalidFileError } from '@weft/core';
import { ProtoReader } from './protobuf.js';

/** SentencePiece piece types (`ModelProto.SentencePiece.Type`). */
export type PieceType = 'normal' | 'unknown' | 'control' | 'user-defined' | 'unused' | 'byte';

const PIECE_TYPES: Record<number, PieceType> = {
  1: 'normal',
  2: 'unknown',
  3: 'control',
  4: 'user-defined',
  5: 'unused',
  6: 'byte',
};

/** The algorithm of a model (`TrainerSpec.model_type`). */
export type SentencePieceModelType = 'unigram' | 'bpe' | 'word' | 'char';
const MODEL_TYPES: Record<number, SentencePieceModelType> = { 1: 'unigram', 2: 'bpe', 3: 'word', 4: 'char' };

/** The parts of a `.model` file that encoding and decoding depend on. */
export interface SentencePieceModelProto {
  readonly pieces: readonly { readonly piece: string; readonly score: number; readonly type: PieceType }[];
  readonly modelType: SentencePieceModelType;
  readonly byteFallback: boolean;
  readonly treatWhitespaceAsSuffix: boolean;
  readonly unkId: number;
  readonly bosId: number;
  readonly eosId: number;
  readonly padId: number;
  readonly unkSurface: string;
  readonly normalizer: {
    readonly name: string;
    readonly precompiledCharsmap: Uint8Array | undefined;
    readonly addDummyPrefix: boolean;
    readonly removeExtraWhitespaces: boolean;
    readonly escapeWhitespaces: boolean;
  };
}

const utf8 = /* @__PURE__ */ new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function text(r: ProtoReader, range: [number, number], what: string): string {
  try {
    return utf8.decode(r.buf.subarray(range[0], range[1]));
  } catch {
    return r.fail(`${what} is not valid UTF-8`);
  }
}

function expectWire(r: ProtoReader, wire: number, want: number, field: string): void {
  if (wire !== want) r.fail(`field ${field} has wire type ${wire}, expected ${want}`);
}

/**
 * Parses a SentencePiece `.model` (protobuf `ModelProto`) by hand.
 * Throws {@link InvalidFileError} naming `fileName` for truncated or non-SentencePiece bytes.
 */
export function parseSentencePieceModel(bytes: Uint8Array, fileName = 'tokenizer.model'): SentencePieceModelProto {
  const r = new ProtoReader(bytes, fileName);
  if (bytes.length === 0) r.fail('the file is empty');
  const pieces: { piece: string; score: number; type: PieceType }[] = [];
  let modelType: SentencePieceModelType = 'unigram';
  let byteFallback = false;
  let treatWhitespaceAsSuffix = false;
  let unkId = 0;
  let bosId = 1;
  let eosId = 2;
  let padId = -1;
  let unkSurface = ' \u2047 ';
  const normalizer = {
    name: '',
    precompiledCharsmap: undefined as Uint8Array | undefined,
    addDummyPrefix: true,
    removeExtraWhitespaces: true,
    escapeWhitespaces: true,
  };
  while (!r.done) {
    const [field, wire] = r.tag();
    if (field === 1) {
      expectWire(r, wire, 2, 'pieces');
      const p = r.sub(r.bytes());
      let piece: string | undefined;
      let score = 0;
      let type: PieceType = 'normal';
      while (!p.done) {
        const [f, w] = p.tag();
        if (f === 1 && w === 2) piece = text(p, p.bytes(), 'a piece');
        else if (f === 2 && w === 5) score = p.float32();
        else if (f === 3 && w === 0) {
          const t = p.varint();
          type = PIECE_TYPES[t] ?? p.fail(`unknown piece type ${t}`);
        } else p.skip(w);
      }
      const pieceText = piece || r.fail(`piece ${pieces.length} has no text`);
      pieces.push({ piece: pieceText, score, type });
    } else if (field === 2) {
      expectWire(r, wire, 2, 'trainer_spec');
      const t = r.sub(r.bytes());
      while (!t.done) {
        const [f, w] = t.tag();
        if (w === 0 && f === 3) {
          const m = t.varint();
          modelType = MODEL_TYPES[m] ?? t.fail(`unknown model type ${m}`);
        } else if (w === 0 && f === 35) byteFallback = t.varint() !== 0;
        else if (w === 0 && f === 24) treatWhitespaceAsSuffix = t.varint() !== 0;
        else if (w === 0 && f === 40) unkId = t.int32();
        else if (w === 0 && f === 41) bosId = t.int32();
        else if (w === 0 && f === 42) eosId = t.int32();
        else if (w === 0 && f === 43) padId = t.int32();
        else if (w === 2 && f === 44) unkSurface = text(t, t.bytes(), 'unk_surface');
        else t.skip(w);
      }
    } else if (field === 3) {
      expectWire(r, wire, 2, 'normalizer_spec');
      const n = r.sub(r.bytes());
      while (!n.done) {
        const [f, w] = n.tag();
        if (f === 1 && w === 2) normalizer.name = text(n, n.bytes(), 'normalizer name');
        else if (f === 2 && w === 2) {
          const [a, b] = n.bytes();
          normalizer.precompiledCharsmap = bytes.subarray(a, b);
        } else if (f === 3 && w === 0) normalizer.addDummyPrefix = n.varint() !== 0;
        else if (f === 4 && w === 0) normalizer.removeExtraWhitespaces = n.varint() !== 0;
        else if (f === 5 && w === 0) normalizer.escapeWhitespaces = n.varint() !== 0;
        else n.skip(w);
      }
    } else r.skip(wire);
  }
  const hint = 'pass an intact SentencePiece .model file';
  if (pieces.length === 0) throw new InvalidFileError(fileName, 'has no pieces (is it a SentencePiece model?)', hint);
  for (const [name, id] of [
    ['unk_id', unkId],
    ['bos_id', bosId],
    ['eos_id', eosId],
    ['pad_id', padId],
  ] as const) {
    if (id < -1 || id >= pieces.length)
      throw new InvalidFileError(fileName, `${name} ${id} is outside the ${pieces.length} pieces`, hint);
  }
  if (unkId < 0 || pieces[unkId]!.type !== 'unknown')
    throw new InvalidFileError(fileName, `unk_id ${unkId} is not an UNKNOWN piece`, hint);
  return { pieces, modelType, byteFallback, treatWhitespaceAsSuffix, unkId, bosId, eosId, padId, unkSurface, normalizer };
}
