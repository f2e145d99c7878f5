import { CHUNK2, split2Entry, splitIo } from './attention-decode.js';
import { type GpuBias, type GpuMask, maskKey } from './attention-mask.js';
import type { Precision } from './common.js';

/** Largest head dim the unrolled kernel takes (its registers grow with D/2 vec4s). */
export const UNROLLED_MAX_D = 256;

/** Whether {@link splitUnrolledWgsl} handles head dim D. */
export function unrolledSplitFits(D: number): boolean {
  return D % 4 === 0 && D <= UNROLLED_MAX_D;
}

/**
 * Split-K v4: v2 (attention-decode.ts, barrier-free flash-decoding: one invocation per
 * (row, head, {@link CHUNK2}-key chunk), online softmax in registers) with the head-dim loops
 * unrolled into named vec4 registers — the query row is loaded once, each of the D/4
 * accumulators is its own variable. v2 keeps o[D] in an array indexed inside a loop, which
 * software adapters' JITs keep in memory (the lesson of matmul v5); v4 is the default on the
 * barrier-free family when D % 4 == 0 (dev/attention.mjs has the numbers).
 * Same bindings, parameters, partial layout and combine pass as v2; f32 accumulation in both
 * precisions (f16 operands are widened exactly, as in v2).
 */
export function splitUnrolledWgsl(
  D: number,
  mask: GpuMask,
  bias: GpuBias,
  direct: boolean,
  precision: Precision = 'f32',
): string {
  if (!unrolledSplitFits(D)) throw new Error(`splitUnrolledWgsl: head dim ${D} must be a multiple of 4, ≤ ${UNROLLED_MAX_D}`);
  const G = Array.from({ length: D / 4 }, (_, i) => i);
  const sum = (terms: string[]): string =>
    terms.length === 1 ? terms[0]! : `(${sum(terms.slice(0, terms.length >> 1))} + ${sum(terms.slice(terms.length >> 1))})`;
  const store = direct
    ? G.map(
        (i) =>
          `  out[qo + ${i}u] = act4(select(vec4<f32>(0.0), o${i} * inv, (vec4<u32>(${4 * i}u, ${4 * i + 1}u, ${4 * i + 2}u, ${4 * i + 3}u) < vec4<u32>(p.vlim)) & vec4<bool>(l > 0.0)));`,
      ).join('\n')
    : `  let row = ((t * p.h + h) * p.chunks + c) * (D + 2u);
  part[row] = m;
  part[row + 1u] = l;
${G.map((i) => [0, 1, 2, 3].map((j) => `  part[row + ${2 + 4 * i + j}u] = o${i}.${'xyzw'[j]};`).join('\n')).join('\n')}`;
  return `${splitIo(mask, bias, direct, precision, 4)}
${split2Entry(D, 4)}${G.map((i) => `  let q${i} = vec4<f32>(q[qo + ${i}u]);`).join('\n')}
${G.map((i) => `  var o${i} = vec4<f32>(0.0);`).join('\n')}
  var m = NEG;
  var l = 0.0;
  let lo = max(base, span.x);
  let hi = min(base + i32(CH) - 1, span.y);
  for (var kp = lo; kp <= hi; kp++) {
    if (!allows(i32(t), qp, kp)) { continue; }
    let ko = (u32(kp) * p.hkv + g) * DW;
    let dots = ${sum(G.map((i) => `q${i} * vec4<f32>(k[ko + ${i}u])`))};
    let x = (dots.x + dots.y + dots.z + dots.w) * p.scale + bias(h, qp, kp);
    let mn = max(m, x);
    let a = exp(m - mn);
    let e = exp(x - mn);
    l = l * a + e;
${G.map((i) => `    o${i} = o${i} * a + e * vec4<f32>(v[ko + ${i}u]);`).join('\n')}
    m = mn;
  }
${direct ? '  let inv = 1.0 / l;\n' : ''}${store}
}`;
}

export function splitUnrolledKey(D: number, mask: GpuMask, bias: GpuBias, direct: boolean): string {
  return `split4:${D}:${direct}:${maskKey(mask, bias)}`;
}
