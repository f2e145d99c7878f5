import {
  type AttentionSpec,
  type Backend,
  type DType,
  InvalidFileError,
  type ModelConfig,
  type PositionalSpec,
  type RopeScaling,
  type Tensor,
  UnsupportedError,
} from '@weft/core';
import { createCpuBackend } from '@weft/cpu';
import { GqaAttention } from '../llama/blocks.js';
import { LlamaModel, type LlamaWeights } from '../llama/model.js';
import {
  type GgufFile,
  type GgufTensorInfo,
  type GgufValue,
  ggmlTypeName,
  ggufNumber,
  ggufTensorData,
  parseGguf,
  writeGguf,
} from './gguf.js';

/** Options of {@link loadGgufLlama}. */
export interface GgufLoadOptions {
  readonly backend?: Backend;
  readonly attention?: AttentionSpec;
  readonly fileName?: string;
}

/** Vocabulary stored in a GGUF file (tokenizer.ggml.*). */
export interface GgufVocabulary {
  /** 'llama' (SentencePiece), 'gpt2' (byte-level BPE), ... */
  readonly model: string;
  readonly tokens: readonly string[];
  readonly scores: Float32Array | undefined;
  readonly tokenTypes: Int32Array | undefined;
  readonly merges: readonly string[] | undefined;
  readonly bos: number | undefined;
  readonly eos: number | undefined;
  readonly unk: number | undefined;
}

const ARCHES = new Set(['llama', 'mistral']);

/** The tokenizer.ggml.* metadata of a parsed GGUF file, if present. */
export function ggufVocabulary(g: GgufFile): GgufVocabulary | undefined {
  const tokens = g.metadata.get('tokenizer.ggml.tokens');
  if (!Array.isArray(tokens)) return undefined;
  const num = (k: string) => {
    const v = g.metadata.get(k);
    return typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : undefined;
  };
  const scores = g.metadata.get('tokenizer.ggml.scores');
  const types = g.metadata.get('tokenizer.ggml.token_type');
  const merges = g.metadata.get('tokenizer.ggml.merges');
  return {
    model: String(g.metadata.get('tokenizer.ggml.model') ?? 'unknown'),
    tokens: tokens.map(String),
    scores: Array.isArray(scores) ? Float32Array.from(scores as number[]) : undefined,
    tokenTypes: Array.isArray(types) ? Int32Array.from(types as number[]) : undefined,
    merges: Array.isArray(merges) ? merges.map(String) : undefined,
    bos: num('tokenizer.ggml.bos_token_id'),
    eos: num('tokenizer.ggml.eos_token_id'),
    unk: num('tokenizer.ggml.unknown_token_id'),
  };
}

/**
 * Loads a Llama-architecture GGUF model (F32 / F16 / BF16 / Q8_0 / Q4_0 tensors). Quantized
 * matrices stay quantized on the backend (the GGML block layouts are the backend's own).
 * llama.cpp stores Q/K rows permuted for its adjacent-pairs RoPE, so RoPE runs in `pairs` layout.
 */
export function loadGgufLlama(
  data: Uint8Array,
  opts: GgufLoadOptions = {},
): { model: LlamaModel; gguf: GgufFile; vocabulary: GgufVocabulary | undefined } {
  const file = opts.fileName ?? 'model.gguf';
  const g = parseGguf(data, file);
  const arch = String(g.metadata.get('general.architecture') ?? '');
  if (!ARCHES.has(arch))
    throw new UnsupportedError(
      `${file}: GGUF architecture '${arch}'`,
      'weft loads llama-architecture GGUF models (Llama 1/2/3, Mistral, TinyLlama, SmolLM2-style)',
    );
  const n = (k: string, fallback?: number) => ggufNumber(g, `${arch}.${k}`, file, fallback);
  const C = n('embedding_length');
  const L = n('block_count');
  const F = n('feed_forward_length');
  const H = n('attention.head_count');
  const Hkv = n('attention.head_count_kv', H);
  const contextLength = n('context_length', 2048);
  const eps = n('attention.layer_norm_rms_epsilon', 1e-5);
  const base = n('rope.freq_base', 10000);
  if (C % H !== 0 || H % Hkv !== 0)
    throw new InvalidFileError(file, `embedding_length ${C}, head_count ${H} and head_count_kv ${Hkv} do not divide`);
  const D = C / H;
  const rotaryDim = n('rope.dimension_count', D);
  const tokenEmbd = need(g, 'token_embd.weight', file);
  const V = tokenEmbd.dims[1]!;
  let scaling: RopeScaling | undefined;
  const scalingType = g.metadata.get(`${arch}.rope.scaling.type`);
  if (scalingType === 'linear') scaling = { kind: 'linear', factor: n('rope.scaling.factor') };
  else if (scalingType === 'yarn')
    scaling = { kind: 'yarn', factor: n('rope.scaling.factor'), originalContext: n('rope.scaling.original_context_length') };
  else if (scalingType !== undefined && scalingType !== 'none')
    throw new UnsupportedError(`${file}: RoPE scaling '${String(scalingType)}'`);
  const freqs = g.tensors.get('rope_freqs.weight');
  if (freqs) {
    // llama.cpp's per-frequency divisors (Llama 3.1 exports): θ_i / f_i with no attention
    // factor, which single-regime LongRoPE expresses exactly.
    if (scaling)
      throw new UnsupportedError(`${file}: rope_freqs.weight together with rope.scaling.type '${String(scalingType)}'`);
    if (freqs.dtype !== 'f32' || freqs.dims.length !== 1 || freqs.dims[0] !== rotaryDim / 2)
      throw new InvalidFileError(
        file,
        `rope_freqs.weight must be F32 [${rotaryDim / 2}], got ${ggmlTypeName(freqs.type)} [${freqs.dims.join(', ')}]`,
      );
    const f = Array.from(ggufTensorData(data, freqs) as Float32Array);
    if (f.some((x) => !(x > 0))) throw new InvalidFileError(file, 'rope_freqs.weight holds a non-positive factor');
    scaling = { kind: 'longrope', factor: 1, originalContext: contextLength, shortFactor: f, longFactor: f, attentionFactor: 1 };
  }
  const positional: PositionalSpec = {
    kind: 'rope',
    base,
    layout: 'pairs',
    ...(rotaryDim !== D ? { rotaryDim } : {}),
    ...(scaling ? { scaling } : {}),
  };

  const backend = opts.backend ?? createCpuBackend();
  const load = (name: string, shape: number[]): Tensor => {
    const t = need(g, name, file);
    const expect = [...shape].reverse();
    if (t.dims.length !== expect.length || t.dims.some((d, i) => d !== expect[i])) {
      throw new InvalidFileError(file, `tensor ${name} has GGML dims [${t.dims.join(', ')}], expected [${expect.join(', ')}]`);
    }
    const host = ggufTensorData(data, t);
    return backend.fromHost(host, shape, t.dtype as DType);
  };
  const vector = (name: string) => {
    const t = load(name, [C]);
    if (t.dtype !== 'f32')
      throw new UnsupportedError(`${file}: norm weight ${name} stored as ${t.dtype}`, 'norm weights must be F32');
    return t;
  };
  const rope = { base, layout: 'pairs' as const, ...(rotaryDim !== D ? { rotaryDim } : {}), ...(scaling ? { scaling } : {}) };
  const config: ModelConfig = {
    architecture: 'llama',
    vocabSize: V,
    contextLength,
    dim: C,
    layers: L,
    heads: H,
    kvHeads: Hkv,
    headDim: D,
    hiddenDim: F,
    attention: opts.attention ?? { kind: 'full', mask: { kind: 'causal' } },
    positional,
    ...bosEos(g),
  };
  const embedding = load('token_embd.weight', [V, C]);
  const weights: LlamaWeights = {
    embedding,
    layers: Array.from({ length: L }, (_, l) => ({
      attnNorm: vector(`blk.${l}.attn_norm.weight`),
      attention: new GqaAttention(
        {
          wq: load(`blk.${l}.attn_q.weight`, [H * D, C]),
          wk: load(`blk.${l}.attn_k.weight`, [Hkv * D, C]),
          wv: load(`blk.${l}.attn_v.weight`, [Hkv * D, C]),
          wo: load(`blk.${l}.attn_output.weight`, [C, H * D]),
        },
        { heads: H, kvHeads: Hkv, headDim: D },
        config.attention,
        rope,
      ),
      ffnNorm: vector(`blk.${l}.ffn_norm.weight`),
      w1: load(`blk.${l}.ffn_gate.weight`, [F, C]),
      w2: load(`blk.${l}.ffn_down.weight`, [C, F]),
      w3: load(`blk.${l}.ffn_up.weight`, [F, C]),
    })),
    finalNorm: vector('output_norm.weight'),
    classifier: g.tensors.has('output.weight') ? load('output.weight', [V, C]) : embedding,
  };
  return { model: new LlamaModel(backend, config, weights, eps), gguf: g, vocabulary: ggufVocabulary(g) };
}

function bosEos(g: GgufFile): { bosTokenId?: number; eosTokenId?: number } {
  const v = ggufVocabulary(g);
  return { ...(v?.bos !== undefined ? { bosTokenId: v.bos } : {}), ...(v?.eos !== undefined ? { eosTokenId: v.eos } : {}) };
}

function need(g: GgufFile, name: string, file: string): GgufTensorInfo {
  const t = g.tensors.get(name);
  if (!t)
    throw new InvalidFileError(file, `tensor ${name} is missing`, 'the file is not a complete llama-architecture GGUF model');
  if (!t.dtype)
    throw new UnsupportedError(
      `${file}: tensor ${name} of GGML type ${ggmlTypeName(t.type)}`,
      'weft reads F32, F16, BF16, Q8_0 and Q4_0 tensors; re-quantize to one of those',
    );
  return t;
}

const GGML_TYPE_OF: Partial<Record<DType, number>> = { f32: 0, f16: 1, q4_0: 2, q8_0: 8, bf16: 30 };

/**
 * Writes a Llama model (any storage dtypes) as a llama-architecture GGUF v3 file, with an
 * optional SentencePiece-style vocabulary (pieces use ▁ for spaces, as llama.cpp expects).
 */
export async function exportGgufLlama(
  model: LlamaModel,
  vocabulary?: { tokens: string[]; scores: number[]; tokenTypes: number[] },
): Promise<Uint8Array> {
  const c = model.config;
  if (c.positional.kind !== 'rope' || c.positional.layout !== 'pairs')
    throw new UnsupportedError('exporting a model whose RoPE is not in pairs layout');
  const b = model.backend;
  const tensors: { name: string; dims: number[]; type: number; data: Uint8Array }[] = [];
  const add = async (name: string, t: Tensor) => {
    const type = GGML_TYPE_OF[t.dtype];
    if (type === undefined) throw new UnsupportedError(`exporting a ${t.dtype} tensor to GGUF`);
    const host = await b.read(t);
    tensors.push({
      name,
      dims: [...t.shape].reverse(),
      type,
      data: new Uint8Array(host.buffer, host.byteOffset, host.byteLength),
    });
  };
  const w = model.weights;
  await add('token_embd.weight', w.embedding);
  for (const [l, layer] of w.layers.entries()) {
    const att = layer.attention;
    if (!(att instanceof GqaAttention)) throw new UnsupportedError(`exporting layer ${l}: only GQA attention blocks map to GGUF`);
    await add(`blk.${l}.attn_norm.weight`, layer.attnNorm);
    await add(`blk.${l}.attn_q.weight`, att.weights.wq);
    await add(`blk.${l}.attn_k.weight`, att.weights.wk);
    await add(`blk.${l}.attn_v.weight`, att.weights.wv);
    await add(`blk.${l}.attn_output.weight`, att.weights.wo);
    await add(`blk.${l}.ffn_norm.weight`, layer.ffnNorm);
    await add(`blk.${l}.ffn_gate.weight`, layer.w1);
    await add(`blk.${l}.ffn_down.weight`, layer.w2);
    await add(`blk.${l}.ffn_up.weight`, layer.w3);
  }
  await add('output_norm.weight', w.finalNorm);
  if (w.classifier !== w.embedding) await add('output.weight', w.classifier);
  const meta: [string, GgufValue, 'u32' | 'i32' | 'f32' | 'str' | 'bool' | 'arr-str' | 'arr-f32' | 'arr-i32'][] = [
    ['general.architecture', 'llama', 'str'],
    ['general.name', 'weft export', 'str'],
    ['llama.context_length', c.contextLength, 'u32'],
    ['llama.embedding_length', c.dim, 'u32'],
    ['llama.block_count', c.layers, 'u32'],
    ['llama.feed_forward_length', c.hiddenDim, 'u32'],
    ['llama.rope.dimension_count', c.positional.rotaryDim ?? c.headDim, 'u32'],
    ['llama.rope.freq_base', c.positional.base, 'f32'],
    ['llama.attention.head_count', c.heads, 'u32'],
    ['llama.attention.head_count_kv', c.kvHeads, 'u32'],
    ['llama.attention.layer_norm_rms_epsilon', model.normEps, 'f32'],
  ];
  if (vocabulary) {
    meta.push(
      ['tokenizer.ggml.model', 'llama', 'str'],
      ['tokenizer.ggml.tokens', vocabulary.tokens, 'arr-str'],
      ['tokenizer.ggml.scores', vocabulary.scores, 'arr-f32'],
      ['tokenizer.ggml.token_type', vocabulary.tokenTypes, 'arr-i32'],
      ['tokenizer.ggml.bos_token_id', c.bosTokenId ?? 1, 'u32'],
      ['tokenizer.ggml.eos_token_id', c.eosTokenId ?? 2, 'u32'],
    );
  }
  return writeGguf(meta, tensors);
}
