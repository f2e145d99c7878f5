import { createLinearAttentionState, type LinearAttentionState } from '@weft/attention';
import { type AttentionSpec, type Backend, SpecError, type Tensor, UnsupportedError } from '@weft/core';
import { CpuTensor } from '@weft/cpu';
import type { AttentionBlock, BlockContext, LayerState } from './llama/blocks.js';
import { GqaAttention } from './llama/blocks.js';
import { LlamaModel } from './llama/model.js';

type LinearSpec = Extract<AttentionSpec, { kind: 'linear' }>;

/**
 * Causal linear attention as a Llama attention block whose per-layer state is the recurrent
 * one of @weft/attention (running sums φ(k)vᵀ and φ(k), O(m·D) per kv head): a decode step
 * costs O(1) in the sequence length, where the stateless kernel behind `Backend.attention`
 * re-reads the whole KV cache. Projections and RoPE run on the backend; the recurrence is
 * host code, so the block needs the CPU backend.
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
    throw new UnsupportedError(`recurrent linear attention on backend '${t.backend}'`, 'use the CPU backend');
  return t.data as Float32Array;
}

/** A GQA layer's projections with a recurrent linear-attention core. */
export class RecurrentLinearAttention implements AttentionBlock {
  constructor(
    readonly gqa: GqaAttention,
    readonly spec: LinearSpec,
  ) {
    if (spec.kind !== 'linear') throw new SpecError('kind', `expected a 'linear' spec, got '${(spec as AttentionSpec).kind}'`);
  }
  /** The GQA weights (disposed with the model). */
  get weights() {
    return this.gqa.weights;
  }
  createState(_backend: Backend, _capacity: number): RecurrentState {
    const { heads: H, kvHeads: Hkv, headDim: D } = this.gqa.dims;
    return new RecurrentState(createLinearAttentionState(this.spec, { H, Hkv, D }));
  }
  forward(h: Tensor, state: LayerState, ctx: BlockContext): Tensor {
    const { backend: b, position } = ctx;
    const { heads: H, kvHeads: Hkv, headDim: D } = this.gqa.dims;
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
 * A copy of a Llama model whose GQA blocks run `spec` (causal linear attention) with a
 * recurrent state per layer instead of a KV cache. Shares weights with `model`.
 */
export function withRecurrentLinearAttention(model: LlamaModel, spec: LinearSpec): LlamaModel {
  const layers = model.weights.layers.map((layer) => {
    if (!(layer.attention instanceof GqaAttention)) throw new UnsupportedError('recurrent linear attention over a non-GQA block');
    return { ...layer, attention: new RecurrentLinearAttention(layer.attention, spec) };
  });
  return new LlamaModel(model.backend, { ...model.config, attention: spec }, { ...model.weights, layers }, model.normEps);
}
