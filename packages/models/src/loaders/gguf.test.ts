import { readFileSync } from 'node:fs';
import { f16ToF32, InvalidFileError, UnsupportedError } from '@weft/core';
import { embeddedModel, fixture } from '@weft/testing';
import { llamaSpmTokenizer, loadLlama2cTokenizer } from '@weft/tokenizers';
import { describe, expect, it } from 'vitest';
import { parseGguf, writeGguf } from './gguf.js';
import { exportGgufLlama, loadGgufLlama } from './gguf-llama.js';
import { loadLlama2c } from './llama2c.js';

const tinyBytes = readFileSync(fixture('gguf/llama-2-tiny-random.gguf'));
const goldens = JSON.parse(readFileSync(fixture('llama2c/greedy-goldens.json'), 'utf8')) as {
  cases: { prompt: string; ids_after_bos: number[] }[];
};

function argmax(x: Float32Array): number {
  let best = 0;
  for (let i = 1; i < x.length; i++) if (x[i]! > x[best]!) best = i;
  return best;
}

/** Independent float64 Llama forward over raw GGUF tensors (F16 matrices, F32 norms): last-position logits. */
function referenceForward(bytes: Uint8Array, ids: number[]): Float64Array {
  const g = parseGguf(bytes);
  const get = (name: string): Float64Array => {
    const t = g.tensors.get(name)!;
    const n = t.dims.reduce((a, b) => a * b, 1);
    const view = new DataView(bytes.buffer, bytes.byteOffset + t.offset);
    return Float64Array.from({ length: n }, (_, i) =>
      t.type === 1 ? f16ToF32(view.getUint16(2 * i, true)) : view.getFloat32(4 * i, true),
    );
  };
  const [C, H, Hkv, F, L] = [8, 2, 2, 32, 1];
  const D = C / H;
  const mv = (w: Float64Array, x: Float64Array, rows: number) =>
    Float64Array.from({ length: rows }, (_, r) => x.reduce((s, v, j) => s + v * w[r * x.length + j]!, 0));
  const norm = (x: Float64Array, w: Float64Array) => {
    const ms = x.reduce((s, v) => s + v * v, 0) / x.length;
    return x.map((v, i) => (v / Math.sqrt(ms + 1e-5)) * w[i]!);
  };
  const rope = (x: Float64Array, pos: number) => {
    for (let h = 0; h < x.length / D; h++)
      for (let i = 0; i < D / 2; i++) {
        const a = pos * 10000 ** (-(2 * i) / D);
        const [p, q] = [x[h * D + 2 * i]!, x[h * D + 2 * i + 1]!];
        x[h * D + 2 * i] = p * Math.cos(a) - q * Math.sin(a);
        x[h * D + 2 * i + 1] = p * Math.sin(a) + q * Math.cos(a);
      }
    return x;
  };
  const emb = get('token_embd.weight');
  const keys: Float64Array[] = [];
  const vals: Float64Array[] = [];
  let x = new Float64Array(C);
  for (let pos = 0; pos < ids.length; pos++) {
    x = emb.slice(ids[pos]! * C, ids[pos]! * C + C);
    for (let l = 0; l < L; l++) {
      const h = norm(x, get(`blk.${l}.attn_norm.weight`));
      const q = rope(mv(get(`blk.${l}.attn_q.weight`), h, H * D), pos);
      keys.push(rope(mv(get(`blk.${l}.attn_k.weight`), h, Hkv * D), pos));
      vals.push(mv(get(`blk.${l}.attn_v.weight`), h, Hkv * D));
      const att = new Float64Array(H * D);
      for (let hh = 0; hh < H; hh++) {
        const s = keys.map((k) => k.slice(hh * D, hh * D + D).reduce((a, v, i) => a + v * q[hh * D + i]!, 0) / Math.sqrt(D));
        const m = Math.max(...s);
        const e = s.map((v) => Math.exp(v - m));
        const z = e.reduce((a, v) => a + v, 0);
        for (let i = 0; i < D; i++) att[hh * D + i] = e.reduce((a, w, j) => a + (w / z) * vals[j]![hh * D + i]!, 0);
      }
      x = x.map((v, i) => v + mv(get(`blk.${l}.attn_output.weight`), att, C)[i]!);
      const f = norm(x, get(`blk.${l}.ffn_norm.weight`));
      const gate = mv(get(`blk.${l}.ffn_gate.weight`), f, F);
      const up = mv(get(`blk.${l}.ffn_up.weight`), f, F);
      const act = gate.map((v, i) => (v / (1 + Math.exp(-v))) * up[i]!);
      const down = mv(get(`blk.${l}.ffn_down.weight`), act, C);
      x = x.map((v, i) => v + down[i]!);
    }
  }
  return mv(get('output.weight'), norm(x, get('output_norm.weight')), 32000);
}

describe('GGUF', () => {
  it('parses the tiny random Llama-2 GGUF fully', () => {
    const g = parseGguf(tinyBytes, 'tiny.gguf');
    expect(g.version).toBe(3);
    expect(g.metadata.size).toBe(18);
    expect(g.tensors.size).toBe(12);
    const last = [...g.tensors.values()].reduce((m, t) => Math.max(m, t.offset + t.byteLength), 0);
    expect(last).toBe(tinyBytes.byteLength);
  });

  it('runs the tiny model and matches an independent float64 forward', async () => {
    const { model, vocabulary } = loadGgufLlama(tinyBytes, { fileName: 'tiny.gguf' });
    expect(model.config).toMatchObject({ vocabSize: 32000, dim: 8, layers: 1, heads: 2, kvHeads: 2, hiddenDim: 32 });
    const tok = llamaSpmTokenizer(vocabulary!.tokens, vocabulary!.scores!, 'tiny.gguf');
    const ids = tok.encode('Hello world');
    expect(ids).toEqual([1, 15043, 3186]); // same ids as the Llama-2 tokenizer.bin export
    const logits = await model.forward(ids, model.createCache({ capacity: 8 }));
    const ref = referenceForward(tinyBytes, ids);
    let maxErr = 0;
    for (let i = 0; i < ref.length; i++) maxErr = Math.max(maxErr, Math.abs(logits[i]! - ref[i]!));
    expect(maxErr).toBeLessThan(1e-4);
  });

  it('round-trips stories260K through GGUF (f32 and f16) with the identical greedy story', async () => {
    const src = loadLlama2c(readFileSync(embeddedModel('stories260K.bin')));
    const tok = loadLlama2cTokenizer(readFileSync(embeddedModel('tok512.bin')), 'tok512.bin', 512);
    const vocab = {
      tokens: Array.from({ length: 512 }, (_, i) => tok.idToToken(i)!.replaceAll(' ', '\u2581')),
      scores: Array.from({ length: 512 }, (_, i) => tok.score(i)),
      tokenTypes: Array.from({ length: 512 }, (_, i) => (i === 0 ? 2 : i < 3 ? 3 : i < 259 ? 6 : 1)),
    };
    for (const dtype of ['f32', 'f16'] as const) {
      const model = dtype === 'f32' ? src : loadLlama2c(readFileSync(embeddedModel('stories260K.bin')), { weightsDtype: 'f16' });
      const bytes = await exportGgufLlama(model, vocab);
      const { model: back, vocabulary } = loadGgufLlama(bytes, { fileName: `stories.${dtype}.gguf` });
      const gtok = llamaSpmTokenizer(vocabulary!.tokens, vocabulary!.scores!);
      expect(gtok.encode('Once upon a time')).toEqual(tok.encode('Once upon a time'));
      const cache = back.createCache();
      let logits = await back.forward([1], cache);
      const ids: number[] = [];
      for (let i = 0; i < 40; i++) {
        const next = argmax(logits);
        ids.push(next);
        logits = await back.forward([next], cache);
      }
      expect(ids).toEqual(goldens.cases[0]!.ids_after_bos.slice(0, 40));
    }
  });

  it('reads llama.cpp per-frequency RoPE factors (rope_freqs.weight) as exact frequency divisors', async () => {
    const src = loadLlama2c(readFileSync(embeddedModel('stories260K.bin')));
    const plain = await exportGgufLlama(src);
    const g = parseGguf(plain);
    // Re-write the file with rope_freqs.weight = 2 for every pair: the same as linear scaling by 2.
    const tensors = [...g.tensors.values()].map((t) => ({
      name: t.name,
      dims: [...t.dims],
      type: t.type,
      data: plain.subarray(t.offset, t.offset + t.byteLength),
    }));
    tensors.push({ name: 'rope_freqs.weight', dims: [4], type: 0, data: new Uint8Array(new Float32Array([2, 2, 2, 2]).buffer) });
    const meta = [...g.metadata].map(
      ([k, v]) =>
        [k, v, typeof v === 'string' ? 'str' : Number.isInteger(v) ? 'u32' : 'f32'] as [
          string,
          number | string,
          'str' | 'u32' | 'f32',
        ],
    );
    const { model } = loadGgufLlama(writeGguf(meta, tensors), { fileName: 'freqs.gguf' });
    expect(model.config.positional).toMatchObject({ kind: 'rope', scaling: { kind: 'longrope', shortFactor: [2, 2, 2, 2] } });
    const linear = loadLlama2c(readFileSync(embeddedModel('stories260K.bin')), {
      positional: { kind: 'rope', base: 10000, layout: 'pairs', scaling: { kind: 'linear', factor: 2 } },
    });
    const ids = [1, 403, 407, 261, 378, 432, 383];
    const a = await model.forward(ids, model.createCache());
    const b = await linear.forward(ids, linear.createCache());
    let maxErr = 0;
    for (let i = 0; i < a.length; i++) maxErr = Math.max(maxErr, Math.abs(a[i]! - b[i]!));
    expect(maxErr).toBeLessThan(1e-4);
  });

  it('rejects damaged and unsupported files with typed errors naming the file', () => {
    const bad: [Uint8Array, RegExp, typeof InvalidFileError | typeof UnsupportedError][] = [
      [tinyBytes.subarray(0, 100), /truncated/, InvalidFileError],
      [tinyBytes.subarray(0, tinyBytes.length - 10), /truncated: tensor output\.weight/, InvalidFileError],
      [readFileSync(embeddedModel('stories260K.bin')), /GGUF magic/, InvalidFileError],
    ];
    const v9 = Uint8Array.from(tinyBytes);
    v9[4] = 9;
    bad.push([v9, /GGUF version 9/, UnsupportedError]);
    const q5 = writeGguf(
      [['general.architecture', 'llama', 'str']],
      [{ name: 'token_embd.weight', dims: [32, 4], type: 6, data: new Uint8Array(88) }],
    );
    for (const [bytes, re, cls] of bad) {
      let err: unknown;
      try {
        loadGgufLlama(bytes, { fileName: 'x.gguf' });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(cls);
      expect((err as Error).message).toMatch(/x\.gguf/);
      expect((err as Error).message).toMatch(re);
    }
    expect(() => loadGgufLlama(q5, { fileName: 'q5.gguf' })).toThrow(/embedding_length is missing|Q5_0/);
    const gpt2 = writeGguf([['general.architecture', 'gpt2', 'str']], []);
    expect(() => loadGgufLlama(gpt2, { fileName: 'g.gguf' })).toThrow(UnsupportedError);
  });
});
