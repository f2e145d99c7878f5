import { SpecError } from '@weft/core';
import { describe, expect, it } from 'vitest';
import { validateRopeScaling } from '../validate.js';
import { ropeAttentionFactor, ropeFrequencies, ropeInverseFrequencies, ropeLogitScale, yarnCorrectionRange } from './index.js';

// biome-ignore lint/suspicious/noApproximativeNumericConstant: DeepSeek-V2's config value, not √½
const DEEPSEEK_MSCALE = 0.707;

// Frequency tables are [R/2]. Closed forms below are written out independently of the code.

/** Hugging Face's LlamaConfig() defaults: D = 4096/32 = 128, base 10000, 2048 positions. */
const D = 128;
const BASE = 10000;

// Snapshots from transformers' tests/utils/test_modeling_rope_utils.py (printed to 5 digits).
// biome-ignore format: tables
const HF_DEFAULT = [
  1.0000e+00, 8.6596e-01, 7.4989e-01, 6.4938e-01, 5.6234e-01, 4.8697e-01, 4.2170e-01, 3.6517e-01, 3.1623e-01, 2.7384e-01, 2.3714e-01, 2.0535e-01,
  1.7783e-01, 1.5399e-01, 1.3335e-01, 1.1548e-01, 1.0000e-01, 8.6596e-02, 7.4989e-02, 6.4938e-02, 5.6234e-02, 4.8697e-02, 4.2170e-02, 3.6517e-02,
  3.1623e-02, 2.7384e-02, 2.3714e-02, 2.0535e-02, 1.7783e-02, 1.5399e-02, 1.3335e-02, 1.1548e-02, 1.0000e-02, 8.6596e-03, 7.4989e-03, 6.4938e-03,
  5.6234e-03, 4.8697e-03, 4.2170e-03, 3.6517e-03, 3.1623e-03, 2.7384e-03, 2.3714e-03, 2.0535e-03, 1.7783e-03, 1.5399e-03, 1.3335e-03, 1.1548e-03,
  1.0000e-03, 8.6596e-04, 7.4989e-04, 6.4938e-04, 5.6234e-04, 4.8697e-04, 4.2170e-04, 3.6517e-04, 3.1623e-04, 2.7384e-04, 2.3714e-04, 2.0535e-04,
  1.7783e-04, 1.5399e-04, 1.3335e-04, 1.1548e-04,
];
/** rope_type dynamic, factor 10, seq_len 16384. */
// biome-ignore format: tables
const HF_DYNAMIC = [
  1.0000e+00, 8.0931e-01, 6.5498e-01, 5.3008e-01, 4.2900e-01, 3.4720e-01, 2.8099e-01, 2.2741e-01, 1.8404e-01, 1.4895e-01, 1.2055e-01, 9.7558e-02,
  7.8955e-02, 6.3899e-02, 5.1714e-02, 4.1853e-02, 3.3872e-02, 2.7413e-02, 2.2185e-02, 1.7955e-02, 1.4531e-02, 1.1760e-02, 9.5176e-03, 7.7027e-03,
  6.2339e-03, 5.0451e-03, 4.0831e-03, 3.3045e-03, 2.6744e-03, 2.1644e-03, 1.7517e-03, 1.4176e-03, 1.1473e-03, 9.2852e-04, 7.5146e-04, 6.0817e-04,
  4.9220e-04, 3.9834e-04, 3.2238e-04, 2.6091e-04, 2.1115e-04, 1.7089e-04, 1.3830e-04, 1.1193e-04, 9.0585e-05, 7.3312e-05, 5.9332e-05, 4.8018e-05,
  3.8861e-05, 3.1451e-05, 2.5453e-05, 2.0600e-05, 1.6672e-05, 1.3492e-05, 1.0920e-05, 8.8374e-06, 7.1522e-06, 5.7883e-06, 4.6845e-06, 3.7912e-06,
  3.0683e-06, 2.4832e-06, 2.0097e-06, 1.6265e-06,
];
/** rope_type yarn, factor 10, beta_fast 32, beta_slow 1, original 2048. */
// biome-ignore format: tables
const HF_YARN = [
  1.0000e+00, 8.6596e-01, 7.4989e-01, 6.4938e-01, 5.6234e-01, 4.8697e-01, 4.2170e-01, 3.6517e-01, 3.1623e-01, 2.7384e-01, 2.3714e-01, 2.0535e-01,
  1.7783e-01, 1.5399e-01, 1.3335e-01, 1.1548e-01, 1.0000e-01, 8.3479e-02, 6.9590e-02, 5.7925e-02, 4.8136e-02, 3.9931e-02, 3.3061e-02, 2.7315e-02,
  2.2515e-02, 1.8512e-02, 1.5177e-02, 1.2403e-02, 1.0101e-02, 8.1924e-03, 6.6143e-03, 5.3120e-03, 4.2400e-03, 3.3599e-03, 2.6396e-03, 2.0520e-03,
  1.5746e-03, 1.1882e-03, 8.7713e-04, 6.2810e-04, 4.3007e-04, 2.7384e-04, 2.3714e-04, 2.0535e-04, 1.7783e-04, 1.5399e-04, 1.3335e-04, 1.1548e-04,
  1.0000e-04, 8.6596e-05, 7.4989e-05, 6.4938e-05, 5.6234e-05, 4.8697e-05, 4.2170e-05, 3.6517e-05, 3.1623e-05, 2.7384e-05, 2.3714e-05, 2.0535e-05,
  1.7783e-05, 1.5399e-05, 1.3335e-05, 1.1548e-05,
];
/** rope_type llama3, factor 10, low 1, high 4, original 2048. */
// biome-ignore format: tables
const HF_LLAMA3 = [
  1.0000e+00, 8.6596e-01, 7.4989e-01, 6.4938e-01, 5.6234e-01, 4.8697e-01, 4.2170e-01, 3.6517e-01, 3.1623e-01, 2.7384e-01, 2.3714e-01, 2.0535e-01,
  1.7783e-01, 1.5399e-01, 1.3335e-01, 1.1548e-01, 1.0000e-01, 8.6596e-02, 7.4989e-02, 6.4938e-02, 5.6234e-02, 4.8697e-02, 4.2170e-02, 3.6517e-02,
  3.1623e-02, 2.7384e-02, 2.3714e-02, 2.0535e-02, 1.7783e-02, 1.5399e-02, 1.3335e-02, 1.0730e-02, 7.7785e-03, 5.6009e-03, 3.9991e-03, 2.8248e-03,
  1.9675e-03, 1.3449e-03, 8.9549e-04, 5.7363e-04, 3.4539e-04, 2.7384e-04, 2.3714e-04, 2.0535e-04, 1.7783e-04, 1.5399e-04, 1.3335e-04, 1.1548e-04,
  1.0000e-04, 8.6596e-05, 7.4989e-05, 6.4938e-05, 5.6234e-05, 4.8697e-05, 4.2170e-05, 3.6517e-05, 3.1623e-05, 2.7384e-05, 2.3714e-05, 2.0535e-05,
  1.7783e-05, 1.5399e-05, 1.3335e-05, 1.1548e-05,
];

/** Each value agrees with a 5-significant-digit snapshot. */
function expectSnapshot(actual: Float64Array, snapshot: number[]): void {
  expect(actual.length).toBe(snapshot.length);
  for (let i = 0; i < snapshot.length; i++) {
    expect(Math.abs(actual[i]! - snapshot[i]!) / snapshot[i]!, `index ${i}: ${actual[i]} vs ${snapshot[i]}`).toBeLessThan(6e-5);
  }
}

function expectRelClose(actual: Float64Array, expected: number[], rtol = 1e-12): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    expect(Math.abs(actual[i]! - expected[i]!) / Math.abs(expected[i]!), `index ${i}`).toBeLessThan(rtol);
  }
}

/** θ_i = base^(−2i/R), written independently. */
const closedDefault = (base: number, R: number) => Array.from({ length: R / 2 }, (_, i) => 1 / base ** ((2 * i) / R));

describe('unscaled and linear', () => {
  it('default frequencies match the closed form and the HF snapshot', () => {
    expectRelClose(ropeInverseFrequencies(BASE, D), closedDefault(BASE, D));
    expectSnapshot(ropeFrequencies(BASE, D), HF_DEFAULT);
  });
  it('linear divides every frequency by the factor (position interpolation m → m/s)', () => {
    for (const factor of [2, 10, 20]) {
      expectRelClose(
        ropeFrequencies(BASE, D, { kind: 'linear', factor }),
        closedDefault(BASE, D).map((t) => t / factor),
      );
    }
  });
});

describe('dynamic NTK', () => {
  const scaling = { kind: 'dynamic-ntk', factor: 10, originalContext: 2048 } as const;
  it('is the unscaled table while the sequence fits the original context', () => {
    for (const seqLen of [0, 1, 2048]) expectRelClose(ropeFrequencies(BASE, D, scaling, seqLen), closedDefault(BASE, D));
  });
  it('past it, base grows to base·(s·L/L₀ − (s−1))^(R/(R−2)) (closed form and HF snapshot at L = 16384)', () => {
    for (const seqLen of [2049, 4096, 16384, 100000]) {
      const grownBase = BASE * ((10 * seqLen) / 2048 - 9) ** (D / (D - 2));
      expectRelClose(ropeFrequencies(BASE, D, scaling, seqLen), closedDefault(grownBase, D), 1e-12);
    }
    expectSnapshot(ropeFrequencies(BASE, D, scaling, 16384), HF_DYNAMIC);
  });
});

describe('YaRN', () => {
  const scaling = { kind: 'yarn', factor: 10, originalContext: 2048, betaFast: 32, betaSlow: 1 } as const;
  it('correction range: dims turning > 32 and < 1 times over 2048 positions', () => {
    // d(r) = R·ln(L₀ / (2π r)) / (2 ln base): d(32) = 16.128 → 16, d(1) = 40.21 → 41
    const dim = (r: number) => (D * Math.log(2048 / (2 * Math.PI * r))) / (2 * Math.log(BASE));
    expect(dim(32)).toBeCloseTo(16.128, 3);
    expect(dim(1)).toBeCloseTo(40.21, 2);
    expect(yarnCorrectionRange(32, 1, D, BASE, 2048)).toEqual([16, 41]);
    expect(yarnCorrectionRange(32, 1, D, BASE, 2048, false)[0]).toBeCloseTo(dim(32), 12);
  });
  it('frequencies match the closed-form ramp and the HF snapshot', () => {
    const theta = closedDefault(BASE, D);
    const [low, high] = [16, 41];
    const expected = theta.map((t, i) => {
      const ramp = Math.min(1, Math.max(0, (i - low) / (high - low)));
      return (t / 10) * ramp + t * (1 - ramp);
    });
    const actual = ropeFrequencies(BASE, D, scaling);
    expectRelClose(actual, expected);
    expectSnapshot(actual, HF_YARN);
    // below the ramp: extrapolated (unchanged); above: interpolated (÷ factor)
    for (let i = 0; i <= 16; i++) expect(actual[i]).toBeCloseTo(theta[i]!, 15);
    for (let i = 41; i < 64; i++) expect(actual[i]! / (theta[i]! / 10)).toBeCloseTo(1, 12);
  });
  it('attention factor: 0.1·ln(s) + 1, an explicit attention_factor, or DeepSeek mscale ratios; logit scale is its square', () => {
    for (const factor of [2, 10, 20]) {
      const y = { kind: 'yarn', factor, originalContext: 2048 } as const;
      expect(ropeAttentionFactor(y)).toBeCloseTo(0.1 * Math.log(factor) + 1, 15);
      expect(ropeLogitScale(y)).toBeCloseTo((0.1 * Math.log(factor) + 1) ** 2, 15);
      expect(ropeAttentionFactor({ ...y, attentionFactor: 0.5 })).toBe(0.5);
    }
    expect(ropeAttentionFactor({ kind: 'yarn', factor: 10, originalContext: 2048 })).toBeCloseTo(1.230258509299, 12);
    // DeepSeek-V2: factor 40, mscale = mscale_all_dim = 0.707 → 1
    expect(
      ropeAttentionFactor({
        kind: 'yarn',
        factor: 40,
        originalContext: 4096,
        mscale: DEEPSEEK_MSCALE,
        mscaleAllDim: DEEPSEEK_MSCALE,
      }),
    ).toBe(1);
    // mscale 1, mscale_all_dim 0.5 at factor 40: (0.1 ln 40 + 1) / (0.05 ln 40 + 1)
    expect(ropeAttentionFactor({ kind: 'yarn', factor: 40, originalContext: 4096, mscale: 1, mscaleAllDim: 0.5 })).toBeCloseTo(
      (0.1 * Math.log(40) + 1) / (0.05 * Math.log(40) + 1),
      15,
    );
    expect(ropeAttentionFactor({ kind: 'yarn', factor: 1, originalContext: 4096 })).toBe(1);
    expect(ropeAttentionFactor({ kind: 'linear', factor: 4 })).toBe(1);
    expect(ropeAttentionFactor(undefined)).toBe(1);
  });
});

describe('Llama 3 frequency-dependent scaling', () => {
  /** Independent closed form by wavelength band. */
  function closedLlama3(base: number, R: number, s: number, L0: number, low: number, high: number): number[] {
    return closedDefault(base, R).map((t) => {
      const wavelength = (2 * Math.PI) / t;
      if (wavelength < L0 / high) return t;
      if (wavelength > L0 / low) return t / s;
      const smooth = (L0 / wavelength - low) / (high - low);
      return (1 - smooth) * (t / s) + smooth * t;
    });
  }
  it('HF snapshot (factor 10, original 2048) and closed form', () => {
    const actual = ropeFrequencies(BASE, D, {
      kind: 'llama3',
      factor: 10,
      originalContext: 2048,
      lowFreqFactor: 1,
      highFreqFactor: 4,
    });
    expectSnapshot(actual, HF_LLAMA3);
    expectRelClose(actual, closedLlama3(BASE, D, 10, 2048, 1, 4));
  });
  it('Llama 3.1 (base 500000, D 128, factor 8, low 1, high 4, original 8192): 29 kept, 6 smoothed, 29 divided by 8', () => {
    const theta = closedDefault(500000, 128);
    const actual = ropeFrequencies(500000, 128, {
      kind: 'llama3',
      factor: 8,
      originalContext: 8192,
      lowFreqFactor: 1,
      highFreqFactor: 4,
    });
    expectRelClose(actual, closedLlama3(500000, 128, 8, 8192, 1, 4));
    // wavelength 2π/θ_i < 8192/4 = 2048  ⇔  i ≤ 28;  > 8192  ⇔  i ≥ 35
    for (let i = 0; i <= 28; i++) expect(actual[i]! / theta[i]!, `i=${i}`).toBeCloseTo(1, 12);
    for (let i = 35; i < 64; i++) expect(actual[i]! / (theta[i]! / 8), `i=${i}`).toBeCloseTo(1, 12);
    for (let i = 29; i <= 34; i++) {
      expect(actual[i]!, `i=${i}`).toBeLessThan(theta[i]!);
      expect(actual[i]!, `i=${i}`).toBeGreaterThan(theta[i]! / 8);
    }
    // the per-dim divisors (llama.cpp stores them as rope_freqs): 1 … 1, then 6 smoothed, then 8 … 8
    const divisors = Array.from(actual, (v, i) => theta[i]! / v);
    expect(divisors[29]).toBeGreaterThan(1);
    for (let i = 30; i <= 35; i++) expect(divisors[i]!).toBeGreaterThan(divisors[i - 1]!);
  });
});

describe('LongRoPE', () => {
  const short = Array.from({ length: D / 2 }, () => 2);
  const long = Array.from({ length: D / 2 }, (_, i) => i + 1);
  it('divides θ_i by short_factor_i within the original context and by long_factor_i past it (as HF)', () => {
    const scaling = { kind: 'longrope', factor: 10, originalContext: 2048, shortFactor: short, longFactor: long } as const;
    const theta = closedDefault(BASE, D);
    for (const seqLen of [0, 1, 2048])
      expectRelClose(
        ropeFrequencies(BASE, D, scaling, seqLen),
        theta.map((t) => t / 2),
      );
    for (const seqLen of [2049, 100000])
      expectRelClose(
        ropeFrequencies(BASE, D, scaling, seqLen),
        theta.map((t, i) => t / (i + 1)),
      );
  });
  it('attention factor √(1 + ln(factor)/ln(original)), or the given one; 1 when factor ≤ 1', () => {
    for (const factor of [2, 10, 20]) {
      const s = { kind: 'longrope', factor, originalContext: 2048, shortFactor: short, longFactor: long } as const;
      expect(ropeAttentionFactor(s)).toBeCloseTo(Math.sqrt(1 + Math.log(factor) / Math.log(2048)), 15);
      expect(ropeLogitScale(s)).toBeCloseTo(1 + Math.log(factor) / Math.log(2048), 14);
      expect(ropeAttentionFactor({ ...s, attentionFactor: 0.5 })).toBe(0.5);
    }
    expect(
      ropeAttentionFactor({ kind: 'longrope', factor: 1, originalContext: 2048, shortFactor: short, longFactor: long }),
    ).toBe(1);
  });
  it('validation: one positive factor per rotary frequency', () => {
    const base = { kind: 'longrope', factor: 4, originalContext: 4096, shortFactor: short, longFactor: long } as const;
    expect(() => validateRopeScaling(base, D)).not.toThrow();
    expect(() => validateRopeScaling({ ...base, longFactor: long.slice(1) }, D)).toThrowError(/scaling.longFactor/);
    expect(() => validateRopeScaling({ ...base, shortFactor: [...short.slice(1), -1] }, D)).toThrowError(
      /scaling.shortFactor\[63\]/,
    );
    expect(() => validateRopeScaling({ ...base, shortFactor: 'x' as never }, D)).toThrowError(/must be an array/);
  });
});

describe('scaling validation', () => {
  it('names the bad field', () => {
    const cases: [unknown, string][] = [
      [{ kind: 'linear', factor: 0 }, 'scaling.factor'],
      [{ kind: 'linear', factor: Number.POSITIVE_INFINITY }, 'scaling.factor'],
      [{ kind: 'dynamic-ntk', factor: 2, originalContext: 0 }, 'scaling.originalContext'],
      [{ kind: 'yarn', factor: 2, originalContext: 100, betaFast: -1 }, 'scaling.betaFast'],
      [{ kind: 'yarn', factor: 2, originalContext: 100, attentionFactor: 0 }, 'scaling.attentionFactor'],
      [{ kind: 'llama3', factor: 8, originalContext: 8192, lowFreqFactor: 0, highFreqFactor: 4 }, 'scaling.lowFreqFactor'],
      [{ kind: 'ntk-by-parts', factor: 2 }, 'scaling.kind'],
    ];
    for (const [scaling, field] of cases) {
      let error: unknown;
      try {
        validateRopeScaling(scaling as never, 64);
      } catch (e) {
        error = e;
      }
      expect(error, JSON.stringify(scaling)).toBeInstanceOf(SpecError);
      expect((error as SpecError).field).toBe(field);
    }
    expect(() => validateRopeScaling({ kind: 'dynamic-ntk', factor: 2, originalContext: 16 }, 2)).toThrowError(
      /more than 2 rotary dims/,
    );
  });
  it('ropeFrequencies throws on an unknown scaling kind', () => {
    expect(() => ropeFrequencies(BASE, D, { kind: 'ntk-by-parts' } as never)).toThrowError(SpecError);
  });
});
