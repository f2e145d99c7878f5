import { describe, expect, it } from 'vitest';
import { XorShiftRng } from './rng.js';

/** Plain-number reimplementation of llama2.c's random_u32, written from its C source. */
function llama2cDraws(seed: bigint, n: number): number[] {
  const out: number[] = [];
  let s = seed;
  const m = (1n << 64n) - 1n;
  for (let i = 0; i < n; i++) {
    s ^= s >> 12n;
    s = (s ^ (s << 25n)) & m;
    s ^= s >> 27n;
    out.push(Number(((s * 0x2545f4914f6cdd1dn) & m) >> 32n));
  }
  return out;
}

describe('XorShiftRng', () => {
  it('reproduces llama2.c draws for a seed', () => {
    const rng = new XorShiftRng(42);
    const expected = llama2cDraws(42n, 5);
    expect(Array.from({ length: 5 }, () => rng.nextU32())).toEqual(expected);
  });
  it('is deterministic per seed and differs across seeds', () => {
    const a = new XorShiftRng(7);
    const b = new XorShiftRng(7);
    const c = new XorShiftRng(8);
    const da = Array.from({ length: 10 }, () => a.nextFloat());
    expect(Array.from({ length: 10 }, () => b.nextFloat())).toEqual(da);
    expect(Array.from({ length: 10 }, () => c.nextFloat())).not.toEqual(da);
    for (const x of da) expect(x >= 0 && x < 1).toBe(true);
  });
  it('draws normals with mean ≈ 0 and variance ≈ 1', () => {
    const rng = new XorShiftRng(1);
    let s = 0;
    let s2 = 0;
    const n = 20000;
    for (let i = 0; i < n; i++) {
      const x = rng.nextNormal();
      s += x;
      s2 += x * x;
    }
    expect(Math.abs(s / n)).toBeLessThan(0.03);
    expect(Math.abs(s2 / n - 1)).toBeLessThan(0.05);
  });
});
