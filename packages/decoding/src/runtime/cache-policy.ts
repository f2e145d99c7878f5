/**
 * KV-cache policies and the per-sequence state every search loop uses. Model-agnostic: growth and
 * sliding are done by re-encoding tokens into a fresh or reset cache (the KVCache contract has no
 * resize or shift), so they work with any {@link CausalLM}.
 *
 * Shapes: V = vocabulary size, T = tokens fed in one call; logits are [V] ('last') or [T·V] ('all').
 */
import { type CausalLM, type KVCache, OptionError, UnsupportedError } from '@weft/core';
import { describe, optInt } from '../validate.js';
import { forwardChecked } from './forward.js';

/** How a sequence's cache is sized when generation outgrows it. */
export type CachePolicy =
  /** The model's default cache; generation stops when `contextLength` tokens are cached. */
  | { readonly kind: 'fixed' }
  /** Start with `initialCapacity` slots and double (re-encoding the history) up to `contextLength`. */
  | { readonly kind: 'growable'; readonly initialCapacity: number }
  /**
   * Never stops for length: when `window` tokens are cached, keep the first `sinkTokens` and the most
   * recent half of the window, and re-encode them (a "context shift"). Positions restart, so
   * the model sees a shorter context, as llama.cpp's context shift does.
   */
  | { readonly kind: 'sliding-window'; readonly window: number; readonly sinkTokens?: number };

/** Validates a cache policy against a model's context length. */
export function checkCachePolicy(policy: unknown, contextLength: number): CachePolicy {
  if (policy === undefined) return { kind: 'fixed' };
  const p = policy as CachePolicy;
  switch (p?.kind) {
    case 'fixed':
      return p;
    case 'growable':
      optInt('cache.initialCapacity', p.initialCapacity, 1, contextLength);
      return p;
    case 'sliding-window': {
      optInt('cache.window', p.window, 2, contextLength);
      const sinks = optInt('cache.sinkTokens', p.sinkTokens, 0) ?? 0;
      if (sinks >= p.window / 2)
        throw new OptionError(
          'cache.sinkTokens',
          `${sinks} leaves no room in a window of ${p.window}`,
          'use fewer sink tokens than half the window',
        );
      return p;
    }
    default:
      throw new OptionError(
        'cache',
        `unknown cache policy ${describe((policy as { kind?: unknown })?.kind)}`,
        "use { kind: 'fixed' | 'growable' | 'sliding-window' }",
      );
  }
}

/** One sequence being generated: its full token history and the cache that encodes it. */
export class SequenceState {
  /** Every token so far (prompt, then generated). */
  readonly history: number[];
  /** Tokens the cache currently encodes (equals `history` unless a sliding window shifted). */
  private cached: number[];
  cache: KVCache;
  readonly promptLength: number;
  private readonly vocab: number;

  constructor(
    readonly lm: CausalLM,
    readonly policy: CachePolicy,
    readonly signal: AbortSignal | undefined,
    cache: KVCache,
    cachedPrefix: readonly number[],
    promptLength: number,
  ) {
    this.cache = cache;
    this.cached = [...cachedPrefix];
    this.history = [...cachedPrefix];
    this.promptLength = promptLength;
    this.vocab = lm.config.vocabSize;
  }

  /** A fresh cache as the policy wants it. */
  static createCache(lm: CausalLM, policy: CachePolicy): KVCache {
    const ctx = lm.config.contextLength;
    if (policy.kind === 'growable') return lm.createCache({ capacity: Math.min(policy.initialCapacity, ctx) });
    if (policy.kind === 'sliding-window') return lm.createCache({ capacity: policy.window });
    return lm.createCache();
  }

  /** Most tokens the cache may hold under this policy. */
  get limit(): number {
    if (this.policy.kind === 'sliding-window') return this.policy.window;
    return Math.min(
      this.lm.config.contextLength,
      this.policy.kind === 'growable' ? this.lm.config.contextLength : this.cache.capacity,
    );
  }

  /** True when `n` more tokens cannot be fed (never for a sliding window). */
  isFull(n = 1): boolean {
    if (this.policy.kind === 'sliding-window') return false;
    return this.cached.length + n > this.limit;
  }

  /** Feeds tokens, growing or shifting the cache when the policy allows, and returns their logits. */
  async feed(ids: readonly number[], logits: 'last' | 'all' = 'last'): Promise<Float32Array> {
    const n = ids.length;
    if (this.cached.length + n > this.cache.capacity || this.cached.length + n > this.limit) {
      if (this.policy.kind === 'growable' && this.cached.length + n <= this.lm.config.contextLength) {
        let capacity = this.cache.capacity;
        while (capacity < this.cached.length + n) capacity *= 2;
        capacity = Math.min(capacity, this.lm.config.contextLength);
        return this.reencode(this.cached, ids, logits, this.lm.createCache({ capacity }));
      }
      if (this.policy.kind === 'sliding-window') {
        const sinks = this.policy.sinkTokens ?? 0;
        const keepRecent = Math.max(0, Math.floor((this.policy.window - sinks) / 2) - n);
        const kept = [...this.cached.slice(0, sinks), ...this.cached.slice(Math.max(sinks, this.cached.length - keepRecent))];
        if (kept.length + n > this.policy.window)
          throw new OptionError('cache.window', `cannot hold ${n} new tokens`, 'use a larger window');
        this.cache.reset();
        return this.reencode(kept, ids, logits, this.cache);
      }
      throw new UnsupportedError(
        `feeding ${n} tokens to a cache holding ${this.cached.length} of ${this.limit}`,
        'check isFull() first, or use a growable / sliding-window cache policy',
      );
    }
    const out = await forwardChecked(this.lm, ids, this.cache, this.signal, logits);
    this.cached.push(...ids);
    this.history.push(...ids);
    return out;
  }

  private async reencode(
    kept: readonly number[],
    ids: readonly number[],
    logits: 'last' | 'all',
    cache: KVCache,
  ): Promise<Float32Array> {
    if (cache !== this.cache) {
      this.cache.dispose();
      this.cache = cache;
    }
    const all = [...kept, ...ids];
    const out = await forwardChecked(this.lm, all, this.cache, this.signal, logits);
    this.cached = all;
    this.history.push(...ids);
    return logits === 'all' ? out.subarray((all.length - ids.length) * this.vocab) : out;
  }

  /** Forgets everything after the first `length` history tokens (speculative rollback). */
  truncate(length: number): void {
    if (this.cached.length !== this.history.length)
      throw new UnsupportedError(
        'rollback after a sliding-window shift',
        "use the 'fixed' or 'growable' cache policy with speculative decoding",
      );
    this.cache.truncate(length);
    this.cached.length = length;
    this.history.length = length;
  }

  /** An independent copy (beam search, contrastive candidates). */
  fork(): SequenceState {
    const s = new SequenceState(this.lm, this.policy, this.signal, this.cache.clone(), this.cached, this.promptLength);
    s.history.length = 0;
    s.history.push(...this.history);
    return s;
  }

  dispose(): void {
    if (!this.cache.disposed) this.cache.dispose();
  }
}
