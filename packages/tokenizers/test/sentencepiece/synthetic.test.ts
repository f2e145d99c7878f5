import { describe, expect, it } from 'vitest';
import { loadSentencePiece } from '../../src/sentencepiece/index.js';

// A tiny protobuf writer, enough to build ModelProto files for behaviours the fixtures lack.
const enc = new TextEncoder();
function varint(n: number): number[] {
  const out: number[] = [];
  while (n > 127) {
    out.push((n & 127) | 128);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}
const field = (num: number, wire: number) => varint(num * 8 + wire);
const bytesField = (num: number, b: Uint8Array | number[]) => [...field(num, 2), ...varint(b.length), ...b];
const varintField = (num: number, v: number) => [...field(num, 0), ...varint(v)];
function floatField(num: number, v: number): number[] {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setFloat32(0, v, true);
  return [...field(num, 5), ...b];
}
type Type = 1 | 2 | 3 | 4 | 5 | 6;
function model(
  pieces: [string, number, Type][],
  modelType: number,
  normalizer: { addDummyPrefix?: boolean; removeExtra?: boolean } = {},
): Uint8Array {
  const out: number[] = [];
  for (const [p, score, type] of pieces)
    out.push(...bytesField(1, [...bytesField(1, enc.encode(p)), ...floatField(2, score), ...varintField(3, type)]));
  out.push(...bytesField(2, [...varintField(3, modelType)]));
  out.push(
    ...bytesField(3, [
      ...bytesField(1, enc.encode('identity')),
      ...varintField(3, normalizer.addDummyPrefix === false ? 0 : 1),
      ...varintField(4, normalizer.removeExtra ? 1 : 0),
    ]),
  );
  return Uint8Array.from(out);
}
const NORMAL = 1;
const UNKNOWN = 2;
const CONTROL = 3;
const USER = 4;
const UNUSED = 5;

describe('SentencePiece piece types on hand-built models', () => {
  const base: [string, number, Type][] = [
    ['<unk>', 0, UNKNOWN],
    ['<s>', 0, CONTROL],
    ['</s>', 0, CONTROL],
    ['\u2581', -1, NORMAL],
    ['a', -2, NORMAL],
    ['b', -2, NORMAL],
    ['c', -2, NORMAL],
    ['ab', -1.5, NORMAL],
    ['\u2581a', -1.2, NORMAL],
    ['<sep>', 0, USER],
  ];

  it('user-defined pieces are matched whole, never merged with neighbours, never normalized', () => {
    const tok = loadSentencePiece(model(base, 2), 'user.model');
    // '▁a' (-1.2) outscores 'ab' (-1.5) at the start; after <sep> there is no '▁', so 'ab' forms.
    expect(tok.encodeAsPieces('ab<sep>ab')).toEqual(['\u2581a', 'b', '<sep>', 'ab']);
    expect(tok.encodeAsPieces('a<sep>')).toEqual(['\u2581a', '<sep>']);
    expect(tok.pieceType(tok.tokenToId('<sep>')!)).toBe('user-defined');
    // Control pieces in the text are plain characters: < and > are unknown here and fuse into one <unk> each run.
    const ids = tok.encode('<s>', { addSpecialTokens: false });
    expect(ids).not.toContain(1);
    expect(ids.filter((id) => id === 0).length).toBeGreaterThan(0);
    expect(tok.decode(tok.encode('ab<sep>c'), { skipSpecialTokens: true })).toBe('ab<sep>c');
  });

  it('unigram models honour user-defined pieces too', () => {
    const tok = loadSentencePiece(model(base, 1), 'user-unigram.model');
    expect(tok.encodeAsPieces('ab<sep>c')).toEqual(['\u2581', 'ab', '<sep>', 'c']);
  });

  it('UNUSED pieces are merged through and then split back (BPE resegmentation)', () => {
    const pieces = base.map(([p, s, t]) => [p, s, p === 'ab' ? UNUSED : t] as [string, number, Type]);
    const tok = loadSentencePiece(model(pieces, 2), 'unused.model');
    expect(tok.encodeAsPieces('cab')).toEqual(['\u2581', 'c', 'a', 'b']);
    expect(loadSentencePiece(model(base, 2)).encodeAsPieces('cab')).toEqual(['\u2581', 'c', 'ab']);
  });

  it('add_dummy_prefix off, and unknown characters fused into one <unk>', () => {
    const tok = loadSentencePiece(model(base, 2, { addDummyPrefix: false }), 'nodummy.model');
    expect(tok.encodeAsPieces('ab')).toEqual(['ab']);
    expect(tok.encode('xyz ab', { addSpecialTokens: false })).toEqual([0, 8, 5]);
    expect(tok.decode([0, 8, 5])).toBe(' \u2047  ab');
  });

  it('remove_extra_whitespaces collapses and trims spaces', () => {
    const tok = loadSentencePiece(model(base, 2, { removeExtra: true }), 'ws.model');
    expect(tok.normalize('  ab   c  ')).toBe('\u2581ab\u2581c');
  });

  it('word and char model types', () => {
    const char = loadSentencePiece(model(base, 4), 'char.model');
    expect(char.encodeAsPieces('ab')).toEqual(['\u2581', 'a', 'b']);
    const word = loadSentencePiece(model([...base, ['\u2581ab', -1, NORMAL]], 3), 'word.model');
    expect(word.encodeAsPieces('ab ab')).toEqual(['\u2581ab', '\u2581ab']);
  });

  it('a model whose unk_id is not an UNKNOWN piece is refused', () => {
    const pieces = base.map(([p, s, t]) => [p, s, t === UNKNOWN ? NORMAL : t] as [string, number, Type]);
    expect(() => loadSentencePiece(model(pieces, 2), 'nounk.model')).toThrowError(/unk_id 0 is not an UNKNOWN piece/);
  });
});
