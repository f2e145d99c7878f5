import type { DType } from '@weft/core';
import { Params, type Runtime } from '../runtime.js';
import { grid, LINEAR_WG, loaders, type Precision, prelude, storageType } from './common.js';

/**
 * Embedding lookup: out[t, c] = table[ids[t], c] for table:[V,C] in any float or quantized
 * dtype (`dtype` is the stored one: f16 for f32 tables in f16 mode), written as `act`. Up to {@link INLINE_IDS} ids travel in the uniform block (no upload, no flush).
 */
export const INLINE_IDS = 256;

export function gatherWgsl(dtype: DType, inline: boolean, precision: Precision = 'f32'): string {
  return `${prelude(precision)}struct P { t: u32, c: u32, _a: u32, _b: u32${inline ? `, ids: array<vec4<u32>, ${INLINE_IDS / 4}>` : ''} }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> table: ${storageType(dtype, false, precision)};
${inline ? '' : '@group(0) @binding(3) var<storage, read> ids: array<u32>;'}
@group(0) @binding(2) var<storage, read_write> out: array<act>;
${loaders(dtype, 'table', false, precision)}
@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let i = ${LINEAR_WG} * 256u + li;
  if (i >= p.t * p.c) { return; }
  let t = i / p.c;
  let c = i % p.c;
  let id = ${inline ? 'p.ids[t >> 2u][t & 3u]' : 'ids[t]'};
  out[i] = ld_table(id * p.c + c);
}`;
}

export function runGather(
  rt: Runtime,
  dtype: DType,
  table: GPUBuffer,
  ids: Int32Array,
  idsBuffer: GPUBuffer | null,
  out: GPUBuffer,
  C: number,
): void {
  const inline = idsBuffer === null;
  const p = new Params(4 + (inline ? INLINE_IDS : 0));
  p.u[0] = ids.length;
  p.u[1] = C;
  if (inline) p.i.set(ids, 4);
  const bufs = inline ? [table, out] : [table, out, idsBuffer];
  rt.dispatch(
    rt.pipelines.get(`gather:${dtype}:${inline}`, () => gatherWgsl(dtype, inline, rt.precision)),
    p,
    bufs,
    grid(Math.ceil((ids.length * C) / 256)),
  );
}
