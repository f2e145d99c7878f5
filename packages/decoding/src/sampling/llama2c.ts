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
    const e = f(Math.exp(f(x[i]! - max)));
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
  candidates.sort((a, b) => probs[b]! - probs[a]! || a - b);
  let cumulative = 0;
  let last = candidates.length - 1;
  for (let i = 0; i < candidates.length; i++) {
    cumulative = f(cumulative + probs[candidates[i]!]!);
    if (cumulative > p) {
      last = i;
      break;
    }
  }
  if (last < 0) return argmax(probs); // every probability below the cutoff: only possible with NaN
  const r = f(f(coin) * cumulative);
  let cdf = 0;
  for (let i = 0; i <= last; i++) {
    cdf = f(cdf + probs[candidates[i]!]!);
    if (r < cdf) return candidates[i]!;
  }
  return candidates[last]!;
}

/**
 * llama2.c's `sample`: argmax at temperature 0; otherwise logits/temperature, softmax, one coin
 * from `rng`, then `sample_mult` (topP ≤ 0 or ≥ 1) or `sample_topp`. Overwrites `logits` with
 * probabilities when sampling.
 */
export function llama2cSample(logits: Float32Array, temperature: number, topP: number, rng: Rng): number {
  const t = f(temperature);
  if (t === 0) return argmax(logits);
  for (let i = 0; i < logits.length; i++) logits[i] = logits[i]! / t;
  softmaxF32(logits);
  const coin = rng.nextFloat();
  if (topP <= 0 || topP >= 1) return sampleMult(logits, coin);
  return sampleTopP(logits, topP, coin);
}
