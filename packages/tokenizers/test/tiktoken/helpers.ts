import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { fixture } from '@weft/testing';
import { loadTiktoken, type TiktokenEncodingName, type TiktokenTokenizer } from '../../src/tiktoken/index.js';

/** Rank files: r50k from the fixtures, the others from gpt-tokenizer's shipped data (no download). */
export function rankFile(name: TiktokenEncodingName): string {
  if (name === 'r50k_base') return fixture('gpt2/r50k_base.tiktoken');
  return fileURLToPath(new URL(`../../node_modules/gpt-tokenizer/data/${name}.tiktoken`, import.meta.url));
}

const loaded = new Map<string, TiktokenTokenizer>();
export function weft(name: TiktokenEncodingName): TiktokenTokenizer {
  let t = loaded.get(name);
  if (!t) loaded.set(name, (t = loadTiktoken(readFileSync(rankFile(name)), name, `${name}.tiktoken`)));
  return t;
}

const require = createRequire(import.meta.url);
interface WasmEncoding {
  encode(text: string, allowed?: 'all' | string[], disallowed?: 'all' | string[]): Uint32Array;
  encode_ordinary(text: string): Uint32Array;
}
const wasm = new Map<string, WasmEncoding>();
/** OpenAI's tiktoken (Rust compiled to WASM): the ground truth. */
export function openai(name: TiktokenEncodingName): WasmEncoding {
  let e = wasm.get(name);
  if (!e) wasm.set(name, (e = require('tiktoken').get_encoding(name) as WasmEncoding));
  return e;
}

interface GptTokenizerModule {
  encode(text: string, opts?: { allowedSpecial?: Set<string>; disallowedSpecial?: Set<string> }): number[];
}
/** gpt-tokenizer (pure JS, uses JS regex semantics). */
export async function gptTokenizer(name: TiktokenEncodingName): Promise<GptTokenizerModule> {
  return (await import(`gpt-tokenizer/encoding/${name}`)) as GptTokenizerModule;
}

export const ENCODINGS: TiktokenEncodingName[] = ['r50k_base', 'p50k_base', 'cl100k_base', 'o200k_base'];

/** Hand-written hard cases: scripts, emoji, marks, bidi, controls, whitespace runs, long words. */
export function adversarialCorpus(): string[] {
  const out = [
    '',
    ' ',
    '  ',
    '\n',
    '\r\n\r\n',
    ' \n \n  \t\t x',
    'hello world',
    "I'm here, you're there; we'll see. It's THEY'RE & WE'LL 'S 'Ll 'ſ",
    "don't 'tis ''s '''t",
    '日本語のテキストと中文混合，还有한국어 텍스트。',
    '👨‍👩‍👧‍👦 family, 🏳️‍🌈 flag, 👍🏽 thumbs, 🇺🇸🇯🇵 flags',
    'e\u0301 a\u0308\u0304 Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǫ̗ combining',
    'مرحبا بالعالم שלום עולם \u202Ehidden\u202C',
    'ctrl \u0000\u0001\u0007\u001b[31m\u007f\u0085 nel \u00a0nbsp \u2028ls\u2029ps \ufeffbom \u3000ideo',
    'lone \ud800 high, \udc00 low, pair 😀 reversed \ude00\ud83d end\ud800',
    `${'a'.repeat(10000)}`,
    `${'abc '.repeat(50)}${'x'.repeat(3000)}y`,
    '0123456789 3.14159 1,000,000 ١٢٣٤ ߀߁ ²³ ½ Ⅻ 𝟘𝟙',
    '    indented code\n\tTab\n\n\n  trailing   ',
    'mixed/path/to/file.txt //comment /* c */ <|endoftext|>-like <|endoftext| |>',
    'ǅungla ǈ ǋ Ⅷ ᾈ ß ẞ İstanbul ΣΑΣ σας',
    'ｆｕｌｌｗｉｄｔｈ ＡＢＣ １２３ ﬁ ﬀ',
    'URL https://example.com/a?b=c&d=e#f email a.b+c@d.co',
    '\t\t\t\n\n\n\r\r \u000b\u000c',
    `${'🙂'.repeat(500)}`,
    `${' '.repeat(1000)}x${'\n'.repeat(100)}`,
    'Ⴀა ᏣᎳᎩ ꓐꓑ 𐐀𐐨 ᏸ',
    "'S'T'RE'VE'M'LL'D's't're've'm'll'd",
    'a\u0300\u0300\u0300\u0300 b\u20dd \u0903x \u093f',
  ];
  // Digits and punctuation runs of every length up to 12.
  for (let k = 1; k <= 12; k++) out.push(`${'9'.repeat(k)} ${'!'.repeat(k)}${'/'.repeat(k)}`);
  return out;
}

/** The test inputs from llama.cpp's tokenizer tests (46 strings). */
export function llamaCppInputs(): string[] {
  return readFileSync(fixture('tokenizer-test-vectors/ggml-vocab.gguf.inp'), 'utf8').split('\n__ggml_vocab_test__\n');
}

/** Fixture texts, cut into chunks (lines and paragraphs as separate strings, plus whole slices). */
export function fixtureTexts(): string[] {
  const out: string[] = [];
  for (const f of ['text/war-and-peace.txt', 'text/tinyshakespeare.txt', 'text/botchan.txt']) {
    const text = readFileSync(fixture(f), 'utf8');
    out.push(text.slice(0, 200_000));
    out.push(...text.slice(200_000, 260_000).split('\n\n'));
  }
  return out;
}

/** Index of the first difference, or -1. */
export function firstDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}
