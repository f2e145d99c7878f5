import type { DType } from '@weft/core';

/**
 * Precision of activations (every logical `f32` tensor: activations, KV cache, f32 weights).
 * `f32`: stored and computed in f32. `f16`: stored as f16 (`shader-f16`); matmul multiplies
 * vec4<f16> and accumulates in f32; attention takes f16 operands, forms their products exactly
 * and accumulates in f32 (see attention-decode.ts); reductions (norms, softmax statistics) and
 * elementwise math run in f32 and round to f16 on store.
 */
export type Precision = 'f32' | 'f16';

/**
 * WGSL prelude every kernel starts with: the storage type of activations as aliases `act`
 * (scalar) and `act4` (vec4), plus `enable f16;` in f16 mode. Kernels read `f32(x[i])`, store
 * `act(value)` and keep accumulators in f32; in f32 mode those conversions are identities, so
 * the f32 kernel is unchanged.
 */
export function prelude(precision: Precision): string {
  return precision === 'f16'
    ? 'enable f16;\nalias act = f16;\nalias act4 = vec4<f16>;\n'
    : 'alias act = f32;\nalias act4 = vec4<f32>;\n';
}

/** Bytes per activation element. */
export function actBytes(precision: Precision): number {
  return precision === 'f16' ? 2 : 4;
}

/**
 * Vector width of head-dim loops for an attention kernel: 4 (`vec4<f16>` loads and tiles) in
 * f16 mode when D % 4 == 0, else 1 (scalar; the f32 kernels stay scalar as they were measured).
 */
export function headWidth(precision: Precision, D: number): 1 | 4 {
  return precision === 'f16' && D % 4 === 0 ? 4 : 1;
}

/**
 * WGSL aliases for a head-dim loop of width W (see {@link headWidth}): `actW` (storage
 * element), `accW` (f32 accumulator), `boolW`, plus `hsum(accW) -> f32`, `lane(accW, j) -> f32`
 * and `lanes(g, n) -> boolW` (which elements of group g are below n).
 */
export function widthWgsl(W: 1 | 4): string {
  return W === 1
    ? `alias actW = act;
alias accW = f32;
alias boolW = bool;
fn hsum(x: f32) -> f32 { return x; }
fn lane(x: f32, j: u32) -> f32 { return x; }
fn lanes(g: u32, n: u32) -> bool { return g < n; }`
    : `alias actW = vec4<act>;
alias accW = vec4<f32>;
alias boolW = vec4<bool>;
fn hsum(x: vec4<f32>) -> f32 { return (x.x + x.y) + (x.z + x.w); }
fn lane(x: vec4<f32>, j: u32) -> f32 { return x[j]; }
fn lanes(g: u32, n: u32) -> vec4<bool> { return vec4<u32>(4u * g) + vec4<u32>(0u, 1u, 2u, 3u) < vec4<u32>(n); }`;
}

/**
 * WGSL element loaders per storage dtype. Every tensor buffer is bound as `array<u32>` (or
 * `array<f32>` / `array<vec4<f32>>` for f32, `array<f16>` / `array<vec4<f16>>` for f16 in f16
 * mode) and read through `ld_<name>(i)` (element i) and `ld4_<name>(i)` (elements i..i+3,
 * i % 4 == 0), which return f32 / vec4<f32> in f32 mode and f16 / vec4<f16> in f16 mode.
 * Quantized rows are whole GGML blocks (K % 32 == 0), so flat element i sits in block i/32 at
 * position i%32:
 *   q8_0 block (34 B): f16 scale, 32 × i8;  q4_0 block (18 B): f16 scale, 16 nibble bytes
 *   (byte j: element j in the low nibble, element j+16 in the high one), value (q − 8)·scale.
 * Blocks and bf16 decode in f32 and convert to f16 once in f16 mode.
 */
export function storageType(dtype: DType, vec4: boolean, precision: Precision = 'f32'): string {
  if (dtype === 'f32') return vec4 ? 'array<vec4<f32>>' : 'array<f32>';
  if (dtype === 'i32') return 'array<i32>';
  if (dtype === 'f16' && precision === 'f16') return vec4 ? 'array<vec4<f16>>' : 'array<f16>';
  return 'array<u32>';
}

export function loaders(dtype: DType, name: string, vec4: boolean, precision: Precision = 'f32'): string {
  // return types are spelled out (no alias), so f32 kernels without a prelude can use them
  const h = precision === 'f16';
  const T = h ? 'f16' : 'f32';
  const T4 = `vec4<${T}>`;
  const cv = (e: string) => (h ? `f16(${e})` : e);
  const cv4 = (e: string) => (h ? `vec4<f16>(${e})` : e);
  switch (dtype) {
    case 'f32':
      return vec4
        ? `fn ld_${name}(i: u32) -> ${T} { return ${cv(`${name}[i >> 2u][i & 3u]`)}; }
fn ld4_${name}(i: u32) -> ${T4} { return ${cv4(`${name}[i >> 2u]`)}; }`
        : `fn ld_${name}(i: u32) -> ${T} { return ${cv(`${name}[i]`)}; }
fn ld4_${name}(i: u32) -> ${T4} { return ${cv4(`vec4<f32>(${name}[i], ${name}[i + 1u], ${name}[i + 2u], ${name}[i + 3u])`)}; }`;
    case 'f16':
      if (h)
        return vec4
          ? `fn ld_${name}(i: u32) -> f16 { return ${name}[i >> 2u][i & 3u]; }
fn ld4_${name}(i: u32) -> vec4<f16> { return ${name}[i >> 2u]; }`
          : `fn ld_${name}(i: u32) -> f16 { return ${name}[i]; }
fn ld4_${name}(i: u32) -> vec4<f16> { return vec4<f16>(${name}[i], ${name}[i + 1u], ${name}[i + 2u], ${name}[i + 3u]); }`;
      return `fn ld_${name}(i: u32) -> f32 { return unpack2x16float(${name}[i >> 1u])[i & 1u]; }
fn ld4_${name}(i: u32) -> vec4<f32> { let wi = i >> 1u; return vec4<f32>(unpack2x16float(${name}[wi]), unpack2x16float(${name}[wi + 1u])); }`;
    case 'bf16':
      return `fn ld_${name}(i: u32) -> ${T} { return ${cv(`bitcast<f32>(((${name}[i >> 1u] >> ((i & 1u) * 16u)) & 0xffffu) << 16u)`)}; }
fn ld4_${name}(i: u32) -> ${T4} { let a = ${name}[i >> 1u]; let b = ${name}[(i >> 1u) + 1u];
  return ${cv4('vec4<f32>(bitcast<f32>(a << 16u), bitcast<f32>(a & 0xffff0000u), bitcast<f32>(b << 16u), bitcast<f32>(b & 0xffff0000u))')}; }`;
    case 'q8_0':
      return `${bytes(name)}
fn ld_${name}(i: u32) -> ${T} {
  let b = i >> 5u; let j = i & 31u;
  let d = half_${name}(17u * b);
  return ${cv(`d * f32(bitcast<i32>(byte_${name}(34u * b + 2u + j) << 24u) >> 24u)`)};
}
fn ld4_${name}(i: u32) -> ${T4} {
  let b = i >> 5u; let j = i & 31u;
  let d = half_${name}(17u * b);
  let x = word2_${name}(34u * b + 2u + j);
  let q = vec4<i32>(bitcast<i32>(x << 24u) >> 24u, bitcast<i32>(x << 16u) >> 24u, bitcast<i32>(x << 8u) >> 24u, bitcast<i32>(x) >> 24u);
  return ${cv4('d * vec4<f32>(q)')};
}`;
    case 'q4_0':
      return `${bytes(name)}
fn ld_${name}(i: u32) -> ${T} {
  let b = i >> 5u; let j = i & 31u;
  let d = half_${name}(9u * b);
  let nib = (byte_${name}(18u * b + 2u + (j & 15u)) >> select(0u, 4u, j >= 16u)) & 15u;
  return ${cv('d * (f32(nib) - 8.0)')};
}
fn ld4_${name}(i: u32) -> ${T4} {
  let b = i >> 5u; let j = i & 31u;
  let d = half_${name}(9u * b);
  let x = word2_${name}(18u * b + 2u + (j & 15u)) >> select(0u, 4u, j >= 16u);
  let q = vec4<u32>(x & 15u, (x >> 8u) & 15u, (x >> 16u) & 15u, (x >> 24u) & 15u);
  return ${cv4('d * (vec4<f32>(q) - vec4<f32>(8.0))')};
}`;
    default:
      throw new Error(`no WGSL loader for ${dtype}`);
  }
}

/** Byte / half / 2-aligned-word readers over an array<u32> holding raw bytes. */
function bytes(name: string): string {
  return `fn byte_${name}(o: u32) -> u32 { return (${name}[o >> 2u] >> ((o & 3u) * 8u)) & 0xffu; }
fn half_${name}(h: u32) -> f32 { return unpack2x16float(${name}[h >> 1u])[h & 1u]; }
fn word2_${name}(o: u32) -> u32 {
  let wo = o >> 2u;
  if ((o & 3u) == 0u) { return ${name}[wo]; }
  return (${name}[wo] >> 16u) | (${name}[wo + 1u] << 16u);
}`;
}

/** Grid for `n` workgroups: x ≤ 65535, rest in y. Kernels recover the linear id with {@link LINEAR_ID}. */
export function grid(n: number): [number, number] {
  if (n <= 65535) return [Math.max(1, n), 1];
  return [65535, Math.ceil(n / 65535)];
}

/** WGSL expression for the linear workgroup id under {@link grid}. */
export const LINEAR_WG = '(wid.y * nwg.x + wid.x)';
