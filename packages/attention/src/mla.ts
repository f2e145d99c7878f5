import { type AttentionCall, type AttentionSpec, ShapeError, SpecError } from '@weft/core';
import type { AttentionDims } from './dims.js';
import { flashAttention } from './flash.js';

type MlaSpec = Extract<AttentionSpec, { kind: 'mla' }>;

/**
 * Multi-head latent attention (DeepSeek-V2, 2024). Keys and values are compressed into one
 * latent c = W_DKV·x of `latentDim` (r) per token; the heads decompress it,
 * k_h = [W_UK,h·c ; RoPE(W_KR·x)] and v_h = W_UV,h·c, where the RoPE part is a separate
 * `ropeDim` (dr) key shared by all heads ("decoupled RoPE"), because a rotation between
 * W_UK and the query would stop W_UK from being absorbed. At inference W_UK is absorbed into
 * the query, q̃_h = [W_UK,hᵀ·q_nope,h ; q_rope,h], so scores are q̃_h·[c_s ; kr_s] and the
 * cache holds only the rows [c_s ; kr_s] (r + dr floats per token, for all heads); W_UV is
 * applied after the weighted sum of latents. Shapes: C = model dim, H heads, dn = nopeDim,
 * dr = ropeDim, dv = valueDim, r = latentDim.
 */

/**
 * The latent attention kernel (what `attendCpu` runs for `{ kind: 'mla' }`): absorbed queries
 * q:[T,H,r+dr] against cache rows k:[S,1,r+dr] = [c ; kr] → out:[T,H,r+dr] whose first r
 * entries per head are Σ_s p_s·c_s (the last dr are zero). An MQA call whose values are the
 * first r columns of the keys; `call.scale` must be 1/√(dn + dr), the scale of the
 * decompressed heads.
 */
export function mlaLatentAttention(q: Float32Array, k: Float32Array, d: AttentionDims, call: AttentionCall): Float32Array {
  const spec = call.spec as MlaSpec;
  if (d.Hkv !== 1) throw new SpecError('kvHeads', `MLA's latent cache is shared by all heads: expected 1 kv head, got ${d.Hkv}`);
  if (d.D !== spec.latentDim + spec.ropeDim) {
    throw new ShapeError(
      'mla attention',
      `head dim ${d.D} ≠ latentDim + ropeDim = ${spec.latentDim + spec.ropeDim}`,
      'pass absorbed queries [T,H,r+dr] and cache rows [S,1,r+dr]',
    );
  }
  if (call.scale === undefined)
    throw new SpecError(
      'scale',
      'MLA needs call.scale = 1/sqrt(nopeDim + ropeDim)',
      'the default 1/sqrt(D) would use the latent width',
    );
  const out = flashAttention(q, k, k, d, { ...call, spec: { kind: 'flash', mask: { kind: 'causal' } } });
  for (let row = 0; row < d.T * d.H; row++) out.fill(0, row * d.D + spec.latentDim, (row + 1) * d.D);
  return out;
}

/** Weights of one MLA layer (PyTorch Linear layout [out, in]). */
export interface MlaWeights {
  readonly C: number;
  readonly H: number;
  readonly nopeDim: number;
  readonly ropeDim: number;
  readonly valueDim: number;
  readonly latentDim: number;
  /**
   * The rope function sees the shared RoPE key as [ropeHeads, ropeDim/ropeHeads] and each
   * head's RoPE query the same way (DeepSeek: 1). Default 1.
   */
  readonly ropeHeads?: number;
  /** Logit scale; default 1/√(dn + dr). */
  readonly scale?: number;
  /** Queries [H·(dn+dr), C]: per head dn no-RoPE rows then dr RoPE rows (a low-rank W_UQ·W_DQ multiplied out). */
  readonly wq: Float32Array;
  /** KV down-projection W_DKV [r, C]. */
  readonly wDkv: Float32Array;
  /** Decoupled RoPE key W_KR [dr, C]. */
  readonly wKr: Float32Array;
  /** Key up-projection W_UK [H·dn, r]. */
  readonly wUk: Float32Array;
  /** Value up-projection W_UV [H·dv, r]. */
  readonly wUv: Float32Array;
}

/** Rotary embedding in place on x:[T, heads, headDim] at positions offset..offset+T−1. */
export type RopeFn = (x: Float32Array, T: number, heads: number, headDim: number, offset: number) => void;

/** The latent cache of one MLA layer: rows [c ; kr] of r + dr floats. */
export interface MlaCache {
  readonly rows: Float32Array;
  readonly capacity: number;
  length: number;
}

/** An empty latent cache for `capacity` tokens. */
export function createMlaCache(w: Pick<MlaWeights, 'latentDim' | 'ropeDim'>, capacity: number): MlaCache {
  return { rows: new Float32Array(capacity * (w.latentDim + w.ropeDim)), capacity, length: 0 };
}

/** y[M,N] = x[M,K]·wᵀ, w [N,K] (float64 accumulation). */
function linear(
  x: ArrayLike<number>,
  w: ArrayLike<number>,
  M: number,
  K: number,
  N: number,
  into: Float32Array | Float64Array,
): void {
  for (let m = 0; m < M; m++) {
    for (let n = 0; n < N; n++) {
      let acc = 0;
      for (let i = 0; i < K; i++) acc += x[m * K + i]! * w[n * K + i]!;
      into[m * N + n] = acc;
    }
  }
}

function checkWeights(w: MlaWeights): void {
  const { C, H, nopeDim: dn, ropeDim: dr, valueDim: dv, latentDim: r } = w;
  const expect: [string, Float32Array, number][] = [
    ['wq', w.wq, H * (dn + dr) * C],
    ['wDkv', w.wDkv, r * C],
    ['wKr', w.wKr, dr * C],
    ['wUk', w.wUk, H * dn * r],
    ['wUv', w.wUv, H * dv * r],
  ];
  for (const [name, a, n] of expect)
    if (a.length !== n) throw new ShapeError('mla', `${name} has ${a.length} elements, expected ${n}`);
  if (dr % (w.ropeHeads ?? 1) !== 0)
    throw new SpecError('ropeHeads', `ropeDim ${dr} is not divisible by ropeHeads ${w.ropeHeads}`);
}

/** Query/key projections of T tokens at positions offset.. (RoPE applied). */
function project(x: Float32Array, T: number, w: MlaWeights, rope: RopeFn, offset: number) {
  const { C, H, nopeDim: dn, ropeDim: dr, latentDim: r } = w;
  const rh = w.ropeHeads ?? 1;
  const q = new Float32Array(T * H * (dn + dr));
  linear(x, w.wq, T, C, H * (dn + dr), q);
  const qRope = new Float32Array(T * H * dr);
  for (let i = 0; i < T * H; i++) qRope.set(q.subarray(i * (dn + dr) + dn, (i + 1) * (dn + dr)), i * dr);
  if (dr > 0) rope(qRope, T, H * rh, dr / rh, offset);
  const c = new Float32Array(T * r);
  linear(x, w.wDkv, T, C, r, c);
  const kr = new Float32Array(T * dr);
  linear(x, w.wKr, T, C, dr, kr);
  if (dr > 0) rope(kr, T, rh, dr / rh, offset);
  return { q, qRope, c, kr };
}

/**
 * Absorbed MLA (the inference path): appends T tokens x:[T,C] to the latent cache and returns
 * the per-head outputs [T, H·dv] (before the output projection). Work per token is
 * O(H·(dn·r + (r + dr)·length + dv·r)); the cache grows by r + dr floats per token.
 */
export function mlaAbsorbed(x: Float32Array, w: MlaWeights, cache: MlaCache, rope: RopeFn): Float32Array {
  checkWeights(w);
  const { C, H, nopeDim: dn, ropeDim: dr, valueDim: dv, latentDim: r } = w;
  const T = x.length / C;
  if (!Number.isInteger(T)) throw new ShapeError('mla', `x has ${x.length} elements, not a multiple of C = ${C}`);
  if (cache.length + T > cache.capacity)
    throw new ShapeError('mla', `cache holds ${cache.length} of ${cache.capacity} tokens; ${T} more do not fit`);
  const offset = cache.length;
  const { q, qRope, c, kr } = project(x, T, w, rope, offset);
  const E = r + dr;
  for (let t = 0; t < T; t++) {
    cache.rows.set(c.subarray(t * r, (t + 1) * r), (offset + t) * E);
    cache.rows.set(kr.subarray(t * dr, (t + 1) * dr), (offset + t) * E + r);
  }
  cache.length += T;
  // absorbed queries q̃_h = [W_UK,hᵀ·q_nope,h ; q_rope,h]  [T,H,E]
  const qa = new Float32Array(T * H * E);
  for (let t = 0; t < T; t++) {
    for (let h = 0; h < H; h++) {
      const qo = (t * H + h) * (dn + dr);
      const ao = (t * H + h) * E;
      for (let j = 0; j < r; j++) {
        let acc = 0;
        for (let i = 0; i < dn; i++) acc += q[qo + i]! * w.wUk[(h * dn + i) * r + j]!;
        qa[ao + j] = acc;
      }
      qa.set(qRope.subarray((t * H + h) * dr, (t * H + h + 1) * dr), ao + r);
    }
  }
  const spec: MlaSpec = { kind: 'mla', latentDim: r, ropeDim: dr, absorbed: true };
  const u = mlaLatentAttention(
    qa,
    cache.rows,
    { T, H, Hkv: 1, D: E, S: cache.capacity },
    {
      spec,
      queryOffset: offset,
      kvLength: cache.length,
      scale: w.scale ?? 1 / Math.sqrt(dn + dr),
    },
  );
  // o_h = W_UV,h·u_h  [T, H·dv]
  const out = new Float32Array(T * H * dv);
  for (let t = 0; t < T; t++) {
    for (let h = 0; h < H; h++) {
      for (let i = 0; i < dv; i++) {
        let acc = 0;
        for (let j = 0; j < r; j++) acc += w.wUv[(h * dv + i) * r + j]! * u[(t * H + h) * E + j]!;
        out[(t * H + h) * dv + i] = acc;
      }
    }
  }
  return out;
}

/**
 * Float64 reference, the naive path: decompress every head's keys k_h = [W_UK,h·c ; kr] and
 * values v_h = W_UV,h·c for the whole sequence x:[L,C] and run causal multi-head attention
 * with head dim dn + dr → [L, H·dv]. Value heads may be narrower or wider than key heads.
 */
export function referenceMla(x: Float32Array, w: MlaWeights, rope: RopeFn): Float64Array {
  checkWeights(w);
  const { C, H, nopeDim: dn, ropeDim: dr, valueDim: dv, latentDim: r } = w;
  const L = x.length / C;
  const { q, qRope, c, kr } = project(x, L, w, rope, 0);
  const Dk = dn + dr;
  const qh = new Float64Array(L * H * Dk);
  const kh = new Float64Array(L * H * Dk);
  const vWide = new Float64Array(L * H * dv);
  for (let s = 0; s < L; s++) {
    for (let h = 0; h < H; h++) {
      const o = (s * H + h) * Dk;
      for (let i = 0; i < dn; i++) {
        qh[o + i] = q[(s * H + h) * Dk + i]!;
        let acc = 0;
        for (let j = 0; j < r; j++) acc += w.wUk[(h * dn + i) * r + j]! * c[s * r + j]!;
        kh[o + i] = acc;
      }
      for (let i = 0; i < dr; i++) {
        qh[o + dn + i] = qRope[(s * H + h) * dr + i]!;
        kh[o + dn + i] = kr[s * dr + i]!;
      }
      for (let i = 0; i < dv; i++) {
        let acc = 0;
        for (let j = 0; j < r; j++) acc += w.wUv[(h * dv + i) * r + j]! * c[s * r + j]!;
        vWide[(s * H + h) * dv + i] = acc;
      }
    }
  }
  const out = new Float64Array(L * H * dv);
  const scale = w.scale ?? 1 / Math.sqrt(Dk);
  const p = new Float64Array(L);
  for (let t = 0; t < L; t++) {
    for (let h = 0; h < H; h++) {
      let max = Number.NEGATIVE_INFINITY;
      for (let s = 0; s <= t; s++) {
        let dot = 0;
        for (let i = 0; i < Dk; i++) dot += qh[(t * H + h) * Dk + i]! * kh[(s * H + h) * Dk + i]!;
        p[s] = dot * scale;
        max = Math.max(max, p[s]!);
      }
      let sum = 0;
      for (let s = 0; s <= t; s++) sum += p[s] = Math.exp(p[s]! - max);
      for (let s = 0; s <= t; s++) {
        for (let i = 0; i < dv; i++) out[(t * H + h) * dv + i]! += (p[s]! / sum) * vWide[(s * H + h) * dv + i]!;
      }
    }
  }
  return out;
}
