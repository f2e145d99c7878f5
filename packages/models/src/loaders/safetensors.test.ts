import { readdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { InvalidFileError, UnsupportedError } from '@weft/core';
import type { CpuBackend } from '@weft/cpu';
import { embeddedModel, fixture } from '@weft/testing';
import { describe, expect, it } from 'vitest';
import type { GqaAttention } from '../llama/blocks.js';
import { loadHfLlama } from './hf-llama.js';
import { loadLlama2c } from './llama2c.js';
import { parseSafetensors, safetensorsToF32, writeSafetensors } from './safetensors.js';

const goldens = JSON.parse(readFileSync(fixture('llama2c/greedy-goldens.json'), 'utf8')) as {
  cases: { ids_after_bos: number[] }[];
};

describe('safetensors', () => {
  it('reads every sample file of the safetensors repository (all dtypes)', () => {
    const dir = dirname(fixture('safetensors/samples/overall.safetensors'));
    const files = readdirSync(dir).filter((f) => f.endsWith('.safetensors'));
    expect(files.length).toBe(10);
    const dtypes = new Set<string>();
    for (const f of files) {
      const bytes = readFileSync(`${dir}/${f}`);
      const st = parseSafetensors(bytes, f);
      for (const t of st.tensors.values()) {
        dtypes.add(t.dtype);
        const v = safetensorsToF32(bytes, t);
        expect(v.length).toBe(t.shape.reduce((a, b) => a * b, 1));
        for (const x of v) expect(Number.isFinite(x)).toBe(true);
      }
    }
    expect([...dtypes].sort()).toEqual(['F16', 'F32', 'F64', 'I16', 'I32', 'I8', 'U16', 'U32', 'U8']);
  });

  it('rejects malformed headers, bad offsets and truncation with typed errors', () => {
    const good = writeSafetensors({
      a: { shape: [2, 2], data: new Float32Array(4) },
      b: { shape: [3], data: new Float32Array(3) },
    });
    expect(parseSafetensors(good).tensors.size).toBe(2);
    const mk = (header: string, extra = 0) => {
      const h = new TextEncoder().encode(header);
      const out = new Uint8Array(8 + h.length + extra);
      new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
      out.set(h, 8);
      return out;
    };
    const cases: [Uint8Array, RegExp][] = [
      [good.subarray(0, 4), /only 4 bytes/],
      [good.subarray(0, good.length - 4), /truncated/],
      [mk('{"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}', 8), /not valid UTF-8 JSON/],
      [mk('{"a": {"dtype": "Q9", "shape": [2], "data_offsets": [0, 8]}}', 8), /unknown dtype/],
      [mk('{"a": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}}', 8), /expected 12/],
      [
        mk(
          '{"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}, "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}}',
          12,
        ),
        /overlap/,
      ],
      [mk('{"__proto__": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}', 4), /./],
    ];
    for (const [bytes, re] of cases.slice(0, -1)) {
      expect(() => parseSafetensors(bytes, 'bad.safetensors')).toThrow(InvalidFileError);
      expect(() => parseSafetensors(bytes, 'bad.safetensors')).toThrow(re);
    }
    // a tensor literally named __proto__ is an ordinary tensor
    expect(parseSafetensors(cases.at(-1)![0]).tensors.get('__proto__')?.shape).toEqual([1]);
  });
});

/** Meta/llama2.c "pairs" rows → Hugging Face "halves" rows (HF's convert permute). */
function pairsToHalves(w: Float32Array, heads: number, C: number): Float32Array {
  const rows = w.length / C;
  const D = rows / heads;
  const out = new Float32Array(w.length);
  for (let h = 0; h < heads; h++)
    for (let i = 0; i < D / 2; i++)
      for (const j of [0, 1])
        out.set(w.subarray((h * D + 2 * i + j) * C, (h * D + 2 * i + j + 1) * C), (h * D + j * (D / 2) + i) * C);
  return out;
}

describe('Hugging Face Llama (config.json + safetensors)', () => {
  it('stories260K converted to the HF layout (halves RoPE) tells the same greedy story', async () => {
    const src = loadLlama2c(readFileSync(embeddedModel('stories260K.bin')));
    const b = src.backend as CpuBackend;
    const get = (t: Parameters<CpuBackend['peek']>[0]) => b.peek(t) as Float32Array;
    const [C, H, Hkv] = [64, 8, 4];
    const tensors: Record<string, { shape: number[]; data: Float32Array }> = {
      'model.embed_tokens.weight': { shape: [512, C], data: get(src.weights.embedding) },
      'model.norm.weight': { shape: [C], data: get(src.weights.finalNorm) },
    };
    src.weights.layers.forEach((l, i) => {
      const a = l.attention as GqaAttention;
      const p = `model.layers.${i}`;
      tensors[`${p}.input_layernorm.weight`] = { shape: [C], data: get(l.attnNorm) };
      tensors[`${p}.post_attention_layernorm.weight`] = { shape: [C], data: get(l.ffnNorm) };
      tensors[`${p}.self_attn.q_proj.weight`] = { shape: [C, C], data: pairsToHalves(get(a.weights.wq), H, C) };
      tensors[`${p}.self_attn.k_proj.weight`] = { shape: [32, C], data: pairsToHalves(get(a.weights.wk), Hkv, C) };
      tensors[`${p}.self_attn.v_proj.weight`] = { shape: [32, C], data: get(a.weights.wv) };
      tensors[`${p}.self_attn.o_proj.weight`] = { shape: [C, C], data: get(a.weights.wo) };
      tensors[`${p}.mlp.gate_proj.weight`] = { shape: [172, C], data: get(l.w1) };
      tensors[`${p}.mlp.down_proj.weight`] = { shape: [C, 172], data: get(l.w2) };
      tensors[`${p}.mlp.up_proj.weight`] = { shape: [172, C], data: get(l.w3) };
    });
    const config = {
      model_type: 'llama',
      hidden_size: C,
      intermediate_size: 172,
      num_hidden_layers: 5,
      num_attention_heads: H,
      num_key_value_heads: Hkv,
      vocab_size: 512,
      max_position_embeddings: 512,
      rms_norm_eps: 1e-5,
      rope_theta: 10000,
      tie_word_embeddings: true,
    };
    // two shards, as big checkpoints come
    const names = Object.keys(tensors);
    const half = Math.floor(names.length / 2);
    const shard = (ns: string[]) => writeSafetensors(Object.fromEntries(ns.map((n) => [n, tensors[n]!])));
    for (const weightsDtype of ['as-stored', 'f16'] as const) {
      const model = loadHfLlama(config, [shard(names.slice(0, half)), shard(names.slice(half))], { weightsDtype });
      expect(model.config.positional).toMatchObject({ kind: 'rope', layout: 'halves', base: 10000 });
      const cache = model.createCache();
      let logits = await model.forward([1], cache);
      const ids: number[] = [];
      for (let i = 0; i < 40; i++) {
        let best = 0;
        for (let v = 1; v < logits.length; v++) if (logits[v]! > logits[best]!) best = v;
        ids.push(best);
        logits = await model.forward([best], cache);
      }
      expect(ids).toEqual(goldens.cases[0]!.ids_after_bos.slice(0, 40));
    }
    expect(() => loadHfLlama({ ...config, model_type: 'gpt2' }, [])).toThrow(UnsupportedError);
    expect(() => loadHfLlama({ ...config, num_key_value_heads: 3 }, [])).toThrow(/num_key_value_heads/);
    expect(() => loadHfLlama(config, [shard(names.slice(0, half))], { fileName: 'm.safetensors' })).toThrow(
      /m\.safetensors: tensor .* is missing/,
    );
    expect(() => loadHfLlama({ ...config, hidden_size: 32 }, [shard(names)])).toThrow(/has shape/);
  });
});
