import { XorShiftRng } from '@weft/core';

/** Uniform values in [lo, hi) from a seed: fresh inputs for reference-vs-fast tests. */
export function randomF32(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  const rng = new XorShiftRng(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * rng.nextFloat();
  return out;
}

/** Standard-normal values (times `scale`) from a seed. */
export function randnF32(n: number, seed: number, scale = 1): Float32Array {
  const rng = new XorShiftRng(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.nextNormal() * scale;
  return out;
}

/** Uniform integers in [0, max) from a seed. */
export function randomInts(n: number, seed: number, max: number): Int32Array {
  const rng = new XorShiftRng(seed);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.nextU32() % max;
  return out;
}

/** A seed that differs per test run unless WEFT_SEED pins it; print it on failure. */
export function freshSeed(): number {
  const pinned = globalThis.process?.env?.WEFT_SEED;
  if (pinned) return Number(pinned);
  return (Date.now() ^ Math.floor(Math.random() * 0x7fffffff)) >>> 0;
}
