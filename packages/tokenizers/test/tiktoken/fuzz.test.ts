import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytePairMergeHeap, bytePairMergeLinear, bytePairMergeReference } from '../../src/tiktoken/bpe.js';
import { isUnicode17Addition } from '../../src/tiktoken/classes.js';
import { TIKTOKEN_ENCODINGS } from '../../src/tiktoken/presets.js';
import { cl100kScanner, gpt2Scanner, o200kScanner, type PieceScanner, regexScanner } from '../../src/tiktoken/scanner.js';
import { ENCODINGS, openai, weft } from './helpers.js';

// Budget: 4 × 15,000 round trips + 3 × 8,000 scanner checks + 4 × 4,000 WASM parity = 100,000 strings.
const seed = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);
console.log(`fast-check seed ${seed} (set FC_SEED to replay)`);

/** Characters where the split patterns have edge cases, mixed with arbitrary code points. */
const tricky = fc.constantFrom(
  ' ',
  '  ',
  '\n',
  '\r',
  '\t',
  '\u000b',
  '\u0085',
  '\u00a0',
  '\u2028',
  '\u3000',
  '\ufeff',
  "'",
  "'s",
  "'S",
  "'ſ",
  "'ll",
  "'LL",
  "'Re",
  "'ve",
  "'d",
  "'m",
  "'t",
  'ſ',
  'a',
  'Z',
  'hello',
  'World',
  'ÉCOLE',
  'ǅ',
  'ʰ',
  '中',
  'ー',
  '\u0301',
  '\u0903',
  '\u20dd',
  '0',
  '12345',
  '١',
  '²',
  'Ⅻ',
  '𝟙',
  '!',
  '...',
  '/',
  '//',
  '-',
  '😀',
  '👨‍👩‍👧',
  '🇯🇵',
  '\ud800',
  '\udc00',
);
/** Any code point, or only the BMP. */
const text = (maxLength: number, anyPlane = true) =>
  fc.string({
    unit: fc.oneof(
      { weight: 3, arbitrary: tricky },
      {
        weight: 1,
        arbitrary: anyPlane
          ? fc.string({ unit: 'binary', maxLength: 1 })
          : fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
      },
    ),
    maxLength,
  });

describe.each(ENCODINGS)('tiktoken %s fuzz', (name) => {
  it('never throws and decode(encode(x)) === x (lone surrogates → U+FFFD) on 15,000 strings', () => {
    const enc = weft(name);
    fc.assert(
      fc.property(text(40), (s) => {
        expect(enc.decode(enc.encodeOrdinary(s))).toBe(s.toWellFormed());
      }),
      { numRuns: 15_000, seed },
    );
  });
  it('matches OpenAI tiktoken on 4,000 random strings', () => {
    const enc = weft(name);
    const ref = openai(name);
    fc.assert(
      fc.property(fc.oneof(text(30, false), text(30)), (s) => {
        expect(enc.encodeOrdinary(s)).toEqual([...ref.encode_ordinary(s)]);
      }),
      { numRuns: 4_000, seed },
    );
  });
});

function pieces(scan: PieceScanner, s: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < s.length; ) {
    const e = scan(s, i, s.length);
    out.push(s.slice(i, e));
    i = e;
  }
  return out;
}

describe('hand-written scanners equal the split pattern run as a RegExp', () => {
  const cases: [string, PieceScanner, string][] = [
    ['gpt2', gpt2Scanner(), TIKTOKEN_ENCODINGS.r50k_base.pattern],
    ['cl100k', cl100kScanner(), TIKTOKEN_ENCODINGS.cl100k_base.pattern],
    ['o200k', o200kScanner(), TIKTOKEN_ENCODINGS.o200k_base.pattern],
  ];
  it.each(cases)('%s on 8,000 strings', (_, fast, pattern) => {
    const ref = regexScanner(pattern);
    fc.assert(
      fc.property(text(40), (raw) => {
        // The RegExp uses the engine's Unicode tables; the scanners classify Unicode 17 additions
        // as unassigned (as tiktoken does), so those code points are replaced here.
        const s = [...raw.toWellFormed()].map((c) => (isUnicode17Addition(c.codePointAt(0)!) ? '\ufffd' : c)).join('');
        expect(pieces(fast, s)).toEqual(pieces(ref, s));
      }),
      { numRuns: 8_000, seed },
    );
  });
});

describe('byte-pair merge: linear and heap versions equal the O(n²) reference', () => {
  it('on random byte strings and long runs with cl100k ranks', () => {
    const enc = weft('cl100k_base');
    // The reference looks ranks up in a plain Map of latin1 strings built from the decoded tokens.
    const map = new Map<string, number>();
    for (let id = 0; id < 100256; id++) map.set(String.fromCharCode(...enc.tokenBytesOf(id)), id);
    const reference = (b: Uint8Array, x: number, y: number) => map.get(String.fromCharCode(...b.subarray(x, y))) ?? -1;
    const table = (enc as unknown as { rankOf: (b: Uint8Array, x: number, y: number) => number }).rankOf;
    const alphabet = fc.constantFrom(...'aaabbe ert\u00e4\u00ff\u0080in'.split(''));
    fc.assert(
      fc.property(fc.string({ unit: alphabet, minLength: 2, maxLength: 300 }), (piece) => {
        const bytes = new TextEncoder().encode(piece);
        const n = bytes.length;
        const want = bytePairMergeReference(bytes, n, reference);
        const a: number[] = [];
        const b: number[] = [];
        bytePairMergeLinear(bytes, n, table, a);
        bytePairMergeHeap(bytes, n, table, b);
        expect(a).toEqual(want);
        expect(b).toEqual(want);
      }),
      { numRuns: 300, seed },
    );
  });
});
