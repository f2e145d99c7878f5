import type { AttentionSpec, PositionalSpec } from './specs.js';

/** Architecture-level facts every causal LM exposes. */
export interface ModelConfig {
  /** e.g. 'llama', 'gpt2'. */
  readonly architecture: string;
  readonly vocabSize: number;
  /** Longest sequence the model supports (positions). */
  readonly contextLength: number;
  readonly dim: number;
  readonly layers: number;
  readonly heads: number;
  readonly kvHeads: number;
  readonly headDim: number;
  readonly hiddenDim: number;
  readonly attention: AttentionSpec;
  readonly positional: PositionalSpec;
  readonly bosTokenId?: number;
  readonly eosTokenId?: number;
}

/**
 * Per-sequence state of a causal LM (keys/values, or recurrent state for linear attention).
 * Opaque to decoding code: it only needs the length and these lifecycle operations.
 */
export interface KVCache {
  /** Tokens processed so far. */
  readonly length: number;
  /** Tokens the cache can hold before it must grow or slide. */
  readonly capacity: number;
  /** Forgets everything after the first `length` tokens (speculative rollback). */
  truncate(length: number): void;
  /** An independent copy (beam search, prefix reuse). */
  clone(): KVCache;
  /** Empties the cache, keeping its storage. */
  reset(): void;
  /** Frees the storage; the cache cannot be used afterwards. */
  dispose(): void;
  readonly disposed: boolean;
}

export interface ForwardOptions {
  readonly signal?: AbortSignal;
  /** 'last' (default): logits of the last input position [V]; 'all': [T·V]. */
  readonly logits?: 'last' | 'all';
}

/** Any autoregressive model: weft's own, or one running inside another engine. */
export interface CausalLM {
  readonly config: ModelConfig;
  createCache(opts?: { capacity?: number }): KVCache;
  /** Runs `ids` after what `cache` holds, appends to the cache and returns logits. */
  forward(ids: ArrayLike<number>, cache: KVCache, opts?: ForwardOptions): Promise<Float32Array>;
  /**
   * Optional: like `forward`, also returning the final (post-norm) hidden states —
   * [C] for `logits: 'last'`, [T·C] for 'all'. Contrastive search needs it.
   */
  forwardWithHidden?(
    ids: ArrayLike<number>,
    cache: KVCache,
    opts?: ForwardOptions,
  ): Promise<{ logits: Float32Array; hidden: Float32Array }>;
  dispose(): void;
}
