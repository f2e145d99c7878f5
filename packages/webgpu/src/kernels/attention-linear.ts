import { ATTENTION_PARAMS, type GpuMask, maskKey, maskWgsl, usesAux } from './attention-mask.js';
import { type Precision, prelude } from './common.js';

/**
 * Kernelized linear attention (elu+1, FAVOR+). Two kernels:
 * 1. `features`: φ of rows x:[R,D] → f:[R,m]. elu+1: m = D, φ(x) = x+1 (x>0) or eᣟ.
 *    FAVOR+: φ(x)_r = exp(ω_r·x̂ − |x̂|²/2)/√m with x̂ = √scale·x, ω:[m,D]. In f32 that
 *    underflows for large-norm rows (at |x̂|²/2 ≳ 87 every feature is 0 and a row's weights
 *    sum to 0), where @weft/attention's float64 does not, so rows are stored rescaled:
 *    queries as exp(ω_r·x̂ − c)/√m, c = max_r ω_r·x̂ (a per-query factor: cancels in the
 *    normalisation); keys the same, writing their log-scale e_s = c_s − |x̂_s|²/2 to `ek`,
 *    and the weights multiply exp(e_s − M) back in, M = the largest e over the keys a row
 *    sees (a per-row factor: cancels too).
 * 2. `weighted`: out_t = Σ_s w_ts v_s / Σ_s w_ts with w_ts = φ(q_t)·φ(k_s) over visible keys,
 *    one workgroup per (head, row) streaming the keys in chunks of 256.
 * Features and weights are f32 (unnormalised weights can exceed f16's range); only q, k, v
 * and out are stored as `act`.
 */
export type FeatureKind = 'elu+1' | 'favor+';

export function featuresWgsl(kind: FeatureKind, isQuery: boolean, precision: Precision = 'f32'): string {
  return `${prelude(precision)}struct P { rows: u32, d: u32, m: u32, root: f32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> x: array<act>;
@group(0) @binding(2) var<storage, read_write> f: array<f32>;
${kind === 'favor+' ? '@group(0) @binding(3) var<storage, read> omega: array<f32>;' : ''}
${kind === 'favor+' && !isQuery ? '@group(0) @binding(4) var<storage, read_write> ek: array<f32>;' : ''}
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let row = gid.x;
  if (row >= p.rows) { return; }
  let xo = row * p.d;
  let fo = row * p.m;
  ${
    kind === 'elu+1'
      ? `for (var i = 0u; i < p.d; i++) { let v = f32(x[xo + i]); f[fo + i] = select(exp(v), v + 1.0, v > 0.0); }`
      : `var sq = 0.0;
  for (var i = 0u; i < p.d; i++) { let v = f32(x[xo + i]) * p.root; sq += v * v; }
  var mx = -3.0e38;
  for (var r = 0u; r < p.m; r++) {
    var dot = 0.0;
    for (var i = 0u; i < p.d; i++) { dot += omega[r * p.d + i] * f32(x[xo + i]) * p.root; }
    f[fo + r] = dot;
    mx = max(mx, dot);
  }
  let norm = 1.0 / sqrt(f32(p.m));${
    isQuery
      ? `
  for (var r = 0u; r < p.m; r++) { f[fo + r] = exp(f[fo + r] - mx) * norm; }`
      : `
  ek[row] = mx - sq * 0.5;
  for (var r = 0u; r < p.m; r++) { f[fo + r] = exp(f[fo + r] - mx) * norm; }`
  }`
  }
}`;
}

/** `favor`: keys carry log-scales `ek` (see `featuresWgsl`), bound after `out`. */
export function weightedWgsl(m: number, D: number, mask: GpuMask, precision: Precision = 'f32', favor = false): string {
  const none = { kind: 'none' } as const;
  const acc = Math.ceil(D / 64);
  return `${prelude(precision)}${ATTENTION_PARAMS}
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> fq: array<f32>;
@group(0) @binding(2) var<storage, read> fk: array<f32>;
@group(0) @binding(3) var<storage, read> v: array<act>;
@group(0) @binding(4) var<storage, read_write> out: array<act>;
${favor ? '@group(0) @binding(5) var<storage, read> ek: array<f32>;' : ''}
${usesAux(mask, none) ? `@group(0) @binding(${favor ? 6 : 5}) var<storage, read> aux: array<u32>;` : ''}
${maskWgsl(mask, none)}
const M = ${m}u;
const D = ${D}u;
const CH = 256u;
var<workgroup> qs: array<f32, ${m}>;
var<workgroup> ws: array<f32, 256>;
var<workgroup> red: array<f32, 64>;
@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let h = wid.y;
  let t = wid.z;
  let g = h / (p.h / p.hkv);
  let qp = i32(p.q_off + t);
  for (var i = li; i < M; i += 64u) { qs[i] = fq[(t * p.h + h) * M + i]; }
  var o: array<f32, ${acc}>;
  var total = 0.0;
  let span = krange(qp, qp);
  let hi = u32(max(span.y + 1, 0));${
    favor
      ? `
  // M = max log-scale of the visible keys
  var mloc = -3.0e38;
  for (var kp = i32(li); kp <= span.y; kp += 64) {
    if (allows(i32(t), qp, kp)) { mloc = max(mloc, ek[u32(kp) * p.hkv + g]); }
  }
  red[li] = mloc;
  workgroupBarrier();
  for (var s = 32u; s > 0u; s >>= 1u) {
    if (li < s) { red[li] = max(red[li], red[li + s]); }
    workgroupBarrier();
  }
  let top = red[0];
  workgroupBarrier();`
      : ''
  }
  for (var base = 0u; base < hi; base += CH) {
    workgroupBarrier();
    for (var s = li; s < CH; s += 64u) {
      let kp = i32(base + s);
      var w = 0.0;
      if (kp <= span.y && allows(i32(t), qp, kp)) {
        let ko = (u32(kp) * p.hkv + g) * M;
        for (var i = 0u; i < M; i++) { w += qs[i] * fk[ko + i]; }${favor ? '\n        w *= exp(ek[u32(kp) * p.hkv + g] - top);' : ''}
      }
      ws[s] = w;
      total += w;
    }
    workgroupBarrier();
    let n = min(CH, hi - base);
    for (var c = 0u; c < ${acc}u; c++) {
      let d = li + c * 64u;
      if (d < D) {
        var sum = 0.0;
        for (var s = 0u; s < n; s++) { sum += ws[s] * f32(v[((base + s) * p.hkv + g) * D + d]); }
        o[c] += sum;
      }
    }
  }
  red[li] = total;
  workgroupBarrier();
  for (var s = 32u; s > 0u; s >>= 1u) {
    if (li < s) { red[li] += red[li + s]; }
    workgroupBarrier();
  }
  let den = red[0];
  for (var c = 0u; c < ${acc}u; c++) {
    let d = li + c * 64u;
    if (d < D) { out[(t * p.h + h) * D + d] = act(select(0.0, o[c] / den, den > 0.0)); }
  }
}`;
}

export function weightedKey(m: number, D: number, mask: GpuMask, favor = false): string {
  return `linear:${m}:${D}:${favor ? 'favor' : 'elu'}:${maskKey(mask, { kind: 'none' })}`;
}
