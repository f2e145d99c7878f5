/**
 * Speculative decoding. A draft (a smaller model, or prompt lookup) proposes γ tokens; the target
 * scores them all in one forward pass (`logits: 'all'`), keeps the longest acceptable prefix plus
 * one token of its own, and rolls its cache back with {@link KVCache.truncate}.
 *
 * - Greedy: a draft token is kept iff it is the target's argmax, so the output equals greedy
 *   decoding of the target exactly.
 * - Sampling (Leviathan et al. 2023 / Chen et al. 2023): token d drafted with probability q(d) is
 *   kept with probability min(1, p(d)/q(d)); on rejection the token is drawn from
 *   norm(max(0, p − q)); after γ acceptances a bonus token is drawn from p. The output follows
 *   the target distribution p exactly (p, q = processed distributions, nucleus included).
 *   Prompt-lookup drafts are deterministic: q is one-hot.
 *
 * Shapes: V = vocabulary, γ = draft length; verification logits are [(γ+1)·V].
 */
import { type CausalLM, OptionError, type Rng, XorShiftRng } from '@weft/core';
import { SequenceState } from '../runtime/cache-policy.js';
import type { ResolvedGenerateOptions } from '../runtime/options.js';
import { argmax } from '../sampling/llama2c.js';
import type { FinishReason } from './finish.js';
import { pickDistribution, processed } from './pick.js';
import { promptLookupDraft } from './prompt-lookup.js';

/** Counters of a speculative run. */
export interface SpeculativeStats {
  /** Target forward passes (verification steps, prompt excluded). */
  steps: number;
  drafted: number;
  accepted: number;
}

/** Draws from a float64 distribution with one coin (first index whose CDF exceeds it). */
export function sampleFrom(probs: Float64Array, rng: Rng): number {
  const coin = rng.nextFloat();
  let cdf = 0;
  let last = 0;
  for (let i = 0; i < probs.length; i++) {
    if (probs[i]! <= 0) continue;
    cdf += probs[i]!;
    last = i;
    if (coin < cdf) return i;
  }
  return last;
}

/** Yields tokens after `prompt` by speculative decoding; returns why it stopped. */
export async function* speculativeSearch(
  lm: CausalLM,
  prompt: readonly number[],
  o: ResolvedGenerateOptions,
  stats: SpeculativeStats = { steps: 0, drafted: 0, accepted: 0 },
): AsyncGenerator<number, FinishReason, undefined> {
  if (o.strategy.kind !== 'speculative')
    throw new OptionError(
      'promptLookupNumTokens',
      'speculative decoding needs a draft source',
      'set promptLookupNumTokens or assistantModel',
    );
  if (o.maxNewTokens === 0) return 'length';
  const { draft, sample } = o.strategy;
  const V = lm.config.vocabSize;
  const rng = new XorShiftRng(o.seed);
  const deadline = Date.now() + o.maxTimeMs;
  const dist = (logits: Float32Array, history: readonly number[]) => {
    const work = processed(logits, o.processors, history, prompt.length);
    return sample ? pickDistribution(work, o.topP) : work;
  };
  // The target holds every committed token except `pending`, which is fed with the next drafts.
  const target = new SequenceState(lm, o.cache, o.signal, SequenceState.createCache(lm, o.cache), [], prompt.length);
  let drafter: SequenceState | undefined;
  try {
    if (prompt.length > 1) await target.feed(prompt.slice(0, -1));
    let pending = prompt[prompt.length - 1]!;
    if (draft.kind === 'model') {
      drafter = new SequenceState(draft.model, { kind: 'fixed' }, o.signal, draft.model.createCache(), [], prompt.length);
    }
    let produced = 0;
    let draftLength = draft.numTokens;
    for (;;) {
      if (target.isFull(1)) return 'context';
      const committed = [...target.history, pending];
      const room = target.limit - target.history.length - 1;
      const gamma = Math.max(0, Math.min(draftLength, room, o.maxNewTokens - produced - 1));
      // ── draft ──
      let drafts: number[] = [];
      const q: Float64Array[] = [];
      if (gamma > 0 && draft.kind === 'prompt-lookup') drafts = promptLookupDraft(committed, gamma, draft.maxNgram);
      else if (gamma > 0 && drafter) {
        const d = drafter;
        const tail = committed.slice(d.history.length);
        if (!d.isFull(tail.length + gamma - 1)) {
          let logits = await d.feed(tail);
          const hist = [...committed];
          for (let i = 0; i < gamma; i++) {
            const work = dist(logits, hist);
            let token: number;
            if (sample) {
              token = sampleFrom(work as Float64Array, rng);
              q.push(work as Float64Array);
            } else token = argmax(work);
            drafts.push(token);
            hist.push(token);
            if (i + 1 < gamma) logits = await d.feed([token]);
          }
        }
      }
      // ── verify: one target pass over [pending, ...drafts] ──
      const base = target.history.length;
      const rows = await target.feed([pending, ...drafts], 'all');
      stats.steps++;
      stats.drafted += drafts.length;
      const out: number[] = [];
      const hist = [...committed];
      let accepted = 0;
      let extra = -1;
      for (let i = 0; i <= drafts.length; i++) {
        const p = dist(rows.subarray(i * V, (i + 1) * V), hist);
        if (i === drafts.length) {
          extra = sample ? sampleFrom(p as Float64Array, rng) : argmax(p);
          break;
        }
        const d = drafts[i]!;
        if (!sample) {
          const best = argmax(p);
          if (best !== d) {
            extra = best;
            break;
          }
        } else {
          const pp = p as Float64Array;
          const qd = q.length > 0 ? q[i]![d]! : 1;
          if (!(rng.nextFloat() < pp[d]! / qd)) {
            const residual = new Float64Array(V);
            let mass = 0;
            for (let v = 0; v < V; v++) mass += residual[v] = Math.max(0, pp[v]! - (q.length > 0 ? q[i]![v]! : v === d ? 1 : 0));
            if (mass > 0) for (let v = 0; v < V; v++) residual[v] = residual[v]! / mass;
            extra = sampleFrom(mass > 0 ? residual : pp, rng);
            break;
          }
        }
        accepted++;
        out.push(d);
        hist.push(d);
      }
      stats.accepted += accepted;
      if (draft.schedule === 'heuristic' && drafts.length > 0)
        draftLength = accepted === drafts.length ? draftLength + 2 : Math.max(1, draftLength - 1);
      out.push(extra);
      // keep pending + accepted drafts in the target; roll the drafter back to what is committed
      target.truncate(base + 1 + accepted);
      if (drafter && drafter.history.length > base + 1 + accepted) drafter.truncate(base + 1 + accepted);
      for (const token of out) {
        yield token;
        produced++;
        if (o.stopTokenIds.has(token)) return 'stop';
        if (produced >= o.maxNewTokens) return 'length';
      }
      if (Date.now() >= deadline) return 'time';
      pending = extra;
    }
  } finally {
    target.dispose();
    drafter?.dispose();
  }
}
