/**
 * llama2.c's sampler (`run.c`: `sample_argmax`, `softmax`, `sample_mult`, `sample_topp`),
 * reproduced in float32 arithmetic so a seed gives the same tokens as `run -s S -t T -p P`.
 *
 * Every intermediate is rounded to float32 exactly where C rounds it (`Math.fround`), and the
 * coin comes from {@link Rng.nextFloat} (= llama2.c's `random_f32`). `expf` is approximated by
 * `fround(Math.exp(x))`; the two agree except for rare last-bit cases.
 *
 * Shapes: V = vocabulary size; logits and probabilities are [V].
 */
import type { Rng } from '@weft/core';
import { IndexMaxHeap } from './heap.js';

const f = Math.fround;

/** Index of the largest value; ties resolve to the lowest index (C's `>` scan). NaN never wins. */
export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  let bestValue = values[0]!;
  for (let i = 1; i < values.length; i++) {
    const v = values[i]!;
    if (v > bestValue || (Number.isNaN(bestValue) && !Number.isNaN(v))) {
      best = i;
      bestValue = v;
    }
  }
  return best;
}

/** llama2.c's `softmax` in place, rounding like float32 C code. */
export function softmaxF32(x: Float32Array): void {
  let max = x[0]!;
  for (let i = 1; i < x.length; i++) if (x[i]! > max) max = x[i]!;
  let sum = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    const e = v === Number.NEGATIVE_INFINITY ? 0 : f(Math.exp(f(v - max)));
    x[i] = e;
    sum = f(sum + e);
  }
  for (let i = 0; i < x.length; i++) x[i] = x[i]! / sum;
}

/** llama2.c's `sample_mult`: first index whose running float32 CDF exceeds `coin`. */
export function sampleMult(probs: Float32Array, coin: number): number {
  let cdf = 0;
  for (let i = 0; i < probs.length; i++) {
    cdf = f(cdf + probs[i]!);
    if (coin < cdf) return i;
  }
  return probs.length - 1;
}

/**
 * llama2.c's `sample_topp` (nucleus sampling). Candidates below the cutoff
 * `(1 − topP)/(V − 1)` are dropped first (they can never be in the nucleus), the rest are
 * sorted by descending probability — ties keep ascending id order, as glibc's stable merge-sort
 * `qsort` leaves them — and the smallest prefix whose float32 mass exceeds `topP` is sampled
 * with `coin · mass`.
 */
export function sampleTopP(probs: Float32Array, topP: number, coin: number): number {
  const n = probs.length;
  const p = f(topP);
  const cutoff = f(f(1 - p) / f(n - 1));
  const candidates: number[] = [];
  for (let i = 0; i < n; i++) if (probs[i]! >= cutoff) candidates.push(i);
  // Pop candidates in sorted order from a heap instead of sorting them all: same order, and
  // only the nucleus is ever extracted.
  const heap = new IndexMaxHeap(probs, candidates);
  const nucleus: number[] = [];
  let cumulative = 0;
  for (;;) {
    const id = heap.pop();
    if (id < 0) break;
    nucleus.push(id);
    cumulative = f(cumulative + probs[id]!);
    if (cumulative > p) break;
  }
  const last = nucleus.length - 1;
  if (last < 0) return argmax(probs); // every probability below the cutoff: only possible with NaN
  const r = f(f(coin) * cumulative);
  let cdf = 0;
  for (let i = 0; i <= last; i++) {
    cdf = f(cdf + probs[nucleus[i]!]!);
    if (r < cdf) return nucleus[i]!;
  }
  return nucleus[last]!;
}

/**
 * llama2.c's `sample`: argmax at temperature 0; otherwise logits/temperature, softmax, one coin
 * from `rng`, then `sample_mult` (topP ≤ 0 or ≥ 1) or `sample_topp`. Overwrites `logits` with
 * probabilities when sampling.
 *
 * When most logits are −∞ (after top-k or other masks) only the finite ones are visited: a −∞
 * logit has probability exactly 0, and adding 0 leaves every float32 running sum unchanged, so
 * the result is bit-identical to {@link llama2cSampleDense}.
 */
export function llama2cSample(logits: Float32Array, temperature: number, topP: number, rng: Rng): number {
  const t = f(temperature);
  if (t === 0) return argmax(logits);
  const n = logits.length;
  // one pass collects the finite ids, giving up (dense path) once they exceed n/8
  const cap = n >> 3;
  const found: number[] = [];
  for (let i = 0; i < n; i++) {
    if (logits[i]! !== Number.NEGATIVE_INFINITY) {
      if (found.length === cap) return llama2cSampleDense(logits, temperature, topP, rng);
      found.push(i);
    }
  }
  const live = found.length;
  if (live === 0) return llama2cSampleDense(logits, temperature, topP, rng);
  const ids = found;
  const v = new Float32Array(live);
  let max = Number.NEGATIVE_INFINITY;
  for (let j = 0; j < live; j++) {
    v[j] = logits[ids[j]!]! / t;
    if (j === 0 || v[j]! > max) max = v[j]!;
  }
  let sum = 0;
  for (let j = 0; j < live; j++) {
    v[j] = f(Math.exp(f(v[j]! - max)));
    sum = f(sum + v[j]!);
  }
  logits.fill(0);
  for (let j = 0; j < live; j++) logits[ids[j]!] = v[j]! / sum;
  const coin = rng.nextFloat();
  if (topP <= 0 || topP >= 1) {
    let cdf = 0;
    for (let j = 0; j < live; j++) {
      cdf = f(cdf + logits[ids[j]!]!);
      if (coin < cdf) return ids[j]!;
    }
    return n - 1; // llama2.c's rounding fallback
  }
  return sampleTopP(logits, topP, coin);
}

/** The plain dense version of {@link llama2cSample}: every step over all V entries, as run.c. */
export function llama2cSampleDense(logits: Float32Array, temperature: number, topP: number, rng: Rng): number {
  const t = f(temperature);
  if (t === 0) return argmax(logits);
  for (let i = 0; i < logits.length; i++) logits[i] = logits[i]! / t;
  softmaxF32(logits);
  const coin = rng.nextFloat();
  if (topP <= 0 || topP >= 1) return sampleMult(logits, coin);
  return sampleTopP(logits, topP, coin);
}
