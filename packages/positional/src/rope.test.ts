import type { RopeCall, RopeScaling } from '@weft/core';
import { ShapeError, SpecError, XorShiftRng } from '@weft/core';
import { compareArrays, freshSeed, randnF32 } from '@weft/testing';
import { describe, expect, it } from 'vitest';
import { applyRope, RopeTable, validateRope } from './rope.js';
import { applyRopeReference } from './rope-reference.js';
import { ropeDependsOnLength } from './scaling/index.js';

// biome-ignore lint/suspicious/noApproximativeNumericConstant: DeepSeek-V2's config value, not √½
const DEEPSEEK_MSCALE = 0.707;

// Shapes: x:[T,H,D]; R = rotary dims.

const rms = (a: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * a[i]!;
  return Math.sqrt(s / Math.max(1, a.length));
};

/** max |a − e| / max(|e|, rms(e)) ≤ rtol, with the seed in the message. */
function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol: number, seed: number, what: string): void {
  const c = compareArrays(actual, expected, rtol, rms(expected));
  expect(c.ok, `${what} (seed ${seed}, rerun with WEFT_SEED=${seed}): ${c.message}`).toBe(true);
}

/** The implementation rope.ts had before scaling existed (llama2.c float32 angles), kept as an oracle. */
function llama2cRope(x: Float32Array, T: number, H: number, D: number, call: RopeCall): void {
  const R = call.rotaryDim ?? D;
  const half = R / 2;
  const inv = new Float64Array(half);
  for (let i = 0; i < half; i++) inv[i] = call.base ** (-(2 * i) / R);
  const cos = new Float32Array(half);
  const sin = new Float32Array(half);
  for (let t = 0; t < T; t++) {
    const pos = call.offset + t;
    for (let i = 0; i < half; i++) {
      const angle = Math.fround(pos * Math.fround(inv[i]!));
      cos[i] = Math.cos(angle);
      sin[i] = Math.sin(angle);
    }
    for (let h = 0; h < H; h++) {
      const o = (t * H + h) * D;
      for (let i = 0; i < half; i++) {
        const ia = call.layout === 'pairs' ? o + 2 * i : o + i;
        const ib = call.layout === 'pairs' ? o + 2 * i + 1 : o + i + half;
        const a = x[ia]!;
        const b = x[ib]!;
        x[ia] = a * cos[i]! - b * sin[i]!;
        x[ib] = a * sin[i]! + b * cos[i]!;
      }
    }
  }
}

const SCALINGS: readonly (RopeScaling | undefined)[] = [
  undefined,
  { kind: 'linear', factor: 4 },
  { kind: 'dynamic-ntk', factor: 4, originalContext: 64 },
  { kind: 'yarn', factor: 8, originalContext: 128 },
  {
    kind: 'yarn',
    factor: 40,
    originalContext: 4096,
    betaFast: 32,
    betaSlow: 1,
    mscale: DEEPSEEK_MSCALE,
    mscaleAllDim: DEEPSEEK_MSCALE,
  },
  { kind: 'llama3', factor: 8, originalContext: 256, lowFreqFactor: 1, highFreqFactor: 4 },
  { kind: 'longrope', factor: 16, originalContext: 32, shortFactor: [], longFactor: [] },
];

/** LongRoPE needs one factor per rotary frequency: fill its lists for R. */
function forR(scaling: RopeScaling | undefined, R: number): RopeScaling | undefined {
  if (scaling?.kind !== 'longrope') return scaling;
  return {
    ...scaling,
    shortFactor: Array.from({ length: R / 2 }, (_, i) => 1 + 0.05 * i),
    longFactor: Array.from({ length: R / 2 }, (_, i) => 1 + 0.5 * i),
  };
}
const name = (s: RopeScaling | undefined) => s?.kind ?? 'unscaled';

describe('applyRope (fast f32) vs applyRopeReference (f64)', () => {
  for (const layout of ['pairs', 'halves'] as const) {
    for (const scaling of SCALINGS) {
      for (const [D, rotaryDim] of [
        [16, undefined],
        [64, 32],
        [10, 6],
      ] as const) {
        it(`${layout}, ${name(scaling)}, D=${D}, rotaryDim=${rotaryDim ?? D}`, () => {
          const seed = freshSeed();
          const rng = new XorShiftRng(seed);
          const T = 1 + (rng.nextU32() % 24);
          const H = 1 + (rng.nextU32() % 4);
          // Unscaled RoPE keeps llama2.c's float32 angles (error ≈ 1e-7·position rad), so its
          // 1e-5 comparison stays at positions below ~40; scaled RoPE uses float64 angles at any position.
          const offset = scaling ? rng.nextU32() % 100_000 : rng.nextU32() % 16;
          const x = randnF32(T * H * D, seed ^ 0x9e3779b9);
          const call: RopeCall = {
            base: [10000, 500000, 1e6][rng.nextU32() % 3]!,
            layout,
            offset,
            rotaryDim,
            scaling: forR(scaling, rotaryDim ?? D),
          };
          const expected = Float64Array.from(x);
          applyRopeReference(expected, T, H, D, call);
          const actual = Float32Array.from(x);
          applyRope(actual, T, H, D, call);
          expectClose(actual, expected, 1e-5, seed, `T=${T} H=${H} offset=${offset} base=${call.base}`);
          // Pass-through dims of a partial rotary head are untouched.
          const R = rotaryDim ?? D;
          for (let r = 0; r < T * H; r++) for (let d = R; d < D; d++) expect(actual[r * D + d]).toBe(x[r * D + d]);
        });
      }
    }
  }

  it('unscaled default path is bit-identical to the llama2.c float32-angle rotation at any offset', () => {
    const seed = freshSeed();
    const rng = new XorShiftRng(seed);
    for (const layout of ['pairs', 'halves'] as const) {
      for (let trial = 0; trial < 8; trial++) {
        const [T, H, D] = [1 + (rng.nextU32() % 33), 1 + (rng.nextU32() % 8), 2 * (1 + (rng.nextU32() % 32))];
        const call: RopeCall = { base: 10000, layout, offset: rng.nextU32() % 50_000 };
        const x = randnF32(T * H * D, rng.nextU32());
        const expected = Float32Array.from(x);
        llama2cRope(expected, T, H, D, call);
        applyRope(x, T, H, D, call);
        expect(Buffer.from(x.buffer).equals(Buffer.from(expected.buffer)), `seed ${seed} trial ${trial}`).toBe(true);
      }
    }
  });
});

describe('RoPE is relative: q_m·k_n depends only on m − n', () => {
  for (const layout of ['pairs', 'halves'] as const) {
    for (const scaling of SCALINGS) {
      for (const [D, rotaryDim] of [
        [32, undefined],
        [32, 16],
      ] as const) {
        it(`${layout}, ${name(scaling)}, rotaryDim=${rotaryDim ?? D}`, () => {
          const seed = freshSeed();
          const rng = new XorShiftRng(seed);
          const q = Float64Array.from(randnF32(D, seed));
          const k = Float64Array.from(randnF32(D, seed + 1));
          // dynamic NTK: pin seqLen so both calls see the same frequencies.
          const dot = (m: number, n: number, precision: 'f64' | 'f32') => {
            const qm = precision === 'f64' ? Float64Array.from(q) : Float32Array.from(q);
            const kn = precision === 'f64' ? Float64Array.from(k) : Float32Array.from(k);
            const base = { base: 10000, layout, rotaryDim, scaling: forR(scaling, rotaryDim ?? D), seqLen: 4096 };
            if (precision === 'f64') {
              applyRopeReference(qm as Float64Array, 1, 1, D, { ...base, offset: m });
              applyRopeReference(kn as Float64Array, 1, 1, D, { ...base, offset: n });
            } else {
              applyRope(qm as Float32Array, 1, 1, D, { ...base, offset: m });
              applyRope(kn as Float32Array, 1, 1, D, { ...base, offset: n });
            }
            let s = 0;
            for (let d = 0; d < D; d++) s += qm[d]! * kn[d]!;
            return s;
          };
          let norm = 0;
          for (let d = 0; d < D; d++) norm += Math.abs(q[d]! * k[d]!);
          for (let trial = 0; trial < 10; trial++) {
            const m = rng.nextU32() % 30;
            const n = rng.nextU32() % 30;
            const shift = 1 + (rng.nextU32() % 10);
            const a = dot(m, n, 'f64');
            const b = dot(m + shift, n + shift, 'f64');
            expect(Math.abs(a - b), `seed ${seed}: m=${m} n=${n} shift=${shift}`).toBeLessThan(1e-9 * norm);
            const af = dot(m, n, 'f32');
            const bf = dot(m + shift, n + shift, 'f32');
            expect(Math.abs(af - bf), `f32 seed ${seed}: m=${m} n=${n} shift=${shift}`).toBeLessThan(1e-5 * norm);
          }
          // and it does depend on m − n (the test could fail)
          expect(Math.abs(dot(0, 0, 'f64') - dot(7, 0, 'f64'))).toBeGreaterThan(1e-6 * norm);
        });
      }
    }
  }
});

describe('decode step at an offset equals the prefill row', () => {
  for (const layout of ['pairs', 'halves'] as const) {
    for (const scaling of SCALINGS) {
      it(`${layout}, ${name(scaling)}`, () => {
        const seed = freshSeed();
        const [T, H, D] = [40, 3, 16];
        const x = randnF32(T * H * D, seed);
        const prefill = Float32Array.from(x);
        // dynamic NTK's and LongRoPE's frequencies follow the sequence length: give both forms the same one
        const seqLen = ropeDependsOnLength(scaling) ? 200 : undefined;
        const s = forR(scaling, D);
        applyRope(prefill, T, H, D, { base: 10000, layout, scaling: s, offset: 0, seqLen });
        for (let t = 0; t < T; t++) {
          const row = x.slice(t * H * D, (t + 1) * H * D);
          applyRope(row, 1, H, D, { base: 10000, layout, scaling: s, offset: t, seqLen });
          expect(Array.from(row), `seed ${seed} row ${t}`).toEqual(Array.from(prefill.subarray(t * H * D, (t + 1) * H * D)));
        }
      });
    }
  }

  it('dynamic NTK without seqLen uses offset + T, as Hugging Face uses max(position_ids) + 1', () => {
    const seed = freshSeed();
    const scaling: RopeScaling = { kind: 'dynamic-ntk', factor: 2, originalContext: 8 };
    const [H, D] = [2, 8];
    const x = randnF32(H * D, seed);
    const implicit = Float32Array.from(x);
    applyRope(implicit, 1, H, D, { base: 10000, layout: 'halves', scaling, offset: 20 });
    const explicit = Float32Array.from(x);
    applyRope(explicit, 1, H, D, { base: 10000, layout: 'halves', scaling, offset: 20, seqLen: 21 });
    expect(Array.from(implicit)).toEqual(Array.from(explicit));
    const longer = Float32Array.from(x);
    applyRope(longer, 1, H, D, { base: 10000, layout: 'halves', scaling, offset: 20, seqLen: 64 });
    expect(Array.from(longer)).not.toEqual(Array.from(explicit));
  });

  it('LongRoPE switches from short to long factors once the sequence passes the original context', () => {
    const seed = freshSeed();
    const [H, D] = [2, 8];
    const scaling = forR({ kind: 'longrope', factor: 4, originalContext: 16, shortFactor: [], longFactor: [] }, D);
    const rotate = (offset: number, seqLen: number, s: RopeScaling | undefined) => {
      const x = randnF32(H * D, seed);
      applyRope(x, 1, H, D, { base: 10000, layout: 'halves', scaling: s, offset, seqLen });
      return Array.from(x);
    };
    // reference with the short factors: θ_i / shortFactor_i, i.e. a LongRoPE whose long list is the short one
    const viaShort = (offset: number) => {
      const x = Float64Array.from(randnF32(H * D, seed));
      const shortOnly = { ...(scaling as Extract<RopeScaling, { kind: 'longrope' }>) };
      applyRopeReference(x, 1, H, D, {
        base: 10000,
        layout: 'halves',
        scaling: { ...shortOnly, longFactor: shortOnly.shortFactor },
        offset,
        seqLen: 1000,
      });
      return x;
    };
    // at seqLen 16 (fits) and 17 (past) the same position rotates differently
    expect(rotate(10, 16, scaling)).not.toEqual(rotate(10, 17, scaling));
    // within the original context the short factors apply
    const fits = rotate(10, 16, scaling);
    const ref = viaShort(10);
    for (let i = 0; i < fits.length; i++) expect(Math.abs(fits[i]! - ref[i]!)).toBeLessThan(1e-6);
  });

  for (const scaling of SCALINGS.filter(ropeDependsOnLength)) {
    it(`${name(scaling)}: one table object switching length regimes gives what a fresh one gives, and matches the reference`, () => {
      const seed = freshSeed();
      const rng = new XorShiftRng(seed);
      const [H, D] = [2, 16];
      const s = forR(scaling, D);
      const table = new RopeTable({ base: 10000, rotaryDim: D, scaling: s });
      for (const seqLen of [10, 40, 100, 20, 70, 5, 64, 65, 33, 32]) {
        const T = 1 + (rng.nextU32() % Math.min(seqLen, 8));
        const offset = seqLen - T;
        const x = randnF32(T * H * D, rng.nextU32());
        const reused = Float32Array.from(x);
        table.apply(reused, T, H, D, 'halves', offset, seqLen);
        const fresh = Float32Array.from(x);
        new RopeTable({ base: 10000, rotaryDim: D, scaling: s }).apply(fresh, T, H, D, 'halves', offset, seqLen);
        expect(Array.from(reused), `seed ${seed} seqLen ${seqLen}`).toEqual(Array.from(fresh));
        const ref = Float64Array.from(x);
        applyRopeReference(ref, T, H, D, { base: 10000, layout: 'halves', scaling: s, offset, seqLen });
        expectClose(reused, ref, 1e-5, seed, `seqLen ${seqLen}`);
      }
    });
  }

  it('a scaling object edited between calls is honoured (tables are keyed by value and hold a private copy)', () => {
    const seed = freshSeed();
    const [T, H, D] = [3, 2, 16];
    const x = randnF32(T * H * D, seed);
    const scaling: { kind: 'linear'; factor: number } = { kind: 'linear', factor: 2 };
    const check = () => {
      const fast = Float32Array.from(x);
      applyRope(fast, T, H, D, { base: 10000, layout: 'pairs', offset: 5, scaling });
      const ref = Float64Array.from(x);
      applyRopeReference(ref, T, H, D, { base: 10000, layout: 'pairs', offset: 5, scaling });
      expectClose(fast, ref, 1e-5, seed, `factor ${scaling.factor}`);
    };
    check();
    scaling.factor = 7;
    check();
    scaling.factor = 2;
    check();
  });

  it('rows past the table cap (32768 positions) match the tabled computation path', () => {
    const seed = freshSeed();
    const [T, H, D] = [24, 2, 8];
    const x = randnF32(T * H * D, seed);
    const table = new RopeTable({ base: 10000, rotaryDim: D });
    const crossing = Float32Array.from(x);
    table.apply(crossing, T, H, D, 'pairs', 32760);
    expect(table.tabledPositions).toBe(32768);
    const expected = Float32Array.from(x);
    llama2cRope(expected, T, H, D, { base: 10000, layout: 'pairs', offset: 32760 });
    expect(Array.from(crossing)).toEqual(Array.from(expected));
  });
});

describe('RoPE validation', () => {
  const x = new Float32Array(2 * 2 * 8);
  const bad: [string, RopeCall, string][] = [
    ['odd rotary dim', { base: 10000, layout: 'pairs', offset: 0, rotaryDim: 5 }, 'rotaryDim'],
    ['rotary dim > head dim', { base: 10000, layout: 'pairs', offset: 0, rotaryDim: 16 }, 'rotaryDim'],
    ['base 0', { base: 0, layout: 'pairs', offset: 0 }, 'base'],
    ['negative base', { base: -5, layout: 'halves', offset: 0 }, 'base'],
    ['NaN base', { base: Number.NaN, layout: 'halves', offset: 0 }, 'base'],
    ['bad layout', { base: 10000, layout: 'twos' as 'pairs', offset: 0 }, 'layout'],
    ['negative offset', { base: 10000, layout: 'pairs', offset: -1 }, 'offset'],
    ['factor 0', { base: 10000, layout: 'pairs', offset: 0, scaling: { kind: 'linear', factor: 0 } }, 'scaling.factor'],
    [
      'factor < 0',
      { base: 10000, layout: 'pairs', offset: 0, scaling: { kind: 'yarn', factor: -2, originalContext: 4 } },
      'scaling.factor',
    ],
    [
      'unknown scaling',
      { base: 10000, layout: 'pairs', offset: 0, scaling: { kind: 'ntk-by-parts', factor: 2 } as unknown as RopeScaling },
      'scaling.kind',
    ],
    [
      'llama3 high ≤ low',
      {
        base: 10000,
        layout: 'pairs',
        offset: 0,
        scaling: { kind: 'llama3', factor: 8, originalContext: 8192, lowFreqFactor: 4, highFreqFactor: 1 },
      },
      'scaling.highFreqFactor',
    ],
    [
      'missing original context',
      { base: 10000, layout: 'pairs', offset: 0, scaling: { kind: 'dynamic-ntk', factor: 2 } as unknown as RopeScaling },
      'scaling.originalContext',
    ],
  ];
  for (const [what, call, field] of bad) {
    it(`${what} → SpecError naming \`${field}\``, () => {
      expect(() => applyRope(x, 2, 2, 8, call)).toThrowError(SpecError);
      try {
        validateRope(call, 8);
      } catch (e) {
        expect((e as SpecError).field).toBe(field);
      }
      expect(() => validateRope(call, 8)).toThrow();
    });
  }

  it('wrong element count → ShapeError', () => {
    expect(() => applyRope(new Float32Array(10), 2, 2, 8, { base: 10000, layout: 'pairs', offset: 0 })).toThrowError(ShapeError);
  });
});
