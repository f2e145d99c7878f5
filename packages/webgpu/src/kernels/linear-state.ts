import type { FeatureKind } from './attention-linear.js';
import { type Precision, prelude } from './common.js';

/**
 * Running state of causal linear attention on the GPU (O(1) work per decode step):
 * S_g = Σ_s φ(k_s) v_sᵀ [m, D] and z_g = Σ_s φ(k_s) [m] per kv head g.
 * `fold` adds cache rows [n0, n1): one invocation per (g, r). `read` answers one query row:
 * out_h[d] = Σ_r φ(q_h)_r S_g[r, d] / Σ_r φ(q_h)_r z_g[r], one invocation per (h, d).
 * φ as in attention-linear.ts (elu+1, or FAVOR+ with ω [m, D] and √scale inputs). States are
 * f32; q, k, v and out are `act`. FAVOR+ key features exp(ω·x̂ − |x̂|²/2) underflow f32 for
 * large-norm keys, so the sums are kept scaled by exp(−M_g), M_g the largest key log-scale
 * max_r ω_r·x̂ − |x̂|²/2 folded so far (`mx`, one copy per (g, r)); a larger one rescales
 * S and z first. The factor is shared by every term of a head, so `read` needs no change;
 * `read` normalises the query's features by their own max (the factor cancels). FAVOR+ log-features
 * come from {@link favorProjWgsl}, once per row.
 */
const PARAMS = 'struct P { h: u32, hkv: u32, d: u32, m: u32, n0: u32, n1: u32, root: f32, _p: u32 }';

function eluPhi(src: string): string {
  return `fn phi_at(o: u32, r: u32) -> f32 { let x = f32(${src}[o + r]); return select(exp(x), x + 1.0, x > 0.0); }`;
}

/**
 * FAVOR+ log-features, computed once per row: for rows n0 ≤ n < n1 and heads j < p.h,
 * pj[i·(m+1) + r] = ω_r·x̂ − |x̂|²/2 (x̂ = √scale·x) and pj[i·(m+1) + m] = its max over r,
 * i = (n − n0)·p.h + j. Before this pass, `fold` recomputed ω·x̂ for every (head, feature)
 * thread (m× the work) and `read` for every (head, dim) thread (D× the work).
 */
export function favorProjWgsl(precision: Precision = 'f32'): string {
  return `${prelude(precision)}${PARAMS}
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> x: array<act>;
@group(0) @binding(2) var<storage, read> omega: array<f32>;
@group(0) @binding(3) var<storage, read_write> pj: array<f32>;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= (p.n1 - p.n0) * p.h) { return; }
  let o = (p.n0 * p.h + i) * p.d;
  var sq = 0.0;
  for (var j = 0u; j < p.d; j++) { let v = f32(x[o + j]) * p.root; sq += v * v; }
  var mx = -3.0e38;
  for (var r = 0u; r < p.m; r++) {
    var dot = 0.0;
    for (var j = 0u; j < p.d; j++) { dot += omega[r * p.d + j] * f32(x[o + j]); }
    let e = dot * p.root - sq * 0.5;
    pj[i * (p.m + 1u) + r] = e;
    mx = max(mx, e);
  }
  pj[i * (p.m + 1u) + p.m] = mx;
}`;
}

export function foldWgsl(kind: FeatureKind, precision: Precision = 'f32'): string {
  const favor = kind === 'favor+';
  // FAVOR+ reads the rows' log-features (favorProjWgsl) and keeps the sums scaled by exp(−mx)
  const bindings = favor
    ? `@group(0) @binding(1) var<storage, read> v: array<act>;
@group(0) @binding(2) var<storage, read_write> st: array<f32>;
@group(0) @binding(3) var<storage, read_write> z: array<f32>;
@group(0) @binding(4) var<storage, read> pj: array<f32>;
@group(0) @binding(5) var<storage, read_write> mx: array<f32>;`
    : `@group(0) @binding(1) var<storage, read> k: array<act>;
@group(0) @binding(2) var<storage, read> v: array<act>;
@group(0) @binding(3) var<storage, read_write> st: array<f32>;
@group(0) @binding(4) var<storage, read_write> z: array<f32>;
${eluPhi('k')}`;
  const feature = favor
    ? `let row = ((s - p.n0) * p.hkv + g) * (p.m + 1u);
    let e = pj[row + p.m];
    if (e > mx[gi]) {
      let rescale = exp(mx[gi] - e);
      z[gi] *= rescale;
      for (var d = 0u; d < p.d; d++) { st[gi * p.d + d] *= rescale; }
      mx[gi] = e;
    }
    let f = exp(pj[row + r] - mx[gi]) / sqrt(f32(p.m));`
    : 'let f = phi_at(o, r);';
  return `${prelude(precision)}${PARAMS}
@group(0) @binding(0) var<uniform> p: P;
${bindings}
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let gi = gid.x;
  if (gi >= p.hkv * p.m) { return; }
  let g = gi / p.m;
  let r = gi % p.m;
  for (var s = p.n0; s < p.n1; s++) {
    let o = (s * p.hkv + g) * p.d;
    ${feature}
    z[gi] += f;
    for (var d = 0u; d < p.d; d++) { st[gi * p.d + d] += f * f32(v[o + d]); }
  }
}`;
}

export function readWgsl(kind: FeatureKind, precision: Precision = 'f32'): string {
  const favor = kind === 'favor+';
  return `${prelude(precision)}${PARAMS}
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> ${favor ? 'pj: array<f32>' : 'q: array<act>'};
@group(0) @binding(2) var<storage, read> st: array<f32>;
@group(0) @binding(3) var<storage, read> z: array<f32>;
@group(0) @binding(4) var<storage, read_write> out: array<act>;
${favor ? '' : eluPhi('q')}
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= p.h * p.d) { return; }
  let h = i / p.d;
  let d = i % p.d;
  let g = h / (p.h / p.hkv);
  ${favor ? 'let row = h * (p.m + 1u);\n  let mx = pj[row + p.m];' : 'let o = h * p.d;'}
  var num = 0.0;
  var den = 0.0;
  for (var r = 0u; r < p.m; r++) {
    ${favor ? 'let f = exp(pj[row + r] - mx) / sqrt(f32(p.m));' : 'let f = phi_at(o, r);'}
    num += f * st[(g * p.m + r) * p.d + d];
    den += f * z[g * p.m + r];
  }
  out[i] = act(select(0.0, num / den, den > 0.0));
}`;
}
