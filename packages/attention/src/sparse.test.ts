import type { AttentionSpec } from '@weft/core';
import { UnsupportedError } from '@weft/core';
import { freshSeed } from '@weft/testing';
import { describe, expect, it } from 'vitest';
import { expectClose, prefill, randomQkv } from '../test/helpers.js';
import { attendCpu, patternOf } from './attend.js';
import { blockSparseKeyBlocks } from './block-sparse.js';
import { measureScratch } from './scratch.js';

const PATTERNS: AttentionSpec[] = [
  { kind: 'sliding-window', window: 5, sinks: 2 },
  { kind: 'dilated', window: 4, dilation: 3 },
  { kind: 'dilated', window: 3, dilation: 2, causal: false },
  { kind: 'global-local', window: 3, globalTokens: [4, 0, 20] },
  { kind: 'global-local', window: 2, globalTokens: [7], causal: false },
  { kind: 'block-sparse', block: 4, globalBlocks: 1, randomBlocks: 2, seed: 1 },
  { kind: 'block-sparse', block: 3, windowBlocks: 0, globalBlocks: 0, randomBlocks: 3, seed: 2, causal: false },
];

describe('sparse patterns', () => {
  it.each(PATTERNS.map((s) => [JSON.stringify(s), s] as const))('%s: the fast key list is exactly the mask', (_n, spec) => {
    const L = 41;
    const p = patternOf(spec, L);
    const buf = new Int32Array(L);
    for (let qPos = 0; qPos < L; qPos++) {
      const n = p.keys(qPos, L, buf);
      expect(n).toBeLessThanOrEqual(p.maxKeys(L));
      const listed = Array.from(buf.subarray(0, n));
      const masked = Array.from({ length: L }, (_, s) => s).filter((s) => p.allows(qPos, s));
      expect(listed, `query ${qPos}`).toEqual(masked);
    }
  });

  it('sliding window without sinks equals flash with the same window', () => {
    const seed = freshSeed();
    const d = { T: 45, H: 4, Hkv: 1, D: 8, S: 45 };
    const { q, k, v } = randomQkv(seed, d);
    const a = attendCpu(q, k, v, d, prefill({ kind: 'sliding-window', window: 9 }, 45));
    const b = attendCpu(q, k, v, d, prefill({ kind: 'flash', window: 9, blockSize: 8 }, 45));
    expectClose(a, b, seed, 'window vs flash window');
  });

  it('sinks: the first tokens stay visible however far the window has moved', () => {
    const p = patternOf({ kind: 'sliding-window', window: 3, sinks: 2 }, 100);
    expect(p.allows(90, 0)).toBe(true);
    expect(p.allows(90, 1)).toBe(true);
    expect(p.allows(90, 2)).toBe(false);
    expect(p.allows(90, 88)).toBe(true);
    expect(p.allows(90, 91)).toBe(false);
  });

  it('BigBird blocks: window + global + exactly randomBlocks seeded random blocks, stable across lengths', () => {
    const spec = { kind: 'block-sparse', block: 8, windowBlocks: 1, globalBlocks: 2, randomBlocks: 3, seed: 42 } as const;
    for (let qb = 6; qb < 30; qb++) {
      const blocks = blockSparseKeyBlocks(spec, qb, 0);
      expect(blocks).toContain(0);
      expect(blocks).toContain(1);
      expect(blocks).toContain(qb - 1);
      expect(blocks).toContain(qb);
      expect(blocks.length).toBe(2 + 2 + 3);
      expect(Math.max(...blocks)).toBe(qb); // causal: nothing later
      expect(blockSparseKeyBlocks(spec, qb, 999)).toEqual(blocks); // independent of length
    }
    const other = Array.from({ length: 24 }, (_, i) => blockSparseKeyBlocks({ ...spec, seed: 43 }, i + 6, 0).join());
    const same = Array.from({ length: 24 }, (_, i) => blockSparseKeyBlocks(spec, i + 6, 0).join());
    expect(other).not.toEqual(same);
    // global query blocks see everything before them
    expect(blockSparseKeyBlocks(spec, 1, 0)).toEqual([0, 1]);
  });

  it('scratch memory of sparse kernels is O(keys per row), not O(T²)', () => {
    const bytes = (T: number) => {
      const d = { T, H: 1, Hkv: 1, D: 8, S: T };
      const { q, k, v } = randomQkv(1, d);
      return measureScratch(() => attendCpu(q, k, v, d, prefill({ kind: 'sliding-window', window: 16, sinks: 4 }, T))).bytes;
    };
    expect(bytes(64)).toBe(bytes(512));
  });
});

describe('transient global (LongT5)', () => {
  it('a query sees its window plus the mean of every completed block', () => {
    // one head, D = 1 keys of zero: uniform weights over the visible set; values = positions
    const L = 12;
    const d = { T: L, H: 1, Hkv: 1, D: 1, S: L };
    const q = new Float32Array(L);
    const k = new Float32Array(L);
    const v = Float32Array.from({ length: L }, (_, i) => i);
    const out = attendCpu(q, k, v, d, prefill({ kind: 'transient-global', window: 2, block: 4 }, L));
    // position 9: local keys 8, 9; completed blocks [0..3] mean 1.5 and [4..7] mean 5.5
    expect(out[9]).toBeCloseTo((8 + 9 + 1.5 + 5.5) / 4, 6);
    // position 2: local keys 1, 2; no completed block yet
    expect(out[2]).toBeCloseTo(1.5, 6);
    // position 3 completes block 0, whose summary it sees
    expect(out[3]).toBeCloseTo((2 + 3 + 1.5) / 3, 6);
  });

  it('captures [H, T, kvLength + blocks] and rejects padding masks and biases', () => {
    const d = { T: 10, H: 2, Hkv: 1, D: 4, S: 10 };
    const { q, k, v } = randomQkv(2, d);
    let shape: readonly number[] = [];
    attendCpu(
      q,
      k,
      v,
      d,
      prefill({ kind: 'transient-global', window: 3, block: 4, causal: false }, 10, { capture: (_p, s) => (shape = s) }),
    );
    expect(shape).toEqual([2, 10, 13]);
    const spec = { kind: 'transient-global', window: 3, block: 4 } as const;
    expect(() => attendCpu(q, k, v, d, prefill(spec, 10, { keyMask: new Uint8Array(10).fill(1) }))).toThrow(UnsupportedError);
    expect(() => attendCpu(q, k, v, d, prefill(spec, 10, { bias: { kind: 'alibi' } }))).toThrow(UnsupportedError);
  });
});
