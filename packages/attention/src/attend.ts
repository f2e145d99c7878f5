import { type AttentionCall, type AttentionSpec, SpecError } from '@weft/core';
import { blockSparsePattern } from './block-sparse.js';
import { dilatedPattern } from './dilated.js';
import type { AttentionDims } from './dims.js';
import { flashAllows, flashAttention } from './flash.js';
import { fullAllows, fullAttention } from './full.js';
import { globalLocalPattern } from './global-local.js';
import { linearAttention, referenceLinearAttention } from './linear.js';
import { mlaLatentAttention } from './mla.js';
import { referenceAttention } from './reference.js';
import { slidingWindowPattern } from './sliding-window.js';
import { type KeyPattern, sparseAttention } from './sparse.js';
import { referenceTransientGlobal, transientGlobalAttention } from './transient-global.js';
import { validateAttentionSpec } from './validate.js';

/**
 * One attention variant in its two forms, behind the same call shape:
 * q:[T,H,D], k,v:[S,Hkv,D] token-major, call (spec, queryOffset, kvLength, scale, bias,
 * keyMask, capture) → out:[T,H,D].
 */
export interface AttentionKernel {
  readonly kind: AttentionSpec['kind'];
  /** The short, obviously-correct float64 version the fast one is tested against. */
  reference(
    q: ArrayLike<number>,
    k: ArrayLike<number>,
    v: ArrayLike<number>,
    d: AttentionDims,
    call: AttentionCall,
  ): Float64Array;
  /** The fast f32 CPU version. */
  run(q: Float32Array, k: Float32Array, v: Float32Array, d: AttentionDims, call: AttentionCall): Float32Array;
}

/** The sparse pattern of a sparse kind over kvLength keys. */
export function patternOf(spec: AttentionSpec, kvLength: number): KeyPattern {
  switch (spec.kind) {
    case 'sliding-window':
      return slidingWindowPattern(spec);
    case 'dilated':
      return dilatedPattern(spec);
    case 'global-local':
      return globalLocalPattern(spec);
    case 'block-sparse':
      return blockSparsePattern(spec, kvLength);
    default:
      throw new SpecError('kind', `'${spec.kind}' is not a sparse pattern`);
  }
}

function sparseKernel(kind: AttentionSpec['kind']): AttentionKernel {
  return {
    kind,
    reference: (q, k, v, d, call) => referenceAttention(q, k, v, d, call, patternOf(call.spec, call.kvLength).allows),
    run: (q, k, v, d, call) => sparseAttention(q, k, v, d, call, patternOf(call.spec, call.kvLength)),
  };
}

/**
 * The kernel pair of a spec kind — the factory of the attention family. Throws
 * {@link SpecError} on an unknown kind.
 */
export function createAttentionKernel(spec: AttentionSpec): AttentionKernel {
  switch (spec.kind) {
    case 'full':
      return {
        kind: 'full',
        reference: (q, k, v, d, call) => referenceAttention(q, k, v, d, call, fullAllows(call.spec as typeof spec)),
        run: fullAttention,
      };
    case 'flash':
      return {
        kind: 'flash',
        reference: (q, k, v, d, call) => referenceAttention(q, k, v, d, call, flashAllows(call.spec as typeof spec)),
        run: flashAttention,
      };
    case 'sliding-window':
    case 'dilated':
    case 'global-local':
    case 'block-sparse':
      return sparseKernel(spec.kind);
    case 'transient-global':
      return { kind: 'transient-global', reference: referenceTransientGlobal, run: transientGlobalAttention };
    case 'linear':
      return { kind: 'linear', reference: referenceLinearAttention, run: linearAttention };
    case 'mla':
      return {
        kind: 'mla',
        reference(q, k, _v, d, call) {
          // latent values are the first latentDim columns of the cache rows
          const out = referenceAttention(q, k, k, d, call, (qPos, kPos) => kPos <= qPos);
          const r = (call.spec as typeof spec).latentDim;
          for (let row = 0; row < d.T * d.H; row++) out.fill(0, row * d.D + r, (row + 1) * d.D);
          return out;
        },
        run: (q, k, _v, d, call) => mlaLatentAttention(q, k, d, call),
      };
    default:
      throw new SpecError('kind', `unknown attention kind '${(spec as { kind: unknown }).kind}'`);
  }
}

/**
 * The CPU backend's attention entry point: validates the spec against the dims, then runs
 * the variant's fast f32 kernel. Prefill: queryOffset = 0, T = kvLength. Decode step:
 * T = 1, queryOffset = kvLength − 1.
 */
export function attendCpu(
  q: Float32Array,
  k: Float32Array,
  v: Float32Array,
  d: AttentionDims,
  call: AttentionCall,
): Float32Array {
  validateAttentionSpec(call.spec, d);
  return createAttentionKernel(call.spec).run(q, k, v, d, call);
}

/** The float64 reference of the call's variant (for tests and for porting kernels). */
export function attendReference(
  q: ArrayLike<number>,
  k: ArrayLike<number>,
  v: ArrayLike<number>,
  d: AttentionDims,
  call: AttentionCall,
): Float64Array {
  validateAttentionSpec(call.spec, d);
  return createAttentionKernel(call.spec).reference(q, k, v, d, call);
}
