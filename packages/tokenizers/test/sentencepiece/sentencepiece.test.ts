import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { InvalidFileError } from '@weft/core';
import { fixture } from '@weft/testing';
import { describe, expect, it } from 'vitest';
import { loadSentencePiece, type SentencePieceTokenizer } from '../../src/sentencepiece/index.js';

interface Goldens {
  generator: string;
  inputs: string[];
  models: Record<string, { ids: number[][]; pieces: string[][]; decoded: string[] }>;
}
const goldens = JSON.parse(readFileSync(new URL('./goldens.json', import.meta.url), 'utf8')) as Goldens;
const cache = new Map<string, SentencePieceTokenizer>();
function model(rel: string): SentencePieceTokenizer {
  let t = cache.get(rel);
  if (!t) cache.set(rel, (t = loadSentencePiece(readFileSync(fixture(rel)), rel)));
  return t;
}

describe.each(Object.keys(goldens.models))('SentencePiece %s vs Google sentencepiece', (rel) => {
  const g = goldens.models[rel]!;
  it(`encodes ${goldens.inputs.length} strings to the same ids (goldens from ${goldens.generator})`, () => {
    const tok = model(rel);
    let mismatches = 0;
    goldens.inputs.forEach((text, k) => {
      const got = tok.encode(text, { addSpecialTokens: false });
      if (JSON.stringify(got) !== JSON.stringify(g.ids[k])) {
        mismatches++;
        console.log(`${rel} mismatch on ${JSON.stringify(text.slice(0, 60))}: ${got.slice(0, 12)} vs ${g.ids[k]!.slice(0, 12)}`);
      }
    });
    console.log(`${rel}: ${goldens.inputs.length} strings, ${mismatches} mismatches vs sentencepiece`);
    expect(mismatches).toBe(0);
  });
  it('decodes those ids to the same text as sp.decode', () => {
    const tok = model(rel);
    let mismatches = 0;
    g.ids.forEach((ids, k) => {
      if (tok.decode(ids) !== g.decoded[k]) {
        mismatches++;
        console.log(
          `${rel} decode mismatch: ${JSON.stringify(tok.decode(ids).slice(0, 60))} vs ${JSON.stringify(g.decoded[k]!.slice(0, 60))}`,
        );
      }
    });
    expect(mismatches).toBe(0);
  });
});

describe('SentencePiece vs llama.cpp test vectors', () => {
  it('llama2/tokenizer.model reproduces ggml-vocab-llama-spm.gguf.out (no BOS)', () => {
    const inputs = readFileSync(fixture('tokenizer-test-vectors/ggml-vocab.gguf.inp'), 'utf8').split('\n__ggml_vocab_test__\n');
    const expected = readFileSync(fixture('tokenizer-test-vectors/ggml-vocab-llama-spm.gguf.out'), 'utf8').split('\n');
    const tok = model('llama2/tokenizer.model');
    let ok = 0;
    inputs.forEach((text, k) => {
      const want = expected[k]!.trim().split(/\s+/).filter(Boolean).map(Number);
      if (JSON.stringify(tok.encode(text, { addSpecialTokens: false })) === JSON.stringify(want)) ok++;
      else console.log(`llama.cpp mismatch on ${JSON.stringify(text)}`);
    });
    console.log(`llama.cpp vectors: ${ok}/${inputs.length}`);
    expect(ok).toBe(inputs.length);
  });
});

describe('SentencePiece .model vs the Hugging Face tokenizer.json of the same model (npm `tokenizers`)', () => {
  const require = createRequire(import.meta.url);
  const { Tokenizer } = require('tokenizers') as {
    Tokenizer: {
      fromFile(
        p: string,
      ): Promise<{ encode(t: string, pair?: null, o?: { addSpecialTokens: boolean }): Promise<{ getIds(): number[] }> }>;
    };
  };
  // tokenizer.json matches added tokens (<s>, </s>, <unk>) in the raw text; SentencePiece treats
  // them as plain text. That is a known difference between the formats, so those strings are left out.
  const texts = () => goldens.inputs.filter((t) => !/<s>|<\/s>|<unk>/.test(t));
  it('the only strings left out are the ones with special-token text', () => {
    expect(goldens.inputs.length - texts().length).toBe(1);
  });

  it('llama2/tokenizer.model equals phi-3-mini/tokenizer.json on every string', async () => {
    const hf = await Tokenizer.fromFile(fixture('phi-3-mini/tokenizer.json'));
    const tok = model('llama2/tokenizer.model');
    let mismatches = 0;
    for (const text of texts()) {
      const want = (await hf.encode(text, null, { addSpecialTokens: false })).getIds();
      if (JSON.stringify(tok.encode(text, { addSpecialTokens: false })) !== JSON.stringify(want)) {
        mismatches++;
        console.log(`phi-3 mismatch on ${JSON.stringify(text.slice(0, 60))}`);
      }
    }
    console.log(`llama2 .model vs phi-3-mini tokenizer.json: ${texts().length} strings, ${mismatches} mismatches`);
    expect(mismatches).toBe(0);
  });

  it('mistral tokenizer.model differs from its tokenizer.json only where Metaspace(prepend_scheme=first) skips the prefix', async () => {
    const hf = await Tokenizer.fromFile(fixture('mistral-7b-v0.1/tokenizer.json'));
    const tok = model('mistral-7b-v0.1/tokenizer.model');
    let mismatches = 0;
    let leadingSpace = 0;
    for (const text of texts()) {
      const want = (await hf.encode(text, null, { addSpecialTokens: false })).getIds();
      if (JSON.stringify(tok.encode(text, { addSpecialTokens: false })) === JSON.stringify(want)) continue;
      // HF's Metaspace adds no "▁" when the text already starts with a space; SentencePiece always does.
      if (text.startsWith(' ')) {
        leadingSpace++;
        // Then the .model's ids of the text without its dummy prefix equal HF's.
        const pieces = tok.encodeAsPieces(text);
        expect(pieces[0]!.startsWith('\u2581')).toBe(true);
      } else {
        mismatches++;
        console.log(`mistral mismatch on ${JSON.stringify(text.slice(0, 60))}`);
      }
    }
    console.log(
      `mistral .model vs tokenizer.json: ${texts().length} strings, ${mismatches} unexplained, ${leadingSpace} on leading-space strings (documented Metaspace difference)`,
    );
    expect(mismatches).toBe(0);
    expect(leadingSpace).toBeGreaterThan(0);
  });
});

describe('SentencePiece behaviour', () => {
  it('adds BOS by default, normalizes NFKC through the charsmap, fuses unknowns, round-trips byte fallback', () => {
    const llama = model('llama2/tokenizer.model');
    expect(llama.encode('Hello world')).toEqual([1, 15043, 3186]);
    expect(llama.decode(llama.encode('Hello world'))).toBe('<s>Hello world');
    expect(llama.decode(llama.encode('Hello world'), { skipSpecialTokens: true })).toBe('Hello world');
    const t = model('sentencepiece/test_model.model');
    expect(t.normalize('  ＡＢＣ  hello   world ①  ')).toBe('\u2581ABC\u2581hello\u2581world\u25811');
    const ids = t.encode('ｶﾀｶﾅ', { addSpecialTokens: false });
    expect(ids.filter((id) => id === t.special.unk).length).toBe(1);
    const text = '🙂 日本 \u0000 ok';
    expect(llama.decode(llama.encode(text, { addSpecialTokens: false }))).toBe(text);
  });
  it('turns lone surrogates into U+FFFD (what UTF-8 encoding does)', () => {
    const llama = model('llama2/tokenizer.model');
    expect(llama.encode('a\ud800b', { addSpecialTokens: false })).toEqual(llama.encode('a\ufffdb', { addSpecialTokens: false }));
  });
  it('streams multi-byte characters split over byte-fallback tokens whole', () => {
    const llama = model('llama2/tokenizer.model');
    const text = 'Zoë 🙂 says 𝄞 — done';
    const ids = llama.encode(text, { addSpecialTokens: false });
    const dec = llama.createStreamDecoder();
    const parts = ids.map((id) => dec.push(id));
    parts.push(dec.flush());
    expect(parts.join('')).toBe(text);
    for (const p of parts) expect(p).not.toContain('\ufffd');
  });
});

describe('malformed .model files give InvalidFileError naming the file', () => {
  const good = () => readFileSync(fixture('llama2/tokenizer.model'));
  const cases: [string, () => Uint8Array][] = [
    ['empty', () => new Uint8Array(0)],
    ['truncated to half', () => good().subarray(0, good().length >> 1)],
    ['truncated by one byte', () => good().subarray(0, good().length - 1)],
    ['a JSON file', () => new TextEncoder().encode('{"model": {"type": "BPE"}}')],
    ['random bytes', () => Uint8Array.from({ length: 4096 }, (_, i) => (i * 2654435761) >>> 24)],
    ['a tiktoken file', () => new TextEncoder().encode('IQ== 0\nIg== 1\n')],
  ];
  it.each(cases)('%s', (_, bytes) => {
    let err: unknown;
    try {
      loadSentencePiece(bytes(), 'broken.model');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InvalidFileError);
    expect((err as InvalidFileError).file).toBe('broken.model');
  });
  it('a damaged precompiled charsmap is reported, not read out of bounds', () => {
    const bytes = readFileSync(fixture('sentencepiece/test_model.model'));
    const proto = loadSentencePiece(bytes).model;
    const blob = proto.normalizer.precompiledCharsmap!;
    const copy = Uint8Array.from(bytes);
    const at = Buffer.from(copy.buffer).indexOf(Buffer.from(blob.subarray(0, 16)));
    new DataView(copy.buffer).setUint32(at, 0x7ffffff0, true);
    expect(() => loadSentencePiece(copy, 'bad-charsmap.model')).toThrowError(/precompiled_charsmap/);
  });
});
