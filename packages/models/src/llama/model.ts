import {
  type AttentionSpec,
  type Backend,
  type CausalLM,
  type ForwardOptions,
  type KVCache,
  type ModelConfig,
  OutOfRangeError,
  type Tensor,
  throwIfAborted,
  UnsupportedError,
} from '@weft/core';
import type { AttentionBlock, BlockContext, LayerState } from './blocks.js';

/**
 * Llama-family decoder: embeddings → [RMSNorm → attention → + → RMSNorm → SwiGLU MLP → +] × L
 * → RMSNorm → classifier. Shape legend: T new tokens, C = dim, F = hidden (MLP) dim, V vocab.
 */
export interface LlamaWeights {
  readonly embedding: Tensor; // [V, C]
  readonly layers: readonly {
    readonly attnNorm: Tensor; // [C]
    readonly attention: AttentionBlock;
    readonly ffnNorm: Tensor; // [C]
    readonly w1: Tensor; // [F, C] gate
    readonly w2: Tensor; // [C, F] down
    readonly w3: Tensor; // [F, C] up
  }[];
  readonly finalNorm: Tensor; // [C]
  readonly classifier: Tensor; // [V, C] (the embedding when shared)
}

/** Options of a forward pass beyond the core contract. */
export interface LlamaForwardOptions extends ForwardOptions {
  /** Receives attention probabilities per layer: probs [H, T, S]. */
  readonly captureAttention?: (layer: number, probs: Float32Array, shape: readonly [number, number, number]) => void;
  /** Keep each layer's output residual stream ([T,C], or the last row) for {@link LlamaModel.forwardDetailed}. */
  readonly keepResiduals?: boolean;
}

/** Everything {@link LlamaModel.forwardDetailed} returns. */
export interface ForwardDetails {
  readonly logits: Float32Array;
  /** Final-norm hidden states. */
  readonly hidden: Float32Array;
  /** Residual stream after each layer (empty unless `keepResiduals`). */
  readonly residuals: Float32Array[];
}

/** The cache of a Llama model: one state per layer plus the shared length. */
export class LlamaCache implements KVCache {
  private _length = 0;
  private _disposed = false;
  constructor(
    readonly layerStates: LayerState[],
    readonly capacity: number,
  ) {}
  get length(): number {
    return this._length;
  }
  get disposed(): boolean {
    return this._disposed;
  }
  /** Marks `n` more positions as written. */
  advance(n: number): void {
    this._length += n;
  }
  truncate(length: number): void {
    if (length < 0 || length > this._length) throw new OutOfRangeError(`truncate(${length}) outside [0, ${this._length}]`);
    for (const s of this.layerStates) s.truncate(length);
    this._length = length;
  }
  clone(): LlamaCache {
    this.check();
    const c = new LlamaCache(
      this.layerStates.map((s) => s.clone()),
      this.capacity,
    );
    c._length = this._length;
    return c;
  }
  reset(): void {
    this.truncate(0);
  }
  dispose(): void {
    if (this._disposed) return;
    for (const s of this.layerStates) s.dispose();
    this._disposed = true;
  }
  check(): void {
    if (this._disposed) throw new UnsupportedError('using a disposed KV cache', 'create a new one with model.createCache()');
  }
}

/** A Llama model on any Backend. */
export class LlamaModel implements CausalLM {
  constructor(
    readonly backend: Backend,
    readonly config: ModelConfig,
    readonly weights: LlamaWeights,
    readonly normEps = 1e-5,
  ) {}

  /** The attention variant the layers run. */
  get attention(): AttentionSpec {
    return this.config.attention;
  }

  createCache(opts: { capacity?: number } = {}): LlamaCache {
    const capacity = opts.capacity ?? this.config.contextLength;
    if (!(capacity > 0 && capacity <= this.config.contextLength)) {
      throw new OutOfRangeError(`cache capacity ${capacity} outside [1, contextLength=${this.config.contextLength}]`);
    }
    return new LlamaCache(
      this.weights.layers.map((l) => l.attention.createState(this.backend, capacity)),
      capacity,
    );
  }

  private run(
    ids: ArrayLike<number>,
    cache: KVCache,
    opts: LlamaForwardOptions,
  ): { logits: Tensor; hidden: Tensor; residuals: Tensor[] } {
    if (!(cache instanceof LlamaCache)) throw new UnsupportedError('a KV cache from another model', 'use model.createCache()');
    cache.check();
    const T = ids.length;
    if (T === 0) throw new OutOfRangeError('forward() needs at least one token id');
    const pos = cache.length;
    if (pos + T > cache.capacity) {
      throw new OutOfRangeError(
        `${pos} cached + ${T} new tokens exceed the cache capacity ${cache.capacity}`,
        'start a new sequence, or use a sliding-window cache policy',
      );
    }
    const V = this.config.vocabSize;
    const idArray = Int32Array.from(ids as ArrayLike<number>);
    for (const id of idArray)
      if (!(id >= 0 && id < V)) throw new OutOfRangeError(`token id ${id} outside the vocabulary [0, ${V})`);
    const b = this.backend;
    const all = opts.logits === 'all';
    const out = b.tidy(() => {
      const residuals: Tensor[] = [];
      let x = b.gather(this.weights.embedding, idArray);
      this.weights.layers.forEach((layer, l) => {
        const capture = opts.captureAttention;
        const ctx: BlockContext = {
          backend: b,
          position: pos,
          ...(capture ? { capture: (p: Float32Array, s: readonly [number, number, number]) => capture(l, p, s) } : {}),
        };
        const h = b.rmsNorm(x, layer.attnNorm, this.normEps);
        x = b.add(x, layer.attention.forward(h, cache.layerStates[l]!, ctx));
        const g = b.rmsNorm(x, layer.ffnNorm, this.normEps);
        x = b.add(x, b.matmul(b.swiglu(b.matmul(g, layer.w1), b.matmul(g, layer.w3)), layer.w2));
        if (opts.keepResiduals) residuals.push(all ? x : b.sliceRows(x, T - 1, 1));
      });
      const hidden = b.rmsNorm(all ? x : b.sliceRows(x, T - 1, 1), this.weights.finalNorm, this.normEps);
      return { logits: b.matmul(hidden, this.weights.classifier), hidden, residuals };
    });
    cache.advance(T);
    return out;
  }

  async forward(ids: ArrayLike<number>, cache: KVCache, opts: LlamaForwardOptions = {}): Promise<Float32Array> {
    throwIfAborted(opts.signal);
    const { logits, hidden, residuals } = this.run(ids, cache, opts);
    hidden.dispose();
    for (const r of residuals) r.dispose();
    try {
      return (await this.backend.read(logits)) as Float32Array;
    } finally {
      logits.dispose();
    }
  }

  /** Like forward, also returning the final-norm hidden states ([C] or [T·C]). */
  async forwardWithHidden(
    ids: ArrayLike<number>,
    cache: KVCache,
    opts: LlamaForwardOptions = {},
  ): Promise<{ logits: Float32Array; hidden: Float32Array }> {
    const { logits, hidden } = await this.forwardDetailed(ids, cache, opts);
    return { logits, hidden };
  }

  /** Forward returning logits, final hidden states and (with `keepResiduals`) every layer's residual. */
  async forwardDetailed(ids: ArrayLike<number>, cache: KVCache, opts: LlamaForwardOptions = {}): Promise<ForwardDetails> {
    throwIfAborted(opts.signal);
    const { logits, hidden, residuals } = this.run(ids, cache, opts);
    const tensors = [logits, hidden, ...residuals];
    try {
      const data = (await Promise.all(tensors.map((t) => this.backend.read(t)))) as Float32Array[];
      return { logits: data[0]!, hidden: data[1]!, residuals: data.slice(2) };
    } finally {
      for (const t of tensors) t.dispose();
    }
  }

  /**
   * Logit lens (nostalgebraist 2020): decodes each layer's residual stream through the final
   * norm and the classifier, showing what the model "would say" after every layer.
   * Returns, per layer, the top-k token ids and their probabilities at the last position.
   */
  async logitLens(ids: ArrayLike<number>, topK = 5): Promise<{ layer: number; ids: number[]; probs: number[] }[]> {
    const cache = this.createCache({ capacity: Math.max(ids.length, 1) });
    try {
      const { residuals } = await this.forwardDetailed(ids, cache, { keepResiduals: true });
      const b = this.backend;
      const C = this.config.dim;
      const result: { layer: number; ids: number[]; probs: number[] }[] = [];
      for (let l = 0; l < residuals.length; l++) {
        const logitsT = b.tidy(() =>
          b.softmax(
            b.matmul(b.rmsNorm(b.fromHost(residuals[l]!, [1, C]), this.weights.finalNorm, this.normEps), this.weights.classifier),
          ),
        );
        const probs = (await b.read(logitsT)) as Float32Array;
        logitsT.dispose();
        const order = Array.from(probs.keys())
          .sort((a, c) => probs[c]! - probs[a]! || a - c)
          .slice(0, topK);
        result.push({ layer: l, ids: order, probs: order.map((i) => probs[i]!) });
      }
      return result;
    } finally {
      cache.dispose();
    }
  }

  dispose(): void {
    const w = this.weights;
    const seen = new Set<Tensor>();
    const drop = (t: Tensor) => {
      if (!seen.has(t)) {
        seen.add(t);
        t.dispose();
      }
    };
    drop(w.embedding);
    drop(w.classifier);
    drop(w.finalNorm);
    for (const l of w.layers) {
      for (const t of [l.attnNorm, l.ffnNorm, l.w1, l.w2, l.w3]) drop(t);
      const a = l.attention as { weights?: Record<string, Tensor> };
      if (a.weights) for (const t of Object.values(a.weights)) drop(t);
    }
  }
}
