import type { MlaWeights, RopeFn } from '@weft/attention';
import {
  type AttentionSpec,
  type Backend,
  f16ArrayToF32,
  OptionError,
  type RopeCall,
  ShapeError,
  type Tensor,
  UnsupportedError,
} from '@weft/core';
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

/**
 * RoPE on the kept pairs: x:[T, heads, 2P], frequencies of the original head dim D (llama2.c
 * rounding). Host code: the reference beside {@link partialPairsRopeCall}, which the block runs.
 */
export function partialPairsRope(D: number, base: number): RopeFn {
  return (x, T, heads, width, offset) => {
    const padded = new Float32Array(T * heads * D);
    for (let i = 0; i < T * heads; i++) padded.set(x.subarray(i * width, (i + 1) * width), i * D);
    applyRope(padded, T, heads, D, { base, layout: 'pairs', offset });
    for (let i = 0; i < T * heads; i++) x.set(padded.subarray(i * D, i * D + width), i * width);
  };
}

/**
 * The same rotation as {@link partialPairsRope} as a `Backend.rope` call on heads of width 2P:
 * a rotary dim of 2P uses θ_i = base'^(−2i/2P), so base' = base^(2P/D) gives θ_i = base^(−2i/D),
 * the frequencies of the original head dim (exactly `base` when P = D/2).
 */
export function partialPairsRopeCall(D: number, base: number, pairs: number): Omit<RopeCall, 'offset'> {
  return { base: 2 * pairs === D ? base : base ** ((2 * pairs) / D), layout: 'pairs' };
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

type MlaSpec = Extract<AttentionSpec, { kind: 'mla' }>;

/** The latent cache of one layer: rows [c ; kr] as a backend tensor [capacity, 1, r + dr]. */
class MlaState implements LayerState {
  constructor(
    private readonly backend: Backend,
    readonly rows: Tensor,
  ) {}
  truncate(): void {
    // rows past the cache length are ignored by attention (kvLength), so nothing to clear
  }
  clone(): MlaState {
    return new MlaState(this.backend, this.backend.sliceRows(this.rows, 0, this.rows.shape[0]!));
  }
  dispose(): void {
    this.rows.dispose();
  }
}

/**
 * The weights an {@link MlaAttention} runs, derived once on the host (float64 sums) and
 * uploaded to the backend. Shapes: E = r + dr (a cache row), rh = ropeHeads.
 * - wqLatent [H·E, C]: per head r rows W_UK,hᵀ·W_Q,nope,h (W_UK absorbed), then dr zero rows
 *   where the rotated RoPE query lands;
 * - wqRope [H·dr, C] and wKr [dr, C]: the RoPE query/key projections (rotated on the backend);
 * - wKv [E, C]: W_DKV, then dr zero rows where the rotated RoPE key lands;
 * - placeQ [H·E, H·dr] and placeK [E, dr]: 0/1 matrices that move the rotated parts into
 *   their columns (x·1 + 0: exact). The contract has no column concat, hence these;
 * - wUv [H·dv, H·E]: block-diagonal W_UV,h over each head's latent columns (zero on its dr
 *   columns) — H times wider than W_UV, the price of having no per-head (batched) matmul.
 */
function derive(w: MlaWeights) {
  const { C, H, nopeDim: dn, ropeDim: dr, valueDim: dv, latentDim: r } = w;
  const E = r + dr;
  const wqLatent = new Float32Array(H * E * C);
  const acc = new Float64Array(C);
  for (let h = 0; h < H; h++) {
    for (let j = 0; j < r; j++) {
      acc.fill(0);
      for (let i = 0; i < dn; i++) {
        const u = w.wUk[(h * dn + i) * r + j]!;
        const row = (h * (dn + dr) + i) * C;
        for (let c = 0; c < C; c++) acc[c]! += u * w.wq[row + c]!;
      }
      wqLatent.set(acc, (h * E + j) * C);
    }
  }
  const wqRope = new Float32Array(H * dr * C);
  for (let h = 0; h < H; h++) wqRope.set(w.wq.subarray((h * (dn + dr) + dn) * C, (h + 1) * (dn + dr) * C), h * dr * C);
  const wKv = new Float32Array(E * C);
  wKv.set(w.wDkv);
  const placeQ = new Float32Array(H * E * H * dr);
  for (let h = 0; h < H; h++) for (let i = 0; i < dr; i++) placeQ[(h * E + r + i) * H * dr + h * dr + i] = 1;
  const placeK = new Float32Array(E * dr);
  for (let i = 0; i < dr; i++) placeK[(r + i) * dr + i] = 1;
  const wUv = new Float32Array(H * dv * H * E);
  for (let h = 0; h < H; h++)
    for (let i = 0; i < dv; i++) for (let j = 0; j < r; j++) wUv[(h * dv + i) * H * E + h * E + j] = w.wUv[(h * dv + i) * r + j]!;
  return { wqLatent, wqRope, wKr: w.wKr, wKv, placeQ, placeK, wUv };
}

/**
 * An MLA attention block (absorbed path) on any Backend: the cache holds only [latent ; RoPE
 * key] rows, r + dr values per token for all heads, and every step is a Backend op —
 * projections (`matmul`), the decoupled RoPE (`rope` on heads of width dr/ropeHeads), the
 * latent-cache append (`writeRows`), the latent attention (`attention` with the `mla` spec,
 * which the CPU and WebGPU backends both run) and the up-projection. @weft/attention's
 * `mlaAbsorbed` is the host reference it is tested against.
 */
export class MlaAttention implements AttentionBlock {
  /** Tensors the model disposes with its weights: `wo` and the derived ones (see `derive`). */
  readonly weights: Readonly<Record<string, Tensor>>;
  private readonly spec: MlaSpec;
  private readonly scale: number;
  constructor(
    readonly mla: MlaWeights,
    wo: Tensor,
    /** The rotation of the RoPE parts, applied to heads of width ropeDim / ropeHeads. */
    readonly rope: Omit<RopeCall, 'offset'>,
    backend: Backend,
  ) {
    const { C, H, nopeDim: dn, ropeDim: dr, valueDim: dv, latentDim: r } = mla;
    const expect: [string, Float32Array, number][] = [
      ['wq', mla.wq, H * (dn + dr) * C],
      ['wDkv', mla.wDkv, r * C],
      ['wKr', mla.wKr, dr * C],
      ['wUk', mla.wUk, H * dn * r],
      ['wUv', mla.wUv, H * dv * r],
    ];
    for (const [name, a, n] of expect)
      if (a.length !== n) throw new ShapeError('mla', `${name} has ${a.length} elements, expected ${n}`);
    if (dr % (mla.ropeHeads ?? 1) !== 0)
      throw new ShapeError('mla', `ropeDim ${dr} is not divisible by ropeHeads ${mla.ropeHeads}`);
    const E = r + dr;
    const d = derive(mla);
    const up = (data: Float32Array, rows: number, cols: number) => backend.fromHost(data, [rows, cols]);
    this.weights = {
      wo,
      wqLatent: up(d.wqLatent, H * E, C),
      wKv: up(d.wKv, E, C),
      wUv: up(d.wUv, H * dv, H * E),
      ...(dr > 0
        ? {
            wqRope: up(d.wqRope, H * dr, C),
            wKr: up(d.wKr, dr, C),
            placeQ: up(d.placeQ, H * E, H * dr),
            placeK: up(d.placeK, E, dr),
          }
        : {}),
    };
    this.spec = { kind: 'mla', latentDim: r, ropeDim: dr, absorbed: true };
    this.scale = mla.scale ?? 1 / Math.sqrt(dn + dr);
  }
  createState(backend: Backend, capacity: number): MlaState {
    return new MlaState(backend, backend.zeros([capacity, 1, this.mla.latentDim + this.mla.ropeDim]));
  }
  forward(h: Tensor, state: LayerState, ctx: BlockContext): Tensor {
    const { backend: b, position } = ctx;
    const { C, H, ropeDim: dr, latentDim: r } = this.mla;
    const E = r + dr;
    const rh = this.mla.ropeHeads ?? 1;
    const w = this.weights as Record<string, Tensor>;
    if (h.shape.length !== 2 || h.shape[1] !== C) throw new ShapeError('mla', `h must be [T, ${C}], got [${h.shape.join(',')}]`);
    const T = h.shape[0]!;
    const rows = (state as MlaState).rows;
    if (position + T > rows.shape[0]!)
      throw new ShapeError('mla', `cache holds ${position} of ${rows.shape[0]} tokens; ${T} more do not fit`);
    let q = b.matmul(h, w.wqLatent!); // [T, H·E], RoPE columns still zero
    let row = b.matmul(h, w.wKv!); // [T, E], RoPE columns still zero
    if (dr > 0) {
      const rope = { ...this.rope, offset: position };
      const qr = b.rope(b.reshape(b.matmul(h, w.wqRope!), [T, H * rh, dr / rh]), rope);
      q = b.add(q, b.matmul(b.reshape(qr, [T, H * dr]), w.placeQ!));
      const kr = b.rope(b.reshape(b.matmul(h, w.wKr!), [T, rh, dr / rh]), rope);
      row = b.add(row, b.matmul(b.reshape(kr, [T, dr]), w.placeK!));
    }
    b.writeRows(rows, b.reshape(row, [T, 1, E]), position);
    // u:[T,H,E]: first r columns per head Σ_s p_s·c_s, last dr zero
    const u = b.attention(b.reshape(q, [T, H, E]), rows, rows, {
      spec: this.spec,
      queryOffset: position,
      kvLength: position + T,
      scale: this.scale,
      ...(ctx.capture ? { capture: ctx.capture } : {}),
    });
    return b.matmul(b.matmul(b.reshape(u, [T, H * E]), w.wUv!), w.wo!);
  }
}

/** One layer's GQA projections on the host. */
interface HostGqa {
  readonly wq: Float32Array;
  readonly wk: Float32Array;
  readonly wv: Float32Array;
}

function hostSync(t: Tensor, what: string): Float32Array {
  if (!(t instanceof CpuTensor) || t.dtype !== 'f32') {
    throw new UnsupportedError(
      `synchronous MLA conversion of ${what} (${t.dtype} on backend '${t.backend}')`,
      'use await convertToMlaAsync(model, conversion), which reads the weights with backend.read',
    );
  }
  return t.data as Float32Array;
}

async function hostAsync(b: Backend, t: Tensor, what: string): Promise<Float32Array> {
  if (t.dtype !== 'f32' && t.dtype !== 'f16')
    throw new UnsupportedError(`MLA conversion of ${t.dtype} ${what}`, 'load the model with f32 or f16 attention weights');
  const data = await b.read(t);
  return data instanceof Float32Array ? data : f16ArrayToF32(data as Uint16Array);
}

function checkConvertible(model: LlamaModel): void {
  const D = model.config.headDim;
  const pos = model.config.positional;
  if (pos.kind !== 'rope' || pos.layout !== 'pairs' || pos.scaling || (pos.rotaryDim ?? D) !== D) {
    throw new UnsupportedError(
      `MLA conversion of a model with positional ${JSON.stringify(pos)}`,
      "convert models using plain { kind: 'rope', layout: 'pairs' }",
    );
  }
  for (const layer of model.weights.layers)
    if (!(layer.attention instanceof GqaAttention)) throw new UnsupportedError('MLA conversion of a non-GQA attention block');
}

function build(model: LlamaModel, conversion: MlaConversion, gqa: readonly HostGqa[]): LlamaModel {
  const { dim: C, heads: H, kvHeads: Hkv, headDim: D } = model.config;
  const base = (model.config.positional as { base: number }).base;
  const rope = partialPairsRopeCall(D, base, conversion.ropePairs ?? D / 2);
  let spec: { latentDim: number; ropeDim: number } | undefined;
  const layers = model.weights.layers.map((layer, l) => {
    const mla = gqaToMlaWeights(gqa[l]!, { C, H, Hkv, D }, conversion);
    spec = { latentDim: mla.latentDim, ropeDim: mla.ropeDim };
    const wo = (layer.attention as GqaAttention).weights.wo;
    return { ...layer, attention: new MlaAttention(mla, wo, rope, model.backend) };
  });
  const config = { ...model.config, attention: { kind: 'mla' as const, absorbed: true, ...spec! } };
  return new LlamaModel(model.backend, config, { ...model.weights, layers }, model.normEps);
}

/**
 * A copy of a Llama model (RoPE `pairs` layout) whose attention blocks are MLA layers
 * factorised from its own K/V weights, on the model's backend. Synchronous, so it needs the
 * GQA weights on the host (CPU backend, f32); {@link convertToMlaAsync} converts a model on
 * any backend. Shares the other weights with `model`: dispose the copy (which also frees its
 * MLA weights) or the original, not both.
 */
export function convertToMla(model: LlamaModel, conversion: MlaConversion): LlamaModel {
  checkConvertible(model);
  const gqa = model.weights.layers.map((layer, l) => {
    const w = (layer.attention as GqaAttention).weights;
    return { wq: hostSync(w.wq, `layer ${l} wq`), wk: hostSync(w.wk, `layer ${l} wk`), wv: hostSync(w.wv, `layer ${l} wv`) };
  });
  return build(model, conversion, gqa);
}

/** {@link convertToMla} for a model on any backend (WebGPU too): reads wq, wk, wv with `backend.read`. */
export async function convertToMlaAsync(model: LlamaModel, conversion: MlaConversion): Promise<LlamaModel> {
  checkConvertible(model);
  const b = model.backend;
  const gqa: HostGqa[] = [];
  for (const [l, layer] of model.weights.layers.entries()) {
    const w = (layer.attention as GqaAttention).weights;
    gqa.push({
      wq: await hostAsync(b, w.wq, `layer ${l} wq`),
      wk: await hostAsync(b, w.wk, `layer ${l} wk`),
      wv: await hostAsync(b, w.wv, `layer ${l} wv`),
    });
  }
  return build(model, conversion, gqa);
}
