import { type Precision, prelude } from './common.js';

/**
 * Transient-global summaries (LongT5): rows kAug[L + j] = mean of rows [j·block, min(L, (j+1)·block))
 * of x:[L, Hkv·D] (the first L rows are copied by the caller). One thread per (block, element);
 * sums in f32.
 */
export function blockMeansWgsl(precision: Precision = 'f32'): string {
  return `${prelude(precision)}struct P { l: u32, row: u32, block: u32, blocks: u32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> x: array<act>;
@group(0) @binding(2) var<storage, read_write> aug: array<act>;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= p.blocks * p.row) { return; }
  let j = i / p.row;
  let e = i % p.row;
  let s0 = j * p.block;
  let s1 = min(p.l, s0 + p.block);
  var sum = 0.0;
  for (var s = s0; s < s1; s++) { sum += f32(x[s * p.row + e]); }
  aug[(p.l + j) * p.row + e] = act(sum / f32(s1 - s0));
}`;
}
