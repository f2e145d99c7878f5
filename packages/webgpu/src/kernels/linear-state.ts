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
 * `read` drops the query's exp(−|q̂|²/2) (it cancels; in f32 it would underflow).
 */
const PARAMS = 'struct P { h: u32, hkv: u32, d: u32, m: u32, n0: u32, n1: u32, root: f32, _p: u32 }';

function phi(kind: FeatureKind, src: string, base: string): string {
  return kind === 'elu+1'
    ? `fn phi_at(o: u32, r: u32) -> f32 { let x = f32(${src}[o + r]); return select(exp(x), x + 1.0, x > 0.0); }`
    : `fn proj(o: u32, r: u32) -> f32 { var dot = 0.0; for (var i = 0u; i < p.d; i++) { dot += omega[r * p.d + i] * f32(${src}[o + i]) * p.root; } return dot; }
fn sqnorm(o: u32) -> f32 { var s = 0.0; for (var i = 0u; i < p.d; i++) { let v = f32(${src}[o + i]) * p.root; s += v * v; } return s; }${base}`;
}

export function foldWgsl(kind: FeatureKind, precision: Precision = 'f32'): string {
  const favor = kind === 'favor+';
  return `${prelude(precision)}${PARAMS}
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> k: array<act>;
@group(0) @binding(2) var<storage, read> v: array<act>;
@group(0) @binding(3) var<storage, read_write> st: array<f32>;
@group(0) @binding(4) var<storage, read_write> z: array<f32>;
${favor ? '@group(0) @binding(5) var<storage, read> omega: array<f32>;\n@group(0) @binding(6) var<storage, read_write> mx: array<f32>;' : ''}
${phi(kind, 'k', '')}
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let gi = gid.x;
  if (gi >= p.hkv * p.m) { return; }
  let g = gi / p.m;
  let r = gi % p.m;
  for (var s = p.n0; s < p.n1; s++) {
    let o = (s * p.hkv + g) * p.d;
    ${
      favor
        ? `let sq = sqnorm(o);
    var e = -3.0e38;
    for (var r2 = 0u; r2 < p.m; r2++) { e = max(e, proj(o, r2)); }
    e -= sq * 0.5;
    if (e > mx[gi]) {
      let rescale = exp(mx[gi] - e);
      z[gi] *= rescale;
      for (var d = 0u; d < p.d; d++) { st[gi * p.d + d] *= rescale; }
      mx[gi] = e;
    }
    let f = exp(proj(o, r) - sq * 0.5 - mx[gi]) / sqrt(f32(p.m));`
        : 'let f = phi_at(o, r);'
    }
    z[gi] += f;
    for (var d = 0u; d < p.d; d++) { st[gi * p.d + d] += f * f32(v[o + d]); }
  }
}`;
}

export function readWgsl(kind: FeatureKind, precision: Precision = 'f32'): string {
  const favor = kind === 'favor+';
  return `${prelude(precision)}${PARAMS}
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> q: array<act>;
@group(0) @binding(2) var<storage, read> st: array<f32>;
@group(0) @binding(3) var<storage, read> z: array<f32>;
@group(0) @binding(4) var<storage, read_write> out: array<act>;
${favor ? '@group(0) @binding(5) var<storage, read> omega: array<f32>;' : ''}
${phi(kind, 'q', '')}
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= p.h * p.d) { return; }
  let h = i / p.d;
  let d = i % p.d;
  let g = h / (p.h / p.hkv);
  let o = h * p.d;
  ${
    favor
      ? `var mx = -3.0e38;
  for (var r = 0u; r < p.m; r++) { mx = max(mx, proj(o, r)); }`
      : ''
  }
  var num = 0.0;
  var den = 0.0;
  for (var r = 0u; r < p.m; r++) {
    ${favor ? 'let f = exp(proj(o, r) - mx) / sqrt(f32(p.m));' : 'let f = phi_at(o, r);'}
    num += f * st[(g * p.m + r) * p.d + d];
    den += f * z[g * p.m + r];
  }
  out[i] = act(select(0.0, num / den, den > 0.0));
}`;
}
