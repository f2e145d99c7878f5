/**
 * Plain float64 references of every built-in processor, written straight from the Hugging Face
 * definitions (full sorts, no prefilters, no shortcuts). Tests compare the fast processors with
 * these on fresh seeded random logits. Each takes logits and returns new logits (−∞ = masked).
 */
const NEG = Number.NEGATIVE_INFINITY;

function softmax(x: readonly number[]): number[] {
  const max = Math.max(...x.filter((v) => v !== NEG), NEG);
  const e = x.map((v) => (v === NEG ? 0 : Math.exp(v - max)));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

/** Ids sorted by descending logit, ties by ascending id. */
function descending(x: readonly number[]): number[] {
  return x.map((_, i) => i).sort((a, b) => x[b]! - x[a]! || a - b);
}

function keepTop(x: readonly number[], remove: boolean[], minKeep: number): number[] {
  const protectedIds = new Set(descending(x).slice(0, minKeep));
  return x.map((v, i) => (remove[i] && !protectedIds.has(i) ? NEG : v));
}

export const reference = {
  temperature: (x: readonly number[], t: number) => x.map((v) => v / t),
  topK(x: readonly number[], k: number): number[] {
    const kth = [...x].sort((a, b) => b - a)[Math.min(k, x.length) - 1]!;
    return x.map((v) => (v < kth ? NEG : v));
  },
  topP(x: readonly number[], p: number, minKeep = 1): number[] {
    const p0 = softmax(x);
    const asc = x.map((_, i) => i).sort((a, b) => p0[a]! - p0[b]! || b - a);
    const remove = x.map(() => false);
    let cum = 0;
    for (const id of asc) {
      cum += p0[id]!;
      remove[id] = cum <= 1 - p;
    }
    return keepTop(x, remove, minKeep);
  },
  minP(x: readonly number[], p: number, minKeep = 1): number[] {
    const probs = softmax(x);
    const top = Math.max(...probs);
    return keepTop(
      x,
      probs.map((q) => q < p * top),
      minKeep,
    );
  },
  typical(x: readonly number[], mass: number, minKeep = 1): number[] {
    const probs = softmax(x);
    const logp = probs.map((q) => Math.log(q));
    const entropy = -probs.reduce((s, q, i) => (q > 0 ? s + q * logp[i]! : s), 0);
    const shifted = logp.map((l) => Math.abs(-l - entropy));
    const order = x.map((_, i) => i).sort((a, b) => shifted[a]! - shifted[b]! || a - b);
    let cum = 0;
    let last = 0;
    for (const id of order) {
      cum += probs[id]!;
      if (cum < mass) last++;
    }
    last = Math.min(last, x.length - 1);
    const limit = shifted[order[last]!]!;
    return keepTop(
      x,
      shifted.map((s) => s > limit),
      minKeep,
    );
  },
  epsilon(x: readonly number[], eps: number, minKeep = 1): number[] {
    return keepTop(
      x,
      softmax(x).map((q) => q < eps),
      minKeep,
    );
  },
  eta(x: readonly number[], eps: number, minKeep = 1): number[] {
    const probs = softmax(x);
    const entropy = -probs.reduce((s, q) => (q > 0 ? s + q * Math.log(q) : s), 0);
    const eta = Math.min(eps, Math.sqrt(eps) * Math.exp(-entropy));
    return keepTop(
      x,
      probs.map((q) => q < eta),
      minKeep,
    );
  },
  repetitionPenalty(x: readonly number[], history: readonly number[], penalty: number): number[] {
    const seen = new Set(history);
    return x.map((v, i) => (seen.has(i) ? (v < 0 ? v * penalty : v / penalty) : v));
  },
  frequencyPresence(x: readonly number[], generated: readonly number[], frequency: number, presence: number): number[] {
    return x.map((v, i) => {
      const count = generated.filter((t) => t === i).length;
      return count > 0 ? v - count * frequency - presence : v;
    });
  },
  noRepeatNGram(x: readonly number[], history: readonly number[], n: number): number[] {
    const banned = new Set<number>();
    const prefix = history.slice(history.length - (n - 1)).join(',');
    for (let s = 0; s + n <= history.length; s++) {
      if (n === 1 || history.slice(s, s + n - 1).join(',') === prefix) banned.add(history[s + n - 1]!);
    }
    return x.map((v, i) => (banned.has(i) ? NEG : v));
  },
  badWords(x: readonly number[], history: readonly number[], sequences: readonly (readonly number[])[]): number[] {
    const out = [...x];
    for (const s of sequences) {
      const head = s.slice(0, -1).join(',');
      const tail = history.slice(history.length - (s.length - 1)).join(',');
      if (s.length === 1 || (history.length >= s.length - 1 && head === tail)) out[s[s.length - 1]!] = NEG;
    }
    return out;
  },
};
