import { ATTENTION_PARAMS, type GpuBias, type GpuMask, maskKey, maskWgsl, usesAux } from './attention-mask.js';
import { headWidth, type Precision, prelude, widthWgsl } from './common.js';

/**
 * Flash attention for prefill (FlashAttention-2's loop order, in WGSL): a workgroup owns B
 * query rows of one head; it walks the visible key tiles (B keys each, tiles outside
 * `krange` skipped), keeps the running max m and sum l per row, and rescales its output
 * accumulator by exp(m_old − m_new) — O(B·D) workgroup memory whatever the length.
 * Thread (r, j): score of row r vs key j, then output dims d ≡ j (mod B) of row r.
 * q:[T,H,D], k,v:[S,Hkv,D] → out:[T,H,D]; GQA head h reads kv head h / (H/Hkv).
 * In f16 mode the tiles hold f16 (vec4<f16> groups when D % 4 == 0; half the workgroup
 * memory): products of the f16 operands exact in f32, sums, running max and Σexp in f32
 * (see attention-decode.ts for why); thread j then owns the output groups ≡ j (mod B).
 */
export function flashTile(D: number): number {
  // workgroup memory: q tile + k/v tile (B·D each) + B² probabilities ≤ 16 KiB
  if (D <= 96) return 16;
  if (D <= 248) return 8;
  return 4;
}

export function flashWgsl(D: number, mask: GpuMask, bias: GpuBias, precision: Precision = 'f32'): string {
  const B = flashTile(D);
  const W = headWidth(precision, D);
  const DW = D / W;
  const acc = Math.ceil(DW / B);
  return `${prelude(precision)}${widthWgsl(W)}
${ATTENTION_PARAMS}
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> q: array<actW>;
@group(0) @binding(2) var<storage, read> k: array<actW>;
@group(0) @binding(3) var<storage, read> v: array<actW>;
@group(0) @binding(4) var<storage, read_write> out: array<actW>;
${usesAux(mask, bias) ? '@group(0) @binding(5) var<storage, read> aux: array<u32>;' : ''}
${maskWgsl(mask, bias)}
const B = ${B}u;
const DW = ${DW}u;
var<workgroup> qs: array<actW, ${B * DW}>;
var<workgroup> kv: array<actW, ${B * DW}>;
var<workgroup> ps: array<f32, ${B * B}>;
var<workgroup> alpha: array<f32, ${B}>;
var<workgroup> ls: array<f32, ${B}>;
var<workgroup> ms: array<f32, ${B}>;
var<workgroup> span: vec2<i32>;
const NEG = -3.0e38;
@compute @workgroup_size(${B}, ${B})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let r = lid.y;
  let j = lid.x;
  let t0 = wid.x * B;
  let h = wid.y;
  let g = h / (p.h / p.hkv);
  let t = t0 + r;
  let qp = i32(p.q_off + t);
  // stage the query tile
  for (var e = li; e < B * DW; e += B * B) {
    let rr = e / DW;
    let tt = t0 + rr;
    qs[e] = select(actW(0.0), q[(tt * p.h + h) * DW + e % DW], tt < p.t);
  }
  if (li == 0u) {
    let q1 = i32(p.q_off + min(t0 + B, p.t) - 1u);
    span = krange(i32(p.q_off + t0), q1);
  }
  if (j == 0u) {
    ms[r] = NEG;
    ls[r] = 0.0;
  }
  var o: array<accW, ${acc}>;
  let sp = workgroupUniformLoad(&span);
  let lo = sp.x;
  let hi = sp.y;
  var s0 = (max(lo, 0) / i32(B)) * i32(B);
  loop {
    if (s0 > hi) { break; }
    // K tile
    for (var e = li; e < B * DW; e += B * B) {
      let s = u32(s0) + e / DW;
      kv[e] = select(actW(0.0), k[(s * p.hkv + g) * DW + e % DW], s < p.kv_len);
    }
    workgroupBarrier();
    let kp = s0 + i32(j);
    var sc = NEG;
    if (t < p.t && kp <= hi && kp >= lo && allows(i32(t), qp, kp)) {
      var dot = accW(0.0);
      for (var i = 0u; i < DW; i++) { dot += accW(qs[r * DW + i]) * accW(kv[j * DW + i]); }
      sc = hsum(dot) * p.scale + bias(h, qp, kp);
    }
    ps[r * B + j] = sc;
    workgroupBarrier();
    if (j == 0u) {
      let mOld = ms[r];
      var mx = mOld;
      for (var jj = 0u; jj < B; jj++) { mx = max(mx, ps[r * B + jj]); }
      var a = 1.0;
      var sum = 0.0;
      if (mx > NEG) {
        a = exp(mOld - mx);
        for (var jj = 0u; jj < B; jj++) {
          let x = ps[r * B + jj];
          let e = select(0.0, exp(x - mx), x > NEG);
          ps[r * B + jj] = e;
          sum += e;
        }
      } else {
        for (var jj = 0u; jj < B; jj++) { ps[r * B + jj] = 0.0; }
      }
      alpha[r] = a;
      ls[r] = ls[r] * a + sum;
      ms[r] = mx;
    }
    // V tile (K reads are finished: all scores were written before the barrier above)
    for (var e = li; e < B * DW; e += B * B) {
      let s = u32(s0) + e / DW;
      kv[e] = select(actW(0.0), v[(s * p.hkv + g) * DW + e % DW], s < p.kv_len);
    }
    workgroupBarrier();
    let a = alpha[r];
    for (var c = 0u; c < ${acc}u; c++) {
      let d = j + c * B;
      if (d < DW) {
        var sum = accW(0.0);
        for (var jj = 0u; jj < B; jj++) { sum += ps[r * B + jj] * accW(kv[jj * DW + d]); }
        o[c] = o[c] * a + sum;
      }
    }
    workgroupBarrier();
    s0 += i32(B);
  }
  if (t < p.t) {
    let l = ls[r];
    let inv = select(0.0, 1.0 / l, l > 0.0);
    for (var c = 0u; c < ${acc}u; c++) {
      let d = j + c * B;
      if (d < DW) { out[(t * p.h + h) * DW + d] = actW(select(accW(0.0), o[c] * inv, lanes(d, p.vlim))); }
    }
  }
}`;
}

export function flashKey(D: number, mask: GpuMask, bias: GpuBias): string {
  return `flash:${D}:${maskKey(mask, bias)}`;
}
