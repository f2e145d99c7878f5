/** The final pick after the processor chain. Shapes: logits [V]. */
import type { GenerationContext, LogitsProcessor, Rng } from '@weft/core';
import { IndexMaxHeap } from '../sampling/heap.js';
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
  const live: number[] = [];
  for (let i = 0; i < V; i++) if (p[i]! > 0) live.push(i);
  const heap = new IndexMaxHeap(p, live);
  const nucleus: number[] = [];
  let cumulative = 0;
  for (;;) {
    const id = heap.pop();
    if (id < 0) break;
    nucleus.push(id);
    cumulative += p[id]!;
    if (cumulative > topP) break;
  }
  const out = new Float64Array(V);
  for (const id of nucleus) out[id] = p[id]! / cumulative;
  return out;
}
