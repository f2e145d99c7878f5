import { readFileSync } from 'node:fs';
import { InvalidFileError } from '@weft/core';
import { embeddedModel, fixture } from '@weft/testing';
import { describe, expect, it } from 'vitest';
import { loadLlama2cTokenizer } from './tokenizer.js';
import { Utf8Stream } from './utf8-stream.js';

const tok = loadLlama2cTokenizer(readFileSync(embeddedModel('tok512.bin')), 'tok512.bin', 512);
const goldens = JSON.parse(readFileSync(fixture('llama2c/greedy-goldens.json'), 'utf8')) as {
  cases: { prompt: string; stdout: string; ids_after_bos: number[] }[];
};

describe('llama2.c tokenizer.bin', () => {
  it('loads tok512 with the special and byte pieces where llama2.c expects them', () => {
    expect(tok.vocabSize).toBe(512);
    expect(tok.maxTokenLength).toBe(7);
    expect(tok.idToToken(3)).toBe('<0x00>');
    expect(tok.special).toEqual({ unk: 0, bos: 1, eos: 2 });
  });

  it('encodes the golden prompt exactly as run.c did', () => {
    const c = goldens.cases.find((x) => x.prompt === 'Once upon a time')!;
    const ids = tok.encode(c.prompt);
    expect(ids[0]).toBe(1);
    expect(ids.slice(1)).toEqual(c.ids_after_bos.slice(0, ids.length - 1));
  });

  it('decodes the golden ids to the text run.c printed', () => {
    for (const c of goldens.cases) {
      const text = tok.decode([1, ...c.ids_after_bos]);
      expect(c.stdout.startsWith(text.slice(0, 200))).toBe(true);
      expect(text.length).toBeGreaterThan(200);
    }
  });

  it('round-trips text through encode/decode, including byte-fallback characters', () => {
    for (const s of ['Hello world', 'Lily saw a ball.', 'naïve café — 東京 🙂', ' two  spaces', '\n\ttab']) {
      expect(tok.decode(tok.encode(s))).toBe(s);
    }
  });

  it('streams multi-byte characters whole across byte pieces', () => {
    const ids = tok.encode('🙂é');
    const stream = tok.createStreamDecoder();
    const chunks = ids.map((id) => stream.push(id));
    chunks.push(stream.flush());
    expect(chunks.join('')).toBe('🙂é');
    for (const c of chunks) expect(c).not.toContain('\uFFFD');
  });

  it('rejects files that are not llama2.c tokenizers with a typed error naming the file', () => {
    const bad = [
      new Uint8Array(2),
      new TextEncoder().encode('{"model": {"type": "BPE"}}'),
      readFileSync(embeddedModel('stories260K.bin')),
      readFileSync(embeddedModel('tok512.bin')).subarray(0, 3000),
    ];
    for (const b of bad) {
      expect(() => loadLlama2cTokenizer(b, 'x.bin')).toThrow(InvalidFileError);
      expect(() => loadLlama2cTokenizer(b, 'x.bin')).toThrow(/x\.bin/);
    }
    expect(() => loadLlama2cTokenizer(readFileSync(embeddedModel('tok512.bin')), 'tok512.bin', 32000)).toThrow(
      /512 tokens but the model's vocabulary has 32000/,
    );
  });

  it('loads the 32000-token Llama-2 export', () => {
    const big = loadLlama2cTokenizer(readFileSync(fixture('llama2/tokenizer.bin')), 'tokenizer.bin');
    expect(big.vocabSize).toBe(32000);
    const ids = big.encode('Hello world');
    expect(ids).toEqual([1, 15043, 3186]);
  });
});

describe('Utf8Stream', () => {
  it('keeps U+FEFF (a BOM is text inside a generation, not a stream header)', () => {
    const s = new Utf8Stream();
    const bom = [0xef, 0xbb, 0xbf];
    expect(s.push(Uint8Array.from([...bom, 0x61]))).toBe('\ufeffa');
    // split across pushes, and again later in the stream
    expect(s.push(Uint8Array.from(bom.slice(0, 2)))).toBe('');
    expect(s.push(Uint8Array.from([bom[2]!, 0x62]))).toBe('\ufeffb');
    expect(s.flush()).toBe('');
  });
});
