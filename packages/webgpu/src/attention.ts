import { favorFeatures, validateAttentionSpec } from '@weft/attention';
import { type AttentionCall, type AttentionSpec, ShapeError, SpecError, UnsupportedError } from '@weft/core';
import { hostAllows } from './attention-variants.js';
import { alibiSlopes, t5BiasFn } from './bias.js';
import {
  BLOCK,
  BLOCKED_MIN_T,
  BLOCKED_WG,
  blockedFits,
  blockedKey,
  blockedPvWgsl,
  blockedScoresWgsl,
  blockedScratch,
  blockedSoftmaxWgsl,
} from './kernels/attention-blocked.js';
import { CHUNK2, combine2Wgsl, probsWgsl, split2Wgsl, splitKey } from './kernels/attention-decode.js';
import { flashKey, flashTile, flashWgsl } from './kernels/attention-flash.js';
import { featuresWgsl, weightedKey, weightedWgsl } from './kernels/attention-linear.js';
import { linearProbsKey, linearProbsWgsl } from './kernels/attention-linear-probs.js';
import { type GpuBias, type GpuMask, maskKey, usesAux } from './kernels/attention-mask.js';
import { splitUnrolledKey, splitUnrolledWgsl, unrolledSplitFits } from './kernels/attention-split-unrolled.js';
import { blockMeansWgsl } from './kernels/block-means.js';
import { actBytes, grid } from './kernels/common.js';
import { Params, type Runtime } from './runtime.js';

/** Shape legend: q:[T,H,D], k,v:[S,Hkv,D] (S cache slots, kvLength valid), out:[T,H,D]. */
export interface Dims {
  readonly T: number;
  readonly H: number;
  readonly Hkv: number;
  readonly D: number;
  readonly S: number;
}

/** Query rows at or below which the split-K (decode) kernel runs instead of flash. */
export const SPLIT_MAX_T = 4;
/** Largest head dim the kernels accept (workgroup memory). */
export const MAX_HEAD_DIM = 512;

/** Uploads raw 32-bit words (masks, biases, features): never converted to the activation type. */
type Upload = (data: Uint32Array | Float32Array) => GPUBuffer;
/** A temporary buffer of `elements` f32 values (partials, features, probabilities) or activations (`act`). */
type Scratch = (elements: number, type?: 'f32' | 'act') => GPUBuffer;
/** Delivers probabilities [H, T, kvLength] written to a GPU buffer to `call.capture` (asynchronously). */
export type Capture = (probs: GPUBuffer, shape: readonly [number, number, number]) => void;

/** Chooses the mask form of a softmax variant: analytic WGSL when one exists, host bits otherwise. */
function maskOf(call: AttentionCall, d: Dims): GpuMask | null {
  if (call.keyMask) return null;
  const spec = call.spec;
  switch (spec.kind) {
    case 'full':
      return { kind: 'analytic', mask: spec.mask ?? { kind: 'causal' } };
    case 'flash':
      return { kind: 'analytic', mask: spec.mask ?? { kind: 'causal' }, window: spec.window };
    case 'sliding-window':
      return { kind: 'analytic', mask: { kind: 'causal' }, window: spec.window, sinks: spec.sinks ?? 0 };
    default:
      void d;
      return null;
  }
}

/** Validates a call against its dims (SpecError / UnsupportedError naming the field). */
export function validateCall(call: AttentionCall, d: Dims): void {
  validateAttentionSpec(call.spec, d);
  if (d.Hkv <= 0 || d.H % d.Hkv !== 0)
    throw new SpecError(
      'kvHeads',
      `heads (${d.H}) must be a positive multiple of kvHeads (${d.Hkv})`,
      'use Hkv = H (MHA), 1 (MQA) or a divisor of H (GQA)',
    );
  if (!Number.isInteger(call.kvLength) || call.kvLength < 0 || call.kvLength > d.S)
    throw new SpecError('kvLength', `${call.kvLength} outside [0, S = ${d.S}]`);
  if (!Number.isInteger(call.queryOffset) || call.queryOffset < 0)
    throw new SpecError('queryOffset', `must be a non-negative integer, got ${call.queryOffset}`);
  if (call.keyMask && call.keyMask.length < call.kvLength)
    throw new ShapeError(
      'attention',
      `keyMask has ${call.keyMask.length} entries, fewer than kvLength ${call.kvLength}`,
      'pass one entry per cached key (0 = padding)',
    );
  if (d.D > MAX_HEAD_DIM)
    throw new UnsupportedError(`head dim ${d.D} on WebGPU (max ${MAX_HEAD_DIM})`, 'use the CPU backend for this model');
  const spec = call.spec;
  if ((spec.kind === 'flash' && spec.window !== undefined) || spec.kind === 'sliding-window') {
    const w = spec.window!;
    if (!Number.isInteger(w) || w <= 0) throw new SpecError('window', `must be a positive integer, got ${w}`);
  }
  if (spec.kind === 'sliding-window' && spec.sinks !== undefined && (!Number.isInteger(spec.sinks) || spec.sinks < 0)) {
    throw new SpecError('sinks', `must be a non-negative integer, got ${spec.sinks}`);
  }
  if ((spec.kind === 'full' || spec.kind === 'flash') && spec.mask?.kind === 'prefix' && !(spec.mask.prefixLength >= 0)) {
    throw new SpecError('mask.prefixLength', `must be ≥ 0, got ${spec.mask.prefixLength}`);
  }
}

/** Packs the bias of a call into aux words; returns the GPU bias form. */
function biasOf(call: AttentionCall, d: Dims, aux: number[]): GpuBias {
  const b = call.bias;
  if (!b) return { kind: 'none' };
  if (b.kind === 'alibi') {
    const offset = aux.length;
    const slopes = alibiSlopes(d.H, b.maxBias ?? 8);
    for (let h = 0; h < d.H; h++) aux.push(f32bits(slopes[h]!));
    return { kind: 'alibi', offset };
  }
  if (b.kind !== 't5-relative')
    throw new SpecError('bias.kind', `unknown bias kind '${(b as { kind: string }).kind}'`, "use 'alibi' or 't5-relative'");
  // T5: expand table[bucket(kp − qp), h] over every relative distance the call can see
  const fn = t5BiasFn(b, d.H);
  const qMax = call.queryOffset + d.T - 1;
  const offset = aux.length;
  const span = call.kvLength + d.T - 1;
  for (let i = 0; i < span; i++) for (let h = 0; h < d.H; h++) aux.push(f32bits(fn(h, i - qMax)));
  return { kind: 'relative', offset, rel0: qMax };
}

const F = new Float32Array(1);
const U = new Uint32Array(F.buffer);
function f32bits(x: number): number {
  F[0] = x;
  return U[0]!;
}

/** Runs one Backend.attention call on the GPU: the variant's factory. */
/** One attention call's GPU context: dims, call, buffers, temporaries and the capture sink. */
export interface AttentionJob {
  readonly rt: Runtime;
  readonly d: Dims;
  readonly call: AttentionCall;
  readonly q: GPUBuffer;
  readonly k: GPUBuffer;
  readonly v: GPUBuffer;
  readonly out: GPUBuffer;
  readonly upload: Upload;
  readonly scratch: Scratch;
  readonly capture?: Capture;
}

export function runAttention(job: AttentionJob): void {
  const { d, call } = job;
  validateCall(call, d);
  if (d.T === 0) return;
  const spec = call.spec;
  switch (spec.kind) {
    case 'linear':
      runLinear(job, spec);
      return;
    case 'transient-global':
      runTransientGlobal(job, spec);
      return;
    case 'mla': {
      if (d.Hkv !== 1)
        throw new SpecError('kvHeads', `MLA's latent cache is shared by all heads: expected 1 kv head, got ${d.Hkv}`);
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
      // latent values are the first latentDim columns of the cache rows [c ; kr]
      const causal: AttentionCall = { ...call, spec: { kind: 'flash', mask: { kind: 'causal' } } };
      runSoftmax({ ...job, call: causal, v: job.k }, maskOf(causal, d), spec.latentDim);
      return;
    }
    default:
      runSoftmax(job, maskOf(call, d), d.D);
      return;
  }
}

/** Host bitmask [T, words] of which keys each query row may see (reference predicate + padding). */
function bitsOf(
  call: AttentionCall,
  T: number,
  kvLength: number,
  allows: (qPos: number, kPos: number) => boolean,
  aux: number[],
): GpuMask {
  const words = Math.max(1, Math.ceil(kvLength / 32));
  const bits = new Uint32Array(T * words);
  for (let t = 0; t < T; t++) {
    const qp = call.queryOffset + t;
    for (let s = 0; s < kvLength; s++) {
      if ((!call.keyMask || s >= call.keyMask.length || call.keyMask[s] !== 0) && allows(qp, s))
        bits[t * words + (s >> 5)]! |= 1 << (s & 31);
    }
  }
  for (const w of bits) aux.push(w);
  return { kind: 'bits', words };
}

function baseParams(d: Dims, call: AttentionCall, mask: GpuMask, bias: GpuBias, vlim: number): Params {
  const p = new Params(16);
  p.u.set([d.T, d.H, d.Hkv, d.D, call.kvLength, call.queryOffset]);
  p.f[6] = call.scale ?? 1 / Math.sqrt(d.D);
  p.u[7] = mask.kind === 'bits' ? mask.words : 0;
  const spec = call.spec;
  p.u[8] = (spec.kind === 'full' || spec.kind === 'flash') && spec.mask?.kind === 'prefix' ? spec.mask.prefixLength : 0;
  p.u[9] = mask.kind === 'analytic' ? (mask.window ?? 0) : 0;
  p.u[10] = mask.kind === 'analytic' ? (mask.sinks ?? 0) : 0;
  p.u[11] = bias.kind === 'relative' ? bias.rel0 : 0;
  p.u[12] = bias.kind === 'none' ? 0 : bias.offset;
  p.u[15] = vlim;
  return p;
}

/** Softmax attention with an analytic or host-bitmask mask: split-K for few rows, flash otherwise. */
function runSoftmax(
  job: AttentionJob,
  analytic: GpuMask | null,
  vlim: number,
  allows?: (qPos: number, kPos: number) => boolean,
): void {
  const { rt, d, call, q, k, v, out, upload, scratch, capture } = job;
  const { T, H, D } = d;
  const aux: number[] = [];
  const mask = analytic ?? bitsOf(call, T, call.kvLength, allows ?? hostAllows(call.spec, call.kvLength), aux);
  const bias = biasOf(call, d, aux);
  const auxBuf = usesAux(mask, bias) ? upload(new Uint32Array(aux.length ? aux : [0])) : null;
  const p = baseParams(d, call, mask, bias, vlim);
  const extra = auxBuf ? [auxBuf] : [];
  if (rt.barrierFree && blockedFits(D) && T >= BLOCKED_MIN_T) {
    // prefill on software adapters: scores, row softmax, P·v, in row blocks of bounded scratch
    const L = call.kvLength;
    const s4 = Math.ceil(L / 4) * 4;
    const rows = Math.max(BLOCK, Math.min(T, Math.floor(blockedScratch.elements / (H * s4) / BLOCK) * BLOCK));
    const sc = scratch(H * rows * s4);
    const scores = rt.pipelines.get(blockedKey('scores', D, mask, bias), () => blockedScoresWgsl(D, mask, bias, rt.precision));
    const softmax = rt.pipelines.get('blocked-softmax', () => blockedSoftmaxWgsl(rt.precision));
    const pv = rt.pipelines.get(blockedKey('pv', D, mask, bias), () => blockedPvWgsl(D, mask, bias, rt.precision));
    for (let r0 = 0; r0 < T; r0 += rows) {
      const n = Math.min(rows, T - r0);
      p.u[13] = r0;
      p.u[14] = n;
      rt.dispatch(scores, p, [q, k, sc, ...extra], [Math.ceil(L / (BLOCK * BLOCKED_WG)), Math.ceil(n / BLOCK), H]);
      rt.dispatch(softmax, p, [sc], grid(Math.ceil((H * n) / 64)));
      rt.dispatch(pv, p, [sc, v, out], [Math.ceil(n / (BLOCK * BLOCKED_WG)), Math.ceil(D / BLOCK), H]);
    }
  } else if (T <= SPLIT_MAX_T || rt.barrierFree) {
    // visible keys start at the window's left edge when nothing before it can be seen
    let start = 0;
    if (mask.kind === 'analytic' && mask.window !== undefined && !mask.sinks)
      start = Math.max(0, call.queryOffset - mask.window + 1);
    start = Math.min(start, call.kvLength);
    const chunks = Math.max(1, Math.ceil((call.kvLength - start) / CHUNK2));
    p.u[13] = start;
    p.u[14] = chunks;
    const direct = chunks === 1;
    const unrolled = rt.barrierFree && unrolledSplitFits(D);
    const pipe = unrolled
      ? rt.pipelines.get(splitUnrolledKey(D, mask, bias, direct), () => splitUnrolledWgsl(D, mask, bias, direct, rt.precision))
      : rt.pipelines.get(splitKey(D, mask, bias, direct), () => split2Wgsl(D, mask, bias, direct, rt.precision));
    const groups = grid(Math.ceil((T * H * chunks) / 64));
    if (direct) rt.dispatch(pipe, p, [q, k, v, out, ...extra], groups);
    else {
      const part = scratch(T * H * chunks * (D + 2));
      rt.dispatch(pipe, p, [q, k, v, part, ...extra], groups);
      const combine = rt.pipelines.get(`combine2:${D}`, () => combine2Wgsl(D, rt.precision));
      rt.dispatch(combine, p, [part, out], grid(Math.ceil((T * H * D) / 64)));
    }
  } else {
    const B = flashTile(D);
    const pipe = rt.pipelines.get(flashKey(D, mask, bias), () => flashWgsl(D, mask, bias, rt.precision));
    rt.dispatch(pipe, p, [q, k, v, out, ...extra], [Math.ceil(T / B), H]);
  }
  if (capture && call.capture) {
    const L = call.kvLength;
    const probs = scratch(Math.max(1, H * T * L));
    const pipe = rt.pipelines.get(`probs:${D}:${maskKey(mask, bias)}`, () => probsWgsl(D, mask, bias, rt.precision));
    rt.dispatch(pipe, p, [q, k, probs, ...extra], grid(Math.ceil((T * H) / 64)));
    capture(probs, [H, T, L]);
  }
}

type LinearSpec = Extract<AttentionSpec, { kind: 'linear' }>;
type TransientSpec = Extract<AttentionSpec, { kind: 'transient-global' }>;

/**
 * elu+1 / FAVOR+ linear attention: features on the GPU, then the normalised weighted sum;
 * with `call.capture`, the implicit weights φ(q)·φ(k) / Σ φ(q)·φ(k') from the same features.
 */
function runLinear(job: AttentionJob, spec: LinearSpec): void {
  const { rt, d, call, q, k, v, out, upload, scratch, capture } = job;
  if (call.bias)
    throw new UnsupportedError(
      "positional bias with 'linear' attention",
      'linear attention has no logits to bias; use RoPE or none',
    );
  const { T, H, Hkv, D } = d;
  const L = call.kvLength;
  const scale = call.scale ?? 1 / Math.sqrt(D);
  const fm = spec.featureMap;
  const kind = fm === 'elu+1' ? 'elu+1' : 'favor+';
  const m = fm === 'elu+1' ? D : fm.features;
  if (fm !== 'elu+1' && (!Number.isInteger(m) || m <= 0 || m > 1024))
    throw new SpecError('featureMap.features', `must be an integer in [1, 1024], got ${m}`);
  const omega = fm === 'elu+1' ? null : upload(Float32Array.from(favorFeatures(D, m, fm.seed, 0)));
  const fq = scratch(T * H * m);
  const fk = scratch(Math.max(1, L * Hkv * m));
  // FAVOR+ keys: per-row log-scales (f32 underflow guard, see kernels/attention-linear.ts)
  const ek = omega ? scratch(Math.max(1, L * Hkv)) : null;
  for (const [x, f, rows, isQuery] of [
    [q, fq, T * H, true],
    [k, fk, L * Hkv, false],
  ] as const) {
    if (rows === 0) continue;
    const p = new Params(4);
    p.u.set([rows, D, m]);
    p.f[3] = Math.sqrt(scale);
    const pipe = rt.pipelines.get(`features:${kind}:${isQuery}`, () => featuresWgsl(kind, isQuery, rt.precision));
    rt.dispatch(pipe, p, omega ? (isQuery ? [x, f, omega] : [x, f, omega, ek!]) : [x, f], [Math.ceil(rows / 64)]);
  }
  const aux: number[] = [];
  const causal = spec.causal ?? true;
  const mask: GpuMask = call.keyMask
    ? bitsOf(call, T, L, causal ? (qp, kp) => kp <= qp : () => true, aux)
    : { kind: 'analytic', mask: { kind: causal ? 'causal' : 'bidirectional' } };
  const auxBuf = mask.kind === 'bits' ? upload(new Uint32Array(aux)) : null;
  const p = baseParams(d, call, mask, { kind: 'none' }, D);
  const favor = ek !== null;
  const extra = [...(ek ? [ek] : []), ...(auxBuf ? [auxBuf] : [])];
  const pipe = rt.pipelines.get(weightedKey(m, D, mask, favor), () => weightedWgsl(m, D, mask, rt.precision, favor));
  rt.dispatch(pipe, p, [fq, fk, v, out, ...extra], [1, H, T]);
  if (capture && call.capture) {
    const probs = scratch(Math.max(1, H * T * L));
    const probsPipe = rt.pipelines.get(linearProbsKey(m, mask, favor), () => linearProbsWgsl(m, mask, rt.precision, favor));
    rt.dispatch(probsPipe, p, [fq, fk, probs, ...extra], grid(Math.ceil((T * H) / 64)));
    capture(probs, [H, T, L]);
  }
}

/**
 * LongT5 transient global: keys/values augmented with one mean row per block of `block`
 * positions, then softmax attention over [tokens; summaries] with the local-window +
 * visible-summary mask (mirrors @weft/attention's referenceTransientGlobal).
 */
function runTransientGlobal(job: AttentionJob, spec: TransientSpec): void {
  const { rt, d, call, k, v, scratch } = job;
  if (call.bias)
    throw new UnsupportedError(
      "positional bias with 'transient-global' attention",
      'use RoPE or no positional bias with this variant',
    );
  if (call.keyMask)
    throw new UnsupportedError("keyMask with 'transient-global' attention", 'pack sequences without padding for this variant');
  if (!Number.isInteger(spec.block) || spec.block <= 0)
    throw new SpecError('block', `must be a positive integer, got ${spec.block}`);
  if (!Number.isInteger(spec.window) || spec.window <= 0)
    throw new SpecError('window', `must be a positive integer, got ${spec.window}`);
  const L = call.kvLength;
  const row = d.Hkv * d.D;
  const nb = Math.ceil(L / spec.block);
  const causal = spec.causal ?? true;
  const aug = [scratch(Math.max(1, (L + nb) * row), 'act'), scratch(Math.max(1, (L + nb) * row), 'act')] as const;
  [k, v].forEach((src, i) => {
    if (L === 0) return;
    // L·row f16 elements may end mid-word: the block-means rows written next start there
    rt.copy(src, 0, aug[i]!, 0, Math.ceil((L * row * actBytes(rt.precision)) / 4) * 4);
    const p = new Params(4);
    p.u.set([L, row, spec.block, nb]);
    rt.dispatch(
      rt.pipelines.get('block-means', () => blockMeansWgsl(rt.precision)),
      p,
      [src, aug[i]!],
      [Math.ceil((nb * row) / 64)],
    );
  });
  const blocks = causal ? Math.floor(L / spec.block) : nb;
  const visible = (qPos: number) => (causal ? Math.min(blocks, Math.floor((qPos + 1) / spec.block)) : blocks);
  const allows = (qPos: number, j: number) =>
    j < L ? !(causal && j > qPos) && Math.abs(qPos - j) < spec.window : j - L < visible(qPos);
  const augCall: AttentionCall = { ...call, kvLength: L + nb, scale: call.scale ?? 1 / Math.sqrt(d.D) };
  runSoftmax({ ...job, d: { ...d, S: L + nb }, call: augCall, k: aug[0]!, v: aug[1]! }, null, d.D, allows);
}
