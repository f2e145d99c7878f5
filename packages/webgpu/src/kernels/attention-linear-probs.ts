import { ATTENTION_PARAMS, type GpuMask, maskKey, maskWgsl, usesAux } from './attention-mask.js';
import { type Precision, prelude } from './common.js';

/**
 * Attention-probability capture for kernelized linear attention (elu+1, FAVOR+): the
 * implicit weights A[h, t, s] = φ(q_t)·φ(k_s) / Σ_{s' visible} φ(q_t)·φ(k_s') over the
 * features the `features` kernel wrote (fq:[T·H, m], fk:[kvLength·Hkv, m], f32). Invisible
 * keys get 0, and so does every key of a row whose weights sum to 0 — as
 * @weft/attention's referenceLinearAttention. FAVOR+ keys carry log-scales `ek` (the f32
 * underflow guard of attention-linear.ts): weights are multiplied by exp(e_s − M), M the
 * largest visible e_s, which cancels in the normalisation. One invocation per (t, h) row:
 * passes for M (FAVOR+) and the total, then one writing probs [H, T, kvLength] (f32 at
 * either precision).
 */
export function linearProbsWgsl(m: number, mask: GpuMask, precision: Precision = 'f32', favor = false): string {
  const none = { kind: 'none' } as const;
  return `${prelude(precision)}${ATTENTION_PARAMS}
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> fq: array<f32>;
@group(0) @binding(2) var<storage, read> fk: array<f32>;
@group(0) @binding(3) var<storage, read_write> probs: array<f32>;
${favor ? '@group(0) @binding(4) var<storage, read> ek: array<f32>;' : ''}
${usesAux(mask, none) ? `@group(0) @binding(${favor ? 5 : 4}) var<storage, read> aux: array<u32>;` : ''}
${maskWgsl(mask, none)}
const M = ${m}u;
fn visible(t: u32, qp: i32, kp: i32) -> bool {
  let span = krange(qp, qp);
  return kp >= span.x && kp <= span.y && allows(i32(t), qp, kp);
}
fn weight(t: u32, h: u32, g: u32, qp: i32, kp: i32, top: f32) -> f32 {
  if (!visible(t, qp, kp)) { return 0.0; }
  let qo = (t * p.h + h) * M;
  let ko = (u32(kp) * p.hkv + g) * M;
  var w = 0.0;
  for (var i = 0u; i < M; i++) { w += fq[qo + i] * fk[ko + i]; }
  return ${favor ? 'w * exp(ek[u32(kp) * p.hkv + g] - top)' : 'w'};
}
@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let gi = (wid.y * nwg.x + wid.x) * 64u + li;
  if (gi >= p.t * p.h) { return; }
  let h = gi % p.h;
  let t = gi / p.h;
  let g = h / (p.h / p.hkv);
  let qp = i32(p.q_off + t);
  var top = 0.0;${
    favor
      ? `
  top = -3.0e38;
  for (var s = 0u; s < p.kv_len; s++) { if (visible(t, qp, i32(s))) { top = max(top, ek[s * p.hkv + g]); } }`
      : ''
  }
  var total = 0.0;
  for (var s = 0u; s < p.kv_len; s++) { total += weight(t, h, g, qp, i32(s), top); }
  let row = (h * p.t + t) * p.kv_len;
  for (var s = 0u; s < p.kv_len; s++) {
    probs[row + s] = select(0.0, weight(t, h, g, qp, i32(s), top) / total, total != 0.0);
  }
}`;
}

export function linearProbsKey(m: number, mask: GpuMask, favor = false): string {
  return `linear-probs:${m}:${favor ? 'favor' : 'elu'}:${maskKey(mask, { kind: 'none' })}`;
}
