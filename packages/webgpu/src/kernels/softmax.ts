import { Params, type Runtime } from '../runtime.js';
import { grid, LINEAR_WG, type Precision, prelude } from './common.js';

/**
 * Softmax over the last axis of x:[R,C], one workgroup per row (max, then Σexp, then scale),
 * statistics in f32. f32 keeps exp(x − max) in `out` for the scaling pass; f16 recomputes it
 * there instead, so each output is rounded to f16 once.
 */
export function softmaxWgsl(precision: Precision = 'f32'): string {
  const f16 = precision === 'f16';
  return `${prelude(precision)}struct P { rows: u32, c: u32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> x: array<act>;
@group(0) @binding(2) var<storage, read_write> out: array<act>;
var<workgroup> red: array<f32, 256>;
@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let row = ${LINEAR_WG};
  if (row >= p.rows) { return; }
  let o = row * p.c;
  var m = -3.402823e38;
  for (var i = li; i < p.c; i += 256u) { m = max(m, f32(x[o + i])); }
  red[li] = m;
  workgroupBarrier();
  for (var s = 128u; s > 0u; s >>= 1u) {
    if (li < s) { red[li] = max(red[li], red[li + s]); }
    workgroupBarrier();
  }
  let mx = red[0];
  workgroupBarrier();
  var sum = 0.0;
  for (var i = li; i < p.c; i += 256u) { let e = exp(f32(x[o + i]) - mx); ${f16 ? '' : 'out[o + i] = e; '}sum += e; }
  red[li] = sum;
  workgroupBarrier();
  for (var s = 128u; s > 0u; s >>= 1u) {
    if (li < s) { red[li] += red[li + s]; }
    workgroupBarrier();
  }
  let inv = 1.0 / red[0];
  for (var i = li; i < p.c; i += 256u) { out[o + i] = act(${f16 ? 'exp(f32(x[o + i]) - mx)' : 'out[o + i]'} * inv); }
}`;
}

export function runSoftmax(rt: Runtime, x: GPUBuffer, out: GPUBuffer, rows: number, c: number): void {
  const p = new Params(2);
  p.u[0] = rows;
  p.u[1] = c;
  rt.dispatch(
    rt.pipelines.get('softmax', () => softmaxWgsl(rt.precision)),
    p,
    [x, out],
    grid(rows),
  );
}
