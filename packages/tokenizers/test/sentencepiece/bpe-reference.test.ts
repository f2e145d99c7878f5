import { readFileSync } from 'node:fs';
import { fixture } from '@weft/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bpeSegment, bpeSegmentReference, type SegmenterVocab } from '../../src/sentencepiece/bpe.js';
import { parseSentencePieceModel } from '../../src/sentencepiece/model-proto.js';

describe('SentencePiece BPE: heap segmenter equals the O(n²) reference', () => {
  it('on random ▁-joined strings with the Llama-2 vocabulary, with and without UNUSED pieces', () => {
    const proto = parseSentencePieceModel(readFileSync(fixture('llama2/tokenizer.model')));
    const n = proto.pieces.length;
    const pieces = new Map<string, number>();
    const scores = new Float32Array(n);
    proto.pieces.forEach((p, id) => {
      scores[id] = p.score;
      if (p.type === 'normal' && !pieces.has(p.piece)) pieces.set(p.piece, id);
    });
    // Mark a few frequent merges UNUSED so the resegmentation path runs too.
    const unused = new Uint8Array(n);
    for (const p of ['▁t', 'he', 'in', '▁a', 'er']) unused[pieces.get(p)!] = 1;
    const vocabs: SegmenterVocab[] = [
      { pieces, scores, unused: new Uint8Array(n), userDefined: new Uint8Array(n) },
      { pieces, scores, unused, userDefined: new Uint8Array(n) },
    ];
    const split = (text: string) => {
      const starts: number[] = [];
      for (let i = 0; i < text.length; i += text.codePointAt(i)! > 0xffff ? 2 : 1) starts.push(i);
      return { starts, frozen: starts.map(() => false) };
    };
    const unit = fc.constantFrom('▁', 'the', 'in', 'a', 'e', 'r', 'ing', 'x', 'é', '中', '🙂', 'q', 'he');
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 60 }), fc.integer({ min: 0, max: 1 }), (text, v) => {
        expect(bpeSegment(text, vocabs[v]!, split)).toEqual(bpeSegmentReference(text, vocabs[v]!, split));
      }),
      { numRuns: 2000 },
    );
  });
});
