import { Params, type Runtime } from '../runtime.js';
import { grid, LINEAR_WG } from './common.js';

/**
 * Copies `n` 16-bit elements from element `src0` of `src` to element `dst0` of `dst`, for row
 * copies whose byte offsets or lengths are not multiples of 4 (f16 rows of odd length, GGML
 * blocks of 34/18 bytes), which copyBufferToBuffer cannot do. One invocation per destination
 * word assembles it from the source halves and the destination's untouched half, so no two
 * invocations write the same word; the bits are moved, never converted.
 */
export const COPY_HALVES_WGSL = `struct P { n: u32, src0: u32, dst0: u32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> src: array<u32>;
@group(0) @binding(2) var<storage, read_write> dst: array<u32>;
fn half_at(e: u32) -> u32 { return (src[e >> 1u] >> ((e & 1u) * 16u)) & 0xffffu; }
@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let w = (p.dst0 >> 1u) + ${LINEAR_WG} * 256u + li;
  let end = p.dst0 + p.n;
  if (2u * w >= end) { return; }
  var word = dst[w];
  for (var j = 0u; j < 2u; j++) {
    let e = 2u * w + j;
    if (e >= p.dst0 && e < end) {
      let shift = j * 16u;
      word = (word & ~(0xffffu << shift)) | (half_at(e - p.dst0 + p.src0) << shift);
    }
  }
  dst[w] = word;
}`;

/** Element-granular copy of 2-byte elements (see {@link COPY_HALVES_WGSL}); src and dst must differ. */
export function runCopyHalves(rt: Runtime, src: GPUBuffer, src0: number, dst: GPUBuffer, dst0: number, n: number): void {
  const p = new Params(3);
  p.u[0] = n;
  p.u[1] = src0;
  p.u[2] = dst0;
  const words = Math.floor((dst0 + n - 1) / 2) - Math.floor(dst0 / 2) + 1;
  rt.dispatch(
    rt.pipelines.get('copy-halves', () => COPY_HALVES_WGSL),
    p,
    [src, dst],
    grid(Math.ceil(words / 256)),
  );
}
