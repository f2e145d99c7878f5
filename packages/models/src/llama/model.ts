import {

  type AttentionSpec,
  type Backend,
  type CausalLM,
  type ForwardOptions,
  type KVCache,
  type ModelConfig,
  OutOfRangeError,
  type Tensor,
  UnsupportedError,
  throwIfAborted,
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

  private run(ids: ArrayLike<number>, cache: KVCache, opts: LlamaForwardOptions): { logits: Tensor; hidden: Tensor } {
    if (!(cache instanceof LlamaCache)) throw new UnsupportedError('a KV cache from another model', 'use model.createCache()');
    cache.check();
    const T = ids.length;
    if (T === 0) throw new OutOfRangeError('forward() needs at least one token id');
    const pos = cache.length;
    if (pos + T > cache.capacity) {
      throw new OutOfRangeError(`${pos} cached + ${T} new tokens exceed the cache capacity ${cache.capacity}`, 'start a new sequence, or use a sliding-window cache policy');
    }
    const V = this.config.vocabSize;
    const idArray = Int32Array.from(ids as ArrayLike<number>);
    for (const id of idArray) if (!(id >= 0 && id < V)) throw new OutOfRangeError(`token id ${id} outside the vocabulary [0, ${V})`);
    const b = this.backend;
    const out = b.tidy(() => {
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
      });
      const all = opts.logits === 'all';
      const hidden = b.rmsNorm(all ? x : b.sliceRows(x, T - 1, 1), this.weights.finalNorm, this.normEps);
      return { logits: b.matmul(hidden, this.weights.classifier), hidden };
    });
    cache.advance(T);
    return out;
  }

  async forward(ids: ArrayLike<number>, cache: KVCache, opts: LlamaForwardOptions = {}): Promise<Float32Array> {
    throwIfAborted(opts.signal);
    const { logits, hidden } = this.run(ids, cache, opts);
    hidden.dispose();
    try {
      return (await this.backend.read(logits)) as Float32Array;
    } finally {
      logits.dispose();
    }
  }

  /** Like forward, also returning the final-norm hidden states ([C] or [T·C]). */
  async forwardWithHidden(ids: ArrayLike<number>, cache: KVCache, opts: LlamaForwardOptions = {}): Promise<{ logits: Float32Array; hidden: Float32Array }> {
    throwIfAborted(opts.signal);
    const { logits, hidden } = this.run(ids, cache, opts);
    try {
      const [l, h] = await Promise.all([this.backend.read(logits), this.backend.read(hidden)]);
      return { logits: l as Float32Array, hidden: h as Float32Array };
    } finally {
      logits.dispose();
      hidden.dispose();
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

