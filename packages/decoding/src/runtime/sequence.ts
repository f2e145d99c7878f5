import type { CausalLM } from '@weft/core';
import { type CachePolicy, SequenceState } from './cache-policy.js';
import type { PrefixCache } from './prefix-cache.js';

/** Encodes the prompt into a new {@link SequenceState} (reusing a stored prefix when possible). */
export async function startSequence(
  lm: CausalLM,
  prompt: readonly number[],
  opts: { policy: CachePolicy; prefixCache?: PrefixCache | undefined; signal?: AbortSignal | undefined },
): Promise<{ seq: SequenceState; logits: Float32Array }> {
  const { policy, prefixCache, signal } = opts;
  const reuse = policy.kind === 'fixed' ? prefixCache?.acquire(prompt) : undefined;
  const cache = reuse?.cache ?? SequenceState.createCache(lm, policy);
  const done = reuse?.length ?? 0;
  const seq = new SequenceState(lm, policy, signal, cache, prompt.slice(0, done), prompt.length);
  try {
    const logits = await seq.feed(prompt.slice(done));
    if (prefixCache && policy.kind === 'fixed') prefixCache.store(prompt, seq.cache);
    return { seq, logits };
  } catch (err) {
    seq.dispose();
    throw err;
  }
}
