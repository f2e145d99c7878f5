/**
 * Contrastive search (Su et al. 2022, HF `penalty_alpha` + `top_k`): among the k most likely
 * tokens pick argmax (1 − α)·p(v) − α·max_j cos(h_v, h_j), where h_v is the model's last hidden
 * state after v and h_j runs over every earlier position (prompt included). Needs the model's
 * optional `forwardWithHidden`; each candidate is run and rolled back with {@link KVCache.truncate}.
 *
 * Shapes: V = vocabulary, C = hidden size, T = tokens; hidden states are [C] or [T·C].
 */
import { type CausalLM, OptionError, ShapeError, UnsupportedError } from '@weft/core';
import { guarded } from '../runtime/forward.js';
import type { ResolvedGenerateOptions } from '../runtime/options.js';
import type { FinishReason } from './finish.js';
import { processed } from './pick.js';

/** A CausalLM whose optional `forwardWithHidden` (core contract) is present. */
export type CausalLMWithHidden = CausalLM & Required<Pick<CausalLM, 'forwardWithHidden'>>;

function hasHidden(lm: CausalLM): lm is CausalLMWithHidden {
  return typeof lm.forwardWithHidden === 'function';
}

function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

/** Yields contrastive-search tokens after `prompt`; returns why it stopped. */
export async function* contrastiveSearch(
  lm: CausalLM,
  prompt: readonly number[],
  o: ResolvedGenerateOptions,
): AsyncGenerator<number, FinishReason, undefined> {
  if (o.strategy.kind !== 'contrastive')
    throw new OptionError('penaltyAlpha', 'contrastive search needs penaltyAlpha > 0 and topK > 1', 'set both');
  if (!hasHidden(lm))
    throw new UnsupportedError(
      `contrastive search on a ${lm.config.architecture} model without forwardWithHidden()`,
      'use a model that implements forwardWithHidden, or another strategy',
    );
  const { topK, penaltyAlpha: alpha } = o.strategy;
  if (o.maxNewTokens === 0) return 'length';
  const signal = o.signal;
  const V = lm.config.vocabSize;
  const limit = lm.config.contextLength;
  const deadline = Date.now() + o.maxTimeMs;
  const cache = lm.createCache();
  const call = (ids: readonly number[], mode: 'last' | 'all') =>
    guarded(signal, () => lm.forwardWithHidden(ids, cache, signal ? { signal, logits: mode } : { logits: mode }));
  try {
    const first = await call(prompt, 'all');
    const C = first.hidden.length / prompt.length;
    if (!Number.isInteger(C) || C === 0) {
      throw new ShapeError(
        'forwardWithHidden',
        `returned ${first.hidden.length} hidden values for ${prompt.length} tokens`,
        "with logits: 'all' it must return [T·C] hidden states",
      );
    }
    const context: Float32Array[] = [];
    for (let t = 0; t < prompt.length; t++) context.push(first.hidden.slice(t * C, (t + 1) * C));
    let logits = first.logits.subarray((prompt.length - 1) * V);
    const history = [...prompt];
    for (let step = 0; ; step++) {
      const work = processed(logits, o.processors, history, prompt.length);
      let max = Number.NEGATIVE_INFINITY;
      for (let i = 0; i < V; i++) if (work[i]! > max) max = work[i]!;
      let sum = 0;
      for (let i = 0; i < V; i++) sum += Math.exp(work[i]! - max);
      // top-k ids by processed logit (ties → lower id)
      const ids = Array.from({ length: V }, (_, i) => i)
        .filter((i) => work[i]! > Number.NEGATIVE_INFINITY)
        .sort((a, b) => work[b]! - work[a]! || a - b)
        .slice(0, topK);
      let best = ids[0]!;
      if (cache.length >= limit) {
        yield best;
        return o.stopTokenIds.has(best) ? 'stop' : 'context';
      }
      let bestScore = Number.NEGATIVE_INFINITY;
      let bestOut: { logits: Float32Array; hidden: Float32Array } | undefined;
      const base = cache.length;
      for (const id of ids) {
        const out = await call([id], 'last');
        cache.truncate(base);
        let penalty = Number.NEGATIVE_INFINITY;
        for (const h of context) penalty = Math.max(penalty, cosine(out.hidden, h));
        const p = Math.exp(work[id]! - max) / sum;
        const score = (1 - alpha) * p - alpha * penalty;
        if (score > bestScore) {
          bestScore = score;
          best = id;
          bestOut = out;
        }
      }
      // re-run the winner to keep it in the cache (its outputs are already known)
      await call([best], 'last');
      context.push(bestOut!.hidden.slice(0, C));
      history.push(best);
      logits = bestOut!.logits;
      yield best;
      if (o.stopTokenIds.has(best)) return 'stop';
      if (step + 1 >= o.maxNewTokens) return 'length';
      if (Date.now() >= deadline) return 'time';
    }
  } finally {
    cache.dispose();
  }
}
