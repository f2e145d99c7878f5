// Finds the code points whose split differs between weft and OpenAI's tiktoken (npm, Rust tables),
// by encoding a probe string around every code point. Prints them as ranges: the list that
// src/tiktoken/classes.ts keeps as UNICODE_17_ADDITIONS (after it is applied, the output is empty).
//   pnpm turbo run build --filter=@weft/tokenizers && node packages/tokenizers/scripts/tiktoken-unicode-probe.mjs
// Takes a few minutes.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadTiktoken } from '../dist/tiktoken/index.js';

const require = createRequire(new URL('../package.json', import.meta.url));
const fixtures = process.env.WEFT_FIXTURES ?? new URL('../../../../shared/fixtures/', import.meta.url).pathname;
const data = (name) =>
  name === 'r50k_base'
    ? `${fixtures}/gpt2/r50k_base.tiktoken`
    : new URL(`../node_modules/gpt-tokenizer/data/${name}.tiktoken`, import.meta.url).pathname;
const { get_encoding } = require('tiktoken');
const bad = {};
for (const name of ['r50k_base', 'cl100k_base', 'o200k_base']) {
  const enc = loadTiktoken(readFileSync(data(name)), name);
  const ref = get_encoding(name);
  const list = [];
  for (let cp = 0; cp < 0x110000; cp++) {
    if (cp >= 0xd800 && cp < 0xe000) continue;
    const c = String.fromCodePoint(cp);
    const probe = `${c}'S a${c}b 1${c}2 ${c}${c} x\n${c}\n`;
    const a = enc.encodeOrdinary(probe);
    const b = ref.encode_ordinary(probe);
    if (a.length !== b.length || a.some((v, i) => v !== b[i])) list.push(cp);
  }
  bad[name] = list;
  console.log(
    name,
    list.length,
    list
      .slice(0, 40)
      .map((x) => x.toString(16))
      .join(' '),
  );
}
const union = [...new Set([...bad.cl100k_base, ...bad.o200k_base])].sort((a, b) => a - b);
for (const [k, list] of [['union', union]]) {
  if (list.length === 0) {
    console.log('no differences');
    break;
  }
  const ranges = [];
  let s = list[0],
    p = list[0];
  for (const x of list.slice(1).concat([-1])) {
    if (x === p + 1) {
      p = x;
      continue;
    }
    ranges.push(s === p ? s.toString(16) : `${s.toString(16)}-${p.toString(16)}`);
    s = p = x;
  }
  console.log(k, ranges.join(' '));
}
