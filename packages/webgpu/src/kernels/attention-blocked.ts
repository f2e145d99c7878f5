import { ATTENTION_PARAMS, type GpuBias, type GpuMask, maskKey, maskWgsl, usesAux } from './attention-mask.js';
import { type Precision, prelude } from './common.js';

/**
 * Blocked three-pass softmax attention for prefill on software adapters (the barrier-free
 * family): (1) scores S = q·kᵀ·scale + bias, masked, per head into an f32 scratch
 * [H, rows, S4]; (2) each row → probabilities in place; (3) out = P·v. Passes 1 and 3 are
 * register-tiled like matmul v6: each invocation owns an {@link BLOCK}×{@link BLOCK} output
 * block with one named f32 accumulator per element, and a workgroup's loop bounds and one
 * operand's addresses are uniform (row block in pass 1, key range + head-dim block in pass 3),
 * so lavapipe loads them once instead of gathering per lane. The fused split-K kernels keep
 * D/4 query and D/4 output vec4s live per key, which software JITs spill; these keep 64
 * scalars. Tiles a row block cannot see (causal, windows) are skipped: in pass 1 they are
 * written masked without reading k, in pass 3 the key loop covers only the block's key range.
 *
 * Query rows are processed in blocks of `rows` (uniform `chunks`) starting at row `chunk`, so
 * the scratch stays bounded for long prompts. S4 = kvLength rounded up to 4 (probability rows
 * are read as vec4; the pad is written 0). q, k, v, out are act4 rows (D % 4 == 0).
 * Accumulation is f32 in both precisions (f16 operands widened exactly).
 */
export const BLOCK = 8;
export const BLOCKED_WG = 16;
const WG = BLOCKED_WG;
const NEG = '-3.0e38';

/** Whether the blocked kernels take head dim D. */
export function blockedFits(D: number): boolean {
  return D % 4 === 0;
}

/**
 * f32 elements of score scratch per row block (16 MiB): rows per block = elements / (H·S4),
 * rounded down to {@link BLOCK}, at least BLOCK. Mutable for tests (small blocks exercise the
 * row-block loop).
 * @internal
 */
export const blockedScratch = { elements: 4 * 1024 * 1024 };

/** Fewest query rows for the blocked path (below it the split-K kernels win). */
export const BLOCKED_MIN_T = 16;

const idx = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

// aux (bitmask / bias table) is declared whenever the mask/bias WGSL names it; only pass 1
// calls allows()/bias(), so only pass 1's pipeline layout has it (pass 3 binds nothing there)
function bindings(mask: GpuMask, bias: GpuBias, precision: Precision, io: string): string {
  return `${prelude(precision)}${ATTENTION_PARAMS}
@group(0) @binding(0) var<uniform> p: P;
${io}
${usesAux(mask, bias) ? '@group(0) @binding(4) var<storage, read> aux: array<u32>;' : ''}
${maskWgsl(mask, bias)}`;
}

/** Pass 1: sc[h, r, s] for rows r of the block (row `p.chunk + r`), keys s < kvLength. */
export function blockedScoresWgsl(D: number, mask: GpuMask, bias: GpuBias, precision: Precision): string {
  const B = idx(BLOCK);
  const pairs = B.flatMap((i) => B.map((j) => [i, j] as const));
  return `${bindings(
    mask,
    bias,
    precision,
    `@group(0) @binding(1) var<storage, read> q: array<act4>;
@group(0) @binding(2) var<storage, read> k: array<act4>;
@group(0) @binding(3) var<storage, read_write> sc: array<f32>;`,
  )}
const DW = ${D / 4}u;
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let h = wid.z;
  let rows = p.chunks;
  let tb = wid.y * ${BLOCK}u;
  let sb = (wid.x * ${WG}u + li) * ${BLOCK}u;
  if (tb >= rows || sb >= p.kv_len) { return; }
  let s4 = (p.kv_len + 3u) & ~3u;
  let g = h / (p.h / p.hkv);
  let span = krange(i32(p.q_off + p.chunk + tb), i32(p.q_off + p.chunk + min(tb + ${BLOCK - 1}u, rows - 1u)));
  let live = i32(sb) <= span.y && i32(sb) + ${BLOCK - 1} >= span.x;
${pairs.map(([i, j]) => `  var a${i}_${j} = 0.0;`).join('\n')}
  if (live) {
${B.map((i) => `    let qo${i} = ((p.chunk + min(tb + ${i}u, rows - 1u)) * p.h + h) * DW;`).join('\n')}
${B.map((j) => `    let ko${j} = (min(sb + ${j}u, p.kv_len - 1u) * p.hkv + g) * DW;`).join('\n')}
    for (var d = 0u; d < DW; d++) {
${B.map((i) => `      let qv${i} = vec4<f32>(q[qo${i} + d]);`).join('\n')}
${B.map((j) => `      let kv${j} = vec4<f32>(k[ko${j} + d]);`).join('\n')}
${pairs.map(([i, j]) => `      a${i}_${j} += dot(qv${i}, kv${j});`).join('\n')}
    }
  }
${B.map(
  (i) => `  if (tb + ${i}u < rows) {
    let t${i} = p.chunk + tb + ${i}u;
    let qp${i} = i32(p.q_off + t${i});
    let own${i} = krange(qp${i}, qp${i});
    let row${i} = (h * rows + tb + ${i}u) * s4 + sb;
${B.map(
  (j) => `    if (sb + ${j}u < p.kv_len) {
      let kp = i32(sb + ${j}u);
      let vis = live && kp >= own${i}.x && kp <= own${i}.y && allows(i32(t${i}), qp${i}, kp);
      sc[row${i} + ${j}u] = select(${NEG}, a${i}_${j} * p.scale + bias(h, qp${i}, kp), vis);
    }`,
).join('\n')}
  }`,
).join('\n')}
}`;
}

/** Pass 2: one invocation per (head, row): scores → probabilities in place (all-masked rows → 0). */
export function blockedSoftmaxWgsl(precision: Precision): string {
  return `${prelude(precision)}${ATTENTION_PARAMS}
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read_write> sc: array<f32>;
@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let i = (wid.y * nwg.x + wid.x) * 64u + li;
  if (i >= p.h * p.chunks) { return; }
  let s4 = (p.kv_len + 3u) & ~3u;
  let base = i * s4;
  var m = ${NEG};
  for (var s = 0u; s < p.kv_len; s++) { m = max(m, sc[base + s]); }
  var l = 0.0;
  if (m > ${NEG}) {
    for (var s = 0u; s < p.kv_len; s++) { l += exp(sc[base + s] - m); }
  }
  let inv = select(0.0, 1.0 / l, l > 0.0);
  for (var s = 0u; s < p.kv_len; s++) { sc[base + s] = exp(sc[base + s] - m) * inv; }
  for (var s = p.kv_len; s < s4; s++) { sc[base + s] = 0.0; }
}`;
}

/** Pass 3: out[chunk + r, h, d] = Σ_s P[h, r, s]·v[s, g, d]; zero for d ≥ vlim. */
export function blockedPvWgsl(D: number, mask: GpuMask, bias: GpuBias, precision: Precision): string {
  const B = idx(BLOCK);
  const pairs = B.flatMap((i) => B.map((j) => [i, j] as const));
  const lanes = ['x', 'y', 'z', 'w'];
  // v row u of the 4-key step, head-dim element j of the block: vv{u}_{j/4}.{j%4}
  const vel = (u: number, j: number): string => `vv${u}_${j >> 2}.${lanes[j & 3]}`;
  return `${bindings(
    mask,
    bias,
    precision,
    `@group(0) @binding(1) var<storage, read> pr: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> v: array<act4>;
@group(0) @binding(3) var<storage, read_write> out: array<act4>;`,
  )}
const D = ${D}u;
const DW = ${D / 4}u;
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let h = wid.z;
  let rows = p.chunks;
  let db = wid.y * ${BLOCK}u;
  // the workgroup's rows and the keys they can see: uniform, so the v loads are too
  let wt0 = wid.x * ${WG * BLOCK}u;
  let wt1 = min(wt0 + ${WG * BLOCK - 1}u, rows - 1u);
  let tb = wt0 + li * ${BLOCK}u;
  if (tb >= rows) { return; }
  let s4 = (p.kv_len + 3u) & ~3u;
  let g = h / (p.h / p.hkv);
  let span = krange(i32(p.q_off + p.chunk + wt0), i32(p.q_off + p.chunk + wt1));
  let lo = u32(max(span.x, 0)) & ~3u;
  let hi = u32(min(span.y, i32(p.kv_len) - 1));
  let d0 = db / 4u;
  let d1 = min(db / 4u + 1u, DW - 1u);
${B.map((i) => `  let po${i} = (h * rows + min(tb + ${i}u, rows - 1u)) * (s4 / 4u);`).join('\n')}
${pairs.map(([i, j]) => `  var a${i}_${j} = 0.0;`).join('\n')}
  for (var s = lo; s <= hi && span.y >= span.x; s += 4u) {
${B.map((i) => `    let pv${i} = pr[po${i} + s / 4u];`).join('\n')}
${[0, 1, 2, 3]
  .map(
    (u) => `    let vo${u} = (min(s + ${u}u, p.kv_len - 1u) * p.hkv + g) * DW;
    let vv${u}_0 = vec4<f32>(v[vo${u} + d0]);
    let vv${u}_1 = vec4<f32>(v[vo${u} + d1]);`,
  )
  .join('\n')}
${pairs.map(([i, j]) => `    a${i}_${j} += dot(pv${i}, vec4<f32>(${[0, 1, 2, 3].map((u) => vel(u, j)).join(', ')}));`).join('\n')}
  }
${B.map(
  (i) => `  if (tb + ${i}u < rows) {
    let oo = ((p.chunk + tb + ${i}u) * p.h + h) * DW;
    out[oo + d0] = act4(select(vec4<f32>(0.0), vec4<f32>(a${i}_0, a${i}_1, a${i}_2, a${i}_3), vec4<u32>(db) + vec4<u32>(0u, 1u, 2u, 3u) < vec4<u32>(p.vlim)));
    if (db + 4u < D) {
      out[oo + d0 + 1u] = act4(select(vec4<f32>(0.0), vec4<f32>(a${i}_4, a${i}_5, a${i}_6, a${i}_7), vec4<u32>(db + 4u) + vec4<u32>(0u, 1u, 2u, 3u) < vec4<u32>(p.vlim)));
    }
  }`,
).join('\n')}
}`;
}

export function blockedKey(pass: 'scores' | 'pv', D: number, mask: GpuMask, bias: GpuBias): string {
  return `blocked-${pass}:${D}:${maskKey(mask, bias)}`;
}
