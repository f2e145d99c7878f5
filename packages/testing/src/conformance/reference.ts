import { bf16ToF32, type DType, f16ToF32, f32ToBf16, f32ToF16 } from '@weft/core';

/**
 * Float64 references of the elementary Backend ops, written the obvious way (no blocking, no
 * reuse), plus GGML quantisers that produce test weights. Shape legend: M rows, K input
 * features, N output features, C channels, V vocab.
 */

/** out[m,n] = Σ_k x[m,k]·w[n,k] in float64. */
export function matmulRef(x: ArrayLike<number>, w: ArrayLike<number>, M: number, N: number, K: number): Float64Array {
  const out = new Float64Array(M * N);
  for (let m = 0; m < M; m++)
    for (let n = 0; n < N; n++) {
      let acc = 0;
      for (let k = 0; k < K; k++) acc += x[m * K + k]! * w[n * K + k]!;
      out[m * N + n] = acc;
    }
  return out;
}

export function rmsNormRef(x: ArrayLike<number>, w: ArrayLike<number>, C: number, eps: number): Float64Array {
  const out = new Float64Array(x.length);
  for (let o = 0; o < x.length; o += C) {
    let ss = 0;
    for (let i = 0; i < C; i++) ss += x[o + i]! ** 2;
    const inv = 1 / Math.sqrt(ss / C + eps);
    for (let i = 0; i < C; i++) out[o + i] = w[i]! * x[o + i]! * inv;
  }
  return out;
}

export function layerNormRef(
  x: ArrayLike<number>,
  w: ArrayLike<number>,
  b: ArrayLike<number>,
  C: number,
  eps: number,
): Float64Array {
  const out = new Float64Array(x.length);
  for (let o = 0; o < x.length; o += C) {
    let mean = 0;
    for (let i = 0; i < C; i++) mean += x[o + i]!;
    mean /= C;
    let v = 0;
    for (let i = 0; i < C; i++) v += (x[o + i]! - mean) ** 2;
    const inv = 1 / Math.sqrt(v / C + eps);
    for (let i = 0; i < C; i++) out[o + i] = (x[o + i]! - mean) * inv * w[i]! + b[i]!;
  }
  return out;
}

export function softmaxRef(x: ArrayLike<number>, C: number): Float64Array {
  const out = new Float64Array(x.length);
  for (let o = 0; o < x.length; o += C) {
    let max = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < C; i++) max = Math.max(max, x[o + i]!);
    let sum = 0;
    for (let i = 0; i < C; i++) sum += Math.exp(x[o + i]! - max);
    for (let i = 0; i < C; i++) out[o + i] = Math.exp(x[o + i]! - max) / sum;
  }
  return out;
}

export const silu = (x: number): number => x / (1 + Math.exp(-x));
export const geluTanh = (x: number): number => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));

/** Test weights in `dtype` from f32 values: the raw bytes and the values they decode to. */
export interface EncodedWeights {
  readonly data: Float32Array | Uint16Array | Uint8Array;
  /** What the stored weights mean (after f16 rounding / quantisation), in float64. */
  readonly values: Float64Array;
}

/** Encodes f32 values [N,K] as dtype (f32, f16, bf16, q8_0, q4_0; K % 32 == 0 for blocks). */
export function encodeWeights(src: Float32Array, dtype: DType): EncodedWeights {
  switch (dtype) {
    case 'f32':
      return { data: src.slice(), values: Float64Array.from(src) };
    case 'f16': {
      const data = Uint16Array.from(src, (v) => f32ToF16(v));
      return { data, values: Float64Array.from(data, (b) => f16ToF32(b)) };
    }
    case 'bf16': {
      const data = Uint16Array.from(src, (v) => f32ToBf16(v));
      return { data, values: Float64Array.from(data, (b) => bf16ToF32(b)) };
    }
    case 'q8_0':
    case 'q4_0':
      return quantize(src, dtype);
    default:
      throw new Error(`encodeWeights: unsupported dtype ${dtype}`);
  }
}

/** GGML q8_0 (d = amax/127, q = round(x/d)) and q4_0 (d = max/−8, q = trunc(x/d + 8.5) clamped to 15). */
function quantize(src: Float32Array, dtype: 'q8_0' | 'q4_0'): EncodedWeights {
  if (src.length % 32 !== 0) throw new Error('quantize: length must be a multiple of 32');
  const blockBytes = dtype === 'q8_0' ? 34 : 18;
  const data = new Uint8Array((src.length / 32) * blockBytes);
  const values = new Float64Array(src.length);
  for (let b = 0; b < src.length / 32; b++) {
    const x = src.subarray(b * 32, b * 32 + 32);
    const p = b * blockBytes;
    let amax = 0;
    let max = 0;
    for (const v of x) if (Math.abs(v) > amax) [amax, max] = [Math.abs(v), v];
    const d = dtype === 'q8_0' ? amax / 127 : max / -8;
    const bits = f32ToF16(d);
    const dq = f16ToF32(bits);
    data[p] = bits & 0xff;
    data[p + 1] = bits >> 8;
    const id = d ? 1 / d : 0;
    for (let j = 0; j < 32; j++) {
      if (dtype === 'q8_0') {
        const q = Math.max(-128, Math.min(127, Math.round(x[j]! * id)));
        data[p + 2 + j] = q & 0xff;
        values[b * 32 + j] = dq * q;
      } else {
        const q = Math.min(15, Math.max(0, Math.trunc(x[j]! * id + 8.5)));
        if (j < 16) data[p + 2 + j]! |= q;
        else data[p + 2 + j - 16]! |= q << 4;
        values[b * 32 + j] = dq * (q - 8);
      }
    }
  }
  return { data, values };
}
