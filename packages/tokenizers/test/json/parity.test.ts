/**
 * Parity with Hugging Face `tokenizers` (Rust, through its napi binding), live: every fixture
 * tokenizer.json, over fixture paragraphs plus a seeded adversarial corpus. Prints the number
 * of strings compared and the mismatches per tokenizer; the expectation is zero.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fixture } from '@weft/testing';
import { describe, expect, it } from 'vitest';
import { tokenizerFromJSON } from '../../src/json/index.js';
import { adversarialCorpus, fixtureParagraphs, JSON_FIXTURES } from './corpus.js';

interface HfEncoding {
  getIds(): number[];
}
interface HfTokenizer {
  encode(s: string, pair: null, o: { addSpecialTokens: boolean }): Promise<HfEncoding>;
  encodeBatch(s: string[], o: { addSpecialTokens: boolean }): Promise<HfEncoding[]>;
  decode(ids: number[], skip: boolean): Promise<string>;
  decodeBatch(ids: number[][], skip: boolean): Promise<string[]>;
}
const require = createRequire(import.meta.url);
const { Tokenizer } = require('tokenizers') as { Tokenizer: { fromString(s: string): HfTokenizer } };

const SEED = 20261122;
const paragraphs = fixtureParagraphs(Number(process.env.WEFT_PARITY_CHARS ?? 120_000));
const adversarial = adversarialCorpus(SEED, 1500);
const corpus = [...paragraphs, ...adversarial];

const same = (a: number[], b: number[]) => a.length === b.length && a.every((x, i) => x === b[i]);
/** JSON-ish quoting that also spells out invisible characters (format, marks, odd spaces, unassigned). */
const show = (s: string) =>
  JSON.stringify(s.length > 80 ? s.slice(0, 80) + '…' : s).replace(
    /[\p{Cf}\p{M}\p{Co}\p{Cn}\p{Zl}\p{Zp}\u00a0-\u00a0\u2000-\u200a\u3000]/gu,
    (c) => `\\u{${c.codePointAt(0)!.toString(16)}}`,
  );

describe('tokenizer.json parity with HF tokenizers (napi)', () => {
  for (const file of JSON_FIXTURES) {
    it(`${file}: ids and decode identical`, async () => {
      const json = readFileSync(fixture(file), 'utf8');
      const mine = tokenizerFromJSON(json);
      const hf = Tokenizer.fromString(json);
      const mismatches: string[] = [];
      let compared = 0;
      for (const add of [true, false]) {
        const hfEnc = await hf.encodeBatch(corpus, { addSpecialTokens: add });
        for (let i = 0; i < corpus.length; i++) {
          const want = hfEnc[i]!.getIds();
          const got = mine.encode(corpus[i]!, { addSpecialTokens: add });
          compared++;
          if (!same(got, want))
            mismatches.push(
              `encode(add=${add}) ${show(corpus[i]!)}\n    got  ${got.slice(0, 24)}\n    want ${want.slice(0, 24)}`,
            );
        }
        if (add) {
          for (const skip of [false, true]) {
            const idsList = hfEnc.map((e) => e.getIds());
            const hfText = await hf.decodeBatch(idsList, skip);
            for (let i = 0; i < corpus.length; i++) {
              const got = mine.decode(idsList[i]!, { skipSpecialTokens: skip });
              compared++;
              if (got !== hfText[i])
                mismatches.push(`decode(skip=${skip}) ${show(corpus[i]!)}\n    got  ${show(got)}\n    want ${show(hfText[i]!)}`);
            }
          }
        }
      }
      console.log(`[parity] ${file}: ${compared} comparisons over ${corpus.length} strings, ${mismatches.length} mismatches`);
      for (const m of mismatches.slice(0, 8)) console.log('  ' + m);
      expect(mismatches.length).toBe(0);
    });
  }
});
