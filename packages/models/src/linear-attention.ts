import { createLinearAttentionState, type LinearAttentionState } from '@weft/attention';
import { type AttentionSpec, type Backend, SpecError, type Tensor, UnsupportedError } from '@weft/core';
import { CpuBackend, CpuTensor } from '@weft/cpu';
import type { AttentionBlock, BlockContext, LayerState } from './llama/blocks.js';
import { GqaAttention, KvState } from './llama/blocks.js';
import { LlamaModel } from './llama/model.js';

type LinearSpec = Extract<AttentionSpec, { kind: 'linear' }>;

/**
 * Causal linear attention as a Llama attention block that decodes in O(1) per token in the
 * sequence length. Projections and RoPE are Backend ops; where the running sums φ(k)vᵀ and
 * φ(k) (O(m·D) per kv head) live depends on the backend, because the Backend contract has
 * no stateful op — state exists only as tensors, and the sums cannot be built from the
 * contract's ops (no elementwise exp/elu for φ, no transposed matmul for Σ φ(k)vᵀ):
 * - CPU: @weft/attention's recurrent state on the host — O(m·D) memory, no KV cache;
 * - any other backend: a KV cache [S, Hkv, D] and `Backend.attention` with the causal linear
 *   spec. WebGPU keeps its own running state per cache buffer (linear-state.ts) and folds in
 *   only the rows added since the last step, so a decode step is O(m·D) there too; memory is
 *   the KV cache's. A backend without such a state re-reads the cache (O(kvLength) per step).
 */
class RecurrentState implements LayerState {
  constructor(readonly state: LinearAttentionState) {}
  truncate(length: number): void {
    if (length === this.state.length) return;
    if (length === 0) {
      this.state.reset();
      return;
    }
    throw new UnsupportedError(
      `rewinding a linear-attention state from ${this.state.length} to ${length} tokens`,
      'clone the cache before speculative steps instead',
    );
  }
  clone(): RecurrentState {
    return new RecurrentState(this.state.clone());
  }
  dispose(): void {}
}

function host(t: Tensor): Float32Array {
  if (!(t instanceof CpuTensor) || t.dtype !== 'f32')
    throw new UnsupportedError(`a host linear-attention state fed a ${t.dtype} tensor on backend '${t.backend}'`);
  return t.data as Float32Array;
}

/** A GQA layer's projections with a recurrent linear-attention core. */
export class RecurrentLinearAttention implements AttentionBlock {
  /** The same projections running `spec` through Backend.attention over a KV cache. */
  private readonly overCache: GqaAttention;
  constructor(
    readonly gqa: GqaAttention,
    readonly spec: LinearSpec,
  ) {
    if (spec.kind !== 'linear') throw new SpecError('kind', `expected a 'linear' spec, got '${(spec as AttentionSpec).kind}'`);
    if (spec.causal === false)
      throw new SpecError(
        'causal',
        'a recurrent state is causal by nature',
        'use GqaAttention for bidirectional linear attention',
      );
    this.overCache = new GqaAttention(gqa.weights, gqa.dims, spec, gqa.rope);
  }
  /** The GQA weights (disposed with the model). */
  get weights() {
    return this.gqa.weights;
  }
  createState(backend: Backend, capacity: number): RecurrentState | KvState {
    const { heads: H, kvHeads: Hkv, headDim: D } = this.gqa.dims;
    if (backend instanceof CpuBackend)
      return new RecurrentState(createLinearAttentionState(this.spec, { H, Hkv, D }, { scale: this.gqa.scale }));
    const fm = this.spec.featureMap;
    if (typeof fm === 'object' && fm.redrawEvery !== undefined)
      throw new UnsupportedError(
        `FAVOR+ redrawEvery on backend '${backend.info.name}' (its running state always uses draw 0)`,
        'omit redrawEvery, or run this model on the CPU backend',
      );
    return this.gqa.createState(backend, capacity);
  }
  forward(h: Tensor, state: LayerState, ctx: BlockContext): Tensor {
    const { backend: b, position } = ctx;
    const { heads: H, kvHeads: Hkv, headDim: D } = this.gqa.dims;
    if (state instanceof KvState) {
      // any backend: the cache and Backend.attention (WebGPU decodes with its running state)
      return this.overCache.forward(h, state, ctx);
    }
    const s = (state as RecurrentState).state;
    if (s.length !== position)
      throw new UnsupportedError(`a linear-attention state at ${s.length} tokens fed at position ${position}`);
    const T = h.shape[0]!;
    const w = this.gqa.weights;
    let q = b.reshape(b.matmul(h, w.wq), [T, H, D]);
    let k = b.reshape(b.matmul(h, w.wk), [T, Hkv, D]);
    const v = b.reshape(b.matmul(h, w.wv), [T, Hkv, D]);
    if (this.gqa.rope) {
      q = b.rope(q, { ...this.gqa.rope, offset: position });
      k = b.rope(k, { ...this.gqa.rope, offset: position });
    }
    const out = s.step(host(q), host(k), host(v));
    return b.matmul(b.fromHost(out, [T, H * D]), w.wo);
  }
}

/**
 * A copy of a Llama model whose GQA blocks run `spec` (causal linear attention) decoding in
 * O(1) per token: a recurrent state per layer on the CPU, the backend's running state over a
 * KV cache elsewhere (see {@link RecurrentLinearAttention}). Shares weights with `model`.
 */
export function withRecurrentLinearAttention(model: LlamaModel, spec: LinearSpec): LlamaModel {
  const layers = model.weights.layers.map((layer) => {
    if (!(layer.attention instanceof GqaAttention)) throw new UnsupportedError('recurrent linear attention over a non-GQA block');
    return { ...layer, attention: new RecurrentLinearAttention(layer.attention, spec) };
  });
  return new LlamaModel(model.backend, { ...model.config, attention: spec }, { ...model.weights, layers }, model.normEps);
}
