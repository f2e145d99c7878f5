import {
  type AttentionSpec,
  type Backend,
  f32ArrayToF16,
  InvalidFileError,
  type ModelConfig,
  SpecError,
  type Tensor,
  UnsupportedError,
} from '@weft/core';
import { createCpuBackend } from '@weft/cpu';
import { positionalSpecFromHfConfig } from '@weft/positional';
import { GqaAttention } from '../llama/blocks.js';
import { LlamaModel, type LlamaWeights } from '../llama/model.js';
import { parseSafetensors, type SafetensorsFile, safetensorsHost, safetensorsToF32 } from './safetensors.js';

/** Options of {@link loadHfLlama}. */
export interface HfLoadOptions {
  readonly backend?: Backend;
  readonly attention?: AttentionSpec;
  /** Store matrices as f16 (default: as stored — f32 stays f32, f16/bf16 stay 16-bit). */
  readonly weightsDtype?: 'as-stored' | 'f16';
  readonly fileName?: string;
}

type Json = Record<string, unknown>;
const ARCHES = new Set(['llama', 'mistral', 'qwen2', 'smollm', 'tinyllama']);

/**
 * Loads a Hugging Face Llama-family checkpoint: `config.json` plus one or more safetensors
 * shards (Llama, Mistral, Qwen2-style without biases, SmolLM, TinyLlama). HF stores Q/K rows
 * for the `halves` RoPE layout, which is what the positional spec read from the config uses.
 */
export function loadHfLlama(config: unknown, shards: readonly Uint8Array[], opts: HfLoadOptions = {}): LlamaModel {
  const file = opts.fileName ?? 'model.safetensors';
  if (typeof config !== 'object' || config === null) throw new SpecError('config', 'config.json must be a JSON object');
  const c = config as Json;
  const type = String(c.model_type ?? '');
  if (!ARCHES.has(type))
    throw new UnsupportedError(
      `config.json model_type '${type}'`,
      'weft loads Llama-family causal LMs from safetensors (llama, mistral, qwen2-style)',
    );
  const int = (k: string, fallback?: number): number => {
    const v = c[k] ?? fallback;
    if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0)
      throw new SpecError(`config.${k}`, `must be a positive integer, got ${JSON.stringify(c[k])}`);
    return v;
  };
  const C = int('hidden_size');
  const F = int('intermediate_size');
  const L = int('num_hidden_layers');
  const H = int('num_attention_heads');
  const Hkv = int('num_key_value_heads', H);
  const V = int('vocab_size');
  const D = typeof c.head_dim === 'number' ? int('head_dim') : C / H;
  if (!Number.isInteger(D)) throw new SpecError('config.num_attention_heads', `hidden_size ${C} is not divisible by ${H} heads`);
  if (H % Hkv !== 0) throw new SpecError('config.num_key_value_heads', `${Hkv} does not divide num_attention_heads ${H}`);
  const eps = typeof c.rms_norm_eps === 'number' ? c.rms_norm_eps : 1e-6;
  const { spec: positional } = positionalSpecFromHfConfig(c);
  if (positional.kind !== 'rope')
    throw new SpecError('config', `Llama-family models use RoPE; the config describes '${positional.kind}'`);
  if (c.attention_bias === true || c.mlp_bias === true)
    throw new UnsupportedError('attention/MLP biases (attention_bias / mlp_bias)');

  const parsed: [Uint8Array, SafetensorsFile][] = shards.map((s, i) => [
    s,
    parseSafetensors(s, shards.length > 1 ? `${file} (shard ${i + 1})` : file),
  ]);
  const backend = opts.backend ?? createCpuBackend();
  const load = (name: string, shape: number[], matrix = true): Tensor => {
    for (const [bytes, st] of parsed) {
      const t = st.tensors.get(name);
      if (!t) continue;
      if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i]))
        throw new InvalidFileError(
          file,
          `tensor ${name} has shape [${t.shape.join(', ')}], config.json implies [${shape.join(', ')}]`,
        );
      // Norm weights are always f32 on the backend; matrices keep their 16-bit storage.
      if (!matrix) return backend.fromHost(safetensorsToF32(bytes, t), shape, 'f32');
      const host = safetensorsHost(bytes, t);
      if (matrix && opts.weightsDtype === 'f16' && host.dtype === 'f32')
        return backend.fromHost(f32ArrayToF16(host.data as Float32Array), shape, 'f16');
      return backend.fromHost(host.data, shape, host.dtype);
    }
    throw new InvalidFileError(file, `tensor ${name} is missing`, 'pass every shard of the checkpoint');
  };
  const rope = {
    base: positional.base,
    layout: positional.layout,
    ...(positional.rotaryDim ? { rotaryDim: positional.rotaryDim } : {}),
    ...(positional.scaling ? { scaling: positional.scaling } : {}),
  };
  const modelConfig: ModelConfig = {
    architecture: 'llama',
    vocabSize: V,
    contextLength: int('max_position_embeddings', 2048),
    dim: C,
    layers: L,
    heads: H,
    kvHeads: Hkv,
    headDim: D,
    hiddenDim: F,
    attention: opts.attention ?? { kind: 'full', mask: { kind: 'causal' } },
    positional,
    ...(typeof c.bos_token_id === 'number' ? { bosTokenId: c.bos_token_id } : {}),
    ...(typeof c.eos_token_id === 'number' ? { eosTokenId: c.eos_token_id } : {}),
  };
  const embedding = load('model.embed_tokens.weight', [V, C]);
  const tied = c.tie_word_embeddings === true || !parsed.some(([, st]) => st.tensors.has('lm_head.weight'));
  const p = (l: number, n: string) => `model.layers.${l}.${n}.weight`;
  const weights: LlamaWeights = {
    embedding,
    layers: Array.from({ length: L }, (_, l) => ({
      attnNorm: load(p(l, 'input_layernorm'), [C], false),
      attention: new GqaAttention(
        {
          wq: load(p(l, 'self_attn.q_proj'), [H * D, C]),
          wk: load(p(l, 'self_attn.k_proj'), [Hkv * D, C]),
          wv: load(p(l, 'self_attn.v_proj'), [Hkv * D, C]),
          wo: load(p(l, 'self_attn.o_proj'), [C, H * D]),
        },
        { heads: H, kvHeads: Hkv, headDim: D },
        modelConfig.attention,
        rope,
      ),
      ffnNorm: load(p(l, 'post_attention_layernorm'), [C], false),
      w1: load(p(l, 'mlp.gate_proj'), [F, C]),
      w2: load(p(l, 'mlp.down_proj'), [C, F]),
      w3: load(p(l, 'mlp.up_proj'), [F, C]),
    })),
    finalNorm: load('model.norm.weight', [C], false),
    classifier: tied ? embedding : load('lm_head.weight', [V, C]),
  };
  return new LlamaModel(backend, modelConfig, weights, eps);
}
