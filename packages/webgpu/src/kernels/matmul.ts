import type { DType } from '@weft/core';
import { Params, type Runtime } from '../runtime.js';
import { grid, LINEAR_WG, loaders, storageType } from './common.js';

/**
 * out:[M,N] = x:[M,K] · wᵀ, w:[N,K] in f32 / f16 / bf16 / q8_0 / q4_0 (dequantised in the
 * kernel, never on the host). Two kernels (numbered versions live in dev/matmul.mjs):
 * - `gemv` (M ≤ {@link GEMV_MAX_M}, the decode shape): 8 output features per workgroup,
 *   32 lanes each striding K with vec4 loads, tree reduction in workgroup memory.
 * - `tiled` (prefill): 64×64 output tile per workgroup, 16-deep K slices staged in
 *   workgroup memory, 4×4 register tile per thread, vec4 loads.
 * `aligned` (K % 4 == 0) selects vec4 storage views; otherwise a scalar tail handles K.
 */
export const GEMV_MAX_M = 4;

function xLoad(aligned: boolean): string {
  return aligned
    ? 'fn x4(m: u32, k: u32) -> vec4<f32> { return x[(m * p.k + k) >> 2u]; }'
    : `fn x4(m: u32, k: u32) -> vec4<f32> { let o = m * p.k + k; var r = vec4<f32>(0.0);
  for (var j = 0u; j < 4u; j++) { if (k + j < p.k) { r[j] = x[o + j]; } } return r; }`;
}

function wLoad(aligned: boolean): string {
  // K % 4 == 0 always holds for quantized (K % 32 == 0); f16/bf16 need even rows for ld4.
  if (aligned) return `fn w4(n: u32, k: u32) -> vec4<f32> { return ld4_w(n * p.k + k); }`;
  return `fn w4(n: u32, k: u32) -> vec4<f32> { let o = n * p.k + k; var r = vec4<f32>(0.0);
  for (var j = 0u; j < 4u; j++) { if (k + j < p.k) { r[j] = ld_w(o + j); } } return r; }`;
}

function header(dtype: DType, aligned: boolean): string {
  return `struct P { m: u32, n: u32, k: u32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> x: ${aligned ? 'array<vec4<f32>>' : 'array<f32>'};
@group(0) @binding(2) var<storage, read> w: ${storageType(dtype, aligned && dtype === 'f32')};
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
${loaders(dtype, 'w', aligned && dtype === 'f32')}
${xLoad(aligned)}
${wLoad(aligned)}`;
}

export function gemvWgsl(dtype: DType, aligned: boolean): string {
  return `${header(dtype, aligned)}
const MM = ${GEMV_MAX_M}u;
var<workgroup> red: array<array<f32, ${GEMV_MAX_M}>, 256>;
@compute @workgroup_size(32, 8)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let lane = lid.x;
  let n = ${LINEAR_WG} * 8u + lid.y;
  var acc = array<f32, ${GEMV_MAX_M}>();
  if (n < p.n) {
    for (var k = lane * 4u; k < p.k; k += 128u) {
      let wv = w4(n, k);
      for (var m = 0u; m < MM; m++) {
        if (m < p.m) { acc[m] += dot(x4(m, k), wv); }
      }
    }
  }
  let slot = lid.y * 32u + lane;
  red[slot] = acc;
  workgroupBarrier();
  for (var s = 16u; s > 0u; s >>= 1u) {
    if (lane < s) {
      for (var m = 0u; m < MM; m++) { red[slot][m] += red[slot + s][m]; }
    }
    workgroupBarrier();
  }
  if (lane == 0u && n < p.n) {
    for (var m = 0u; m < MM; m++) {
      if (m < p.m) { out[m * p.n + n] = red[slot][m]; }
    }
  }
}`;
}

/**
 * gemv v2 (the default): one invocation per output feature n, no workgroup memory and no
 * barriers, vec4 loads along K. Software rasterisers (SwiftShader, lavapipe) run each
 * barrier as a fiber switch per invocation, which made v1 ~20× slower there (dev/matmul.mjs).
 */
export function gemvSimpleWgsl(dtype: DType, aligned: boolean): string {
  return `${header(dtype, aligned)}
const MM = ${GEMV_MAX_M}u;
@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let n = ${LINEAR_WG} * 64u + li;
  if (n >= p.n) { return; }
  var acc = array<f32, ${GEMV_MAX_M}>();
  for (var k = 0u; k < p.k; k += 4u) {
    let wv = w4(n, k);
    for (var m = 0u; m < MM; m++) {
      if (m < p.m) { acc[m] += dot(x4(m, k), wv); }
    }
  }
  for (var m = 0u; m < MM; m++) {
    if (m < p.m) { out[m * p.n + n] = acc[m]; }
  }
}`;
}

/**
 * tiled v2 (register-blocked, barrier-free): each invocation computes a 4×4 output block
 * straight from global memory with vec4 loads along K — the caches play the role of
 * workgroup memory. Chosen on software adapters, where v1's barriers dominate.
 */
export function registerTiledWgsl(dtype: DType, aligned: boolean): string {
  return `${header(dtype, aligned)}
@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let m0 = gid.y * 4u;
  let n0 = gid.x * 4u;
  if (m0 >= p.m || n0 >= p.n) { return; }
  var acc: array<vec4<f32>, 4>;
  for (var k = 0u; k < p.k; k += 4u) {
    var xv: array<vec4<f32>, 4>;
    var wv: array<vec4<f32>, 4>;
    for (var i = 0u; i < 4u; i++) {
      if (m0 + i < p.m) { xv[i] = x4(m0 + i, k); }
      if (n0 + i < p.n) { wv[i] = w4(n0 + i, k); }
    }
    for (var i = 0u; i < 4u; i++) {
      acc[i] += vec4<f32>(dot(xv[i], wv[0]), dot(xv[i], wv[1]), dot(xv[i], wv[2]), dot(xv[i], wv[3]));
    }
  }
  for (var i = 0u; i < 4u; i++) {
    let m = m0 + i;
    if (m >= p.m) { break; }
    for (var j = 0u; j < 4u; j++) {
      if (n0 + j < p.n) { out[m * p.n + n0 + j] = acc[i][j]; }
    }
  }
}`;
}

export function tiledWgsl(dtype: DType, aligned: boolean): string {
  return `${header(dtype, aligned)}
const TM = 64u;
const TK = 16u;
// [TK][TM/4] as vec4s: element (k, m) sits in xs[k * 16 + m / 4][m % 4], so the inner loop
// reads each thread's 4 rows (and 4 columns) with one vec4 load
var<workgroup> xs: array<vec4<f32>, 256>;
var<workgroup> ws: array<vec4<f32>, 256>;
@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let m0 = wid.y * TM;
  let n0 = wid.x * TM;
  var acc: array<vec4<f32>, 4>;
  // loader role: row r of the tile, k quad kq
  let r = li >> 2u;
  let kq = (li & 3u) * 4u;
  for (var k0 = 0u; k0 < p.k; k0 += TK) {
    var xv = vec4<f32>(0.0);
    var wv = vec4<f32>(0.0);
    if (m0 + r < p.m && k0 + kq < p.k) { xv = x4(m0 + r, k0 + kq); }
    if (n0 + r < p.n && k0 + kq < p.k) { wv = w4(n0 + r, k0 + kq); }
    for (var j = 0u; j < 4u; j++) {
      xs[(kq + j) * 16u + (r >> 2u)][r & 3u] = xv[j];
      ws[(kq + j) * 16u + (r >> 2u)][r & 3u] = wv[j];
    }
    workgroupBarrier();
    for (var kk = 0u; kk < TK; kk++) {
      let a = xs[kk * 16u + lid.y];
      let b = ws[kk * 16u + lid.x];
      acc[0] += a[0] * b;
      acc[1] += a[1] * b;
      acc[2] += a[2] * b;
      acc[3] += a[3] * b;
    }
    workgroupBarrier();
  }
  for (var i = 0u; i < 4u; i++) {
    let m = m0 + lid.y * 4u + i;
    if (m >= p.m) { continue; }
    for (var j = 0u; j < 4u; j++) {
      let n = n0 + lid.x * 4u + j;
      if (n < p.n) { out[m * p.n + n] = acc[i][j]; }
    }
  }
}`;
}

/** Which kernel a shape takes. */
export type MatmulKernel = 'gemv' | 'gemv-coop' | 'tiled' | 'tiled-reg';

/**
 * Kernel of a shape: gemv for decode rows, the workgroup-tiled kernel otherwise — on
 * SwiftShader too, where dev/matmul.mjs measured it 2× faster than the register-tiled v4
 * (85 vs 182 ms at [64,512]·[512,512]ᵀ): the K-loop's two barriers per 16-deep slice are
 * amortised over 16 FMAs × 16 outputs per thread. `tiled-reg` stays selectable for the playground.
 */
export function matmulVariant(M: number): MatmulKernel {
  return M <= GEMV_MAX_M ? 'gemv' : 'tiled';
}

export function runMatmul(
  rt: Runtime,
  dtype: DType,
  x: GPUBuffer,
  w: GPUBuffer,
  out: GPUBuffer,
  M: number,
  N: number,
  K: number,
  force?: 'gemv' | 'tiled',
): void {
  const aligned = K % 4 === 0;
  let variant: MatmulKernel = force ?? matmulVariant(M);
  if (M > GEMV_MAX_M && (variant === 'gemv' || variant === 'gemv-coop')) variant = 'tiled';
  const p = new Params(3);
  p.u[0] = M;
  p.u[1] = N;
  p.u[2] = K;
  if (variant === 'gemv') {
    const pipe = rt.pipelines.get(`gemv2:${dtype}:${aligned}`, () => gemvSimpleWgsl(dtype, aligned));
    rt.dispatch(pipe, p, [x, w, out], grid(Math.ceil(N / 64)));
  } else if (variant === 'gemv-coop') {
    const pipe = rt.pipelines.get(`gemv:${dtype}:${aligned}`, () => gemvWgsl(dtype, aligned));
    rt.dispatch(pipe, p, [x, w, out], grid(Math.ceil(N / 8)));
  } else if (variant === 'tiled-reg') {
    if (Math.ceil(N / 32) > 65535 || Math.ceil(M / 32) > 65535) throw new Error('matmul grid too large');
    const pipe = rt.pipelines.get(`tiledreg:${dtype}:${aligned}`, () => registerTiledWgsl(dtype, aligned));
    rt.dispatch(pipe, p, [x, w, out], [Math.ceil(N / 32), Math.ceil(M / 32)]);
  } else {
    if (Math.ceil(N / 64) > 65535 || Math.ceil(M / 64) > 65535) throw new Error('matmul grid too large');
    const pipe = rt.pipelines.get(`tiled:${dtype}:${aligned}`, () => tiledWgsl(dtype, aligned));
    rt.dispatch(pipe, p, [x, w, out], [Math.ceil(N / 64), Math.ceil(M / 64)]);
  }
}
