import type { DType } from '@weft/core';

/**
 * WGSL element loaders per storage dtype. Every tensor buffer is bound as `array<u32>` (or
 * `array<f32>` / `array<vec4<f32>>` for f32) and read through `ld_<name>(i)` (element i) and
 * `ld4_<name>(i)` (elements i..i+3, i % 4 == 0). Quantized rows are whole GGML blocks
 * (K % 32 == 0), so flat element i sits in block i/32 at position i%32:
 *   q8_0 block (34 B): f16 scale, 32 × i8;  q4_0 block (18 B): f16 scale, 16 nibble bytes
 *   (byte j: element j in the low nibble, element j+16 in the high one), value (q − 8)·scale.
 */
export function storageType(dtype: DType, vec4: boolean): string {
  if (dtype === 'f32') return vec4 ? 'array<vec4<f32>>' : 'array<f32>';
  if (dtype === 'i32') return 'array<i32>';
  return 'array<u32>';
}

export function loaders(dtype: DType, name: string, vec4: boolean): string {
  switch (dtype) {
    case 'f32':
      return vec4
        ? `fn ld_${name}(i: u32) -> f32 { return ${name}[i >> 2u][i & 3u]; }
fn ld4_${name}(i: u32) -> vec4<f32> { return ${name}[i >> 2u]; }`
        : `fn ld_${name}(i: u32) -> f32 { return ${name}[i]; }
fn ld4_${name}(i: u32) -> vec4<f32> { return vec4<f32>(${name}[i], ${name}[i + 1u], ${name}[i + 2u], ${name}[i + 3u]); }`;
    case 'f16':
      return `fn ld_${name}(i: u32) -> f32 { return unpack2x16float(${name}[i >> 1u])[i & 1u]; }
fn ld4_${name}(i: u32) -> vec4<f32> { let wi = i >> 1u; return vec4<f32>(unpack2x16float(${name}[wi]), unpack2x16float(${name}[wi + 1u])); }`;
    case 'bf16':
      return `fn ld_${name}(i: u32) -> f32 { return bitcast<f32>(((${name}[i >> 1u] >> ((i & 1u) * 16u)) & 0xffffu) << 16u); }
fn ld4_${name}(i: u32) -> vec4<f32> { let a = ${name}[i >> 1u]; let b = ${name}[(i >> 1u) + 1u];
  return vec4<f32>(bitcast<f32>(a << 16u), bitcast<f32>(a & 0xffff0000u), bitcast<f32>(b << 16u), bitcast<f32>(b & 0xffff0000u)); }`;
    case 'q8_0':
      return `${bytes(name)}
fn ld_${name}(i: u32) -> f32 {
  let b = i >> 5u; let j = i & 31u;
  let d = half_${name}(17u * b);
  return d * f32(bitcast<i32>(byte_${name}(34u * b + 2u + j) << 24u) >> 24u);
}
fn ld4_${name}(i: u32) -> vec4<f32> {
  let b = i >> 5u; let j = i & 31u;
  let d = half_${name}(17u * b);
  let x = word2_${name}(34u * b + 2u + j);
  let q = vec4<i32>(bitcast<i32>(x << 24u) >> 24u, bitcast<i32>(x << 16u) >> 24u, bitcast<i32>(x << 8u) >> 24u, bitcast<i32>(x) >> 24u);
  return d * vec4<f32>(q);
}`;
    case 'q4_0':
      return `${bytes(name)}
fn ld_${name}(i: u32) -> f32 {
  let b = i >> 5u; let j = i & 31u;
  let d = half_${name}(9u * b);
  let nib = (byte_${name}(18u * b + 2u + (j & 15u)) >> select(0u, 4u, j >= 16u)) & 15u;
  return d * (f32(nib) - 8.0);
}
fn ld4_${name}(i: u32) -> vec4<f32> {
  let b = i >> 5u; let j = i & 31u;
  let d = half_${name}(9u * b);
  let x = word2_${name}(18u * b + 2u + (j & 15u)) >> select(0u, 4u, j >= 16u);
  let q = vec4<u32>(x & 15u, (x >> 8u) & 15u, (x >> 16u) & 15u, (x >> 24u) & 15u);
  return d * (vec4<f32>(q) - vec4<f32>(8.0));
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
