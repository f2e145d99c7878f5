import { type AttentionCall, type AttentionSpec, UnsupportedError } from '@weft/core';
import { type AttentionDims, scaleOf, validateAttention } from './dims.js';
import { referenceAttention } from './reference.js';
import { scratchF32, scratchI32 } from './scratch.js';

type TransientGlobalSpec = Extract<AttentionSpec, { kind: 'transient-global' }>;

/*
 * LongT5 transient global attention (Guo et al. 2022): besides a local window |p − s| < W,
 * every query sees one summary token per block of `block` positions, built on the fly from
 * the layer's own keys/values (here their mean; LongT5 sums the inputs and layer-norms them
 * before projecting, which the projections make equivalent up to that normalisation).
 * Causal (default): only completed blocks that end at or before the query are visible.
 * Keys are ordered [the kvLength tokens, then the block summaries] — that is also the
 * layout of captured probabilities [H, T, kvLength + blocks].
 */
function checkCall(call: AttentionCall): void {
  if (call.bias)
    throw new UnsupportedError(
      "positional bias with 'transient-global' attention",
      'use RoPE or no positional bias with this variant',
    );
  if (call.keyMask)
    throw new UnsupportedError("keyMask with 'transient-global' attention", 'pack sequences without padding for this variant');
}

/** Summary blocks the query at qPos may see among `blocks` summaries. */
function visibleBlocks(spec: TransientGlobalSpec, qPos: number, kvLength: number): number {
  const blocks = (spec.causal ?? true) ? Math.floor(kvLength / spec.block) : Math.ceil(kvLength / spec.block);
  return (spec.causal ?? true) ? Math.min(blocks, Math.floor((qPos + 1) / spec.block)) : blocks;
}

function localAllows(spec: TransientGlobalSpec, qPos: number, kPos: number): boolean {
  if ((spec.causal ?? true) && kPos > qPos) return false;
  return Math.abs(qPos - kPos) < spec.window;
}

/** Float64 reference: full attention over [tokens; block means] with the equivalent mask. */
export function referenceTransientGlobal(
  q: ArrayLike<number>,
  k: ArrayLike<number>,
  v: ArrayLike<number>,
  d: AttentionDims,
  call: AttentionCall,
): Float64Array {
  validateAttention(q, k, v, d, call);
  checkCall(call);
  const spec = call.spec as TransientGlobalSpec;
  const { Hkv, D } = d;
  const L = call.kvLength;
  const row = Hkv * D;
  const nb = Math.ceil(L / spec.block);
  const kAug = new Float64Array((L + nb) * row);
  const vAug = new Float64Array((L + nb) * row);
  for (let s = 0; s < L; s++) {
    const j = L + Math.floor(s / spec.block);
    const count = Math.min(spec.block, L - Math.floor(s / spec.block) * spec.block);
    for (let e = 0; e < row; e++) {
      kAug[s * row + e] = k[s * row + e]!;
      vAug[s * row + e] = v[s * row + e]!;
      kAug[j * row + e]! += k[s * row + e]! / count;
      vAug[j * row + e]! += v[s * row + e]! / count;
    }
  }
  const dims = { ...d, S: L + nb };
  return referenceAttention(q, kAug, vAug, dims, { ...call, kvLength: L + nb, scale: scaleOf(call, D) }, (qPos, j) =>
    j < L ? localAllows(spec, qPos, j) : j - L < visibleBlocks(spec, qPos, L),
  );
}

/** Fast f32 version: block means computed once per call, then local keys + visible summaries per row. */
export function transientGlobalAttention(
  q: Float32Array,
  k: Float32Array,
  v: Float32Array,
  d: AttentionDims,
  call: AttentionCall,
): Float32Array {
  validateAttention(q, k, v, d, call);
  checkCall(call);
  const spec = call.spec as TransientGlobalSpec;
  const causal = spec.causal ?? true;
  const { T, H, Hkv, D } = d;
  const L = call.kvLength;
  const group = H / Hkv;
  const row = Hkv * D;
  const b = spec.block;
  const nb = Math.ceil(L / b);
  const scale = scaleOf(call, D);
  // summaries [nb, Hkv, D]
  const ks = scratchF32(nb * row);
  const vs = scratchF32(nb * row);
  for (let j = 0; j < nb; j++) {
    const start = j * b;
    const end = Math.min(L, start + b);
    const inv = 1 / (end - start);
    for (let e = 0; e < row; e++) {
      let sk = 0;
      let sv = 0;
      for (let s = start; s < end; s++) {
        sk += k[s * row + e]!;
        sv += v[s * row + e]!;
      }
      ks[j * row + e] = sk * inv;
      vs[j * row + e] = sv * inv;
    }
  }
  const N = L + nb;
  const cap = Math.min(L, causal ? spec.window : 2 * spec.window - 1) + nb;
  const idx = scratchI32(cap);
  const logits = scratchF32(cap);
  const out = new Float32Array(T * H * D);
  const probs = call.capture ? new Float32Array(H * T * N) : undefined;
  for (let t = 0; t < T; t++) {
    const qPos = call.queryOffset + t;
    let n = 0;
    const lo = Math.max(0, qPos - spec.window + 1);
    const hi = Math.min(L - 1, causal ? qPos : qPos + spec.window - 1);
    for (let s = lo; s <= hi; s++) idx[n++] = s;
    const visible = visibleBlocks(spec, qPos, L);
    for (let j = 0; j < visible; j++) idx[n++] = L + j;
    for (let h = 0; h < H; h++) {
      const g = Math.floor(h / group);
      const qo = (t * H + h) * D;
      let max = Number.NEGATIVE_INFINITY;
      for (let c = 0; c < n; c++) {
        const s = idx[c]!;
        const src = s < L ? k : ks;
        const ko = ((s < L ? s : s - L) * Hkv + g) * D;
        let dot = 0;
        for (let i = 0; i < D; i++) dot += q[qo + i]! * src[ko + i]!;
        logits[c] = dot * scale;
        if (logits[c]! > max) max = logits[c]!;
      }
      if (n === 0) continue;
      let sum = 0;
      for (let c = 0; c < n; c++) {
        const e = Math.exp(logits[c]! - max);
        logits[c] = e;
        sum += e;
      }
      for (let c = 0; c < n; c++) {
        const p = logits[c]! / sum;
        const s = idx[c]!;
        if (probs) probs[(h * T + t) * N + s] = p;
        const src = s < L ? v : vs;
        const vo = ((s < L ? s : s - L) * Hkv + g) * D;
        for (let i = 0; i < D; i++) out[qo + i]! += p * src[vo + i]!;
      }
    }
  }
  if (probs) call.capture!(probs, [H, T, N]);
  return out;
}
