import type { DType, HostArray } from './dtype.js';
import type { AttentionSpec, PositionalSpec, RopeScaling } from './specs.js';

/**
 * Shape legend used in every op doc:
 * T = query tokens, S = key/value slots (cache capacity), H = query heads, Hkv = key/value
 * heads, D = head dim, C = channels (model dim), N = output features, K = input features,
 * V = vocab size.
 */

/**
 * A tensor lives on the backend that made it (host memory for CPU, a GPU buffer for
 * WebGPU). Read it back with {@link Backend.read}; release it with `dispose()` or a
 * {@link Backend.tidy} scope.
 */
export interface Tensor {
  readonly shape: readonly number[];
  readonly dtype: DType;
  /** Name of the backend that owns the storage. */
  readonly backend: string;
  readonly disposed: boolean;
  dispose(): void;
}

/** Anything a tidy scope may return: kept tensors survive the scope. */
export type TensorContainer =
  | Tensor
  // biome-ignore lint/suspicious/noConfusingVoidType: tidy(() => { ... }) callbacks return void
  | void
  | undefined
  | readonly TensorContainer[]
  | { readonly [key: string]: TensorContainer };

/** What a backend can do. */
export interface BackendInfo {
  readonly name: string;
  /** Whether the backend computes f16 natively (shader-f16 on WebGPU). */
  readonly f16: boolean;
  /** Largest single allocation in bytes. */
  readonly maxBufferBytes: number;
  /** Human-readable device description (adapter name, "JS" for CPU). */
  readonly device: string;
}

/** Arguments of one attention call. */
export interface AttentionCall {
  readonly spec: AttentionSpec;
  /** Absolute position of the first query row (tokens already in the cache before this call). */
  readonly queryOffset: number;
  /** Valid key/value rows (≤ S). */
  readonly kvLength: number;
  /** Logit scale; defaults to 1/sqrt(D). */
  readonly scale?: number;
  /** Additive positional bias on logits (ALiBi or T5 buckets), computed from positions. */
  readonly bias?: Extract<PositionalSpec, { kind: 'alibi' } | { kind: 't5-relative' }> & {
    /** T5 only: learned bucket table [buckets, H]. */
    readonly table?: Float32Array;
  };
  /**
   * Padding mask over key rows (length ≥ kvLength): 0 marks a padding slot no query may attend.
   * A query row that can see no key at all yields zeros.
   */
  readonly keyMask?: Uint8Array;
  /** Receives attention probabilities [H, T, kvLength] when set (interpretability). */
  readonly capture?: (probs: Float32Array, shape: readonly [number, number, number]) => void;
}

/** RoPE application arguments. */
export interface RopeCall {
  readonly base: number;
  readonly layout: 'pairs' | 'halves';
  readonly rotaryDim?: number;
  readonly scaling?: RopeScaling;
  /** Position of the first row. */
  readonly offset: number;
  /**
   * Sequence length that length-dependent scaling (dynamic NTK) sees; defaults to
   * `offset + T`, as Hugging Face uses `max(position_ids) + 1`.
   */
  readonly seqLen?: number;
}

/**
 * The narrow contract every runtime implements. Ops enqueue work and return new tensors
 * synchronously; only {@link Backend.read} waits, so GPU backends can batch submissions.
 */
export interface Backend {
  readonly info: BackendInfo;

  /** Copies host data into a new tensor. f16/bf16 take raw bits (Uint16Array). */
  fromHost(data: HostArray, shape: readonly number[], dtype?: DType): Tensor;
  /** A zero-filled tensor. */
  zeros(shape: readonly number[], dtype?: DType): Tensor;
  /** Reads a tensor back; f32 comes back as Float32Array, i32 as Int32Array, others raw. */
  read(t: Tensor): Promise<HostArray>;
  /** Same storage, new shape (element count must match). */
  reshape(t: Tensor, shape: readonly number[]): Tensor;
  /** Runs `fn`, then disposes every tensor it created except those it returns. */
  tidy<T extends TensorContainer>(fn: () => T): T;
  /** Live (undisposed) tensors owned by this backend: for leak tests. */
  liveTensors(): number;
  /** Releases everything this backend holds. */
  dispose(): void;

  /** x:[M,K] · wᵀ with w:[N,K] (PyTorch Linear layout; f32, f16, q8_0 or q4_0) → [M,N]. */
  matmul(x: Tensor, w: Tensor): Tensor;
  /** Rows of table:[V,C] (any float or quantized dtype) for ids → f32 [T,C]. */
  gather(table: Tensor, ids: Int32Array): Tensor;
  /** x:[T,C] normalised by root-mean-square over C, times w:[C]. */
  rmsNorm(x: Tensor, w: Tensor, eps: number): Tensor;
  /** x:[T,C] layer-normalised over C, times w, plus b. */
  layerNorm(x: Tensor, w: Tensor, b: Tensor, eps: number): Tensor;
  /** Elementwise a + b (b may be a row vector [C] broadcast over rows). */
  add(a: Tensor, b: Tensor): Tensor;
  /** Elementwise a · b (b may be a row vector [C]). */
  mul(a: Tensor, b: Tensor): Tensor;
  /** silu(gate) · up, elementwise. */
  swiglu(gate: Tensor, up: Tensor): Tensor;
  /** GELU (tanh approximation), elementwise. */
  gelu(x: Tensor): Tensor;
  /** Softmax over the last axis. */
  softmax(x: Tensor): Tensor;
  /** Rows [start, start+count) of x:[T,...]. */
  sliceRows(x: Tensor, start: number, count: number): Tensor;
  /** Writes src:[T,...] into dst:[S,...] at row `row` (KV-cache append). */
  writeRows(dst: Tensor, src: Tensor, row: number): void;
  /** Rotary embedding of x:[T,H,D], positions offset..offset+T-1. */
  rope(x: Tensor, call: RopeCall): Tensor;
  /** Attention of q:[T,H,D] over k,v:[S,Hkv,D] → [T,H,D]. */
  attention(q: Tensor, k: Tensor, v: Tensor, call: AttentionCall): Tensor;
}
