import { type AttentionCall, SpecError, UnsupportedError } from '@weft/core';
import { hostAllows } from './attention-variants.js';
import { alibiSlopes, t5BiasFn } from './bias.js';
import { CHUNK, combineWgsl, splitKey, splitWgsl } from './kernels/attention-decode.js';
import { flashKey, flashTile, flashWgsl } from './kernels/attention-flash.js';
import { type GpuBias, type GpuMask, usesAux } from './kernels/attention-mask.js';
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

type Upload = (data: Uint32Array | Float32Array) => GPUBuffer;
type Scratch = (floats: number) => GPUBuffer;

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

function validate(call: AttentionCall, d: Dims): void {
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

/** Runs one Backend.attention call on the GPU. */
export function runAttention(
  rt: Runtime,
  d: Dims,
  call: AttentionCall,
  q: GPUBuffer,
  k: GPUBuffer,
  v: GPUBuffer,
  out: GPUBuffer,
  upload: Upload,
  scratch: Scratch,
): void {
  validate(call, d);
  if (call.capture) {
    throw new UnsupportedError(
      'attention probability capture on WebGPU',
      'run interpretability passes on the CPU backend (createCpuBackend()), which calls call.capture',
    );
  }
  const { T, H, D } = d;
  if (T === 0) return;
  const aux: number[] = [];
  let mask = maskOf(call, d);
  let words = 0;
  if (!mask) {
    // host bitmask from the reference predicate (and the padding mask)
    const allows = hostAllows(call.spec, d, call);
    words = Math.max(1, Math.ceil(call.kvLength / 32));
    const bits = new Uint32Array(T * words);
    for (let t = 0; t < T; t++) {
      const qp = call.queryOffset + t;
      for (let s = 0; s < call.kvLength; s++) {
        if ((!call.keyMask || call.keyMask[s] !== 0) && allows(qp, s)) bits[t * words + (s >> 5)]! |= 1 << (s & 31);
      }
    }
    for (const w of bits) aux.push(w);
    mask = { kind: 'bits', words };
  }
  const bias = biasOf(call, d, aux);
  const auxBuf = usesAux(mask, bias) ? upload(new Uint32Array(aux.length ? aux : [0])) : null;
  const p = new Params(16);
  p.u.set([T, H, d.Hkv, D, call.kvLength, call.queryOffset]);
  p.f[6] = call.scale ?? 1 / Math.sqrt(D);
  p.u[7] = words;
  const spec = call.spec;
  p.u[8] = (spec.kind === 'full' || spec.kind === 'flash') && spec.mask?.kind === 'prefix' ? spec.mask.prefixLength : 0;
  p.u[9] = mask.kind === 'analytic' ? (mask.window ?? 0) : 0;
  p.u[10] = mask.kind === 'analytic' ? (mask.sinks ?? 0) : 0;
  p.u[11] = bias.kind === 'relative' ? bias.rel0 : 0;
  p.u[12] = bias.kind === 'none' ? 0 : bias.offset;
  if (T <= SPLIT_MAX_T) {
    // visible keys start at the window's left edge when nothing before it can be seen
    let start = 0;
    if (mask.kind === 'analytic' && mask.window !== undefined && !mask.sinks)
      start = Math.max(0, call.queryOffset - mask.window + 1);
    start = Math.min(start, call.kvLength);
    const chunks = Math.max(1, Math.ceil((call.kvLength - start) / CHUNK));
    p.u[13] = start;
    p.u[14] = chunks;
    const direct = chunks === 1;
    const pipe = rt.pipelines.get(splitKey(D, mask, bias, direct), () => splitWgsl(D, mask, bias, direct));
    const extra = auxBuf ? [auxBuf] : [];
    if (direct) rt.dispatch(pipe, p, [q, k, v, out, ...extra], [1, H, T]);
    else {
      const part = scratch(T * H * chunks * (D + 2));
      rt.dispatch(pipe, p, [q, k, v, out, part, ...extra], [chunks, H, T]);
      rt.dispatch(
        rt.pipelines.get(`combine:${D}`, () => combineWgsl(D)),
        p,
        [part, out],
        [T * H],
      );
    }
  } else {
    const B = flashTile(D);
    const pipe = rt.pipelines.get(flashKey(D, mask, bias), () => flashWgsl(D, mask, bias));
    rt.dispatch(pipe, p, [q, k, v, out, ...(auxBuf ? [auxBuf] : [])], [Math.ceil(T / B), H]);
  }
}
