import { SpecError, UnsupportedError } from '@weft/core';
import { freshSeed, randnF32 } from '@weft/testing';
import { describe, expect, it } from 'vitest';
import { expectClose, prefill, randomQkv, rows } from '../test/helpers.js';
import { attendCpu, attendReference } from './attend.js';
import { createBias } from './bias.js';
import { flashAttention } from './flash.js';
import { fullAttention } from './full.js';
import { measureScratch } from './scratch.js';

describe('masks', () => {
  it('causal row t equals unmasked attention over the first t+1 keys', () => {
    const seed = freshSeed();
    const d = { T: 13, H: 4, Hkv: 2, D: 8, S: 13 };
    const { q, k, v } = randomQkv(seed, d);
    const out = attendCpu(q, k, v, d, prefill({ kind: 'full' }, 13));
    for (const t of [0, 5, 12]) {
      const ref = attendReference(
        q.subarray(t * 32, (t + 1) * 32),
        k,
        v,
        { ...d, T: 1 },
        {
          spec: { kind: 'full', mask: { kind: 'bidirectional' } },
          queryOffset: t,
          kvLength: t + 1,
        },
      );
      expectClose(rows(out, t, 1, 4, 8), ref, seed, `row ${t}`);
    }
  });

  it('prefix-LM: prefix rows see the whole prefix, later rows are causal', () => {
    const seed = freshSeed();
    const P = 6;
    const d = { T: 14, H: 2, Hkv: 2, D: 8, S: 14 };
    const { q, k, v } = randomQkv(seed, d);
    const out = attendCpu(q, k, v, d, prefill({ kind: 'full', mask: { kind: 'prefix', prefixLength: P } }, 14));
    const bidiOnPrefix = attendReference(
      q.subarray(0, P * 16),
      k,
      v,
      { ...d, T: P },
      {
        spec: { kind: 'full', mask: { kind: 'bidirectional' } },
        queryOffset: 0,
        kvLength: P,
      },
    );
    expectClose(rows(out, 0, P, 2, 8), bidiOnPrefix, seed, 'prefix rows');
    const causal = attendCpu(q, k, v, d, prefill({ kind: 'full' }, 14));
    expectClose(rows(out, P, 14 - P, 2, 8), rows(causal, P, 14 - P, 2, 8), seed, 'rows after the prefix');
  });

  it('cross-attention: T queries over a different-length bidirectional memory', () => {
    const seed = freshSeed();
    const d = { T: 5, H: 4, Hkv: 4, D: 16, S: 23 };
    const { q, k, v } = randomQkv(seed, d);
    for (const spec of [
      { kind: 'full', mask: { kind: 'bidirectional' } },
      { kind: 'flash', mask: { kind: 'bidirectional' }, blockSize: 4 },
    ] as const) {
      const call = { spec, queryOffset: 0, kvLength: 23 };
      expectClose(attendCpu(q, k, v, d, call), attendReference(q, k, v, d, call), seed, spec.kind);
    }
  });

  it('a row whose keys are all padding yields zeros', () => {
    const d = { T: 3, H: 1, Hkv: 1, D: 4, S: 3 };
    const { q, k, v } = randomQkv(1, d);
    const out = attendCpu(q, k, v, d, prefill({ kind: 'full' }, 3, { keyMask: Uint8Array.of(0, 1, 1) }));
    expect(Array.from(out.subarray(0, 4))).toEqual([0, 0, 0, 0]);
    expect(out[4]).not.toBe(0);
  });
});

describe('positional biases', () => {
  it('ALiBi: at distance 1 head h adds −slope_h, the paper’s 1/2 … 1/256 for 8 heads and BLOOM’s for 12', () => {
    const at1 = (H: number) => Array.from({ length: H }, (_, h) => -createBias({ kind: 'alibi' }, H)!(h, 5, 4));
    expect(at1(8)).toEqual([1 / 2, 1 / 4, 1 / 8, 1 / 16, 1 / 32, 1 / 64, 1 / 128, 1 / 256]);
    expect(at1(12).slice(8)).toEqual([2 ** -0.5, 2 ** -1.5, 2 ** -2.5, 2 ** -3.5]);
    expect(createBias({ kind: 'alibi' }, 8)!(0, 10, 3)).toBe(-3.5);
  });

  it('T5: the table row is Hugging Face’s _relative_position_bucket of kPos − qPos', () => {
    // table[b, h] = b, so the bias is the bucket itself
    const bucketOf = (bidirectional: boolean) => {
      const table = Float32Array.from({ length: 32 }, (_, i) => i);
      const bias = createBias({ kind: 't5-relative', buckets: 32, maxDistance: 128, bidirectional, table }, 1)!;
      return (relative: number) => bias(0, 1000, 1000 + relative);
    };
    // bidirectional, 32 buckets, max distance 128 (t5-small): 16 per direction, 8 exact
    expect([0, -1, 1, -7, -8, -20, 20, -200].map(bucketOf(true))).toEqual([0, 1, 17, 7, 8, 10, 26, 15]);
    // causal (decoder), 32 buckets: 16 exact
    expect([0, -5, 5, -15, -16, -20, -127, -1000].map(bucketOf(false))).toEqual([0, 5, 0, 15, 16, 17, 31, 31]);
  });

  const biases = (H: number, seed: number) =>
    [
      { kind: 'alibi' as const },
      { kind: 'alibi' as const, maxBias: 4 },
      { kind: 't5-relative' as const, buckets: 16, maxDistance: 32, bidirectional: false, table: randnF32(16 * H, seed + 9) },
    ] as const;

  it.each(['full', 'flash', 'sliding-window', 'global-local', 'block-sparse', 'dilated'] as const)(
    '%s applies ALiBi and T5 biases like the reference',
    (kind) => {
      const seed = freshSeed();
      const d = { T: 26, H: 4, Hkv: 2, D: 8, S: 26 };
      const { q, k, v } = randomQkv(seed, d);
      const spec =
        kind === 'sliding-window'
          ? { kind, window: 7, sinks: 2 }
          : kind === 'global-local'
            ? { kind, window: 5, globalTokens: [2] }
            : kind === 'block-sparse'
              ? { kind, block: 4, globalBlocks: 1, randomBlocks: 1, seed: 5 }
              : kind === 'dilated'
                ? { kind, window: 5, dilation: 2 }
                : { kind, ...(kind === 'flash' ? { blockSize: 6, window: 11 } : {}) };
      for (const bias of biases(4, seed)) {
        const call = prefill(spec, 26, { bias });
        expectClose(attendCpu(q, k, v, d, call), attendReference(q, k, v, d, call), seed, `${kind} + ${bias.kind}`);
      }
    },
  );

  it('rejects a T5 table of the wrong size and biases on variants without logits', () => {
    const d = { T: 2, H: 2, Hkv: 2, D: 4, S: 2 };
    const { q, k, v } = randomQkv(3, d);
    const bad = { kind: 't5-relative' as const, buckets: 8, maxDistance: 16, bidirectional: true, table: new Float32Array(5) };
    expect(() => attendCpu(q, k, v, d, prefill({ kind: 'full' }, 2, { bias: bad }))).toThrow(SpecError);
    expect(() => attendCpu(q, k, v, d, prefill({ kind: 'linear', featureMap: 'elu+1' }, 2, { bias: { kind: 'alibi' } }))).toThrow(
      UnsupportedError,
    );
  });
});

describe('capture (interpretability)', () => {
  it.each([
    { kind: 'full' },
    { kind: 'flash', blockSize: 5 },
    { kind: 'sliding-window', window: 4, sinks: 1 },
    { kind: 'linear', featureMap: 'elu+1' },
  ] as const)('%o hands over the same probabilities [H,T,kvLength] as the reference', (spec) => {
    const seed = freshSeed();
    const d = { T: 11, H: 3, Hkv: 1, D: 8, S: 11 };
    const { q, k, v } = randomQkv(seed, d);
    let fast: Float32Array | undefined;
    let shape: readonly number[] = [];
    let ref: Float32Array | undefined;
    attendCpu(
      q,
      k,
      v,
      d,
      prefill(spec, 11, {
        capture: (p, s) => {
          fast = p;
          shape = s;
        },
      }),
    );
    attendReference(
      q,
      k,
      v,
      d,
      prefill(spec, 11, {
        capture: (p) => {
          ref = p;
        },
      }),
    );
    expect(shape).toEqual([3, 11, 11]);
    expectClose(fast!, ref!, seed, 'captured probabilities', 1e-5);
    for (let row = 0; row < 33; row++) {
      let sum = 0;
      for (let s = 0; s < 11; s++) sum += fast![row * 11 + s]!;
      expect(sum).toBeCloseTo(1, 5);
    }
    // causal: nothing above the diagonal
    for (let t = 0; t < 11; t++) for (let s = t + 1; s < 11; s++) expect(fast![t * 11 + s]).toBe(0);
  });
});

describe('flash', () => {
  it('equals the materialised full kernel for every tile size, including 1 and larger than T', () => {
    const seed = freshSeed();
    const d = { T: 37, H: 4, Hkv: 2, D: 12, S: 40 };
    const { q, k, v } = randomQkv(seed, d, 2); // larger logits exercise the running-max rescale
    const full = fullAttention(q, k, v, d, prefill({ kind: 'full' }, 37));
    for (const blockSize of [1, 3, 16, 64]) {
      expectClose(flashAttention(q, k, v, d, prefill({ kind: 'flash', blockSize }, 37)), full, seed, `block ${blockSize}`);
    }
  });

  it('extra memory: flash stays constant in T, full grows as T²', () => {
    const d = (T: number) => ({ T, H: 1, Hkv: 1, D: 16, S: T });
    const bytes = (kind: 'full' | 'flash', T: number) => {
      const { q, k, v } = randomQkv(5, d(T));
      return measureScratch(() => attendCpu(q, k, v, d(T), prefill({ kind }, T))).bytes;
    };
    expect(bytes('flash', 128)).toBe(bytes('flash', 512));
    expect(bytes('full', 512)).toBe(16 * bytes('full', 128));
    expect(bytes('full', 512) / bytes('flash', 512)).toBeGreaterThan(20);
  });
});
