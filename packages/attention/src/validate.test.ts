import { type AttentionSpec, SpecError } from '@weft/core';
import { describe, expect, it } from 'vitest';
import { randomQkv } from '../test/helpers.js';
import { attendCpu } from './attend.js';
import { validateAttentionSpec } from './validate.js';

const dims = { H: 8, Hkv: 4, D: 16 };

function fieldOf(spec: unknown, d = dims): string | undefined {
  try {
    validateAttentionSpec(spec as AttentionSpec, d);
    return undefined;
  } catch (e) {
    expect(e).toBeInstanceOf(SpecError);
    return (e as SpecError).field;
  }
}

describe('validateAttentionSpec', () => {
  it('accepts every well-formed kind', () => {
    const ok: AttentionSpec[] = [
      { kind: 'full', mask: { kind: 'prefix', prefixLength: 0 } },
      { kind: 'flash', blockSize: 32, window: 4096 },
      { kind: 'sliding-window', window: 4096, sinks: 4 },
      { kind: 'block-sparse', block: 64, globalBlocks: 2, randomBlocks: 3, seed: 0 },
      { kind: 'global-local', window: 512, globalTokens: [0] },
      { kind: 'transient-global', window: 127, block: 16 },
      { kind: 'dilated', window: 256, dilation: 2 },
      { kind: 'linear', featureMap: 'elu+1' },
      { kind: 'linear', featureMap: { kind: 'favor+', features: 256, seed: 1, redrawEvery: 1000 } },
      { kind: 'mla', latentDim: 512, ropeDim: 64 },
    ];
    for (const spec of ok) expect(fieldOf(spec), JSON.stringify(spec)).toBeUndefined();
  });

  it.each([
    [{ kind: 'sliding-window', window: 0 }, 'window'],
    [{ kind: 'sliding-window', window: 8, sinks: -1 }, 'sinks'],
    [{ kind: 'flash', window: -3 }, 'window'],
    [{ kind: 'flash', blockSize: 0 }, 'blockSize'],
    [{ kind: 'full', mask: { kind: 'sideways' } }, 'mask.kind'],
    [{ kind: 'full', mask: { kind: 'prefix', prefixLength: 1.5 } }, 'mask.prefixLength'],
    [{ kind: 'block-sparse', block: 0, globalBlocks: 1, randomBlocks: 1, seed: 1 }, 'block'],
    [{ kind: 'block-sparse', block: 4, globalBlocks: 1, randomBlocks: -2, seed: 1 }, 'randomBlocks'],
    [{ kind: 'global-local', window: 4, globalTokens: [1, -2] }, 'globalTokens[1]'],
    [{ kind: 'dilated', window: 4, dilation: 0 }, 'dilation'],
    [{ kind: 'transient-global', window: 4, block: 0 }, 'block'],
    [{ kind: 'linear', featureMap: 'relu' }, 'featureMap'],
    [{ kind: 'linear', featureMap: { kind: 'favor+', features: 0, seed: 1 } }, 'featureMap.features'],
    [{ kind: 'linear', featureMap: { kind: 'favor+', features: 1e9, seed: 1 } }, 'featureMap.features'],
    [{ kind: 'mla', latentDim: 0, ropeDim: 4 }, 'latentDim'],
    [{ kind: 'quantum' }, 'kind'],
  ])('%o → SpecError naming %s', (spec, field) => {
    expect(fieldOf(spec)).toBe(field);
  });

  it('heads must be a multiple of kv heads', () => {
    expect(fieldOf({ kind: 'full' }, { H: 6, Hkv: 4, D: 8 })).toBe('kvHeads');
    expect(fieldOf({ kind: 'full' }, { H: 6, Hkv: 0, D: 8 })).toBe('kvHeads');
  });

  it('an oversized flash tile is clamped to the call instead of allocating it', () => {
    const d = { T: 3, H: 1, Hkv: 1, D: 4, S: 3 };
    const { q, k, v } = randomQkv(2, d);
    const call = { spec: { kind: 'flash', blockSize: 1e9 } as const, queryOffset: 0, kvLength: 3 };
    expect(Array.from(attendCpu(q, k, v, d, call))).toEqual(
      Array.from(attendCpu(q, k, v, d, { ...call, spec: { kind: 'flash', blockSize: 3 } })),
    );
  });

  it('attendCpu validates before computing and names shape problems', () => {
    const d = { T: 4, H: 2, Hkv: 2, D: 4, S: 4 };
    const { q, k, v } = randomQkv(1, d);
    expect(() => attendCpu(q, k, v, d, { spec: { kind: 'sliding-window', window: 0 }, queryOffset: 0, kvLength: 4 })).toThrow(
      /window/,
    );
    expect(() => attendCpu(q, k, v, d, { spec: { kind: 'full' }, queryOffset: 0, kvLength: 5 })).toThrow(/kvLength/);
    expect(() => attendCpu(q.subarray(1), k, v, d, { spec: { kind: 'full' }, queryOffset: 0, kvLength: 4 })).toThrow(/q has/);
    expect(() =>
      attendCpu(q, k, v, d, { spec: { kind: 'full' }, queryOffset: 0, kvLength: 4, keyMask: new Uint8Array(2) }),
    ).toThrow(/keyMask/);
  });
});
