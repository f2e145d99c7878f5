import { readFileSync } from 'node:fs';
import { XorShiftRng } from '@weft/core';
import { fixture } from '@weft/testing';

/** The tokenizer.json fixtures compared against HF `tokenizers`. */
export const JSON_FIXTURES = [
  'gpt2/tokenizer.json',
  'roberta-base/tokenizer.json',
  'phi-2/tokenizer.json',
  'whisper-tiny/tokenizer.json',
  'gpt-neox-20b/20B_tokenizer.json',
  'falcon-7b/tokenizer.json',
  'smollm-135m/tokenizer.json',
  'tiny-random-gpt2/tokenizer.json',
  'phi-3-mini/tokenizer.json',
  'mistral-7b-v0.1/tokenizer.json',
  't5-small/tokenizer.json',
  'bert-base-uncased/tokenizer.json',
] as const;

/**
 * Paragraphs (blank-line separated) of the fixture texts, up to `maxBytes` characters from
 * each file: war-and-peace (UTF-8 LF), tinyshakespeare (ASCII), botchan (BOM + CRLF).
 */
export function fixtureParagraphs(maxChars: number): string[] {
  const out: string[] = [];
  for (const f of ['text/war-and-peace.txt', 'text/tinyshakespeare.txt', 'text/botchan.txt']) {
    const text = readFileSync(fixture(f), 'utf8').slice(0, maxChars);
    for (const p of text.split(/\r?\n\r?\n/)) if (p.length > 0) out.push(p);
  }
  return out;
}

const CJK = '漢字仮名交じり文日本語中文简体繁體한국어텍스트';
const EMOJI = ['😀', '👍🏽', '👨‍👩‍👧‍👦', '🏳️‍🌈', '🇫🇷', '🥰', '🫠', '❤️', '🧑🏿‍💻'];
const COMBINING = ['\u0301', '\u0308', '\u0327', '\u0323\u0302', '\u20dd', '\u0e31', '\u094d'];
const RTL = ['שָׁלוֹם עולם', 'مرحبا بالعالم', '\u200fRTL\u200e', 'فارسی ۱۲۳'];
const CONTROL = [
  '\u0000',
  '\u0001',
  '\u0007',
  '\u001b[31m',
  '\u007f',
  '\u0085',
  '\u200b',
  '\u200d',
  '\ufeff',
  '\u2028',
  '\u2029',
  '\u00ad',
];
const SPACES = [' ', '  ', '   ', '\t', '\n', '\r\n', '\u00a0', '\u3000', '\u2003', ' \n ', '\n\n\n', '\t\t '];
const WORDS = [
  'hello',
  'World',
  "isn't",
  "I'll",
  'naïve',
  'café',
  'Straße',
  'ΣΊΣΥΦΟΣ',
  'İstanbul',
  'ǅemal',
  'ﬁne',
  '½',
  '²',
  'Ⅻ',
  '１２３',
  'x86_64',
  '<s>',
  '</s>',
  '<|endoftext|>',
  '[CLS]',
  '<pad>',
  '▁',
  '##ing',
  'Ġ',
];

/** A seeded adversarial corpus: CJK, emoji ZWJ sequences, combining marks, RTL, controls, lone surrogates, whitespace runs, long words, digits. */
export function adversarialCorpus(seed: number, count: number): string[] {
  const rng = new XorShiftRng(seed);
  const pick = <T>(a: readonly T[]): T => a[rng.nextU32() % a.length]!;
  const out: string[] = [
    'a'.repeat(10_000),
    'ab'.repeat(5_000),
    '9'.repeat(10_000),
    'Ж'.repeat(3_000),
    '😀'.repeat(2_000),
    ' '.repeat(5_000),
    'x' + '\u0301'.repeat(500),
    '\ud800',
    'a\udc00b',
    '\ud83d',
    '😀\ud83dx',
    '',
    ' ',
    '\n',
    '    indented code\n\tTab',
    'ÀÉÎõü ΣΑΣ σς İstanbul',
  ];
  const gens: Array<() => string> = [
    () => pick(WORDS),
    () => pick(SPACES),
    () => CJK.slice(rng.nextU32() % CJK.length, (rng.nextU32() % CJK.length) + 1),
    () => pick(EMOJI),
    () => pick(WORDS) + pick(COMBINING),
    () => pick(RTL),
    () => pick(CONTROL),
    () => String(rng.nextU32() % 1_000_000_007),
    () => String.fromCharCode(0xd800 + (rng.nextU32() % 0x800)), // lone surrogate (either half)
    () => String.fromCodePoint(rng.nextU32() % 0x3000),
    () => String.fromCodePoint(0x10000 + (rng.nextU32() % 0x20000)),
    () => pick(['.', ',', '!?', '...', '—', '"', "'", '(', ')', '$', '%', '#', '@', '&&', '::', '->', '«»', '¿']),
  ];
  while (out.length < count) {
    let s = '';
    const parts = 1 + (rng.nextU32() % 12);
    for (let i = 0; i < parts; i++) s += pick(gens)();
    out.push(s);
  }
  return out;
}

/** UTF-16 offsets → code point offsets (HF's Node binding reports code points). */
export function codePointIndex(text: string): (utf16: number) => number {
  const map = new Int32Array(text.length + 1);
  let cp = 0;
  for (let i = 0; i < text.length; i++) {
    map[i] = cp;
    const c = text.charCodeAt(i);
    if (!(c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00)) cp++;
    else {
      map[i + 1] = cp;
      i++;
      cp++;
    }
  }
  map[text.length] = cp;
  return (u) => map[u]!;
}
