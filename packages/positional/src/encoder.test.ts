import { readFileSync } from 'node:fs';
import { type PositionalSpec, ShapeError, SpecError, UnsupportedError, WeftError, XorShiftRng } from '@weft/core';
import { fixture, freshSeed, randnF32 } from '@weft/testing';
import { describe, expect, it } from 'vitest';
import { alibiSlopes } from './alibi.js';
import { createPositionalEncoder } from './encoder.js';
import { positionalSpecFromHfConfig } from './hf-config.js';
import { applyRopeReference } from './rope-reference.js';
import { t5RelativeBucket } from './t5.js';
import { validatePositionalSpec } from './validate.js';

// biome-ignore lint/suspicious/noApproximativeNumericConstant: DeepSeek-V2's config value, not √½
const DEEPSEEK_MSCALE = 0.707;

function fieldOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof SpecError) return e.field;
    throw e;
  }
  return undefined;
}

describe('createPositionalEncoder: one factory, chosen at run time from a spec', () => {
  it('none does nothing and says so', () => {
    const enc = createPositionalEncoder({ kind: 'none' }, {});
    expect(enc.site).toBe('none');
  });

  it('rope rotates like the reference and reports the YaRN logit scale', () => {
    const seed = freshSeed();
    const spec: PositionalSpec = {
      kind: 'rope',
      base: 10000,
      layout: 'halves',
      scaling: { kind: 'yarn', factor: 4, originalContext: 64 },
    };
    const enc = createPositionalEncoder(spec, { headDim: 16 });
    if (enc.site !== 'qk') throw new Error('expected a rotary encoder');
    expect(enc.logitScale).toBeCloseTo((0.1 * Math.log(4) + 1) ** 2, 14);
    const x = randnF32(5 * 2 * 16, seed);
    const ref = Float64Array.from(x);
    applyRopeReference(ref, 5, 2, 16, { ...spec, offset: 70 });
    enc.rotate(x, 5, 2, 70);
    for (let i = 0; i < x.length; i++)
      expect(Math.abs(x[i]! - ref[i]!), `seed ${seed}`).toBeLessThan(1e-5 * Math.max(1, Math.abs(ref[i]!)));
    expect(() => enc.rotate(new Float32Array(3), 1, 1, 0)).toThrowError(ShapeError);
  });

  it('sinusoidal and learned add to embeddings; learned needs its table', () => {
    const sin = createPositionalEncoder({ kind: 'sinusoidal' }, { channels: 4 });
    if (sin.site !== 'embeddings') throw new Error('expected embeddings');
    const x = new Float32Array(4);
    sin.addTo(x, 1, 0);
    expect(Array.from(x)).toEqual([0, 1, 0, 1]);
    const table = Float32Array.from({ length: 3 * 2 }, (_, i) => i);
    const learned = createPositionalEncoder({ kind: 'learned', maxPositions: 3 }, { channels: 2 }, { table });
    if (learned.site !== 'embeddings') throw new Error('expected embeddings');
    const y = new Float32Array(2);
    learned.addTo(y, 1, 2);
    expect(Array.from(y)).toEqual([4, 5]);
    expect(() => learned.addTo(new Float32Array(2), 1, 3)).toThrowError(/outside the learned position table/);
    expect(() => createPositionalEncoder({ kind: 'learned', maxPositions: 3 }, { channels: 2 })).toThrowError(ShapeError);
    expect(() => createPositionalEncoder({ kind: 'learned', maxPositions: 4 }, { channels: 2 }, { table })).toThrowError(
      ShapeError,
    );
  });

  it('alibi and t5 give per-pair biases, [H,T,S] fills and the AttentionCall bias', () => {
    const alibi = createPositionalEncoder({ kind: 'alibi' }, { heads: 12 });
    if (alibi.site !== 'logits') throw new Error('expected logits');
    expect(alibi.attentionBias).toEqual({ kind: 'alibi' });
    expect(alibi.bias(8, 10, 6)).toBeCloseTo(-4 * 2 ** -0.5, 14);
    expect(alibi.bias(3, 10, 6)).toBe(-4 * alibiSlopes(12)[3]!);
    const seed = freshSeed();
    const table = randnF32(32 * 4, seed);
    const spec = { kind: 't5-relative', buckets: 32, maxDistance: 128, bidirectional: true } as const;
    const t5 = createPositionalEncoder(spec, { heads: 4 }, { table });
    if (t5.site !== 'logits') throw new Error('expected logits');
    expect(t5.attentionBias).toEqual({ ...spec, table });
    const out = new Float32Array(4 * 3 * 50);
    t5.biasInto(out, 3, 50, 20);
    for (let h = 0; h < 4; h++)
      for (let t = 0; t < 3; t++)
        for (let s = 0; s < 50; s++) {
          const expected = table[t5RelativeBucket(s - 20 - t, true, 32, 128) * 4 + h]!;
          expect(out[(h * 3 + t) * 50 + s]).toBe(expected);
          expect(t5.bias(h, 20 + t, s)).toBe(expected);
        }
    expect(() => createPositionalEncoder(spec, { heads: 4 })).toThrowError(/no bucket table/);
  });

  it('missing dims and unknown kinds → SpecError naming the field', () => {
    expect(fieldOf(() => createPositionalEncoder({ kind: 'rope', base: 10000, layout: 'pairs' }, {}))).toBe('headDim');
    expect(fieldOf(() => createPositionalEncoder({ kind: 'alibi' }, {}))).toBe('heads');
    expect(fieldOf(() => createPositionalEncoder({ kind: 'sinusoidal' }, {}))).toBe('channels');
    expect(fieldOf(() => createPositionalEncoder({ kind: 'xpos' } as unknown as PositionalSpec, {}))).toBe('kind');
  });
});

describe('validatePositionalSpec', () => {
  const cases: [string, unknown, object, string][] = [
    ['rotary dim odd', { kind: 'rope', base: 10000, layout: 'halves', rotaryDim: 7 }, { headDim: 64 }, 'rotaryDim'],
    ['rotary dim > head dim', { kind: 'rope', base: 10000, layout: 'halves', rotaryDim: 128 }, { headDim: 64 }, 'rotaryDim'],
    ['base ≤ 0', { kind: 'rope', base: 0, layout: 'halves' }, { headDim: 64 }, 'base'],
    [
      'factor ≤ 0',
      { kind: 'rope', base: 1e4, layout: 'halves', scaling: { kind: 'linear', factor: -1 } },
      { headDim: 64 },
      'scaling.factor',
    ],
    ['buckets ≤ 0', { kind: 't5-relative', buckets: 0, maxDistance: 128, bidirectional: true }, {}, 'buckets'],
    ['buckets too few', { kind: 't5-relative', buckets: 2, maxDistance: 128, bidirectional: true }, {}, 'buckets'],
    ['bidirectional missing', { kind: 't5-relative', buckets: 32, maxDistance: 128 }, {}, 'bidirectional'],
    ['maxDistance ≤ exact buckets', { kind: 't5-relative', buckets: 32, maxDistance: 4, bidirectional: true }, {}, 'maxDistance'],
    ['maxPositions 0', { kind: 'learned', maxPositions: 0 }, {}, 'maxPositions'],
    ['maxBias ≤ 0', { kind: 'alibi', maxBias: 0 }, {}, 'maxBias'],
    ['sinusoidal odd channels', { kind: 'sinusoidal' }, { channels: 5 }, 'channels'],
    ['sinusoidal layout', { kind: 'sinusoidal', layout: 'zigzag' }, {}, 'layout'],
    ['bad head dim', { kind: 'none' }, { headDim: 0 }, 'headDim'],
    ['unknown kind', { kind: 'cope' }, {}, 'kind'],
    ['not an object', null, {}, 'positional'],
  ];
  for (const [what, spec, dims, field] of cases) {
    it(`${what} → \`${field}\``, () => {
      expect(fieldOf(() => validatePositionalSpec(spec as PositionalSpec, dims))).toBe(field);
    });
  }
  it('accepts good specs and returns them', () => {
    const spec = {
      kind: 'rope',
      base: 500000,
      layout: 'halves',
      rotaryDim: 64,
      scaling: { kind: 'llama3', factor: 8, originalContext: 8192, lowFreqFactor: 1, highFreqFactor: 4 },
    } as const;
    expect(validatePositionalSpec(spec, { headDim: 128 })).toBe(spec);
  });
});

describe('positionalSpecFromHfConfig', () => {
  it('Llama 3.1 8B → rope halves, base 500000, llama3 scaling', () => {
    const { spec, dims } = positionalSpecFromHfConfig({
      model_type: 'llama',
      hidden_size: 4096,
      num_attention_heads: 32,
      max_position_embeddings: 131072,
      rope_theta: 500000,
      rope_scaling: {
        factor: 8,
        low_freq_factor: 1,
        high_freq_factor: 4,
        original_max_position_embeddings: 8192,
        rope_type: 'llama3',
      },
    });
    expect(dims.headDim).toBe(128);
    expect(spec).toEqual({
      kind: 'rope',
      base: 500000,
      layout: 'halves',
      scaling: { kind: 'llama3', factor: 8, originalContext: 8192, lowFreqFactor: 1, highFreqFactor: 4 },
    });
  });
  it('YaRN keeps the config factor (Qwen2.5 long-context block), falls back to max / original without one', () => {
    const qwen = {
      model_type: 'qwen2',
      hidden_size: 5120,
      num_attention_heads: 40,
      max_position_embeddings: 32768,
      rope_theta: 1000000,
      rope_scaling: { type: 'yarn', factor: 4, original_max_position_embeddings: 32768 },
    };
    expect(positionalSpecFromHfConfig(qwen).spec).toEqual({
      kind: 'rope',
      base: 1000000,
      layout: 'halves',
      scaling: { kind: 'yarn', factor: 4, originalContext: 32768 },
    });
    const noFactor = {
      ...qwen,
      max_position_embeddings: 131072,
      rope_scaling: { type: 'yarn', original_max_position_embeddings: 32768 },
    };
    expect(positionalSpecFromHfConfig(noFactor).spec).toMatchObject({
      scaling: { kind: 'yarn', factor: 4, originalContext: 32768 },
    });
  });
  it('YaRN with DeepSeek mscale', () => {
    const { spec } = positionalSpecFromHfConfig({
      model_type: 'deepseek_v2',
      hidden_size: 5120,
      num_attention_heads: 128,
      head_dim: 64,
      max_position_embeddings: 163840,
      rope_theta: 10000,
      rope_scaling: {
        type: 'yarn',
        factor: 40,
        original_max_position_embeddings: 4096,
        beta_fast: 32,
        beta_slow: 1,
        mscale: DEEPSEEK_MSCALE,
        mscale_all_dim: DEEPSEEK_MSCALE,
      },
    });
    expect(spec).toEqual({
      kind: 'rope',
      base: 10000,
      layout: 'halves',
      scaling: {
        kind: 'yarn',
        factor: 40,
        originalContext: 4096,
        betaFast: 32,
        betaSlow: 1,
        mscale: DEEPSEEK_MSCALE,
        mscaleAllDim: DEEPSEEK_MSCALE,
      },
    });
  });
  it('dynamic and linear scaling, partial rotary (NeoX rotary_pct, Phi partial_rotary_factor), GPT-J pairs', () => {
    expect(
      positionalSpecFromHfConfig({
        model_type: 'llama',
        hidden_size: 64,
        num_attention_heads: 4,
        max_position_embeddings: 2048,
        rope_scaling: { type: 'dynamic', factor: 2 },
      }).spec,
    ).toEqual({
      kind: 'rope',
      base: 10000,
      layout: 'halves',
      scaling: { kind: 'dynamic-ntk', factor: 2, originalContext: 2048 },
    });
    expect(
      positionalSpecFromHfConfig({
        model_type: 'gpt_neox',
        hidden_size: 512,
        num_attention_heads: 8,
        rotary_pct: 0.25,
        rotary_emb_base: 10000,
      }).spec,
    ).toEqual({
      kind: 'rope',
      base: 10000,
      layout: 'halves',
      rotaryDim: 16,
    });
    expect(
      positionalSpecFromHfConfig({
        model_type: 'phi',
        hidden_size: 2560,
        num_attention_heads: 32,
        partial_rotary_factor: 0.4,
        rope_theta: 10000,
      }).spec,
    ).toMatchObject({
      rotaryDim: 32,
    });
    expect(
      positionalSpecFromHfConfig({ model_type: 'gptj', n_embd: 4096, n_head: 16, rotary_dim: 64, n_positions: 2048 }).spec,
    ).toEqual({
      kind: 'rope',
      base: 10000,
      layout: 'pairs',
      rotaryDim: 64,
    });
  });
  it('Phi-3 longrope: factor from max / original when absent, short and long lists carried over', () => {
    const short = Array.from({ length: 48 }, (_, i) => 1 + i / 100);
    const long = Array.from({ length: 48 }, (_, i) => 1 + i);
    const { spec } = positionalSpecFromHfConfig({
      model_type: 'phi3',
      hidden_size: 3072,
      num_attention_heads: 32,
      max_position_embeddings: 131072,
      original_max_position_embeddings: 4096,
      rope_theta: 10000,
      rope_scaling: { type: 'longrope', short_factor: short, long_factor: long },
    });
    expect(spec).toEqual({
      kind: 'rope',
      base: 10000,
      layout: 'halves',
      scaling: { kind: 'longrope', factor: 32, originalContext: 4096, shortFactor: short, longFactor: long },
    });
    expect(
      fieldOf(() =>
        positionalSpecFromHfConfig({
          model_type: 'phi3',
          hidden_size: 3072,
          num_attention_heads: 32,
          max_position_embeddings: 131072,
          rope_scaling: { type: 'longrope', short_factor: short, long_factor: 'no' },
        }),
      ),
    ).toBe('config.rope_scaling.long_factor');
  });
  it('BLOOM / MPT → alibi, T5 → buckets (encoder bidirectional, decoder causal), GPT-2 → learned', () => {
    expect(positionalSpecFromHfConfig({ model_type: 'bloom', hidden_size: 64, n_head: 8 }).spec).toEqual({ kind: 'alibi' });
    expect(
      positionalSpecFromHfConfig({ model_type: 'mpt', d_model: 64, n_heads: 8, attn_config: { alibi: true, alibi_bias_max: 8 } })
        .spec,
    ).toEqual({
      kind: 'alibi',
      maxBias: 8,
    });
    const t5 = {
      model_type: 't5',
      d_model: 512,
      num_heads: 8,
      relative_attention_num_buckets: 32,
      relative_attention_max_distance: 128,
    };
    expect(positionalSpecFromHfConfig(t5, { role: 'encoder' }).spec).toEqual({
      kind: 't5-relative',
      buckets: 32,
      maxDistance: 128,
      bidirectional: true,
    });
    expect(positionalSpecFromHfConfig(t5).spec).toEqual({
      kind: 't5-relative',
      buckets: 32,
      maxDistance: 128,
      bidirectional: false,
    });
    expect(positionalSpecFromHfConfig({ model_type: 'gpt2', n_embd: 768, n_head: 12, n_positions: 1024 }).spec).toEqual({
      kind: 'learned',
      maxPositions: 1024,
    });
  });
  it('reads the real tiny-random-gpt2 config.json fixture (model_type stripped) as a 512-row learned table', () => {
    const config = JSON.parse(readFileSync(fixture('tiny-random-gpt2/config.json'), 'utf8'));
    expect(config.model_type).toBeUndefined();
    expect(positionalSpecFromHfConfig(config).spec).toEqual({ kind: 'learned', maxPositions: 512 });
  });
  it('fairseq-style sinusoidal models (XGLM, M2M100) are refused rather than read as learned or plain sinusoidal', () => {
    expect(() =>
      positionalSpecFromHfConfig({ model_type: 'xglm', d_model: 1024, attention_heads: 16, max_position_embeddings: 2048 }),
    ).toThrowError(/fairseq-style sinusoidal positions \('xglm'\)/);
    expect(() =>
      positionalSpecFromHfConfig({ model_type: 'm2m_100', d_model: 1024, max_position_embeddings: 1024 }),
    ).toThrowError(UnsupportedError);
  });
  it('per-layer setups (Gemma 3 local base, SmolLM3 NoPE layers) are refused, not flattened to one spec', () => {
    const gemma3 = {
      model_type: 'gemma3_text',
      hidden_size: 1152,
      num_attention_heads: 4,
      head_dim: 256,
      rope_theta: 1000000,
      rope_local_base_freq: 10000,
    };
    expect(() => positionalSpecFromHfConfig(gemma3)).toThrowError(UnsupportedError);
    expect(() =>
      positionalSpecFromHfConfig({
        model_type: 'smollm3',
        hidden_size: 64,
        num_attention_heads: 4,
        no_rope_layers: [1, 1, 1, 0],
      }),
    ).toThrowError(/per-layer positional encoding \(config.no_rope_layers\)/);
    const v5 = {
      model_type: 'gemma3_text',
      hidden_size: 1152,
      num_attention_heads: 4,
      head_dim: 256,
      rope_parameters: {
        full_attention: { rope_type: 'default', rope_theta: 1000000 },
        sliding_attention: { rope_type: 'default', rope_theta: 10000 },
      },
    };
    expect(() => positionalSpecFromHfConfig(v5)).toThrowError(/rope_parameters per layer type/);
    // the flat v5 form is read: rope_theta inside rope_parameters
    expect(
      positionalSpecFromHfConfig({
        model_type: 'llama',
        hidden_size: 64,
        num_attention_heads: 4,
        rope_parameters: { rope_type: 'default', rope_theta: 500000 },
      }).spec,
    ).toEqual({ kind: 'rope', base: 500000, layout: 'halves' });
    // Qwen2-VL's multimodal RoPE is an unsupported scaling type, not plain RoPE
    expect(
      fieldOf(() =>
        positionalSpecFromHfConfig({
          model_type: 'qwen2_vl',
          hidden_size: 64,
          num_attention_heads: 4,
          rope_scaling: { type: 'mrope', mrope_section: [16, 24, 24] },
        }),
      ),
    ).toBe('config.rope_scaling.rope_type');
  });
  it('untrusted configs fail with SpecError naming the config field', () => {
    expect(fieldOf(() => positionalSpecFromHfConfig({ model_type: 'mamba', hidden_size: 64 }))).toBe('config.model_type');
    expect(positionalSpecFromHfConfig({ model_type: 'llama', hidden_size: 64, num_attention_heads: 4 }).spec).toEqual({
      kind: 'rope',
      base: 10000,
      layout: 'halves',
    });
    expect(fieldOf(() => positionalSpecFromHfConfig('nope'))).toBe('config');
    expect(
      fieldOf(() =>
        positionalSpecFromHfConfig({ model_type: 'llama', hidden_size: 64, num_attention_heads: 4, rope_theta: 'big' }),
      ),
    ).toBe('config.rope_theta');
    expect(
      fieldOf(() => positionalSpecFromHfConfig({ model_type: 'llama', hidden_size: 64, num_attention_heads: 4, rope_theta: -1 })),
    ).toBe('base');
    expect(fieldOf(() => positionalSpecFromHfConfig({ model_type: 'llama' }))).toBe('config.head_dim');
    expect(fieldOf(() => positionalSpecFromHfConfig({ rope_theta: 10000 }))).toBe('config.head_dim');
    expect(
      fieldOf(() =>
        positionalSpecFromHfConfig({
          model_type: 'llama',
          hidden_size: 64,
          num_attention_heads: 4,
          rope_scaling: { type: 'ntk-by-parts', factor: 2 },
        }),
      ),
    ).toBe('config.rope_scaling.rope_type');
    expect(
      fieldOf(() =>
        positionalSpecFromHfConfig({
          model_type: 'llama',
          hidden_size: 64,
          num_attention_heads: 4,
          rope_scaling: { type: 'dynamic', factor: 2 },
        }),
      ),
    ).toBe('config.max_position_embeddings');
    expect(
      fieldOf(() =>
        positionalSpecFromHfConfig({
          model_type: 'llama',
          hidden_size: 64,
          num_attention_heads: 4,
          max_position_embeddings: 4096,
          rope_scaling: { type: 'linear' },
        }),
      ),
    ).toBe('scaling.factor');
    expect(fieldOf(() => positionalSpecFromHfConfig({ model_type: 'gpt2', n_embd: 64, n_head: 4 }))).toBe(
      'config.max_position_embeddings',
    );
  });
});

describe('positionalSpecFromHfConfig on junk (untrusted config.json)', () => {
  it('either returns a validated spec or throws a WeftError — never a TypeError or garbage', () => {
    const seed = freshSeed();
    const rng = new XorShiftRng(seed);
    const pick = <T>(xs: readonly T[]): T => xs[rng.nextU32() % xs.length]!;
    const junk = (depth: number): unknown =>
      pick([
        () => null,
        () => rng.nextU32() % 5000,
        () => -(rng.nextU32() % 10),
        () => rng.nextFloat() * 3,
        () => pick(['', 'llama', 'yarn', 'dynamic', 'longrope', 'linear', 'llama3', 'default', 'su', 'x']),
        () => true,
        () => (depth > 1 ? [] : Array.from({ length: rng.nextU32() % 4 }, () => junk(depth + 1))),
        () => (depth > 1 ? {} : randomObject(depth + 1)),
      ])();
    const KEYS = [
      'model_type',
      'hidden_size',
      'num_attention_heads',
      'head_dim',
      'n_embd',
      'n_head',
      'n_positions',
      'max_position_embeddings',
      'rope_theta',
      'rope_scaling',
      'rope_parameters',
      'partial_rotary_factor',
      'rotary_pct',
      'rotary_dim',
      'alibi',
      'attn_config',
      'relative_attention_num_buckets',
      'relative_attention_max_distance',
      'original_max_position_embeddings',
      'factor',
      'type',
      'rope_type',
      'short_factor',
      'long_factor',
      'beta_fast',
      'low_freq_factor',
      'high_freq_factor',
      'mscale',
      'attention_factor',
    ] as const;
    function randomObject(depth: number): Record<string, unknown> {
      const o: Record<string, unknown> = {};
      for (let k = rng.nextU32() % 8; k > 0; k--) o[pick(KEYS)] = junk(depth);
      return o;
    }
    let accepted = 0;
    for (let i = 0; i < 3000; i++) {
      const config = randomObject(0);
      if (rng.nextU32() % 2) config.model_type = pick(['llama', 'gpt2', 't5', 'bloom', 'phi3', 'gptj', 'mpt', 'mamba']);
      try {
        const { spec, dims } = positionalSpecFromHfConfig(config);
        expect(validatePositionalSpec(spec, dims)).toBe(spec);
        accepted++;
      } catch (e) {
        expect(e, `seed ${seed}, config ${JSON.stringify(config)}`).toBeInstanceOf(WeftError);
      }
    }
    expect(accepted, `seed ${seed}`).toBeGreaterThan(0);
  });
});
