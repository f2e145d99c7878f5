import { Params, type Runtime } from '../runtime.js';
import { grid, LINEAR_WG, type Precision, prelude } from './common.js';

/**
 * Rotary embedding of x:[T,H,D] from a host-built rotation table cs:[T, R/2] of (c, s) pairs
 * (R = rotary dims); row t of x uses table row t + row0. The table comes from @weft/positional's own RoPE (every scaling, YaRN's
 * magnitude factor included), so GPU and CPU rotate by the same f32 numbers (in f32 also in f16 mode); the kernel does
 * (a, b) → (a·c − b·s, a·s + b·c) on pairs (2i, 2i+1) or halves (i, i+R/2). Dims ≥ R pass through.
 */
export function ropeWgsl(layout: 'pairs' | 'halves', precision: Precision = 'f32'): string {
  const pair = layout === 'pairs' ? ['o + 2u * i', 'o + 2u * i + 1u'] : ['o + i', 'o + i + half'];
  return `${prelude(precision)}struct P { t: u32, h: u32, d: u32, half: u32, row0: u32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> x: array<act>;
@group(0) @binding(2) var<storage, read> cs: array<vec2<f32>>;
@group(0) @binding(3) var<storage, read_write> out: array<act>;
@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let g = ${LINEAR_WG} * 256u + li;
  // one thread per output element; rotated dims are handled by the thread of the pair's first element
  if (g >= p.t * p.h * p.d) { return; }
  let row = g / p.d;
  let e = g % p.d;
  let t = row / p.h;
  let o = row * p.d;
  let half = p.half;
  if (e >= 2u * half) { out[g] = x[g]; return; }
  ${layout === 'pairs' ? 'if ((e & 1u) == 1u) { return; }\n  let i = e >> 1u;' : 'if (e >= half) { return; }\n  let i = e;'}
  let r = cs[(t + p.row0) * half + i];
  let a = f32(x[${pair[0]}]);
  let b = f32(x[${pair[1]}]);
  out[${pair[0]}] = act(a * r.x - b * r.y);
  out[${pair[1]}] = act(a * r.y + b * r.x);
}`;
}

export function runRope(
  rt: Runtime,
  layout: 'pairs' | 'halves',
  x: GPUBuffer,
  cs: GPUBuffer,
  out: GPUBuffer,
  T: number,
  H: number,
  D: number,
  half: number,
  row0: number,
): void {
  const p = new Params(5);
  p.u[0] = T;
  p.u[1] = H;
  p.u[2] = D;
  p.u[3] = half;
  p.u[4] = row0;
  rt.dispatch(
    rt.pipelines.get(`rope:${layout}`, () => ropeWgsl(layout, rt.precision)),
    p,
    [x, cs, out],
    grid(Math.ceil((T * H * D) / 256)),
  );
}
