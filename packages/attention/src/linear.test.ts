import { OptionError } from '@weft/core';
import { freshSeed } from '@weft/testing';
import { describe, expect, it } from 'vitest';
import { expectClose, prefill, randomQkv, rows } from '../test/helpers.js';
import { attendCpu, attendReference } from './attend.js';
import { favorFeatures } from './favor.js';
import { eluPlusOne } from './feature-map.js';
import { createLinearAttentionState, linearAttention } from './linear.js';

const favor = (features: number, seed: number) => ({ kind: 'linear', featureMap: { kind: 'favor+', features, seed } }) as const;

describe('elu+1', () => {
  it('feature map is elu(x) + 1', () => {
    const out = new Float64Array(4);
    eluPlusOne(4).apply([2, 0, -1, -30], 0, out, false);
    expect(Array.from(out)).toEqual([3, 1, Math.exp(-1), Math.exp(-30)]);
  });

  it('running sums equal the closed form Σ φ(q)·φ(k_s) v_s / Σ φ(q)·φ(k_s) computed directly', () => {
    const seed = freshSeed();
    const d = { T: 9, H: 2, Hkv: 1, D: 3, S: 9 };
    const { q, k, v } = randomQkv(seed, d);
    const out = linearAttention(q, k, v, d, prefill({ kind: 'linear', featureMap: 'elu+1' }, 9));
    const phi = (x: number) => (x > 0 ? x + 1 : Math.exp(x));
    const direct = new Float64Array(9 * 2 * 3);
    for (let t = 0; t < 9; t++) {
      for (let h = 0; h < 2; h++) {
        let den = 0;
        const num = [0, 0, 0];
        for (let s = 0; s <= t; s++) {
          let w = 0;
          for (let i = 0; i < 3; i++) w += phi(q[(t * 2 + h) * 3 + i]!) * phi(k[s * 3 + i]!);
          den += w;
          for (let i = 0; i < 3; i++) num[i]! += w * v[s * 3 + i]!;
        }
        for (let i = 0; i < 3; i++) direct[(t * 2 + h) * 3 + i] = num[i]! / den;
      }
    }
    expectClose(out, direct, seed, 'running sums vs closed form');
  });
});

describe('recurrent state (O(1) per decode step)', () => {
  it.each([{ kind: 'linear', featureMap: 'elu+1' } as const, favor(32, 5)])('%o: token-by-token steps equal prefill', (spec) => {
    const seed = freshSeed();
    const d = { T: 24, H: 4, Hkv: 2, D: 8, S: 24 };
    const { q, k, v } = randomQkv(seed, d, 0.7);
    const whole = attendCpu(q, k, v, d, prefill(spec, 24));
    const state = createLinearAttentionState(spec, d);
    const chunks: Float32Array[] = [];
    // a prompt of 10 tokens, then single tokens
    const cut = (x: Float32Array, a: number, b: number, w: number) => x.subarray(a * w, b * w);
    chunks.push(state.step(cut(q, 0, 10, 32), cut(k, 0, 10, 16), cut(v, 0, 10, 16)));
    for (let t = 10; t < 24; t++) chunks.push(state.step(cut(q, t, t + 1, 32), cut(k, t, t + 1, 16), cut(v, t, t + 1, 16)));
    expect(state.length).toBe(24);
    const stepped = new Float32Array(24 * 32);
    let o = 0;
    for (const c of chunks) stepped.set(c, (o += c.length) - c.length);
    expectClose(stepped, whole, seed, 'steps vs prefill');
  });

  it('clone is independent; reset forgets; redraw only on an empty state', () => {
    const d = { H: 2, Hkv: 2, D: 4 };
    const { q, k, v } = randomQkv(9, { ...d, T: 3, S: 3 });
    const s = createLinearAttentionState(favor(8, 1), d);
    s.step(q.subarray(0, 8), k.subarray(0, 8), v.subarray(0, 8));
    const c = s.clone();
    const a = s.step(q.subarray(8, 16), k.subarray(8, 16), v.subarray(8, 16));
    const b = c.step(q.subarray(8, 16), k.subarray(8, 16), v.subarray(8, 16));
    expect(Array.from(b)).toEqual(Array.from(a));
    expect(() => s.redraw()).toThrow(OptionError);
    s.reset();
    expect(s.length).toBe(0);
    s.redraw();
    expect(s.draw).toBe(1);
    // two tokens (one token's output is its own value whatever the features)
    const first = createLinearAttentionState(favor(8, 1), d).step(q.subarray(0, 16), k.subarray(0, 16), v.subarray(0, 16));
    const redrawn = s.step(q.subarray(0, 16), k.subarray(0, 16), v.subarray(0, 16));
    expect(Array.from(redrawn)).not.toEqual(Array.from(first));
  });

  it('redrawEvery: FAVOR+ features change every N sequences', () => {
    const s = createLinearAttentionState(
      { kind: 'linear', featureMap: { kind: 'favor+', features: 8, seed: 1, redrawEvery: 2 } },
      { H: 1, Hkv: 1, D: 4 },
    );
    const draws = [s.draw];
    for (let i = 0; i < 4; i++) {
      s.reset();
      draws.push(s.draw);
    }
    expect(draws).toEqual([0, 0, 1, 1, 2]);
  });
});

describe('FAVOR+', () => {
  it('features: orthogonal within a block, seeded, redrawn on demand', () => {
    const D = 6;
    const w = favorFeatures(D, 9, 77);
    const dot = (a: number, b: number) => {
      let s = 0;
      for (let i = 0; i < D; i++) s += w[a * D + i]! * w[b * D + i]!;
      return s;
    };
    for (let a = 0; a < D; a++) for (let b = 0; b < a; b++) expect(Math.abs(dot(a, b))).toBeLessThan(1e-9);
    expect(Array.from(favorFeatures(D, 9, 77))).toEqual(Array.from(w));
    expect(Array.from(favorFeatures(D, 9, 78))).not.toEqual(Array.from(w));
    expect(Array.from(favorFeatures(D, 9, 77, 1))).not.toEqual(Array.from(w));
  });

  it('fast kernel equals its float64 closed form (bidirectional too)', () => {
    const seed = freshSeed();
    const d = { T: 19, H: 2, Hkv: 2, D: 8, S: 19 };
    const { q, k, v } = randomQkv(seed, d, 0.6);
    for (const causal of [true, false]) {
      const call = prefill({ ...favor(40, seed % 1000), causal }, 19);
      expectClose(attendCpu(q, k, v, d, call), attendReference(q, k, v, d, call), seed, `causal=${causal}`);
    }
  });

  it('approximation error to softmax attention falls as the feature count grows', () => {
    const seed = freshSeed();
    const d = { T: 32, H: 2, Hkv: 2, D: 8, S: 32 };
    const { q, k, v } = randomQkv(seed, d, 0.6);
    const exact = attendReference(q, k, v, d, prefill({ kind: 'full' }, 32));
    const error = (m: number) => {
      let total = 0;
      const draws = 12;
      for (let draw = 0; draw < draws; draw++) {
        const approx = attendCpu(q, k, v, d, prefill(favor(m, seed + draw), 32));
        let num = 0;
        let den = 0;
        for (let i = 0; i < exact.length; i++) {
          num += (approx[i]! - exact[i]!) ** 2;
          den += exact[i]! ** 2;
        }
        total += Math.sqrt(num / den);
      }
      return total / draws;
    };
    const errs = [8, 32, 128, 512].map(error);
    for (let i = 1; i < errs.length; i++)
      expect(errs[i], `errors ${errs.map((e) => e.toFixed(4))} (seed ${seed})`).toBeLessThan(errs[i - 1]! * 0.95);
    expect(errs[3]).toBeLessThan(errs[0]! / 2.5); // measured ≈ 4–5× lower at m = 512 than at m = 8
    console.log(`FAVOR+ relative error for m = 8, 32, 128, 512: ${errs.map((e) => e.toFixed(4)).join(', ')}`);
  });

  it('decode rows equal prefill rows through the stateless kernel', () => {
    const seed = freshSeed();
    const d = { T: 12, H: 2, Hkv: 1, D: 4, S: 12 };
    const { q, k, v } = randomQkv(seed, d);
    const spec = favor(16, 3);
    const whole = attendCpu(q, k, v, d, prefill(spec, 12));
    const step = attendCpu(q.subarray(88, 96), k, v, { ...d, T: 1 }, { spec, queryOffset: 11, kvLength: 12 });
    expectClose(step, rows(whole, 11, 1, 2, 4), seed, 'decode');
  });
});
