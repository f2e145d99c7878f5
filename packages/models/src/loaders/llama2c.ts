import {
  type AttentionSpec,
  type Backend,
  f32ArrayToF16,
  InvalidFileError,
  type ModelConfig,
  type PositionalSpec,
  SpecError,
  type Tensor,
  UnsupportedError,
} from '@weft/core';
import { createCpuBackend, quantizeQ4_0, quantizeQ8_0 } from '@weft/cpu';
import { GqaAttention } from '../llama/blocks.js';
import { LlamaModel, type LlamaWeights } from '../llama/model.js';

/** llama2.c checkpoint header (`Config` in run.c). */
export interface Llama2cHeader {
  readonly dim: number;
  readonly hiddenDim: number;
  readonly layers: number;
  readonly heads: number;
  readonly kvHeads: number;
  readonly vocabSize: number;
  readonly seqLen: number;
  /** Classifier weights shared with the token embedding. */
  readonly sharedClassifier: boolean;
  /** 0 = legacy run.c export; 1 = "ak42" fp32 export. */
  readonly version: 0 | 1;
  /** Byte offset of the first weight. */
  readonly weightsOffset: number;
}

/** Options of {@link loadLlama2c}. */
export interface LoadOptions {
  /** Backend the weights live on (default: a new CPU backend). */
  readonly backend?: Backend;
  /** Attention variant (default: causal `full`, exactly what run.c computes). */
  readonly attention?: AttentionSpec;
  /** Positional encoding (default: RoPE, pairs layout, base 10000, as run.c). */
  readonly positional?: PositionalSpec;
  /** Store the matrices as f16 or GGML q8_0 / q4_0 blocks (default f32). */
  readonly weightsDtype?: 'f32' | 'f16' | 'q8_0' | 'q4_0';
  /** Name used in error messages. */
  readonly fileName?: string;
}

const MAGIC_AK42 = 0x616b3432;
const LIMIT = 1 << 20;

/** Reads and validates the header of a llama2.c checkpoint (legacy or version 1). */
export function readLlama2cHeader(data: Uint8Array, fileName = 'model.bin'): Llama2cHeader {
  const hint = 'pass a llama2.c checkpoint (.bin written by export.py / train.py), e.g. models/stories260K.bin';
  if (data.byteLength < 28)
    throw new InvalidFileError(fileName, `only ${data.byteLength} bytes; a llama2.c checkpoint header needs 28`, hint);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let version: 0 | 1 = 0;
  let o = 0;
  let shared: boolean | undefined;
  if (view.getUint32(0, true) === MAGIC_AK42) {
    const v = view.getInt32(4, true);
    if (v === 2)
      throw new UnsupportedError(
        `${fileName}: llama2.c version-2 (int8 group-quantised) checkpoints`,
        'export with `export.py --version 1` (fp32) or use the legacy format',
      );
    if (v !== 1) throw new InvalidFileError(fileName, `unknown llama2.c export version ${v}`, hint);
    if (data.byteLength < 256) throw new InvalidFileError(fileName, 'truncated: a version-1 header is 256 bytes', hint);
    version = 1;
    o = 8;
    shared = data[8 + 28] !== 0;
  }
  const ints = Array.from({ length: 7 }, (_, i) => view.getInt32(o + 4 * i, true));
  const [dim, hiddenDim, layers, heads, kvHeads, vocabRaw, seqLen] = ints as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const vocabSize = Math.abs(vocabRaw);
  const fields: [string, number][] = [
    ['dim', dim],
    ['hidden_dim', hiddenDim],
    ['n_layers', layers],
    ['n_heads', heads],
    ['n_kv_heads', kvHeads],
    ['vocab_size', vocabSize],
    ['seq_len', seqLen],
  ];
  for (const [name, value] of fields) {
    if (!(value > 0 && value <= LIMIT))
      throw new InvalidFileError(
        fileName,
        `header field ${name} = ${value} is not a plausible size; this is not a llama2.c checkpoint`,
        hint,
      );
  }
  if (dim % heads !== 0) throw new InvalidFileError(fileName, `dim ${dim} is not divisible by n_heads ${heads}`, hint);
  if (heads % kvHeads !== 0)
    throw new InvalidFileError(fileName, `n_heads ${heads} is not a multiple of n_kv_heads ${kvHeads}`, hint);
  if ((dim / heads) % 2 !== 0)
    throw new InvalidFileError(fileName, `head size ${dim / heads} is odd; RoPE needs an even head size`, hint);
  return {
    dim,
    hiddenDim,
    layers,
    heads,
    kvHeads,
    vocabSize,
    seqLen,
    sharedClassifier: shared ?? vocabRaw > 0,
    version,
    weightsOffset: version === 1 ? 256 : 28,
  };
}

/** Number of float32 weights the file must hold after the header. */
function expectedFloats(h: Llama2cHeader): number {
  const { dim, hiddenDim: F, layers: L, heads, kvHeads, vocabSize: V, seqLen } = h;
  const D = dim / heads;
  let n = V * dim + L * dim * 2 + dim; // embeddings, two norms per layer, final norm
  n += L * dim * (heads * D) + 2 * L * dim * (kvHeads * D) + L * (heads * D) * dim; // wq wk wv wo
  n += 3 * L * dim * F; // w1 w2 w3
  if (h.version === 0) n += seqLen * D; // freq_cis_real + freq_cis_imag (seq_len · D/2 each), unused
  if (!h.sharedClassifier) n += V * dim;
  return n;
}

/**
 * Loads a llama2.c checkpoint as a {@link LlamaModel}. Validates the header and the exact
 * file size before touching any weight, so a truncated or foreign file fails here with an
 * {@link InvalidFileError} naming it, never inside the forward pass.
 */
export function loadLlama2c(data: Uint8Array, opts: LoadOptions = {}): LlamaModel {
  const fileName = opts.fileName ?? 'model.bin';
  const h = readLlama2cHeader(data, fileName);
  const need = h.weightsOffset + 4 * expectedFloats(h);
  if (data.byteLength !== need) {
    const what =
      data.byteLength < need
        ? `truncated: ${data.byteLength} bytes, the header promises ${need}`
        : `${data.byteLength - need} unexpected bytes after the weights (expected ${need} bytes)`;
    throw new InvalidFileError(
      fileName,
      `${what} (dim ${h.dim}, ${h.layers} layers, vocab ${h.vocabSize}, ${h.sharedClassifier ? 'shared' : 'separate'} classifier)`,
      'the file is damaged or not a llama2.c checkpoint; re-export it',
    );
  }
  const backend = opts.backend ?? createCpuBackend();
  const { dim: C, hiddenDim: F, layers: L, heads: H, kvHeads: Hkv, vocabSize: V } = h;
  const D = C / H;
  // Copy to an aligned buffer so Float32Array views are legal whatever the input offset.
  // (Uint8Array.prototype.slice copies; Buffer#slice would alias the whole file buffer.)
  const floats = new Float32Array(Uint8Array.prototype.slice.call(data, h.weightsOffset).buffer);
  let p = 0;
  const take = (n: number) => floats.subarray(p, (p += n));
  const dtype = opts.weightsDtype ?? 'f32';
  const matrix = (src: Float32Array, N: number, K: number): Tensor => {
    switch (dtype) {
      case 'f32':
        return backend.fromHost(src, [N, K], 'f32');
      case 'f16':
        return backend.fromHost(f32ArrayToF16(src), [N, K], 'f16');
      case 'q8_0':
      case 'q4_0':
        if (K % 32 !== 0)
          throw new SpecError(
            'weightsDtype',
            `${dtype} needs every matrix's input dim to be a multiple of 32; this model has ${K}`,
            "use 'f16' or 'f32'",
          );
        return backend.fromHost(dtype === 'q8_0' ? quantizeQ8_0(src, N, K) : quantizeQ4_0(src, N, K), [N, K], dtype);
      default:
        throw new SpecError('weightsDtype', `unknown dtype ${String(dtype)}`, "use 'f32', 'f16', 'q8_0' or 'q4_0'");
    }
  };
  const vector = (src: Float32Array) => backend.fromHost(src, [src.length], 'f32');
  const perLayer = (n: number) => Array.from({ length: L }, () => take(n));

  // Legacy order: tok_embeddings, rms_att, wq, wk, wv, wo, rms_ffn, w1, w2, w3, rms_final, (freqs), (wcls).
  // Version 1 order: rms_att, rms_ffn, rms_final, tok_embeddings, wq, wk, wv, wo, w1, w2, w3, (wcls).
  let embSrc: Float32Array;
  let rmsAtt: Float32Array[];
  let rmsFfn: Float32Array[];
  let rmsFinal: Float32Array;
  if (h.version === 0) {
    embSrc = take(V * C);
    rmsAtt = perLayer(C);
  } else {
    rmsAtt = perLayer(C);
    rmsFfn = perLayer(C);
    rmsFinal = take(C);
    embSrc = take(V * C);
  }
  const wq = perLayer(C * H * D);
  const wk = perLayer(C * Hkv * D);
  const wv = perLayer(C * Hkv * D);
  const wo = perLayer(H * D * C);
  if (h.version === 0) rmsFfn = perLayer(C);
  const w1 = perLayer(C * F);
  const w2 = perLayer(F * C);
  const w3 = perLayer(C * F);
  if (h.version === 0) {
    rmsFinal = take(C);
    take(h.seqLen * D);
  }
  const clsSrc = h.sharedClassifier ? undefined : take(V * C);

  const config: ModelConfig = {
    architecture: 'llama',
    vocabSize: V,
    contextLength: h.seqLen,
    dim: C,
    layers: L,
    heads: H,
    kvHeads: Hkv,
    headDim: D,
    hiddenDim: F,
    attention: opts.attention ?? { kind: 'full', mask: { kind: 'causal' } },
    positional: opts.positional ?? { kind: 'rope', base: 10000, layout: 'pairs' },
    bosTokenId: 1,
    eosTokenId: 2,
  };
  const pos = config.positional;
  if (pos.kind !== 'rope' && pos.kind !== 'none') {
    throw new SpecError(
      'positional.kind',
      `'${pos.kind}' cannot be applied to a RoPE-trained llama2.c model`,
      "use { kind: 'rope', ... } (optionally with scaling) or { kind: 'none' }",
    );
  }
  const rope =
    pos.kind === 'rope'
      ? {
          base: pos.base,
          layout: pos.layout,
          ...(pos.rotaryDim ? { rotaryDim: pos.rotaryDim } : {}),
          ...(pos.scaling ? { scaling: pos.scaling } : {}),
        }
      : undefined;

  const embedding = backend.fromHost(embSrc, [V, C], 'f32');
  const weights: LlamaWeights = {
    embedding,
    layers: Array.from({ length: L }, (_, l) => ({
      attnNorm: vector(rmsAtt[l]!),
      attention: new GqaAttention(
        {
          wq: matrix(wq[l]!, H * D, C),
          wk: matrix(wk[l]!, Hkv * D, C),
          wv: matrix(wv[l]!, Hkv * D, C),
          wo: matrix(wo[l]!, C, H * D),
        },
        { heads: H, kvHeads: Hkv, headDim: D },
        config.attention,
        rope,
      ),
      ffnNorm: vector(rmsFfn![l]!),
      w1: matrix(w1[l]!, F, C),
      w2: matrix(w2[l]!, C, F),
      w3: matrix(w3[l]!, F, C),
    })),
    finalNorm: vector(rmsFinal!),
    classifier: clsSrc ? matrix(clsSrc, V, C) : dtype === 'f32' ? embedding : matrix(embSrc, V, C),
  };
  return new LlamaModel(backend, config, weights);
}
