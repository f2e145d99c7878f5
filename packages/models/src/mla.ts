import { createMlaCache, type MlaCache, type MlaWeights, mlaAbsorbed, type RopeFn } from '@weft/attention';
import { type Backend, OptionError, ShapeError, type Tensor, UnsupportedError } from '@weft/core';
import { CpuTensor } from '@weft/cpu';
import { applyRope } from '@weft/positional';
import type { AttentionBlock, BlockContext, LayerState } from './llama/blocks.js';
import { GqaAttention } from './llama/blocks.js';
import { LlamaModel } from './llama/model.js';

/**
 * Multi-head latent attention as a Llama attention block, and a converter that builds it
 * from a GQA checkpoint's own weights (there are no MLA checkpoints small enough to ship).
 * Shapes: C = model dim, H query heads, Hkv kv heads, D head dim, P = RoPE pairs kept per kv
 * head, r = latent rank.
 *
 * Conversion (in the spirit of MHA2MLA / TransMLA): in the `pairs` RoPE layout the first 2P
 * dims of a head are its P fastest-rotating pairs. Those stay a decoupled RoPE key shared by
 * all query heads (dr = Hkv·2P; each query head's RoPE query is zero outside its group's
 * block, so its dot product is exactly the GQA one). The remaining D − 2P key dims (slow
 * pairs, whose rotation is dropped) and all value dims are stacked, [W_K,nope ; W_V]
 * (n = Hkv·(D − 2P + D) rows), and factorised at rank r by the eigenvectors U_r of M·Mᵀ —
 * the truncated SVD, the best rank-r approximation: W_DKV = U_rᵀ·M, [W_UK ; W_UV] = U_r.
 * With P = D/2 (every pair keeps RoPE) and r = n, the layer computes the GQA layer exactly
 * (up to rounding); smaller r compresses the cache to r + dr floats per token.
 */

/** How to turn a GQA layer into MLA. */
export interface MlaConversion {
  /** Latent rank r (1 ≤ r ≤ Hkv·(2D − 2P)). */
  readonly rank: number;
  /** RoPE pairs kept per kv head (default D/2: all, exact at full rank). */
  readonly ropePairs?: number;
}

/** Eigen-decomposition of a symmetric n×n matrix (cyclic Jacobi, float64): values descending. */
export function symmetricEigen(a: Float64Array, n: number): { values: Float64Array; vectors: Float64Array } {
  const m = Float64Array.from(a);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) off += m[i * n + j]! ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = m[p * n + q]!;
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (m[q * n + q]! - m[p * n + p]!) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const mkp = m[k * n + p]!;
          const mkq = m[k * n + q]!;
          m[k * n + p] = c * mkp - s * mkq;
          m[k * n + q] = s * mkp + c * mkq;
        }
        for (let k = 0; k < n; k++) {
          const mpk = m[p * n + k]!;
          const mqk = m[q * n + k]!;
          m[p * n + k] = c * mpk - s * mqk;
          m[q * n + k] = s * mpk + c * mqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p]!;
          const vkq = v[k * n + q]!;
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => m[y * n + y]! - m[x * n + x]!);
  const values = Float64Array.from(order, (i) => m[i * n + i]!);
  const vectors = new Float64Array(n * n); // column j = eigenvector j
  order.forEach((src, j) => {
    for (let k = 0; k < n; k++) vectors[k * n + j] = v[k * n + src]!;
  });
  return { values, vectors };
}

/** RoPE on the kept pairs: x:[T, heads, 2P], frequencies of the original head dim D (llama2.c rounding). */
export function partialPairsRope(D: number, base: number): RopeFn {
  return (x, T, heads, width, offset) => {
    const padded = new Float32Array(T * heads * D);
    for (let i = 0; i < T * heads; i++) padded.set(x.subarray(i * width, (i + 1) * width), i * D);
    applyRope(padded, T, heads, D, { base, layout: 'pairs', offset });
    for (let i = 0; i < T * heads; i++) x.set(padded.subarray(i * D, i * D + width), i * width);
  };
}

/** Builds MLA weights from one GQA layer's wq [H·D, C], wk/wv [Hkv·D, C] (pairs RoPE layout). */
export function gqaToMlaWeights(
  gqa: { wq: Float32Array; wk: Float32Array; wv: Float32Array },
  dims: { C: number; H: number; Hkv: number; D: number },
  conversion: MlaConversion,
): MlaWeights {
  const { C, H, Hkv, D } = dims;
  const P = conversion.ropePairs ?? D / 2;
  if (!Number.isInteger(P) || P < 0 || 2 * P > D)
    throw new OptionError('ropePairs', `must be an integer in [0, ${D / 2}], got ${P}`);
  const dn = D - 2 * P;
  const dr = Hkv * 2 * P;
  const n = Hkv * (dn + D);
  const r = conversion.rank;
  if (!Number.isInteger(r) || r < 1 || r > n)
    throw new OptionError('rank', `must be an integer in [1, ${n}], got ${r}`, `${n} reproduces the GQA layer`);
  const group = H / Hkv;
  // M = [W_K,nope ; W_V]  [n, C]
  const M = new Float64Array(n * C);
  for (let g = 0; g < Hkv; g++) {
    for (let i = 0; i < dn; i++) M.set(gqa.wk.subarray((g * D + 2 * P + i) * C, (g * D + 2 * P + i + 1) * C), (g * dn + i) * C);
    for (let i = 0; i < D; i++) M.set(gqa.wv.subarray((g * D + i) * C, (g * D + i + 1) * C), (Hkv * dn + g * D + i) * C);
  }
  const gram = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let acc = 0;
      for (let c = 0; c < C; c++) acc += M[i * C + c]! * M[j * C + c]!;
      gram[i * n + j] = gram[j * n + i] = acc;
    }
  }
  const { vectors: U } = symmetricEigen(gram, n);
  const wDkv = new Float32Array(r * C);
  for (let j = 0; j < r; j++) {
    for (let c = 0; c < C; c++) {
      let acc = 0;
      for (let i = 0; i < n; i++) acc += U[i * n + j]! * M[i * C + c]!;
      wDkv[j * C + c] = acc;
    }
  }
  const wUk = new Float32Array(H * dn * r);
  const wUv = new Float32Array(H * D * r);
  const wq = new Float32Array(H * (dn + dr) * C);
  const wKr = new Float32Array(dr * C);
  for (let g = 0; g < Hkv; g++)
    for (let i = 0; i < 2 * P; i++) wKr.set(gqa.wk.subarray((g * D + i) * C, (g * D + i + 1) * C), (g * 2 * P + i) * C);
  for (let h = 0; h < H; h++) {
    const g = Math.floor(h / group);
    for (let i = 0; i < dn; i++) for (let j = 0; j < r; j++) wUk[(h * dn + i) * r + j] = U[(g * dn + i) * n + j]!;
    for (let i = 0; i < D; i++) for (let j = 0; j < r; j++) wUv[(h * D + i) * r + j] = U[(Hkv * dn + g * D + i) * n + j]!;
    const base = h * (dn + dr);
    for (let i = 0; i < dn; i++) wq.set(gqa.wq.subarray((h * D + 2 * P + i) * C, (h * D + 2 * P + i + 1) * C), (base + i) * C);
    for (let i = 0; i < 2 * P; i++)
      wq.set(gqa.wq.subarray((h * D + i) * C, (h * D + i + 1) * C), (base + dn + g * 2 * P + i) * C);
  }
  return {
    C,
    H,
    nopeDim: dn,
    ropeDim: dr,
    valueDim: D,
    latentDim: r,
    ropeHeads: Hkv,
    scale: 1 / Math.sqrt(D),
    wq,
    wDkv,
    wKr,
    wUk,
    wUv,
  };
}

/** The latent cache of one layer. */
class MlaState implements LayerState {
  constructor(readonly cache: MlaCache) {}
  truncate(length: number): void {
    this.cache.length = length;
  }
  clone(): MlaState {
    return new MlaState({ rows: this.cache.rows.slice(), capacity: this.cache.capacity, length: this.cache.length });
  }
  dispose(): void {}
}

function host(t: Tensor, what: string): Float32Array {
  if (!(t instanceof CpuTensor) || t.dtype !== 'f32') {
    throw new UnsupportedError(`MLA blocks on backend '${t.backend}' (${what})`, 'run MLA models on the CPU backend for now');
  }
  return t.data as Float32Array;
}

/**
 * An MLA attention block (absorbed path): the cache holds only [latent ; RoPE key] rows,
 * r + dr floats per token for all heads. Runs on the CPU backend (the projections and
 * partial RoPE are host code; the latent kernel is @weft/attention's).
 */
export class MlaAttention implements AttentionBlock {
  /** Tensors the model disposes with its weights. */
  readonly weights: { readonly wo: Tensor };
  constructor(
    readonly mla: MlaWeights,
    wo: Tensor,
    readonly rope: RopeFn,
  ) {
    this.weights = { wo };
  }
  createState(_backend: Backend, capacity: number): MlaState {
    return new MlaState(createMlaCache(this.mla, capacity));
  }
  forward(h: Tensor, state: LayerState, ctx: BlockContext): Tensor {
    const cache = (state as MlaState).cache;
    cache.length = ctx.position;
    const T = h.shape[0]!;
    if (h.shape[1] !== this.mla.C) throw new ShapeError('mla', `h must be [T, ${this.mla.C}], got [${h.shape.join(',')}]`);
    const out = mlaAbsorbed(host(h, 'input'), this.mla, cache, this.rope);
    const b = ctx.backend;
    return b.matmul(b.fromHost(out, [T, this.mla.H * this.mla.valueDim]), this.weights.wo);
  }
}

/**
 * A copy of a Llama model (RoPE `pairs` layout, CPU backend) whose attention blocks are MLA
 * layers factorised from its own K/V weights. Shares the other weights with `model`: dispose
 * only one of the two.
 */
export function convertToMla(model: LlamaModel, conversion: MlaConversion): LlamaModel {
  const { dim: C, heads: H, kvHeads: Hkv, headDim: D } = model.config;
  const pos = model.config.positional;
  if (pos.kind !== 'rope' || pos.layout !== 'pairs' || pos.scaling || (pos.rotaryDim ?? D) !== D) {
    throw new UnsupportedError(
      `MLA conversion of a model with positional ${JSON.stringify(pos)}`,
      "convert models using plain { kind: 'rope', layout: 'pairs' }",
    );
  }
  const rope = partialPairsRope(D, pos.base);
  let spec: { latentDim: number; ropeDim: number } | undefined;
  const layers = model.weights.layers.map((layer) => {
    if (!(layer.attention instanceof GqaAttention)) throw new UnsupportedError('MLA conversion of a non-GQA attention block');
    const w = layer.attention.weights;
    const mla = gqaToMlaWeights(
      { wq: host(w.wq, 'wq'), wk: host(w.wk, 'wk'), wv: host(w.wv, 'wv') },
      { C, H, Hkv, D },
      conversion,
    );
    spec = { latentDim: mla.latentDim, ropeDim: mla.ropeDim };
    return { ...layer, attention: new MlaAttention(mla, w.wo, rope) };
  });
  const config = { ...model.config, attention: { kind: 'mla' as const, absorbed: true, ...spec! } };
  return new LlamaModel(model.backend, config, { ...model.weights, layers }, model.normEps);
}
