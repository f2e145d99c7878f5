import { type AttentionCall, type PositionalSpec, ShapeError, SpecError } from '@weft/core';
import { alibiBiasInto, alibiSlopes } from './alibi.js';
import { addLearned } from './learned.js';
import { RopeTable } from './rope.js';
import { ropeLogitScale } from './scaling/index.js';
import { addSinusoidal } from './sinusoidal.js';
import { t5BiasInto, t5BucketLookup } from './t5.js';
import { type PositionalDims, validatePositionalSpec } from './validate.js';

/**
 * One object per positional family, chosen at run time from a model's config. Where the
 * encoder acts tells the model what to call:
 * - `embeddings` (sinusoidal, learned): add to x:[T,C] after the token embedding;
 * - `qk` (rope): rotate q:[T,H,D] and k:[T,Hkv,D] before attention;
 * - `logits` (alibi, t5-relative): pass `attentionBias` in the AttentionCall, or fill [H,T,S];
 * - `none` (NoPE): nothing.
 * Every method takes the position of the first row, so prefill (offset 0, T rows) and a
 * decode step (offset = tokens so far, T = 1) use the same call.
 */
export type PositionalEncoder = NonePositional | EmbeddingPositional | RotaryPositional | BiasPositional;

/** No positional information (NoPE): causal masking alone tells positions apart. */
export interface NonePositional {
  readonly kind: 'none';
  readonly site: 'none';
  readonly spec: Extract<PositionalSpec, { kind: 'none' }>;
}

/** Absolute encodings added to the embeddings. */
export interface EmbeddingPositional {
  readonly kind: 'sinusoidal' | 'learned';
  readonly site: 'embeddings';
  readonly spec: Extract<PositionalSpec, { kind: 'sinusoidal' | 'learned' }>;
  /** Adds positions offset..offset+T−1 to x:[T,C] in place. */
  addTo(x: Float32Array, T: number, offset: number): void;
}

/** Rotary encodings applied to queries and keys. */
export interface RotaryPositional {
  readonly kind: 'rope';
  readonly site: 'qk';
  readonly spec: Extract<PositionalSpec, { kind: 'rope' }>;
  /** Multiply the attention logit scale by this (YaRN's mscale²; 1 otherwise). */
  readonly logitScale: number;
  /** Rotates x:[T,H,D] in place at positions offset..offset+T−1; `seqLen` feeds dynamic NTK (default offset+T). */
  rotate(x: Float32Array, T: number, H: number, offset: number, seqLen?: number): void;
}

/** Relative encodings added to attention logits. */
export interface BiasPositional {
  readonly kind: 'alibi' | 't5-relative';
  readonly site: 'logits';
  readonly spec: Extract<PositionalSpec, { kind: 'alibi' | 't5-relative' }>;
  /** What to put in `AttentionCall.bias`. */
  readonly attentionBias: NonNullable<AttentionCall['bias']>;
  /** Bias of one (head, query position, key position). */
  bias(head: number, queryPos: number, keyPos: number): number;
  /** Fills out:[H,T,S] for queries at queryOffset.. and keys at 0..S−1. */
  biasInto(out: Float32Array, T: number, S: number, queryOffset: number): void;
}

/** Learned weights some encoders need: the position table [P,C] (learned) or bucket table [B,H] (T5). */
export interface PositionalWeights {
  readonly table?: Float32Array;
}

function need(dims: PositionalDims, field: keyof PositionalDims, kind: string): number {
  const v = dims[field];
  if (v === undefined) throw new SpecError(field, `is required for '${kind}' positions`);
  return v;
}

/**
 * Builds the encoder for `spec` (validated against `dims` first). The factory of the family:
 * throws {@link SpecError} on an unknown kind or a bad field, {@link ShapeError} on a table of
 * the wrong size.
 */
export function createPositionalEncoder(
  spec: PositionalSpec,
  dims: PositionalDims,
  weights: PositionalWeights = {},
): PositionalEncoder {
  validatePositionalSpec(spec, dims);
  switch (spec.kind) {
    case 'none':
      return { kind: 'none', site: 'none', spec };
    case 'sinusoidal': {
      const C = need(dims, 'channels', spec.kind);
      return { kind: 'sinusoidal', site: 'embeddings', spec, addTo: (x, T, offset) => addSinusoidal(x, T, C, offset, spec) };
    }
    case 'learned': {
      const C = need(dims, 'channels', spec.kind);
      const table = weights.table;
      if (!table)
        throw new ShapeError(
          'learned positions',
          'no position table given',
          'pass weights.table, the [maxPositions, C] embedding (GPT-2: wpe)',
        );
      if (table.length !== spec.maxPositions * C) {
        throw new ShapeError(
          'learned positions',
          `table has ${table.length} elements, expected [maxPositions, C] = ${spec.maxPositions}·${C}`,
        );
      }
      return {
        kind: 'learned',
        site: 'embeddings',
        spec,
        addTo: (x, T, offset) => addLearned(x, T, C, offset, table, spec.maxPositions),
      };
    }
    case 'rope': {
      const D = need(dims, 'headDim', spec.kind);
      const rope = new RopeTable({ base: spec.base, rotaryDim: spec.rotaryDim ?? D, scaling: spec.scaling });
      return {
        kind: 'rope',
        site: 'qk',
        spec,
        logitScale: ropeLogitScale(spec.scaling),
        rotate(x, T, H, offset, seqLen) {
          if (x.length !== T * H * D) throw new ShapeError('rope', `x has ${x.length} elements, expected T·H·D = ${T}·${H}·${D}`);
          if (!Number.isInteger(offset) || offset < 0) throw new SpecError('offset', `must be an integer ≥ 0, got ${offset}`);
          rope.apply(x, T, H, D, spec.layout, offset, seqLen ?? offset + T);
        },
      };
    }
    case 'alibi': {
      const H = need(dims, 'heads', spec.kind);
      const slopes = alibiSlopes(H, spec.maxBias ?? 8);
      return {
        kind: 'alibi',
        site: 'logits',
        spec,
        attentionBias: spec,
        bias: (head, queryPos, keyPos) => -slopes[head]! * Math.abs(queryPos - keyPos),
        biasInto: (out, T, S, queryOffset) => alibiBiasInto(out, slopes, T, S, queryOffset),
      };
    }
    case 't5-relative': {
      const H = need(dims, 'heads', spec.kind);
      const table = weights.table;
      if (!table)
        throw new ShapeError(
          't5 bias',
          'no bucket table given',
          'pass weights.table, relative_attention_bias.weight [buckets, H]',
        );
      if (table.length !== spec.buckets * H)
        throw new ShapeError('t5 bias', `table has ${table.length} elements, expected [buckets, H] = ${spec.buckets}·${H}`);
      const lookup = t5BucketLookup(spec);
      const M = spec.maxDistance;
      return {
        kind: 't5-relative',
        site: 'logits',
        spec,
        attentionBias: { ...spec, table },
        bias(head, queryPos, keyPos) {
          const r = keyPos - queryPos;
          return table[lookup[Math.max(-M, Math.min(r, M)) + M]! * H + head]!;
        },
        biasInto: (out, T, S, queryOffset) => t5BiasInto(out, table, H, T, S, queryOffset, spec, lookup),
      };
    }
    default:
      // validatePositionalSpec already rejected unknown kinds; this keeps the switch exhaustive.
      throw new SpecError('kind', `unknown positional encoding '${String((spec as { kind?: unknown }).kind)}'`);
  }
}
