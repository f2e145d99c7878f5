import type { AttentionSpec } from '@weft/core';
import { freshSeed, randomInts } from '@weft/testing';
import { describe, expect, it } from 'vitest';
import { expectClose, prefill, randomQkv, repeatKv, rows } from '../test/helpers.js';
import { attendCpu, attendReference } from './attend.js';

/** Every softmax and linear variant with parameters small enough to matter at T ≈ 40. */
const SPECS: AttentionSpec[] = [
  { kind: 'full' },
  { kind: 'full', mask: { kind: 'bidirectional' } },
  { kind: 'full', mask: { kind: 'prefix', prefixLength: 9 } },
  { kind: 'flash' },
  { kind: 'flash', blockSize: 7, mask: { kind: 'prefix', prefixLength: 5 } },
  { kind: 'flash', blockSize: 8, window: 6 },
  { kind: 'flash', blockSize: 5, mask: { kind: 'bidirectional' }, window: 4 },
  { kind: 'sliding-window', window: 5 },
  { kind: 'sliding-window', window: 6, sinks: 3 },
  { kind: 'dilated', window: 4, dilation: 3 },
  { kind: 'dilated', window: 3, dilation: 2, causal: false },
  { kind: 'global-local', window: 4, globalTokens: [0, 17, 3] },
  { kind: 'global-local', window: 3, globalTokens: [5, 30], causal: false },
  { kind: 'block-sparse', block: 4, globalBlocks: 1, randomBlocks: 2, seed: 7 },
  { kind: 'block-sparse', block: 3, windowBlocks: 2, globalBlocks: 2, randomBlocks: 1, seed: 11, causal: false },
  { kind: 'transient-global', window: 4, block: 5 },
  { kind: 'transient-global', window: 3, block: 4, causal: false },
  { kind: 'linear', featureMap: 'elu+1' },
  { kind: 'linear', featureMap: 'elu+1', causal: false },
  { kind: 'linear', featureMap: { kind: 'favor+', features: 24, seed: 3 } },
];

const causalOf = (spec: AttentionSpec): boolean => {
  if (spec.kind === 'full' || spec.kind === 'flash') return (spec.mask?.kind ?? 'causal') === 'causal';
  if (spec.kind === 'sliding-window' || spec.kind === 'mla') return true;
  return spec.causal ?? true;
};

describe.each(SPECS.map((spec) => [JSON.stringify(spec), spec] as const))('%s', (_name, spec) => {
  it('fast f32 kernel equals the float64 reference (GQA prefill)', () => {
    const seed = freshSeed();
    const [T, Hkv, group, D] = [20 + (seed % 23), 1 + (seed % 3), 1 + ((seed >> 3) % 3), 4 + ((seed >> 5) % 13)];
    const d = { T, H: Hkv * group, Hkv, D, S: T + 3 };
    const { q, k, v } = randomQkv(seed, d);
    const call = prefill(spec, T);
    expectClose(attendCpu(q, k, v, d, call), attendReference(q, k, v, d, call), seed, 'fast vs reference');
  });

  it('GQA/MQA equals MHA with each kv head repeated over its group', () => {
    const seed = freshSeed();
    const [T, Hkv, group, D] = [17, 2, 3, 8];
    const H = Hkv * group;
    const d = { T, H, Hkv, D, S: T };
    const { q, k, v } = randomQkv(seed, d);
    const call = prefill(spec, T);
    const gqa = attendCpu(q, k, v, d, call);
    const mha = attendReference(q, repeatKv(k, T, H, Hkv, D), repeatKv(v, T, H, Hkv, D), { ...d, Hkv: H }, call);
    expectClose(gqa, mha, seed, 'GQA vs repeated MHA');
    const k1 = Float32Array.from({ length: T * D }, (_, i) => k[Math.floor(i / D) * Hkv * D + (i % D)]!);
    const v1 = Float32Array.from({ length: T * D }, (_, i) => v[Math.floor(i / D) * Hkv * D + (i % D)]!);
    const mqa = attendCpu(q, k1, v1, { ...d, Hkv: 1 }, call);
    const mqaRef = attendReference(q, repeatKv(k1, T, H, 1, D), repeatKv(v1, T, H, 1, D), { ...d, Hkv: H }, call);
    expectClose(mqa, mqaRef, seed, 'MQA vs repeated MHA');
  });

  it('padding keys (keyMask 0) are never attended', () => {
    if (spec.kind === 'transient-global') return; // rejects keyMask (tested in its own file)
    const seed = freshSeed();
    const d = { T: 19, H: 2, Hkv: 1, D: 6, S: 19 };
    const { q, k, v } = randomQkv(seed, d);
    const keyMask = Uint8Array.from(randomInts(19, seed, 4), (x) => (x === 0 ? 0 : 1));
    keyMask[0] = 1;
    const call = prefill(spec, 19, { keyMask });
    const out = attendCpu(q, k, v, d, call);
    expectClose(out, attendReference(q, k, v, d, call), seed, 'padded fast vs reference');
    // changing a padded key's value must not change anything
    const v2 = v.slice();
    for (let s = 0; s < 19; s++) if (!keyMask[s]) v2.fill(1e3, s * 6, (s + 1) * 6);
    expectClose(attendCpu(q, k, v2, d, call), out, seed, 'padded values ignored');
  });
});

describe.each(SPECS.filter(causalOf).map((spec) => [JSON.stringify(spec), spec] as const))('%s (causal)', (_name, spec) => {
  it('decode steps against the cache equal the prefill rows', () => {
    const seed = freshSeed();
    const [T, H, Hkv, D] = [31, 4, 2, 8];
    const S = T + 5; // cache capacity beyond the valid rows
    const d = { T, H, Hkv, D, S };
    const { q, k, v } = randomQkv(seed, d);
    const full = attendCpu(q, k, v, d, prefill(spec, T));
    for (const p of [0, 1, 7, 12, 19, 30]) {
      const step = attendCpu(
        q.subarray(p * H * D, (p + 1) * H * D),
        k,
        v,
        { ...d, T: 1 },
        { spec, queryOffset: p, kvLength: p + 1 },
      );
      expectClose(step, rows(full, p, 1, H, D), seed, `decode at ${p}`);
    }
    // a chunked prefill (queries 10..17 after 10 cached tokens) equals the same rows too
    const chunk = attendCpu(q.subarray(10 * H * D, 18 * H * D), k, v, { ...d, T: 8 }, { spec, queryOffset: 10, kvLength: 18 });
    expectClose(chunk, rows(full, 10, 8, H, D), seed, 'chunked prefill');
  });
});

describe.each(SPECS.map((spec) => [JSON.stringify(spec), spec] as const))('%s (edge cases)', (_name, spec) => {
  it('queries that see no key — an empty cache, or only padding — yield zeros, never NaN', () => {
    const d = { T: 3, H: 2, Hkv: 1, D: 4, S: 5 };
    const { q, k, v } = randomQkv(4, d);
    const empty = attendCpu(q, k, v, d, { spec, queryOffset: 0, kvLength: 0 });
    expect(Array.from(empty).every((x) => x === 0)).toBe(true);
    if (spec.kind === 'transient-global') return; // refuses keyMask
    const padded = attendCpu(q, k, v, d, { spec, queryOffset: 0, kvLength: 5, keyMask: new Uint8Array(5) });
    expect(Array.from(padded).every((x) => x === 0)).toBe(true);
  });
});
