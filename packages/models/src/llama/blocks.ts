import type { AttentionSpec, Backend, RopeCall, Tensor } from '@weft/core';
import { ropeLogitScale } from '@weft/positional';

/**
 * Per-layer sequence state owned by an attention block (keys/values for softmax attention,
 * a latent for MLA, running sums for linear attention). The model's cache holds one per layer.
 */
export interface LayerState {
  /** Forgets everything after the first `length` positions. */
  truncate(length: number): void;
  clone(): LayerState;
  dispose(): void;
}

/** Call context of one attention block forward. */
export interface BlockContext {
  readonly backend: Backend;
  /** Position of the first row of `h` (tokens already in the state). */
  readonly position: number;
  /** Receives attention probabilities [H, T, S] when interpretability capture is on. */
  readonly capture?: (probs: Float32Array, shape: readonly [number, number, number]) => void;
}

/**
 * The attention half of a transformer block: h:[T,C] → [T,C] (before the residual add).
 * Swappable per layer: GQA softmax attention with any AttentionSpec, MLA, ...
 */
export interface AttentionBlock {
  createState(backend: Backend, capacity: number): LayerState;
  forward(h: Tensor, state: LayerState, ctx: BlockContext): Tensor;
}

/** Weights of a Llama attention: PyTorch Linear layout [out, in]. */
export interface GqaWeights {
  readonly wq: Tensor; // [H·D, C]
  readonly wk: Tensor; // [Hkv·D, C]
  readonly wv: Tensor; // [Hkv·D, C]
  readonly wo: Tensor; // [C, H·D]
}

/** Keys and values, token-major [S, Hkv, D]. */
export class KvState implements LayerState {
  constructor(
    private readonly backend: Backend,
    readonly k: Tensor,
    readonly v: Tensor,
  ) {}
  truncate(): void {
    // Rows past the cache length are ignored by attention (kvLength), so nothing to clear.
  }
  clone(): KvState {
    const S = this.k.shape[0]!;
    return new KvState(this.backend, this.backend.sliceRows(this.k, 0, S), this.backend.sliceRows(this.v, 0, S));
  }
  dispose(): void {
    this.k.dispose();
    this.v.dispose();
  }
}

/** Softmax attention with grouped KV heads; the variant comes from `spec`. */
export class GqaAttention implements AttentionBlock {
  /** Logit scale: 1/√D, times YaRN's attention temperature when that scaling is on. */
  readonly scale: number;
  constructor(
    readonly weights: GqaWeights,
    readonly dims: { readonly heads: number; readonly kvHeads: number; readonly headDim: number },
    readonly spec: AttentionSpec,
    readonly rope: Omit<RopeCall, 'offset'> | undefined,
  ) {
    this.scale = ropeLogitScale(rope?.scaling) / Math.sqrt(dims.headDim);
  }

  createState(backend: Backend, capacity: number): KvState {
    const { kvHeads, headDim } = this.dims;
    return new KvState(backend, backend.zeros([capacity, kvHeads, headDim]), backend.zeros([capacity, kvHeads, headDim]));
  }

  forward(h: Tensor, state: LayerState, ctx: BlockContext): Tensor {
    const { backend: b, position } = ctx;
    const { heads: H, kvHeads: Hkv, headDim: D } = this.dims;
    const T = h.shape[0]!;
    const kv = state as KvState;
    let q = b.reshape(b.matmul(h, this.weights.wq), [T, H, D]);
    let k = b.reshape(b.matmul(h, this.weights.wk), [T, Hkv, D]);
    const v = b.reshape(b.matmul(h, this.weights.wv), [T, Hkv, D]);
    if (this.rope) {
      q = b.rope(q, { ...this.rope, offset: position });
      k = b.rope(k, { ...this.rope, offset: position });
    }
    b.writeRows(kv.k, k, position);
    b.writeRows(kv.v, v, position);
    const out = b.attention(q, kv.k, kv.v, {
      spec: this.spec,
      queryOffset: position,
      kvLength: position + T,
      scale: this.scale,
      ...(ctx.capture ? { capture: ctx.capture } : {}),
    });
    return b.matmul(b.reshape(out, [T, H * D]), this.weights.wo);
  }
}
