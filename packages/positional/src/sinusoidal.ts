import { type PositionalSpec, ShapeError, SpecError } from '@weft/core';

/**
 * Sinusoidal position encoding (Vaswani et al. 2017): PE[p, 2i] = sin(p·ω_i),
 * PE[p, 2i+1] = cos(p·ω_i), ω_i = base^(−2i/C). The `halves` layout (Marian, BART-style
 * tables) puts the C/2 sines first and the cosines after. The table is added to the token
 * embeddings. Shapes: x:[T,C], table:[P,C].
 */

export type SinusoidalSpec = Extract<PositionalSpec, { kind: 'sinusoidal' }>;

function channelsChecked(C: number): void {
  if (!Number.isInteger(C) || C <= 0 || C % 2 !== 0)
    throw new SpecError('channels', `sinusoidal tables need an even channel count, got ${C}`);
}

/** Float64 reference: rows offset..offset+P−1 of the table, [P,C]. */
export function sinusoidalReference(
  P: number,
  C: number,
  spec: SinusoidalSpec = { kind: 'sinusoidal' },
  offset = 0,
): Float64Array {
  const base = spec.base ?? 10000;
  const out = new Float64Array(P * C);
  for (let p = 0; p < P; p++) {
    for (let i = 0; i < C / 2; i++) {
      const angle = (offset + p) / base ** ((2 * i) / C);
      const [si, ci] = spec.layout === 'halves' ? [i, C / 2 + i] : [2 * i, 2 * i + 1];
      out[p * C + si] = Math.sin(angle);
      out[p * C + ci] = Math.cos(angle);
    }
  }
  return out;
}

/** Float64 reference with the fast call's shape: adds positions offset..offset+T−1 to x:[T,C] in place. */
export function addSinusoidalReference(
  x: Float64Array,
  T: number,
  C: number,
  offset: number,
  spec: SinusoidalSpec = { kind: 'sinusoidal' },
): void {
  const table = sinusoidalReference(T, C, spec, offset);
  for (let i = 0; i < T * C; i++) x[i] = x[i]! + table[i]!;
}

/** Float32 table rows offset..offset+P−1, [P,C] (frequencies hoisted out of the row loop). */
export function sinusoidalTable(P: number, C: number, spec: SinusoidalSpec = { kind: 'sinusoidal' }, offset = 0): Float32Array {
  channelsChecked(C);
  const out = new Float32Array(P * C);
  addSinusoidal(out, P, C, offset, spec);
  return out;
}

/** Adds the encoding of positions offset..offset+T−1 to x:[T,C] in place (prefill or one decode step). */
export function addSinusoidal(
  x: Float32Array,
  T: number,
  C: number,
  offset: number,
  spec: SinusoidalSpec = { kind: 'sinusoidal' },
): void {
  channelsChecked(C);
  if (x.length !== T * C) throw new ShapeError('sinusoidal', `x has ${x.length} elements, expected T·C = ${T}·${C}`);
  if (!Number.isInteger(offset) || offset < 0) throw new SpecError('offset', `must be an integer ≥ 0, got ${offset}`);
  const base = spec.base ?? 10000;
  if (!(base > 0) || !Number.isFinite(base)) throw new SpecError('base', `must be a finite number > 0, got ${base}`);
  const half = C / 2;
  const omega = new Float64Array(half);
  for (let i = 0; i < half; i++) omega[i] = base ** (-(2 * i) / C);
  const halves = spec.layout === 'halves';
  for (let t = 0; t < T; t++) {
    const pos = offset + t;
    const row = t * C;
    for (let i = 0; i < half; i++) {
      const angle = pos * omega[i]!;
      const si = halves ? row + i : row + 2 * i;
      const ci = halves ? row + half + i : row + 2 * i + 1;
      x[si] = x[si]! + Math.sin(angle);
      x[ci] = x[ci]! + Math.cos(angle);
    }
  }
}
