/**
 * Reuse of a shared prompt prefix across calls: after a prompt is encoded its cache is kept
 * (cloned); a later prompt that starts with the same tokens clones it, truncates to the common
 * prefix and only encodes the rest. Useful for chat (same system prompt) and few-shot prompts.
 */
import type { CausalLM, KVCache } from '@weft/core';
import { optInt } from '../validate.js';

interface Entry {
  readonly ids: readonly number[];
  readonly cache: KVCache;
  used: number;
}

/** An LRU store of encoded prompts for one model. Call {@link PrefixCache.dispose} when done. */
export class PrefixCache {
  private readonly entries: Entry[] = [];
  private clock = 0;
  /** Tokens served from the store instead of being encoded (for stats and tests). */
  reusedTokens = 0;
  readonly maxEntries: number;
  constructor(
    readonly lm: CausalLM,
    opts: { maxEntries?: number } = {},
  ) {
    this.maxEntries = optInt('prefixCache.maxEntries', opts.maxEntries, 1) ?? 4;
  }

  /**
   * A cache already holding the longest stored prefix of `ids` (at most `ids.length − 1` tokens,
   * so at least one token is left to encode and produce logits), or undefined.
   */
  acquire(ids: readonly number[], capacity?: number): { cache: KVCache; length: number } | undefined {
    let best: Entry | undefined;
    let bestLength = 0;
    for (const e of this.entries) {
      const max = Math.min(e.ids.length, ids.length - 1);
      let n = 0;
      while (n < max && e.ids[n] === ids[n]) n++;
      if (n > bestLength) {
        best = e;
        bestLength = n;
      }
    }
    if (!best || (capacity !== undefined && best.cache.capacity !== capacity)) return undefined;
    best.used = ++this.clock;
    const cache = best.cache.clone();
    cache.truncate(bestLength);
    this.reusedTokens += bestLength;
    return { cache, length: bestLength };
  }

  /** Stores a copy of `cache`, which must hold exactly `ids`. */
  store(ids: readonly number[], cache: KVCache): void {
    if (cache.length !== ids.length) return;
    const same = this.entries.findIndex((e) => e.ids.length === ids.length && e.ids.every((t, i) => t === ids[i]));
    if (same >= 0) {
      this.entries[same]!.used = ++this.clock;
      return;
    }
    this.entries.push({ ids: [...ids], cache: cache.clone(), used: ++this.clock });
    if (this.entries.length > this.maxEntries) {
      let oldest = 0;
      for (let i = 1; i < this.entries.length; i++) if (this.entries[i]!.used < this.entries[oldest]!.used) oldest = i;
      this.entries.splice(oldest, 1)[0]!.cache.dispose();
    }
  }

  /** Frees every stored cache. */
  dispose(): void {
    for (const e of this.entries.splice(0)) e.cache.dispose();
  }
}
