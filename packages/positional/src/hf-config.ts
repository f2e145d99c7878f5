import { type PositionalSpec, type RopeScaling, SpecError, UnsupportedError } from '@weft/core';
import { type PositionalDims, validatePositionalSpec } from './validate.js';

/**
 * Reads the positional encoding of a Hugging Face `config.json` (untrusted input) into a
 * validated {@link PositionalSpec} plus the dims it was checked against.
 * Covers: rope_theta / rotary_emb_base, partial_rotary_factor / rotary_pct / rotary_dim,
 * rope_scaling (or rope_parameters) of type linear, dynamic, yarn, llama3, longrope (su) and default;
 * BLOOM / MPT / Falcon ALiBi; T5-family relative buckets; learned tables (GPT-2, OPT, BERT,
 * GPT-Neo). Layout: GPT-J and CodeGen rotate interleaved pairs, every other HF model halves.
 */

/** Parsed positional setup of one HF config. */
export interface HfPositional {
  readonly spec: PositionalSpec;
  readonly dims: PositionalDims;
}

type Json = Record<string, unknown>;

const num = (config: Json, key: string): number | undefined => {
  const v = config[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v))
    throw new SpecError(`config.${key}`, `must be a finite number, got ${JSON.stringify(v)}`);
  return v;
};

const PAIRS_MODELS = /* @__PURE__ */ new Set(['gptj', 'codegen']);
/** Families whose configs may omit every rope field (older Llama configs have no rope_theta). */
const ROPE_MODELS = /* @__PURE__ */ new Set([
  'llama',
  'mistral',
  'mixtral',
  'qwen2',
  'qwen2_moe',
  'qwen3',
  'qwen3_moe',
  'gemma',
  'gemma2',
  'gemma3_text',
  'phi',
  'phi3',
  'gpt_neox',
  'gptj',
  'codegen',
  'stablelm',
  'falcon',
  'internlm2',
  'deepseek_v2',
  'deepseek_v3',
  'olmo',
  'olmo2',
  'starcoder2',
  'cohere',
  'granite',
  'smollm3',
  'exaone',
  'persimmon',
]);
const ROPE_KEYS = [
  'rope_theta',
  'rope_scaling',
  'rope_parameters',
  'rotary_emb_base',
  'rotary_pct',
  'rotary_dim',
  'partial_rotary_factor',
];
const LEARNED_MODELS = /* @__PURE__ */ new Set(['gpt2', 'opt', 'gpt_neo', 'bert', 'roberta', 'gpt_bigcode', 'biogpt']);
/** fairseq-style sinusoidal tables (ln(base)/(C/2 − 1) spacing, positions from padding_idx + 1): not offered yet. */
const FAIRSEQ_SINUSOIDAL_MODELS = /* @__PURE__ */ new Set(['xglm', 'm2m_100', 'nllb_moe', 'speech_to_text']);
const T5_MODELS = /* @__PURE__ */ new Set(['t5', 'mt5', 'longt5', 'umt5', 'switch_transformers']);

function ropeScalingFrom(block: Json, root: Json, maxPositions: number | undefined): RopeScaling | undefined {
  const type = block.rope_type ?? block.type;
  if (type === undefined || type === 'default') return undefined;
  const factor = num(block, 'factor');
  const f = (key: string) => num(block, key);
  const needMax = (what: string): number => {
    if (maxPositions === undefined) throw new SpecError('config.max_position_embeddings', `is required by ${what} RoPE scaling`);
    return maxPositions;
  };
  switch (type) {
    case 'linear':
      return { kind: 'linear', factor: factor as number };
    case 'dynamic':
      return { kind: 'dynamic-ntk', factor: factor as number, originalContext: needMax('dynamic') };
    case 'yarn': {
      const original = f('original_max_position_embeddings');
      // The config's factor wins (vLLM, TGI, and HF since transformers#40320 — earlier HF releases replaced it by
      // max_position_embeddings / original, which silently disabled Qwen's recommended YaRN block); the ratio is
      // only the fallback when no factor is given.
      const yarnFactor = factor ?? (original !== undefined && maxPositions !== undefined ? maxPositions / original : undefined);
      const out: { -readonly [K in keyof Extract<RopeScaling, { kind: 'yarn' }>]: Extract<RopeScaling, { kind: 'yarn' }>[K] } = {
        kind: 'yarn',
        factor: yarnFactor as number,
        originalContext: original ?? needMax('yarn'),
      };
      if (f('beta_fast') !== undefined) out.betaFast = f('beta_fast');
      if (f('beta_slow') !== undefined) out.betaSlow = f('beta_slow');
      if (f('attention_factor') !== undefined) out.attentionFactor = f('attention_factor');
      if (f('mscale') !== undefined) out.mscale = f('mscale');
      if (f('mscale_all_dim') !== undefined) out.mscaleAllDim = f('mscale_all_dim');
      if (typeof block.truncate === 'boolean') out.truncate = block.truncate;
      return out;
    }
    case 'llama3':
      return {
        kind: 'llama3',
        factor: factor as number,
        originalContext: f('original_max_position_embeddings') ?? needMax('llama3'),
        lowFreqFactor: f('low_freq_factor') ?? 1,
        highFreqFactor: f('high_freq_factor') ?? 4,
      };
    case 'longrope':
    case 'su': {
      const original =
        f('original_max_position_embeddings') ?? num(root, 'original_max_position_embeddings') ?? needMax('longrope');
      const list = (key: string): number[] => {
        const v = block[key];
        if (!Array.isArray(v) || !v.every((n) => typeof n === 'number')) {
          throw new SpecError(
            `config.rope_scaling.${key}`,
            `must be an array of numbers, got ${JSON.stringify(v)?.slice(0, 40)}`,
          );
        }
        return v as number[];
      };
      // HF: without an explicit factor, factor = max_position_embeddings / original.
      const longFactor = factor ?? (maxPositions !== undefined ? maxPositions / original : undefined);
      const out: {
        -readonly [K in keyof Extract<RopeScaling, { kind: 'longrope' }>]: Extract<RopeScaling, { kind: 'longrope' }>[K];
      } = {
        kind: 'longrope',
        factor: longFactor as number,
        originalContext: original,
        shortFactor: list('short_factor'),
        longFactor: list('long_factor'),
      };
      if (f('attention_factor') !== undefined) out.attentionFactor = f('attention_factor');
      return out;
    }
    default:
      throw new SpecError(
        'config.rope_scaling.rope_type',
        `RoPE scaling '${String(type)}' is not supported`,
        "weft supports 'linear', 'dynamic', 'yarn', 'llama3' and 'longrope'",
      );
  }
}

/**
 * Positional spec of a HF `config.json`. `role` picks T5's bidirectional encoder buckets or
 * its causal decoder buckets (default `decoder`, the side a causal LM runs).
 */
export function positionalSpecFromHfConfig(config: unknown, options: { role?: 'encoder' | 'decoder' } = {}): HfPositional {
  if (typeof config !== 'object' || config === null || Array.isArray(config))
    throw new SpecError('config', 'must be a JSON object');
  const c = config as Json;
  const modelType = typeof c.model_type === 'string' ? c.model_type : '';
  const hidden = num(c, 'hidden_size') ?? num(c, 'n_embd') ?? num(c, 'd_model');
  const heads = num(c, 'num_attention_heads') ?? num(c, 'n_head') ?? num(c, 'n_heads') ?? num(c, 'num_heads');
  const headDim = num(c, 'head_dim') ?? (hidden !== undefined && heads ? hidden / heads : undefined);
  const maxPositions = num(c, 'max_position_embeddings') ?? num(c, 'n_positions');
  const dims: PositionalDims = {
    ...(headDim !== undefined ? { headDim } : {}),
    ...(hidden !== undefined ? { channels: hidden } : {}),
    ...(heads !== undefined ? { heads } : {}),
  };
  // Per-layer setups would silently get one spec for every layer: refuse them rather than guess.
  for (const key of ['rope_local_base_freq', 'no_rope_layers', 'no_rope_layer_interval']) {
    if (c[key] !== undefined && c[key] !== null) {
      throw new UnsupportedError(
        `per-layer positional encoding (config.${key})`,
        'build one spec per layer type yourself (e.g. a second rope spec with the local base, or { kind: "none" } for NoPE layers)',
      );
    }
  }
  const attnConfig = typeof c.attn_config === 'object' && c.attn_config !== null ? (c.attn_config as Json) : {};

  if (FAIRSEQ_SINUSOIDAL_MODELS.has(modelType)) {
    throw new UnsupportedError(
      `fairseq-style sinusoidal positions ('${modelType}')`,
      "weft's sinusoidal spec uses the paper's base^(−2i/C) spacing; build the table yourself and pass it as a learned table",
    );
  }
  let spec: PositionalSpec;
  if (modelType === 'bloom' || c.alibi === true || attnConfig.alibi === true) {
    spec = { kind: 'alibi', ...(typeof attnConfig.alibi_bias_max === 'number' ? { maxBias: attnConfig.alibi_bias_max } : {}) };
  } else if (T5_MODELS.has(modelType)) {
    spec = {
      kind: 't5-relative',
      buckets: num(c, 'relative_attention_num_buckets') ?? 32,
      maxDistance: num(c, 'relative_attention_max_distance') ?? 128,
      bidirectional: options.role === 'encoder',
    };
  } else if (
    LEARNED_MODELS.has(modelType) ||
    (!ROPE_MODELS.has(modelType) && !ROPE_KEYS.some((k) => k in c) && 'n_positions' in c)
  ) {
    // GPT-2-style configs sometimes lose model_type (re-exported files); n_positions without rope fields means a wpe table.
    if (maxPositions === undefined) throw new SpecError('config.max_position_embeddings', 'is required for learned positions');
    spec = { kind: 'learned', maxPositions };
  } else if (!ROPE_MODELS.has(modelType) && !ROPE_KEYS.some((k) => k in c)) {
    throw new SpecError(
      'config.model_type',
      `cannot tell how '${modelType || '(no model_type)'}' encodes positions: no rope, alibi, relative-bucket or position-table fields`,
      'pass a PositionalSpec explicitly',
    );
  } else {
    const block = (typeof c.rope_parameters === 'object' && c.rope_parameters !== null ? c.rope_parameters : c.rope_scaling) as
      | Json
      | null
      | undefined;
    // transformers v5 nests rope_parameters per layer type ({ full_attention: {...}, sliding_attention: {...} })
    if (
      block &&
      typeof block === 'object' &&
      Object.values(block).some((v) => typeof v === 'object' && v !== null && !Array.isArray(v))
    ) {
      throw new UnsupportedError(
        'per-layer positional encoding (rope_parameters per layer type)',
        'build one spec per layer type yourself from each rope_parameters entry',
      );
    }
    const base = num(c, 'rope_theta') ?? (block ? num(block, 'rope_theta') : undefined) ?? num(c, 'rotary_emb_base') ?? 10000;
    if (headDim === undefined)
      throw new SpecError('config.head_dim', 'cannot tell the head dim (no head_dim, or hidden_size and num_attention_heads)');
    const partial =
      num(c, 'partial_rotary_factor') ?? (block ? num(block, 'partial_rotary_factor') : undefined) ?? num(c, 'rotary_pct');
    const rotaryDim = num(c, 'rotary_dim') ?? (partial !== undefined ? Math.floor(headDim * partial) : undefined);
    const scaling = block && typeof block === 'object' ? ropeScalingFrom(block, c, maxPositions) : undefined;
    spec = {
      kind: 'rope',
      base,
      layout: PAIRS_MODELS.has(modelType) ? 'pairs' : 'halves',
      ...(rotaryDim !== undefined && rotaryDim !== headDim ? { rotaryDim } : {}),
      ...(scaling ? { scaling } : {}),
    };
  }
  return { spec: validatePositionalSpec(spec, dims), dims };
}
