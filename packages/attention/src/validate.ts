import { type AttentionSpec, type MaskSpec, SpecError } from '@weft/core';

/** Head counts a spec is validated against. */
export interface HeadDims {
  readonly H: number;
  readonly Hkv: number;
  readonly D: number;
}

function int(field: string, value: unknown, min: number, optional = false): void {
  if (value === undefined && optional) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new SpecError(field, `must be an integer ≥ ${min}, got ${JSON.stringify(value)}`);
  }
}

function validateMask(mask: MaskSpec | undefined): void {
  if (mask === undefined) return;
  switch (mask.kind) {
    case 'causal':
    case 'bidirectional':
      return;
    case 'prefix':
      int('mask.prefixLength', mask.prefixLength, 0);
      return;
    default:
      throw new SpecError(
        'mask.kind',
        `unknown mask '${(mask as { kind: unknown }).kind}'`,
        "use 'causal', 'bidirectional' or 'prefix'",
      );
  }
}

/**
 * Checks an attention spec (from a model config or a user) against the head counts and
 * throws {@link SpecError} naming the bad field: a window ≤ 0, heads not divisible by kv
 * heads, an unknown kind or feature map, a negative block count, ...
 */
export function validateAttentionSpec(spec: AttentionSpec, dims: HeadDims): void {
  int('heads', dims.H, 1);
  int('kvHeads', dims.Hkv, 1);
  int('headDim', dims.D, 1);
  if (dims.H % dims.Hkv !== 0) {
    throw new SpecError(
      'kvHeads',
      `heads (${dims.H}) must be a multiple of kvHeads (${dims.Hkv})`,
      'use kvHeads = heads (MHA), 1 (MQA) or a divisor of heads (GQA)',
    );
  }
  if (spec === null || typeof spec !== 'object')
    throw new SpecError('attention', `must be an object with a 'kind', got ${JSON.stringify(spec)}`);
  switch (spec.kind) {
    case 'full':
      validateMask(spec.mask);
      return;
    case 'flash':
      validateMask(spec.mask);
      int('blockSize', spec.blockSize, 1, true);
      int('window', spec.window, 1, true);
      return;
    case 'sliding-window':
      int('window', spec.window, 1);
      int('sinks', spec.sinks, 0, true);
      return;
    case 'block-sparse':
      int('block', spec.block, 1);
      int('windowBlocks', spec.windowBlocks, 0, true);
      int('globalBlocks', spec.globalBlocks, 0);
      int('randomBlocks', spec.randomBlocks, 0);
      int('seed', spec.seed, 0);
      return;
    case 'global-local':
      int('window', spec.window, 1);
      if (!Array.isArray(spec.globalTokens)) throw new SpecError('globalTokens', 'must be an array of token positions');
      spec.globalTokens.forEach((p, i) => {
        int(`globalTokens[${i}]`, p, 0);
      });
      return;
    case 'transient-global':
      int('window', spec.window, 1);
      int('block', spec.block, 1);
      return;
    case 'dilated':
      int('window', spec.window, 1);
      int('dilation', spec.dilation, 1);
      return;
    case 'linear': {
      const fm = spec.featureMap;
      if (fm === 'elu+1') return;
      if (fm === null || typeof fm !== 'object' || fm.kind !== 'favor+') {
        throw new SpecError(
          'featureMap',
          `unknown feature map ${JSON.stringify(fm)}`,
          "use 'elu+1' or { kind: 'favor+', features, seed }",
        );
      }
      int('featureMap.features', fm.features, 1);
      if (fm.features * dims.D > 1 << 26) {
        throw new SpecError(
          'featureMap.features',
          `${fm.features} features × head dim ${dims.D} exceeds 2^26 random weights`,
          'a few hundred features are plenty',
        );
      }
      int('featureMap.seed', fm.seed, 0);
      int('featureMap.redrawEvery', fm.redrawEvery, 1, true);
      return;
    }
    case 'mla':
      int('latentDim', spec.latentDim, 1);
      int('ropeDim', spec.ropeDim, 0);
      int('queryLatentDim', spec.queryLatentDim, 1, true);
      return;
    default:
      throw new SpecError(
        'kind',
        `unknown attention kind '${(spec as { kind: unknown }).kind}'`,
        "use one of 'full', 'flash', 'sliding-window', 'block-sparse', 'global-local', 'transient-global', 'dilated', 'linear', 'mla'",
      );
  }
}
