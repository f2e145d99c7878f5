/**
 * Transient-global summaries (LongT5): rows kAug[L + j] = mean of rows [j·block, min(L, (j+1)·block))
 * of x:[L, Hkv·D] (the first L rows are copied by the caller). One thread per (block, element).
 */
export const BLOCK_MEANS_WGSL = `struct P { l: u32, row: u32, block: u32, blocks: u32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> aug: array<f32>;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= p.blocks * p.row) { return; }
  let j = i / p.row;
  let e = i % p.row;
  let s0 = j * p.block;
  let s1 = min(p.l, s0 + p.block);
  var sum = 0.0;
  for (var s = s0; s < s1; s++) { sum += x[s * p.row + e]; }
  aug[(p.l + j) * p.row + e] = sum / f32(s1 - s0);
}`;
