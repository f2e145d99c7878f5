import type { DType } from '@weft/core';
import { Params, type Runtime } from '../runtime.js';
import { grid, LINEAR_WG, loaders, type Precision, prelude, storageType } from './common.js';

/**
 * out:[M,N] = x:[M,K] · wᵀ, w:[N,K] in f32 / f16 / bf16 / q8_0 / q4_0 (dequantised in the
 * kernel, never on the host). Kernels (numbered versions live in dev/matmul.mjs):
 * - `gemv` (M ≤ {@link GEMV_MAX_M}, the decode shape): one invocation per output feature,
 *   specialised per M (`gemv-coop`, the workgroup-reduction v1, stays selectable).
 * - `tiled` (prefill on hardware): 64×64 output tile per workgroup, 16-deep K slices staged
 *   in workgroup memory, 4×4 register tile per thread, vec4 loads.
 * - `tiled-reg` (prefill on software adapters): unrolled 4×4 register block per invocation
 *   straight from global memory, no barriers.
 * `aligned` (K % 4 == 0) selects vec4 storage views; otherwise a scalar tail handles K.
 * x and out are activations (`act`: f32, or f16 at f16 precision, where products of the
 * vec4<f16> operands are rounded to f16 and accumulated in f32 — see {@link mul}); `dtype` is
 * the weights' stored dtype (f16 for f32 weights at f16 precision).
 */
export const GEMV_MAX_M = 4;

function xLoad(aligned: boolean): string {
  return aligned
    ? 'fn x4(m: u32, k: u32) -> act4 { return x[(m * p.k + k) >> 2u]; }'
    : `fn x4(m: u32, k: u32) -> act4 { let o = m * p.k + k; var r = act4(0.0);
  for (var j = 0u; j < 4u; j++) { if (k + j < p.k) { r[j] = x[o + j]; } } return r; }`;
}

function wLoad(aligned: boolean): string {
  // K % 4 == 0 always holds for quantized (K % 32 == 0); f16/bf16 need even rows for ld4.
  if (aligned) return `fn w4(n: u32, k: u32) -> act4 { return ld4_w(n * p.k + k); }`;
  return `fn w4(n: u32, k: u32) -> act4 { let o = n * p.k + k; var r = act4(0.0);
  for (var j = 0u; j < 4u; j++) { if (k + j < p.k) { r[j] = ld_w(o + j); } } return r; }`;
}

/**
 * WGSL for the product of two `act4` (or act × act4) operands as an f32 accumulator term:
 * f32 precision multiplies in f32 (the expression is unchanged); f16 multiplies in f16 —
 * vec4<f16>, the rate-doubling path of GPUs with f16 ALUs — and widens the product for the
 * f32 accumulator. Matmul sums K such products, so their rounding averages out against the
 * output's scale (conformance: see docs/webgpu, f16 precision).
 */
function mul(precision: Precision, a: string, b: string): string {
  return precision === 'f16' ? `vec4<f32>(${a} * ${b})` : `${a} * ${b}`;
}

function header(dtype: DType, aligned: boolean, precision: Precision): string {
  // f16 weights at f16 precision are read as vec4<f16> like f32 ones as vec4<f32>
  const wVec4 = aligned && (dtype === 'f32' || (dtype === 'f16' && precision === 'f16'));
  return `${prelude(precision)}struct P { m: u32, n: u32, k: u32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> x: ${aligned ? 'array<act4>' : 'array<act>'};
@group(0) @binding(2) var<storage, read> w: ${storageType(dtype, wVec4, precision)};
@group(0) @binding(3) var<storage, read_write> out: array<act>;
${loaders(dtype, 'w', wVec4, precision)}
${xLoad(aligned)}
${wLoad(aligned)}`;
}

export function gemvWgsl(dtype: DType, aligned: boolean, precision: Precision = 'f32'): string {
  return `${header(dtype, aligned, precision)}
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
        if (m < p.m) { acc[m] += ${precision === 'f16' ? `dot(${mul(precision, 'x4(m, k)', 'wv')}, vec4<f32>(1.0))` : 'dot(x4(m, k), wv)'}; }
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
      if (m < p.m) { out[m * p.n + n] = act(red[slot][m]); }
    }
  }
}`;
}

/**
 * gemv v5 (the default for M ≤ {@link GEMV_MAX_M}): one invocation per output feature n, no
 * workgroup memory and no barriers, vec4 loads along K, specialised per M with one named
 * accumulator per row. Software adapters (SwiftShader, lavapipe) run each barrier as a fiber
 * switch per invocation, which made v1 ~20× slower there; v2's `array<f32, 4>` accumulator
 * indexed in a loop costs SwiftShader's JIT a memory round trip per FMA (dev/matmul.mjs).
 */
export function gemvSimpleWgsl(dtype: DType, aligned: boolean, rows: number, precision: Precision = 'f32'): string {
  const R = Array.from({ length: rows }, (_, i) => i);
  return `${header(dtype, aligned, precision)}
@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let n = ${LINEAR_WG} * 64u + li;
  if (n >= p.n) { return; }
${R.map((i) => `  var a${i} = vec4<f32>(0.0);`).join('\n')}
  for (var k = 0u; k < p.k; k += 4u) {
    let wv = w4(n, k);
${R.map((i) => `    a${i} += ${mul(precision, `x4(${i}u, k)`, 'wv')};`).join('\n')}
  }
${R.map((i) => `  out[${i}u * p.n + n] = act(dot(a${i}, vec4<f32>(1.0)));`).join('\n')}
}`;
}

/** Rows × columns of output each invocation of the register-tiled kernel computes. */
export const REG_TILE = 8;
const REG_WG = 64;

/**
 * tiled v6 (register-blocked, barrier-free; the default on software adapters): each
 * invocation computes a {@link REG_TILE}×{@link REG_TILE} output block straight from global
 * memory with vec4 loads along K; every accumulator is a named f32 (fully unrolled). A
 * workgroup covers one row block, so its x loads are uniform (lavapipe turns them into
 * scalar loads instead of gathers). v4 kept 4×4 vec4 accumulators in an indexed array, which
 * SwiftShader's JIT spills; v5 unrolled them (7× faster there); v6's scalar accumulators need
 * a quarter of the registers, which pays for the 8×8 block (dev/matmul.mjs has the numbers).
 * Rows/columns past the edge are clamped on load and skipped on store. At f16 precision the
 * vec4<f16> products are widened and summed in f32, as in the other kernels.
 */
export function registerTiledWgsl(dtype: DType, aligned: boolean, precision: Precision = 'f32'): string {
  const T = Array.from({ length: REG_TILE }, (_, i) => i);
  const pairs = T.flatMap((i) => T.map((j) => [i, j] as const));
  const dot = (a: string, b: string): string =>
    precision === 'f16' ? `dot(vec4<f32>(${a} * ${b}), vec4<f32>(1.0))` : `dot(${a}, ${b})`;
  return `${header(dtype, aligned, precision)}
@compute @workgroup_size(${REG_WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let mb = wid.y * ${REG_TILE}u;
  let nb = (wid.x * ${REG_WG}u + li) * ${REG_TILE}u;
  if (nb >= p.n) { return; }
${T.map((i) => `  let m${i} = min(mb + ${i}u, p.m - 1u);`).join('\n')}
${T.map((j) => `  let n${j} = min(nb + ${j}u, p.n - 1u);`).join('\n')}
${pairs.map(([i, j]) => `  var a${i}_${j} = 0.0;`).join('\n')}
  for (var k = 0u; k < p.k; k += 4u) {
${T.map((i) => `    let xv${i} = x4(m${i}, k);`).join('\n')}
${T.map((j) => `    let wv${j} = w4(n${j}, k);`).join('\n')}
${pairs.map(([i, j]) => `    a${i}_${j} += ${dot(`xv${i}`, `wv${j}`)};`).join('\n')}
  }
${T.map(
  (i) => `  if (mb + ${i}u < p.m) {
${T.map((j) => `    if (nb + ${j}u < p.n) { out[m${i} * p.n + nb + ${j}u] = act(a${i}_${j}); }`).join('\n')}
  }`,
).join('\n')}
}`;
}

export function tiledWgsl(dtype: DType, aligned: boolean, precision: Precision = 'f32'): string {
  return `${header(dtype, aligned, precision)}
const TM = 64u;
const TK = 16u;
// [TK][TM/4] as vec4s: element (k, m) sits in xs[k * 16 + m / 4][m % 4], so the inner loop
// reads each thread's 4 rows (and 4 columns) with one vec4 load
var<workgroup> xs: array<act4, 256>;
var<workgroup> ws: array<act4, 256>;
@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let m0 = wid.y * TM;
  let n0 = wid.x * TM;
  var acc: array<vec4<f32>, 4>;
  // loader role: row r of the tile, k quad kq
  let r = li >> 2u;
  let kq = (li & 3u) * 4u;
  for (var k0 = 0u; k0 < p.k; k0 += TK) {
    var xv = act4(0.0);
    var wv = act4(0.0);
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
${[0, 1, 2, 3].map((i) => `      acc[${i}] += ${mul(precision, `a[${i}]`, 'b')};`).join('\n')}
    }
    workgroupBarrier();
  }
  for (var i = 0u; i < 4u; i++) {
    let m = m0 + lid.y * 4u + i;
    if (m >= p.m) { continue; }
    for (var j = 0u; j < 4u; j++) {
      let n = n0 + lid.x * 4u + j;
      if (n < p.n) { out[m * p.n + n] = act(acc[i][j]); }
    }
  }
}`;
}

/** Which kernel a shape takes. */
export type MatmulKernel = 'gemv' | 'gemv-coop' | 'tiled' | 'tiled-reg';

/**
 * Kernel of a shape: gemv for decode rows; otherwise the workgroup-tiled kernel on hardware
 * adapters and the unrolled register-tiled v5 on software ones (the barrier-free family):
 * dev/matmul.mjs measured v5 at 7.5 ms vs 57 ms for the workgroup-tiled kernel on SwiftShader
 * and 3.4 vs 20 ms on lavapipe at [32,512]·[512,512]ᵀ; v6 is faster again.
 */
export function matmulVariant(M: number, barrierFree = false): MatmulKernel {
  if (M <= GEMV_MAX_M) return 'gemv';
  return barrierFree ? 'tiled-reg' : 'tiled';
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
  force?: MatmulKernel,
): void {
  const aligned = K % 4 === 0;
  let variant: MatmulKernel = force ?? matmulVariant(M, rt.barrierFree);
  if (M > GEMV_MAX_M && (variant === 'gemv' || variant === 'gemv-coop')) variant = 'tiled';
  const p = new Params(3);
  p.u[0] = M;
  p.u[1] = N;
  p.u[2] = K;
  if (variant === 'gemv') {
    const pipe = rt.pipelines.get(`gemv5:${dtype}:${aligned}:${M}`, () => gemvSimpleWgsl(dtype, aligned, M, rt.precision));
    rt.dispatch(pipe, p, [x, w, out], grid(Math.ceil(N / 64)));
  } else if (variant === 'gemv-coop') {
    const pipe = rt.pipelines.get(`gemv:${dtype}:${aligned}`, () => gemvWgsl(dtype, aligned, rt.precision));
    rt.dispatch(pipe, p, [x, w, out], grid(Math.ceil(N / 8)));
  } else if (variant === 'tiled-reg') {
    const gx = Math.ceil(N / (REG_TILE * REG_WG));
    const gy = Math.ceil(M / REG_TILE);
    if (gx > 65535 || gy > 65535) throw new Error('matmul grid too large');
    const pipe = rt.pipelines.get(`tiledreg6:${dtype}:${aligned}`, () => registerTiledWgsl(dtype, aligned, rt.precision));
    rt.dispatch(pipe, p, [x, w, out], [gx, gy]);
  } else {
    if (Math.ceil(N / 64) > 65535 || Math.ceil(M / 64) > 65535) throw new Error('matmul grid too large');
    const pipe = rt.pipelines.get(`tiled:${dtype}:${aligned}`, () => tiledWgsl(dtype, aligned, rt.precision));
    rt.dispatch(pipe, p, [x, w, out], [Math.ceil(N / 64), Math.ceil(M / 64)]);
  }
}
