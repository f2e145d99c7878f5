import type { MaskSpec } from '@weft/core';

/**
 * How a softmax-attention kernel decides visibility and bias, as WGSL generated per call
 * shape. Analytic masks are formulas on absolute positions (query qp, key kp); anything
 * else (block-sparse layouts, padding masks, transient-global, ...) arrives as a host-built
 * bitmask over [T, kvLength] computed from @weft/attention's own predicate, so the kernel
 * can never disagree with the reference about which keys exist.
 */
export type GpuMask =
  | { kind: 'analytic'; mask: MaskSpec; window?: number; sinks?: number }
  /** Bits [T, words] at aux[0..]: bit (t, kp) set when query row t may attend key kp. */
  | { kind: 'bits'; words: number };

export type GpuBias =
  | { kind: 'none' }
  /** −slope_h·|qp − kp|, slopes [H] at aux[biasOffset..]. */
  | { kind: 'alibi'; offset: number }
  /** table[(kp − qp + rel0)·H + h] at aux[biasOffset..] (T5 buckets expanded on the host). */
  | { kind: 'relative'; offset: number; rel0: number };

export interface MaskParams {
  /** Uniform words the mask/bias read (prefix length, window, sinks, rel0, offset). */
  readonly prefix: number;
  readonly window: number;
  readonly sinks: number;
}

/** Cache key of a mask/bias pair (window/prefix values are uniforms, not part of the key). */
export function maskKey(mask: GpuMask, bias: GpuBias): string {
  const m = mask.kind === 'bits' ? 'bits' : `${mask.mask.kind}:${mask.window !== undefined ? 'w' : ''}:${mask.sinks ? 's' : ''}`;
  return `${m}|${bias.kind}`;
}

/**
 * WGSL for `allows(t, qp, kp) -> bool`, `bias(h, qp, kp) -> f32` and `krange(q0, q1) -> vec2<i32>`
 * (the inclusive key range a tile of queries [q0, q1] may see, used to skip whole tiles).
 * Expects uniforms p.kv_len, p.prefix, p.window, p.sinks, p.rel0, p.bias_off and a buffer `aux`.
 */
export function maskWgsl(mask: GpuMask, bias: GpuBias): string {
  let allows: string;
  let range: string;
  if (mask.kind === 'bits') {
    allows = 'let w = aux[u32(t) * p.words + (u32(kp) >> 5u)]; return ((w >> (u32(kp) & 31u)) & 1u) == 1u;';
    range = 'return vec2<i32>(0, i32(p.kv_len) - 1);';
  } else {
    const conds: string[] = [];
    let lo = '0';
    let hi = 'i32(p.kv_len) - 1';
    switch (mask.mask.kind) {
      case 'causal':
        conds.push('kp <= qp');
        hi = `min(${hi}, q1)`;
        break;
      case 'prefix':
        conds.push('(kp < i32(p.prefix) || kp <= qp)');
        hi = `min(${hi}, max(q1, i32(p.prefix) - 1))`;
        break;
      case 'bidirectional':
        break;
    }
    if (mask.window !== undefined) {
      if (mask.sinks) {
        conds.push('(abs(qp - kp) < i32(p.window) || kp < i32(p.sinks))');
      } else {
        conds.push('abs(qp - kp) < i32(p.window)');
        lo = 'max(0, q0 - i32(p.window) + 1)';
        if (mask.mask.kind === 'bidirectional') hi = `min(${hi}, q1 + i32(p.window) - 1)`;
      }
    }
    allows = `return ${conds.length ? conds.join(' && ') : 'true'};`;
    range = `return vec2<i32>(${lo}, ${hi});`;
  }
  let b: string;
  switch (bias.kind) {
    case 'none':
      b = 'return 0.0;';
      break;
    case 'alibi':
      b = 'return -bitcast<f32>(aux[p.bias_off + h]) * f32(abs(qp - kp));';
      break;
    case 'relative':
      b = 'return bitcast<f32>(aux[p.bias_off + u32(kp - qp + i32(p.rel0)) * p.h + h]);';
      break;
  }
  return `fn allows(t: i32, qp: i32, kp: i32) -> bool { ${allows} }
fn bias(h: u32, qp: i32, kp: i32) -> f32 { ${b} }
fn krange(q0: i32, q1: i32) -> vec2<i32> { ${range} }`;
}

/** Whether a mask/bias pair reads the aux buffer. */
export function usesAux(mask: GpuMask, bias: GpuBias): boolean {
  return mask.kind === 'bits' || bias.kind !== 'none';
}

/** Uniform block shared by the attention kernels (16 words). */
export const ATTENTION_PARAMS = `struct P {
  t: u32, h: u32, hkv: u32, d: u32,
  kv_len: u32, q_off: u32, scale: f32, words: u32,
  prefix: u32, window: u32, sinks: u32, rel0: u32,
  bias_off: u32, chunk: u32, chunks: u32, vlim: u32,
}`;
