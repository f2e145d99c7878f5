import { type PositionalSpec, type RopeScaling, SpecError } from '@weft/core';

/** Model dimensions a positional spec is checked against (each optional: unknown dims are not checked). */
export interface PositionalDims {
  /** D: per-head dimension (RoPE). */
  readonly headDim?: number;
  /** C: model channels (sinusoidal / learned tables). */
  readonly channels?: number;
  /** H: attention heads (ALiBi, T5). */
  readonly heads?: number;
}

const isPositiveInt = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n > 0;
const isPositive = (n: unknown): n is number => typeof n === 'number' && Number.isFinite(n) && n > 0;

function requirePositive(field: string, value: unknown, hint?: string): void {
  if (!isPositive(value)) throw new SpecError(field, `must be a finite number > 0, got ${String(value)}`, hint);
}

function requirePositiveInt(field: string, value: unknown, hint?: string): void {
  if (!isPositiveInt(value)) throw new SpecError(field, `must be a positive integer, got ${String(value)}`, hint);
}

/**
 * Checks a RoPE scaling block; `rotaryDim` is the number of rotated dims (R).
 * Throws {@link SpecError} naming the field (`scaling.factor`, ...).
 */
export function validateRopeScaling(scaling: RopeScaling, rotaryDim: number): void {
  if (typeof scaling !== 'object' || scaling === null)
    throw new SpecError('scaling', `must be an object, got ${String(scaling)}`);
  requirePositive('scaling.factor', scaling.factor, 'factor = new context / original context, e.g. 4');
  switch (scaling.kind) {
    case 'linear':
      return;
    case 'dynamic-ntk':
      requirePositiveInt('scaling.originalContext', scaling.originalContext, 'the context length the model was trained with');
      if (rotaryDim <= 2) throw new SpecError('rotaryDim', `dynamic NTK needs more than 2 rotary dims, got ${rotaryDim}`);
      return;
    case 'yarn':
      requirePositiveInt('scaling.originalContext', scaling.originalContext, 'the context length the model was trained with');
      if (scaling.betaFast !== undefined) requirePositive('scaling.betaFast', scaling.betaFast, 'the paper uses 32');
      if (scaling.betaSlow !== undefined) requirePositive('scaling.betaSlow', scaling.betaSlow, 'the paper uses 1');
      if (scaling.attentionFactor !== undefined) requirePositive('scaling.attentionFactor', scaling.attentionFactor);
      if (scaling.mscale !== undefined) requirePositive('scaling.mscale', scaling.mscale);
      if (scaling.mscaleAllDim !== undefined) requirePositive('scaling.mscaleAllDim', scaling.mscaleAllDim);
      return;
    case 'llama3':
      requirePositiveInt('scaling.originalContext', scaling.originalContext, 'Llama 3.1 uses 8192');
      requirePositive('scaling.lowFreqFactor', scaling.lowFreqFactor, 'Llama 3.1 uses 1');
      requirePositive('scaling.highFreqFactor', scaling.highFreqFactor, 'Llama 3.1 uses 4');
      if (scaling.highFreqFactor <= scaling.lowFreqFactor) {
        throw new SpecError(
          'scaling.highFreqFactor',
          `must exceed lowFreqFactor (${scaling.lowFreqFactor}), got ${scaling.highFreqFactor}`,
          'Llama 3.1 uses lowFreqFactor 1, highFreqFactor 4',
        );
      }
      return;
    case 'longrope': {
      requirePositiveInt('scaling.originalContext', scaling.originalContext, 'Phi-3 uses 4096');
      if (scaling.attentionFactor !== undefined) requirePositive('scaling.attentionFactor', scaling.attentionFactor);
      for (const field of ['shortFactor', 'longFactor'] as const) {
        const list = scaling[field];
        if (!Array.isArray(list)) throw new SpecError(`scaling.${field}`, `must be an array of numbers, got ${String(list)}`);
        if (Number.isFinite(rotaryDim) && list.length !== rotaryDim / 2) {
          throw new SpecError(
            `scaling.${field}`,
            `needs one factor per rotary frequency (R/2 = ${rotaryDim / 2}), got ${list.length}`,
          );
        }
        for (let i = 0; i < list.length; i++) {
          // name the field only on failure: this runs on every applyRope call
          if (!isPositive(list[i])) requirePositive(`scaling.${field}[${i}]`, list[i]);
        }
      }
      return;
    }
    default:
      throw new SpecError(
        'scaling.kind',
        `unknown RoPE scaling '${String((scaling as { kind?: unknown }).kind)}'`,
        "use 'linear', 'dynamic-ntk', 'yarn', 'llama3' or 'longrope'",
      );
  }
}

/** Checks RoPE fields against the head dim D and returns the rotary dim R. */
export function validateRopeFields(
  rope: { base: number; layout: string; rotaryDim?: number; scaling?: RopeScaling },
  headDim?: number,
): number {
  requirePositive('base', rope.base, 'RoPE base (rope_theta) is usually 10000 or 500000');
  if (rope.layout !== 'pairs' && rope.layout !== 'halves') {
    throw new SpecError(
      'layout',
      `must be 'pairs' or 'halves', got ${String(rope.layout)}`,
      "HF checkpoints use 'halves'; llama2.c and Llama-family GGUF files use 'pairs'",
    );
  }
  const R = rope.rotaryDim ?? headDim;
  if (R !== undefined) {
    if (!isPositiveInt(R) || R % 2 !== 0) throw new SpecError('rotaryDim', `must be a positive even integer, got ${R}`);
    if (headDim !== undefined && R > headDim)
      throw new SpecError('rotaryDim', `${R} exceeds the head dim ${headDim}`, 'rotaryDim ≤ D');
  }
  if (rope.scaling !== undefined) validateRopeScaling(rope.scaling, R ?? Number.POSITIVE_INFINITY);
  return R ?? 0;
}

/**
 * Checks a positional spec against the model's dims and throws {@link SpecError} naming the
 * offending field (`rotaryDim`, `base`, `scaling.factor`, `buckets`, ...). Returns the spec.
 */
export function validatePositionalSpec<S extends PositionalSpec>(spec: S, dims: PositionalDims = {}): S {
  if (typeof spec !== 'object' || spec === null) throw new SpecError('positional', `must be an object, got ${String(spec)}`);
  if (dims.headDim !== undefined) requirePositiveInt('headDim', dims.headDim);
  if (dims.channels !== undefined) requirePositiveInt('channels', dims.channels);
  if (dims.heads !== undefined) requirePositiveInt('heads', dims.heads);
  switch (spec.kind) {
    case 'none':
      return spec;
    case 'sinusoidal':
      if (spec.base !== undefined) requirePositive('base', spec.base, 'the paper uses 10000');
      if (spec.layout !== undefined && spec.layout !== 'interleaved' && spec.layout !== 'halves') {
        throw new SpecError('layout', `must be 'interleaved' or 'halves', got ${String(spec.layout)}`);
      }
      if (dims.channels !== undefined && dims.channels % 2 !== 0) {
        throw new SpecError('channels', `sinusoidal tables need an even channel count, got ${dims.channels}`);
      }
      return spec;
    case 'learned':
      requirePositiveInt('maxPositions', spec.maxPositions, 'the number of rows of the position embedding table');
      return spec;
    case 'rope':
      validateRopeFields(spec, dims.headDim);
      return spec;
    case 'alibi':
      if (spec.maxBias !== undefined) requirePositive('maxBias', spec.maxBias, 'the paper and BLOOM use 8');
      return spec;
    case 't5-relative': {
      requirePositiveInt('buckets', spec.buckets, 'T5 uses 32');
      if (typeof spec.bidirectional !== 'boolean') {
        throw new SpecError(
          'bidirectional',
          `must be true or false, got ${String(spec.bidirectional)}`,
          'encoders: true, decoders: false',
        );
      }
      const minBuckets = spec.bidirectional ? 4 : 2;
      if (spec.buckets < minBuckets) {
        throw new SpecError(
          'buckets',
          `${spec.bidirectional ? 'bidirectional' : 'causal'} T5 buckets need at least ${minBuckets}, got ${spec.buckets}`,
        );
      }
      requirePositiveInt('maxDistance', spec.maxDistance, 'T5 uses 128');
      const maxExact = Math.floor((spec.bidirectional ? Math.floor(spec.buckets / 2) : spec.buckets) / 2);
      if (spec.maxDistance <= maxExact) {
        throw new SpecError(
          'maxDistance',
          `must exceed the ${maxExact} exact buckets, got ${spec.maxDistance}`,
          'T5 uses 128 with 32 buckets',
        );
      }
      return spec;
    }
    default:
      throw new SpecError(
        'kind',
        `unknown positional encoding '${String((spec as { kind?: unknown }).kind)}'`,
        "use 'none', 'sinusoidal', 'learned', 'rope', 'alibi' or 't5-relative'",
      );
  }
}
