import { type PositionalSpec, ShapeError, SpecError } from '@weft/core';

/**
 * ALiBi (Press et al. 2022, "Train Short, Test Long"): no position enters the embeddings;
 * head h adds −m_h·(i − j) to the logit of query position i on key position j.
 * Slopes form a geometric sequence 2^(−maxBias/H), 2^(−2·maxBias/H), ... (maxBias = 8 in the
 * paper and BLOOM). For H not a power of two the paper takes the slopes of the nearest lower
 * power of two n and adds every other slope of 2n. BLOOM, llama.cpp and MPT's `gen_slopes`
 * (a strided concatenation of the 2n slopes) all give the same list (tested).
 * Shapes: bias:[H,T,S] — H heads, T queries at positions queryOffset.., S keys at 0..S−1.
 */

export type AlibiSpec = Extract<PositionalSpec, { kind: 'alibi' }>;

function checkHeads(H: number, maxBias: number): void {
  if (!Number.isInteger(H) || H <= 0) throw new SpecError('heads', `must be a positive integer, got ${H}`);
  if (!(maxBias > 0) || !Number.isFinite(maxBias))
    throw new SpecError('maxBias', `must be a finite number > 0, got ${maxBias}`, 'the paper uses 8');
}

/** Float64 reference: the paper's recursive construction, written out literally. */
export function alibiSlopesReference(H: number, maxBias = 8): Float64Array {
  checkHeads(H, maxBias);
  const powerOfTwo = (n: number): number[] => {
    const start = 2 ** (-maxBias / n);
    return Array.from({ length: n }, (_, i) => start * start ** i);
  };
  const slopes = (n: number): number[] => {
    if (Number.isInteger(Math.log2(n))) return powerOfTwo(n);
    const closest = 2 ** Math.floor(Math.log2(n));
    return powerOfTwo(closest).concat(
      slopes(2 * closest)
        .filter((_, i) => i % 2 === 0)
        .slice(0, n - closest),
    );
  };
  return Float64Array.from(slopes(H));
}

/**
 * ALiBi slopes m_h for H heads, closed form (as llama.cpp computes them):
 * n = 2^⌊log2 H⌋, m_h = 2^(−maxBias·(h+1)/n) for h < n, else 2^(−maxBias·(2(h−n)+1)/(2n)).
 */
export function alibiSlopes(H: number, maxBias = 8): Float64Array {
  checkHeads(H, maxBias);
  const n = 2 ** Math.floor(Math.log2(H));
  const out = new Float64Array(H);
  for (let h = 0; h < H; h++) out[h] = h < n ? 2 ** ((-maxBias * (h + 1)) / n) : 2 ** ((-maxBias * (2 * (h - n) + 1)) / (2 * n));
  return out;
}

/**
 * The ALiBi logit bias of one (query position, key position) pair for a head with `slope`:
 * −slope·|queryPos − keyPos| (the causal case is −slope·(queryPos − keyPos); keys after the
 * query are masked there anyway). Allocation-free; call per element in attention loops.
 */
export function alibiBias(slope: number, queryPos: number, keyPos: number): number {
  return -slope * Math.abs(queryPos - keyPos);
}

/** Float64 reference bias [H,T,S] for queries at queryOffset.. and keys at 0..S−1. */
export function alibiBiasReference(
  H: number,
  T: number,
  S: number,
  queryOffset: number,
  spec: AlibiSpec = { kind: 'alibi' },
): Float64Array {
  const slopes = alibiSlopesReference(H, spec.maxBias ?? 8);
  const out = new Float64Array(H * T * S);
  for (let h = 0; h < H; h++)
    for (let t = 0; t < T; t++)
      for (let s = 0; s < S; s++) out[(h * T + t) * S + s] = -slopes[h]! * Math.abs(queryOffset + t - s);
  return out;
}

/** Fills out:[H,T,S] with the ALiBi bias using precomputed slopes (no allocation). */
export function alibiBiasInto(out: Float32Array, slopes: Float64Array, T: number, S: number, queryOffset: number): void {
  const H = slopes.length;
  if (out.length < H * T * S) throw new ShapeError('alibi', `out has ${out.length} elements, needs H·T·S = ${H}·${T}·${S}`);
  for (let h = 0; h < H; h++) {
    const m = slopes[h]!;
    for (let t = 0; t < T; t++) {
      const q = queryOffset + t;
      const row = (h * T + t) * S;
      for (let s = 0; s < S; s++) out[row + s] = -m * Math.abs(q - s);
    }
  }
}
