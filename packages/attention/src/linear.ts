import { type AttentionCall, type AttentionSpec, OptionError, ShapeError, UnsupportedError } from '@weft/core';
import { type AttentionDims, scaleOf, validateAttention } from './dims.js';
import { type FeatureMap, featureMapOf } from './feature-map.js';
import { scratchF64 } from './scratch.js';
import { validateAttentionSpec } from './validate.js';

type LinearSpec = Extract<AttentionSpec, { kind: 'linear' }>;

function checkCall(call: AttentionCall): void {
  if (call.bias)
    throw new UnsupportedError(
      "positional bias with 'linear' attention",
      'linear attention has no logits to bias; use RoPE or none',
    );
}

/**
 * Float64 reference in closed (quadratic) form: out_t = Σ_s w_ts v_s / Σ_s w_ts with
 * w_ts = φ(q_t)·φ(k_s) over the keys the query sees (s ≤ qPos when causal, every key
 * otherwise; padding keys never). Calls `call.capture` with the normalised weights.
 */
export function referenceLinearAttention(
  q: ArrayLike<number>,
  k: ArrayLike<number>,
  v: ArrayLike<number>,
  d: AttentionDims,
  call: AttentionCall,
): Float64Array {
  validateAttention(q, k, v, d, call);
  checkCall(call);
  const spec = call.spec as LinearSpec;
  const { T, H, Hkv, D } = d;
  const L = call.kvLength;
  const phi = featureMapOf(spec, D, scaleOf(call, D));
  const fk = Array.from({ length: L * Hkv }, (_, i) => {
    const f = new Float64Array(phi.m);
    phi.apply(k, i * D, f, false);
    return f;
  });
  const fq = new Float64Array(phi.m);
  const out = new Float64Array(T * H * D);
  const probs = call.capture ? new Float32Array(H * T * L) : undefined;
  const w = new Float64Array(L);
  for (let t = 0; t < T; t++) {
    const qPos = call.queryOffset + t;
    for (let h = 0; h < H; h++) {
      const g = Math.floor(h / (H / Hkv));
      phi.apply(q, (t * H + h) * D, fq, true);
      let total = 0;
      for (let s = 0; s < L; s++) {
        w[s] = 0;
        if ((spec.causal ?? true) && s > qPos) continue;
        if (call.keyMask && call.keyMask[s] === 0) continue;
        for (let r = 0; r < phi.m; r++) w[s]! += fq[r]! * fk[s * Hkv + g]![r]!;
        total += w[s]!;
      }
      if (total === 0) continue;
      for (let s = 0; s < L; s++) {
        if (probs) probs[(h * T + t) * L + s] = w[s]! / total;
        for (let i = 0; i < D; i++) out[(t * H + h) * D + i]! += (w[s]! / total) * v[(s * Hkv + g) * D + i]!;
      }
    }
  }
  if (probs) call.capture!(probs, [H, T, L]);
  return out;
}

/**
 * The running sums of linear attention for Hkv heads: S_g = Σ_s φ(k_s) v_sᵀ [m, D] and
 * z_g = Σ_s φ(k_s) [m], kept in float64 (m·D per head, independent of sequence length).
 */
class RunningSums {
  readonly S: Float64Array;
  readonly z: Float64Array;
  private readonly fk: Float64Array;
  constructor(
    readonly phi: FeatureMap,
    readonly Hkv: number,
    readonly D: number,
    alloc: (n: number) => Float64Array,
  ) {
    this.S = alloc(Hkv * phi.m * D);
    this.z = alloc(Hkv * phi.m);
    this.fk = alloc(phi.m);
  }
  /** Adds key/value row s of k,v:[*,Hkv,D]. */
  add(k: ArrayLike<number>, v: ArrayLike<number>, s: number): void {
    const { phi, Hkv, D, S, z, fk } = this;
    const m = phi.m;
    for (let g = 0; g < Hkv; g++) {
      phi.apply(k, (s * Hkv + g) * D, fk, false);
      const vo = (s * Hkv + g) * D;
      for (let r = 0; r < m; r++) {
        const f = fk[r]!;
        z[g * m + r]! += f;
        const so = (g * m + r) * D;
        for (let i = 0; i < D; i++) S[so + i]! += f * v[vo + i]!;
      }
    }
  }
  /** out[oo..oo+D) = φ(q)ᵀ S_g / φ(q)·z_g for φ(q) in fq. */
  read(fq: Float64Array, g: number, out: Float32Array, oo: number, acc: Float64Array): void {
    const { phi, D, S, z } = this;
    const m = phi.m;
    let den = 0;
    acc.fill(0);
    for (let r = 0; r < m; r++) {
      const f = fq[r]!;
      den += f * z[g * m + r]!;
      const so = (g * m + r) * D;
      for (let i = 0; i < D; i++) acc[i]! += f * S[so + i]!;
    }
    const inv = den > 0 ? 1 / den : 0;
    for (let i = 0; i < D; i++) out[oo + i] = acc[i]! * inv;
  }
}

/**
 * Fast linear attention: one left-to-right pass keeping running sums, so prefill costs
 * O(T·m·D) and extra memory is O(Hkv·m·D) — no T² anywhere. Stateless: a decode step
 * recomputes the sums from the cache (O(kvLength)); carry a {@link LinearAttentionState}
 * for O(1) per step.
 */
export function linearAttention(
  q: Float32Array,
  k: Float32Array,
  v: Float32Array,
  d: AttentionDims,
  call: AttentionCall,
): Float32Array {
  validateAttention(q, k, v, d, call);
  checkCall(call);
  const spec = call.spec as LinearSpec;
  const causal = spec.causal ?? true;
  const { T, H, Hkv, D } = d;
  const L = call.kvLength;
  const phi = featureMapOf(spec, D, scaleOf(call, D));
  const sums = new RunningSums(phi, Hkv, D, scratchF64);
  const fq = scratchF64(phi.m);
  const acc = scratchF64(D);
  const out = new Float32Array(T * H * D);
  let next = 0; // keys added so far
  const addUpTo = (last: number) => {
    for (; next <= last; next++) if (call.keyMask?.[next] !== 0) sums.add(k, v, next);
  };
  if (!causal) addUpTo(L - 1);
  for (let t = 0; t < T; t++) {
    if (causal) addUpTo(Math.min(call.queryOffset + t, L - 1));
    for (let h = 0; h < H; h++) {
      phi.apply(q, (t * H + h) * D, fq, true);
      sums.read(fq, Math.floor(h / (H / Hkv)), out, (t * H + h) * D, acc);
    }
  }
  if (call.capture) referenceLinearAttention(q, k, v, d, call); // weights only when asked (O(T·kvLength))
  return out;
}

/** Recurrent state of causal linear attention for one layer: O(1) work and memory per token. */
export interface LinearAttentionState {
  /** Tokens consumed so far. */
  readonly length: number;
  /** FAVOR+ feature draw in use (0 for elu+1). */
  readonly draw: number;
  /**
   * Consumes T new tokens — q:[T,H,D], k,v:[T,Hkv,D] at positions length..length+T−1 — and
   * returns their outputs [T,H,D] (each sees itself and everything before).
   */
  step(q: Float32Array, k: Float32Array, v: Float32Array): Float32Array;
  /** Forgets every token (a new sequence). Every `redrawEvery` resets, FAVOR+ redraws its features. */
  reset(): void;
  /** An independent copy (beam search, prefix reuse). */
  clone(): LinearAttentionState;
  /** FAVOR+: switch to the next feature draw. Only on an empty state: the sums depend on the features. */
  redraw(): void;
}

/**
 * Creates the recurrent state of causal linear attention (`elu+1` or FAVOR+) for heads H,
 * kv heads Hkv and head dim D. `scale` (default 1/√D) sets FAVOR+'s softmax temperature.
 * Stepping token by token gives the same outputs as {@link linearAttention} over the prefix.
 */
export function createLinearAttentionState(
  spec: LinearSpec,
  dims: { readonly H: number; readonly Hkv: number; readonly D: number },
  opts: { readonly scale?: number } = {},
): LinearAttentionState {
  validateAttentionSpec(spec, dims);
  if (spec.causal === false)
    throw new OptionError(
      'spec.causal',
      'a recurrent state is causal by nature',
      'use linearAttention for bidirectional linear attention',
    );
  return new LinearState(spec, dims, opts.scale ?? 1 / Math.sqrt(dims.D), 0);
}

class LinearState implements LinearAttentionState {
  length = 0;
  draw = 0;
  private resets = 0;
  private phi!: FeatureMap;
  private sums!: RunningSums;
  private fq!: Float64Array;
  private readonly acc: Float64Array;
  constructor(
    private readonly spec: LinearSpec,
    private readonly dims: { readonly H: number; readonly Hkv: number; readonly D: number },
    private readonly scale: number,
    draw: number,
  ) {
    this.acc = new Float64Array(dims.D);
    this.init(draw);
  }
  private init(draw: number): void {
    this.draw = draw;
    this.length = 0;
    this.phi = featureMapOf(this.spec, this.dims.D, this.scale, draw);
    this.sums = new RunningSums(this.phi, this.dims.Hkv, this.dims.D, (n) => new Float64Array(n));
    this.fq = new Float64Array(this.phi.m);
  }
  step(q: Float32Array, k: Float32Array, v: Float32Array): Float32Array {
    const { H, Hkv, D } = this.dims;
    const T = q.length / (H * D);
    if (!Number.isInteger(T) || k.length !== T * Hkv * D || v.length !== T * Hkv * D) {
      throw new ShapeError(
        'linear attention step',
        `q has ${q.length}, k ${k.length}, v ${v.length} elements; expected T·${H}·${D} and T·${Hkv}·${D}`,
      );
    }
    const out = new Float32Array(T * H * D);
    for (let t = 0; t < T; t++) {
      this.sums.add(k, v, t);
      for (let h = 0; h < H; h++) {
        this.phi.apply(q, (t * H + h) * D, this.fq, true);
        this.sums.read(this.fq, Math.floor(h / (H / Hkv)), out, (t * H + h) * D, this.acc);
      }
    }
    this.length += T;
    return out;
  }
  reset(): void {
    this.resets++;
    const every = typeof this.spec.featureMap === 'object' ? this.spec.featureMap.redrawEvery : undefined;
    this.init(every && this.resets % every === 0 ? this.draw + 1 : this.draw);
  }
  clone(): LinearAttentionState {
    const copy = new LinearState(this.spec, this.dims, this.scale, this.draw);
    copy.sums.S.set(this.sums.S);
    copy.sums.z.set(this.sums.z);
    copy.length = this.length;
    copy.resets = this.resets;
    return copy;
  }
  redraw(): void {
    if (this.length > 0)
      throw new OptionError(
        'redraw',
        `the state already holds ${this.length} tokens computed with the current features`,
        'call reset() first',
      );
    if (typeof this.spec.featureMap === 'object') this.init(this.draw + 1);
  }
}
