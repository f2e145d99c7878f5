import { ATTENTION_PARAMS, type GpuBias, type GpuMask, maskKey, maskWgsl, usesAux } from './attention-mask.js';
import { headWidth, type Precision, prelude, widthWgsl } from './common.js';

/**
 * Split-K attention for few query rows (the decode step): the visible keys are cut into
 * chunks of {@link CHUNK}; workgroup (chunk, head, row) computes its chunk's scores, max m_c,
 * Σexp l_c and unnormalised output o_c (64 threads), and `combine` merges the chunks with
 * weights exp(m_c − max m). With a single chunk the first kernel writes the result directly.
 * Partials: pm/pl [T,H,chunks], po [T,H,chunks,D], always f32.
 *
 * q, k, v and out are `actW` rows: f32 scalars in f32 mode; in f16 mode vec4<f16> groups
 * (D % 4 == 0, else f16 scalars). Products of the f16 operands are formed exactly (widened to
 * f32, as tensor cores with f32 accumulation do) and summed in f32 (`accW`); softmax statistics
 * are f32. Rounding q·k and p·v products to f16 instead cost up to 1.7e-2 and 1.4e-2 of the
 * conformance suite's 2e-2 budget (worst of 40 seeds, float64 simulation matching lavapipe).
 */
export const CHUNK = 256;

export function splitIo(mask: GpuMask, bias: GpuBias, direct: boolean, precision: Precision, W: 1 | 4): string {
  return `${prelude(precision)}${widthWgsl(W)}
${ATTENTION_PARAMS}
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> q: array<actW>;
@group(0) @binding(2) var<storage, read> k: array<actW>;
@group(0) @binding(3) var<storage, read> v: array<actW>;
@group(0) @binding(4) var<storage, read_write> ${direct ? 'out: array<actW>' : 'part: array<f32>'};
${usesAux(mask, bias) ? '@group(0) @binding(5) var<storage, read> aux: array<u32>;' : ''}
${maskWgsl(mask, bias)}`;
}

/**
 * Split-K v2 (the default): barrier-free flash-decoding. Invocation (chunk c, head h, row t)
 * runs the online softmax serially over its {@link CHUNK2} keys, keeping m, l and o[D] in
 * registers, and writes the partial (or, with one chunk, the normalised output). No
 * workgroup memory, no barriers: on software adapters v1's barriers cost a fiber switch per
 * invocation (4.7 ms → see dev/attention.mjs for the measured numbers).
 */
export const CHUNK2 = 64;

/**
 * Constants and the prologue of the split-K v2/v4 entry point: invocation → (row t, head h,
 * chunk c), its kv group g, query position/offset and key range, chunk start `base`.
 */
export function split2Entry(D: number, W: 1 | 4): string {
  return `const D = ${D}u;
const DW = ${D / W}u;
const CH = ${CHUNK2}u;
const NEG = -3.0e38;
@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  // one invocation per (row t, head h, chunk c), linearised so no workgroup idles; rows vary
  // fastest so neighbouring invocations read the same key/value rows (broadcast loads)
  let gi = (wid.y * nwg.x + wid.x) * 64u + li;
  if (gi >= p.t * p.h * p.chunks) { return; }
  let t = gi % p.t;
  let h = (gi / p.t) % p.h;
  let c = gi / (p.t * p.h);
  let g = h / (p.h / p.hkv);
  let qp = i32(p.q_off + t);
  let qo = (t * p.h + h) * DW;
  let span = krange(qp, qp);
  let base = i32(p.chunk) + i32(c * CH);
`;
}

export function split2Wgsl(D: number, mask: GpuMask, bias: GpuBias, direct: boolean, precision: Precision = 'f32'): string {
  const W = headWidth(precision, D);
  return `${splitIo(mask, bias, direct, precision, W)}
${split2Entry(D, W)}  var m = NEG;
  var l = 0.0;
  var o: array<accW, ${D / W}>;
  for (var s = 0u; s < CH; s++) {
    let kp = base + i32(s);
    if (kp < span.x || kp > span.y || !allows(i32(t), qp, kp)) { continue; }
    let ko = (u32(kp) * p.hkv + g) * DW;
    var dot = accW(0.0);
    for (var i = 0u; i < DW; i++) { dot += accW(q[qo + i]) * accW(k[ko + i]); }
    let x = hsum(dot) * p.scale + bias(h, qp, kp);
    let mn = max(m, x);
    let a = exp(m - mn);
    let e = exp(x - mn);
    l = l * a + e;
    for (var i = 0u; i < DW; i++) { o[i] = o[i] * a + e * accW(v[ko + i]); }
    m = mn;
  }
  ${
    direct
      ? `for (var d = 0u; d < DW; d++) { out[qo + d] = actW(select(accW(0.0), o[d] / l, boolW(l > 0.0) & lanes(d, p.vlim))); }`
      : `let row = (t * p.h + h) * p.chunks + c;
  part[row * (D + 2u)] = m;
  part[row * (D + 2u) + 1u] = l;
  ${
    W === 1
      ? 'for (var d = 0u; d < D; d++) { part[row * (D + 2u) + 2u + d] = o[d]; }'
      : 'for (var d = 0u; d < D; d++) { part[row * (D + 2u) + 2u + d] = o[d >> 2u][d & 3u]; }'
  }`
  }
}`;
}

/** Combine v2: one invocation per output element (t, h, d), no barriers. */
export function combine2Wgsl(D: number, precision: Precision = 'f32'): string {
  return `${prelude(precision)}${ATTENTION_PARAMS}
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> part: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<act>;
const D = ${D}u;
const NEG = -3.0e38;
@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let i = (wid.y * nwg.x + wid.x) * 64u + li;
  if (i >= p.t * p.h * D) { return; }
  let row = i / D;
  let d = i % D;
  let first = row * p.chunks;
  var mx = NEG;
  for (var c = 0u; c < p.chunks; c++) { mx = max(mx, part[(first + c) * (D + 2u)]); }
  var l = 0.0;
  var o = 0.0;
  for (var c = 0u; c < p.chunks; c++) {
    let m = part[(first + c) * (D + 2u)];
    if (m > NEG) {
      let w = exp(m - mx);
      l += w * part[(first + c) * (D + 2u) + 1u];
      o += w * part[(first + c) * (D + 2u) + 2u + d];
    }
  }
  out[i] = act(select(0.0, o / l, l > 0.0 && d < p.vlim));
}`;
}

/** Split-K v1 (cooperative, 64 threads per chunk of 256 keys, workgroup reductions; f32 arithmetic). */
export function splitWgsl(D: number, mask: GpuMask, bias: GpuBias, direct: boolean, precision: Precision = 'f32'): string {
  return `${splitIo(mask, bias, direct, precision, 1)}
const D = ${D}u;
const CH = ${CHUNK}u;
const NEG = -3.0e38;
var<workgroup> qs: array<f32, ${D}>;
var<workgroup> sc: array<f32, ${CHUNK}>;
var<workgroup> red: array<f32, 64>;
@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let c = wid.x;
  let h = wid.y;
  let t = wid.z;
  let g = h / (p.h / p.hkv);
  let qp = i32(p.q_off + t);
  for (var i = li; i < D; i += 64u) { qs[i] = f32(q[(t * p.h + h) * D + i]); }
  workgroupBarrier();
  let base = i32(p.chunk) + i32(c * CH);
  let span = krange(qp, qp);
  var mx = NEG;
  for (var s = li; s < CH; s += 64u) {
    let kp = base + i32(s);
    var x = NEG;
    if (kp >= span.x && kp <= span.y && allows(i32(t), qp, kp)) {
      var dot = 0.0;
      let ko = (u32(kp) * p.hkv + g) * D;
      for (var i = 0u; i < D; i++) { dot += qs[i] * f32(k[ko + i]); }
      x = dot * p.scale + bias(h, qp, kp);
    }
    sc[s] = x;
    mx = max(mx, x);
  }
  red[li] = mx;
  workgroupBarrier();
  for (var s = 32u; s > 0u; s >>= 1u) {
    if (li < s) { red[li] = max(red[li], red[li + s]); }
    workgroupBarrier();
  }
  mx = red[0];
  workgroupBarrier();
  var sum = 0.0;
  for (var s = li; s < CH; s += 64u) {
    let x = sc[s];
    let e = select(0.0, exp(x - mx), x > NEG);
    sc[s] = e;
    sum += e;
  }
  red[li] = sum;
  workgroupBarrier();
  for (var s = 32u; s > 0u; s >>= 1u) {
    if (li < s) { red[li] += red[li + s]; }
    workgroupBarrier();
  }
  let l = red[0];
  let last = min(CH, u32(max(0, i32(p.kv_len) - base)));
  for (var d = li; d < D; d += 64u) {
    var o = 0.0;
    for (var s = 0u; s < last; s++) {
      let e = sc[s];
      if (e != 0.0) { o += e * f32(v[((u32(base) + s) * p.hkv + g) * D + d]); }
    }
    ${
      direct
        ? 'out[(t * p.h + h) * D + d] = act(select(0.0, o / l, l > 0.0 && d < p.vlim));'
        : `let row = (t * p.h + h) * p.chunks + c;
    part[row * (D + 2u) + 2u + d] = o;`
    }
  }
  ${
    direct
      ? ''
      : `if (li == 0u) {
    let row = (t * p.h + h) * p.chunks + c;
    part[row * (D + 2u)] = mx;
    part[row * (D + 2u) + 1u] = l;
  }`
  }
}`;
}

/** Combine v1: merges chunk partials: part [T,H,chunks,(m, l, o[D])] → out [T,H,D]. One workgroup per (t, h). */
export function combineWgsl(D: number, precision: Precision = 'f32'): string {
  return `${prelude(precision)}${ATTENTION_PARAMS}
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> part: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<act>;
const D = ${D}u;
const NEG = -3.0e38;
@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let row = wid.x; // t * H + h
  let first = row * p.chunks;
  var mx = NEG;
  for (var c = 0u; c < p.chunks; c++) { mx = max(mx, part[(first + c) * (D + 2u)]); }
  var l = 0.0;
  for (var c = 0u; c < p.chunks; c++) {
    let m = part[(first + c) * (D + 2u)];
    if (m > NEG) { l += exp(m - mx) * part[(first + c) * (D + 2u) + 1u]; }
  }
  for (var d = li; d < D; d += 64u) {
    var o = 0.0;
    for (var c = 0u; c < p.chunks; c++) {
      let m = part[(first + c) * (D + 2u)];
      if (m > NEG) { o += exp(m - mx) * part[(first + c) * (D + 2u) + 2u + d]; }
    }
    out[row * D + d] = act(select(0.0, o / l, l > 0.0 && d < p.vlim));
  }
}`;
}

export function splitKey(D: number, mask: GpuMask, bias: GpuBias, direct: boolean, version = 2): string {
  return `split${version}:${D}:${direct}:${maskKey(mask, bias)}`;
}

/**
 * Attention probabilities for `call.capture`: probs [H, T, kvLength], one invocation per
 * (row, head) — a pass for the max and sum, a pass to write exp(score − m)/l (0 where masked).
 * Only dispatched when a capture callback is set.
 */
export function probsWgsl(D: number, mask: GpuMask, bias: GpuBias, precision: Precision = 'f32'): string {
  const W = headWidth(precision, D);
  return `${prelude(precision)}${widthWgsl(W)}
${ATTENTION_PARAMS}
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> q: array<actW>;
@group(0) @binding(2) var<storage, read> k: array<actW>;
@group(0) @binding(3) var<storage, read_write> probs: array<f32>;
${usesAux(mask, bias) ? '@group(0) @binding(4) var<storage, read> aux: array<u32>;' : ''}
${maskWgsl(mask, bias)}
const DW = ${D / W}u;
const NEG = -3.0e38;
fn score(t: u32, h: u32, g: u32, qp: i32, kp: i32) -> f32 {
  let span = krange(qp, qp);
  if (kp < span.x || kp > span.y || !allows(i32(t), qp, kp)) { return NEG; }
  let qo = (t * p.h + h) * DW;
  let ko = (u32(kp) * p.hkv + g) * DW;
  var dot = accW(0.0);
  for (var i = 0u; i < DW; i++) { dot += accW(q[qo + i]) * accW(k[ko + i]); }
  return hsum(dot) * p.scale + bias(h, qp, kp);
}
@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let gi = (wid.y * nwg.x + wid.x) * 64u + li;
  if (gi >= p.t * p.h) { return; }
  let h = gi % p.h;
  let t = gi / p.h;
  let g = h / (p.h / p.hkv);
  let qp = i32(p.q_off + t);
  var m = NEG;
  var l = 0.0;
  for (var s = 0u; s < p.kv_len; s++) {
    let x = score(t, h, g, qp, i32(s));
    if (x > NEG) { let mn = max(m, x); l = l * exp(m - mn) + exp(x - mn); m = mn; }
  }
  let row = (h * p.t + t) * p.kv_len;
  for (var s = 0u; s < p.kv_len; s++) {
    let x = score(t, h, g, qp, i32(s));
    probs[row + s] = select(0.0, exp(x - m) / l, x > NEG && l > 0.0);
  }
}`;
}
