/**
 * Element types. Quantized block types store `blockSize` weights in `blockBytes` bytes
 * (GGML layouts: q8_0 = f16 scale + 32 × i8; q4_0 = f16 scale + 16 bytes of nibbles).
 */
export type DType = 'f32' | 'f16' | 'bf16' | 'i32' | 'u8' | 'q8_0' | 'q4_0';

/** Layout facts for each dtype. */
export interface DTypeInfo {
  /** Elements per block (1 for plain types). */
  readonly blockSize: number;
  /** Bytes per block. */
  readonly blockBytes: number;
  readonly quantized: boolean;
}

export const DTYPES: Readonly<Record<DType, DTypeInfo>> = {
  f32: { blockSize: 1, blockBytes: 4, quantized: false },
  f16: { blockSize: 1, blockBytes: 2, quantized: false },
  bf16: { blockSize: 1, blockBytes: 2, quantized: false },
  i32: { blockSize: 1, blockBytes: 4, quantized: false },
  u8: { blockSize: 1, blockBytes: 1, quantized: false },
  q8_0: { blockSize: 32, blockBytes: 34, quantized: true },
  q4_0: { blockSize: 32, blockBytes: 18, quantized: true },
};

/** Number of bytes `numel` elements of `dtype` occupy. */
export function byteLength(dtype: DType, numel: number): number {
  const info = DTYPES[dtype];
  return Math.ceil(numel / info.blockSize) * info.blockBytes;
}

/** Product of a shape's dimensions. */
export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Host-side storage matching a dtype (f16/bf16/quantized are raw bits). */
export type HostArray = Float32Array | Int32Array | Uint16Array | Uint8Array;
