import { bf16ToF32, type DType, f16ToF32, f32ToF16, type HostArray, ShapeError } from '@weft/core';

/**
 * Row dequantisation for weights stored as [N,K]: f32, f16/bf16 (raw bits), and GGML blocks.
 * q8_0 block (34 B): f16 scale d, then 32 × i8 q → d·q.
 * q4_0 block (18 B): f16 scale d, then 16 bytes; byte j holds element j (low nibble) and
 * element j+16 (high nibble) → d·(nibble − 8).
 */

const F16_TABLE = (() => {
  const t = new Float32Array(65536);
  for (let i = 0; i < 65536; i++) t[i] = f16ToF32(i);
  return t;
})();

/** f16 bits → f32 through a lookup table (hot path). */
export function halfToFloat(bits: number): number {
  return F16_TABLE[bits & 0xffff]!;
}

/** Writes row `n` of a [N,K] weight into `out` (length K) as f32. */
export function dequantizeRow(dtype: DType, data: HostArray, n: number, K: number, out: Float32Array): void {
  switch (dtype) {
    case 'f32': {
      const src = data as Float32Array;
      out.set(src.subarray(n * K, n * K + K));
      return;
    }
    case 'f16': {
      const src = data as Uint16Array;
      const o = n * K;
      for (let k = 0; k < K; k++) out[k] = F16_TABLE[src[o + k]!]!;
      return;
    }
    case 'bf16': {
      const src = data as Uint16Array;
      const o = n * K;
      for (let k = 0; k < K; k++) out[k] = bf16ToF32(src[o + k]!);
      return;
    }
    case 'q8_0': {
      const bytes = data as Uint8Array;
      const blocks = K / 32;
      let p = n * blocks * 34;
      for (let b = 0; b < blocks; b++) {
        const d = F16_TABLE[bytes[p]! | (bytes[p + 1]! << 8)]!;
        p += 2;
        for (let j = 0; j < 32; j++) {
          const q = bytes[p + j]!;
          out[b * 32 + j] = d * (q > 127 ? q - 256 : q);
        }
        p += 32;
      }
      return;
    }
    case 'q4_0': {
      const bytes = data as Uint8Array;
      const blocks = K / 32;
      let p = n * blocks * 18;
      for (let b = 0; b < blocks; b++) {
        const d = F16_TABLE[bytes[p]! | (bytes[p + 1]! << 8)]!;
        p += 2;
        for (let j = 0; j < 16; j++) {
          const byte = bytes[p + j]!;
          out[b * 32 + j] = d * ((byte & 0x0f) - 8);
          out[b * 32 + j + 16] = d * ((byte >> 4) - 8);
        }
        p += 16;
      }
      return;
    }
    default:
      throw new ShapeError('dequantize', `cannot read rows of dtype ${dtype}`);
  }
}

/** Quantises f32 [N,K] to q8_0 blocks (K % 32 == 0), as GGML does (d = max|x|/127, round). */
export function quantizeQ8_0(src: Float32Array, N: number, K: number): Uint8Array {
  if (K % 32 !== 0) throw new ShapeError('quantizeQ8_0', `K=${K} is not a multiple of 32`);
  const out = new Uint8Array(N * (K / 32) * 34);
  const view = new DataView(out.buffer);
  let p = 0;
  for (let i = 0; i < N * K; i += 32) {
    let amax = 0;
    for (let j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(src[i + j]!));
    const d = amax / 127;
    const id = d ? 1 / d : 0;
    view.setUint16(p, f32ToF16(d), true);
    p += 2;
    for (let j = 0; j < 32; j++) out[p + j] = Math.round(src[i + j]! * id) & 0xff;
    p += 32;
  }
  return out;
}

/** Quantises f32 [N,K] to q4_0 blocks (K % 32 == 0), as GGML does (d = max/−8 by signed max). */
export function quantizeQ4_0(src: Float32Array, N: number, K: number): Uint8Array {
  if (K % 32 !== 0) throw new ShapeError('quantizeQ4_0', `K=${K} is not a multiple of 32`);
  const out = new Uint8Array(N * (K / 32) * 18);
  const view = new DataView(out.buffer);
  let p = 0;
  for (let i = 0; i < N * K; i += 32) {
    let amax = 0;
    let max = 0;
    for (let j = 0; j < 32; j++) {
      const v = src[i + j]!;
      if (Math.abs(v) > amax) {
        amax = Math.abs(v);
        max = v;
      }
    }
    const d = max / -8;
    const id = d ? 1 / d : 0;
    view.setUint16(p, f32ToF16(d), true);
    p += 2;
    for (let j = 0; j < 16; j++) {
      const a = Math.min(15, Math.trunc(src[i + j]! * id + 8.5));
      const b = Math.min(15, Math.trunc(src[i + j + 16]! * id + 8.5));
      out[p + j] = a | (b << 4);
    }
    p += 16;
  }
  return out;
}
