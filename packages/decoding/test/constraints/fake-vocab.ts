import { XorShiftRng } from '@weft/core';
import { TokenVocabulary } from '@weft/decoding';

/**
 * A byte-complete vocabulary like a small BPE: ids 0..255 are single bytes, then JSON-ish
 * pieces, multi-byte characters split at odd places, and random ASCII chunks. Last id = EOS.
 */
export function fakeVocabulary(seed = 7, randomChunks = 300): { vocab: TokenVocabulary; pieces: (Uint8Array | undefined)[] } {
  const rng = new XorShiftRng(seed);
  const enc = new TextEncoder();
  const pieces: (Uint8Array | undefined)[] = [];
  for (let b = 0; b < 256; b++) pieces.push(Uint8Array.of(b));
  const words = [
    '{"',
    '"}',
    '":',
    '",',
    '","',
    'true',
    'false',
    'null',
    '[',
    '],',
    '{',
    '}',
    ' ',
    '  ',
    '\n',
    ',"',
    '0',
    '12',
    '-1',
    '.5',
    'e+',
    'name',
    'age',
    'cat',
    'dog',
    '"name":"',
    'é',
    '😀',
    '\\n',
    '\\"',
    '\\u00',
    'ab',
    'Ab',
    '-0',
    '99',
    ', ',
    '": ',
    ' {',
    '"a',
    'x"',
    'yy',
  ];
  for (const w of words) pieces.push(enc.encode(w));
  // A 4-byte character split 1+3 and 2+2, a 2-byte one split in two.
  const emoji = enc.encode('😀');
  pieces.push(emoji.subarray(0, 1), emoji.subarray(1), emoji.subarray(0, 2), emoji.subarray(2));
  const alphabet = 'abcdefxyzABZ0123456789 ,:{}[]"\\-.eE';
  for (let i = 0; i < randomChunks; i++) {
    const n = 2 + (rng.nextU32() % 5);
    let s = '';
    for (let k = 0; k < n; k++) s += alphabet[rng.nextU32() % alphabet.length];
    pieces.push(enc.encode(s));
  }
  pieces.push(undefined); // a special token that never appears in text
  pieces.push(undefined); // EOS
  const vocab = TokenVocabulary.fromBytes(pieces, [pieces.length - 1]);
  return { vocab, pieces };
}
