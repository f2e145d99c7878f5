import { Params, type Runtime } from '../runtime.js';
import { grid, LINEAR_WG, type Precision, prelude } from './common.js';

/**
 * Row normalisations, one workgroup per row of x:[T,C] (C channels), 256 threads reducing
 * in workgroup memory. rms: y = w·x/√(mean(x²)+eps); layer: y = w·(x−μ)/√(var+eps) + b.
 * Statistics in f32 whatever the storage type `act` of x, w, b and y.
 */
export type NormKind = 'rms' | 'layer';

export function normWgsl(kind: NormKind, precision: Precision = 'f32'): string {
  const layer = kind === 'layer';
  return `${prelude(precision)}struct P { rows: u32, c: u32, eps: f32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> x: array<act>;
@group(0) @binding(2) var<storage, read> w: array<act>;
${layer ? '@group(0) @binding(3) var<storage, read> bias: array<act>;\n@group(0) @binding(4) var<storage, read_write> out: array<act>;' : '@group(0) @binding(3) var<storage, read_write> out: array<act>;'}
var<workgroup> red: array<f32, 256>;
fn reduce(li: u32, v: f32) -> f32 {
  red[li] = v;
  workgroupBarrier();
  for (var s = 128u; s > 0u; s >>= 1u) {
    if (li < s) { red[li] += red[li + s]; }
    workgroupBarrier();
  }
  let r = red[0];
  workgroupBarrier();
  return r;
}
@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let row = ${LINEAR_WG};
  if (row >= p.rows) { return; }
  let o = row * p.c;
  ${
    layer
      ? `var s = 0.0;
  for (var i = li; i < p.c; i += 256u) { s += f32(x[o + i]); }
  let mean = reduce(li, s) / f32(p.c);
  var v = 0.0;
  for (var i = li; i < p.c; i += 256u) { let d = f32(x[o + i]) - mean; v += d * d; }
  let inv = 1.0 / sqrt(reduce(li, v) / f32(p.c) + p.eps);
  for (var i = li; i < p.c; i += 256u) { out[o + i] = act((f32(x[o + i]) - mean) * inv * f32(w[i]) + f32(bias[i])); }`
      : `var s = 0.0;
  for (var i = li; i < p.c; i += 256u) { let v = f32(x[o + i]); s += v * v; }
  let inv = 1.0 / sqrt(reduce(li, s) / f32(p.c) + p.eps);
  for (var i = li; i < p.c; i += 256u) { out[o + i] = act(f32(w[i]) * (inv * f32(x[o + i]))); }`
  }
}`;
}

/** Rows up to this width use v2 (one invocation per row, no barriers); wider rows use v1. */
export const SERIAL_NORM_MAX_C = 4096;

/** v2: one invocation per row, serial over C — no workgroup memory or barriers. */
export function normRowWgsl(kind: NormKind, precision: Precision = 'f32'): string {
  const layer = kind === 'layer';
  return `${prelude(precision)}struct P { rows: u32, c: u32, eps: f32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> x: array<act>;
@group(0) @binding(2) var<storage, read> w: array<act>;
${layer ? '@group(0) @binding(3) var<storage, read> bias: array<act>;\n@group(0) @binding(4) var<storage, read_write> out: array<act>;' : '@group(0) @binding(3) var<storage, read_write> out: array<act>;'}
@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let row = ${LINEAR_WG} * 64u + li;
  if (row >= p.rows) { return; }
  let o = row * p.c;
  ${
    layer
      ? `var mean = 0.0;
  for (var i = 0u; i < p.c; i++) { mean += f32(x[o + i]); }
  mean /= f32(p.c);
  var v = 0.0;
  for (var i = 0u; i < p.c; i++) { let d = f32(x[o + i]) - mean; v += d * d; }
  let inv = 1.0 / sqrt(v / f32(p.c) + p.eps);
  for (var i = 0u; i < p.c; i++) { out[o + i] = act((f32(x[o + i]) - mean) * inv * f32(w[i]) + f32(bias[i])); }`
      : `var s = 0.0;
  for (var i = 0u; i < p.c; i++) { let v = f32(x[o + i]); s += v * v; }
  let inv = 1.0 / sqrt(s / f32(p.c) + p.eps);
  for (var i = 0u; i < p.c; i++) { out[o + i] = act(f32(w[i]) * (inv * f32(x[o + i]))); }`
  }
}`;
}

export function runNorm(
  rt: Runtime,
  kind: NormKind,
  x: GPUBuffer,
  w: GPUBuffer,
  b: GPUBuffer | null,
  out: GPUBuffer,
  rows: number,
  c: number,
  eps: number,
): void {
  const p = new Params(3);
  p.u[0] = rows;
  p.u[1] = c;
  p.f[2] = eps;
  const bufs = b ? [x, w, b, out] : [x, w, out];
  rt.dispatch(
    rt.pipelines.get(`norm:${kind}`, () => normWgsl(kind, rt.precision)),
    p,
    bufs,
    grid(rows),
  );
}
