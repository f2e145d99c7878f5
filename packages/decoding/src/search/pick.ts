/** The final pick after the processor chain. Shapes: logits [V]. */
import type { GenerationContext, LogitsProcessor, Rng } from '@weft/core';
import { argmax, llama2cSample } from '../sampling/llama2c.js';

/** Runs the chain on a copy of `logits` and returns the processed copy. */
export function processed(
  logits: Float32Array,
  processors: LogitsProcessor,
  history: readonly number[],
  promptLength: number,
): Float32Array {
  const work = Float32Array.from(logits);
  const ctx: GenerationContext = { history: Int32Array.from(history), promptLength, step: history.length - promptLength };
  processors.process(work, ctx);
  return work;
}

/**
 * Greedy (argmax, ties → lowest id) or llama2.c's multinomial / nucleus draw on already processed
 * logits (temperature is part of the chain, so the sampler runs at temperature 1).
 */
export function pick(work: Float32Array, sample: boolean, topP: number, rng: Rng): number {
  if (!sample) return argmax(work);
  return llama2cSample(work, 1, topP, rng);
}

/**
 * The distribution `pick` samples from, in float64: softmax of the processed logits, restricted to
 * llama2.c's nucleus when topP < 1 (descending order, ties by id, smallest prefix with mass > topP).
 */
export function pickDistribution(work: Float32Array, topP: number): Float64Array {
  const V = work.length;
  const p = new Float64Array(V);
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < V; i++) if (work[i]! > max) max = work[i]!;
  let sum = 0;
  for (let i = 0; i < V; i++) sum += p[i] = Math.exp(work[i]! - max);
  for (let i = 0; i < V; i++) p[i] = p[i]! / sum;
  if (topP >= 1) return p;
  const order = Array.from({ length: V }, (_, i) => i).sort((a, b) => p[b]! - p[a]! || a - b);
  let cumulative = 0;
  let last = V - 1;
  for (let r = 0; r < V; r++) {
    cumulative += p[order[r]!]!;
    if (cumulative > topP) {
      last = r;
      break;
    }
  }
  const out = new Float64Array(V);
  for (let r = 0; r <= last; r++) out[order[r]!] = p[order[r]!]! / cumulative;
  return out;
}
