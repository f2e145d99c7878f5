import type { DType, Tensor } from '@weft/core';
import type {} from './gpu-types.js';

/** A GPU buffer shared by a tensor and its reshaped views; returned to the pool at refcount 0. */
export class Storage {
  refs = 1;
  /** Lowest row written (writeRows) since a running linear-attention state last folded this buffer. */
  lowestWrite = Number.POSITIVE_INFINITY;
  /** Called once when the buffer goes back to the pool (drops states derived from it). */
  readonly onRelease: (() => void)[] = [];
  constructor(
    readonly buffer: GPUBuffer,
    readonly bytes: number,
    private readonly release: (b: GPUBuffer) => void,
  ) {}
  retain(): this {
    this.refs++;
    return this;
  }
  drop(): void {
    if (--this.refs === 0) {
      for (const f of this.onRelease.splice(0)) f();
      this.release(this.buffer);
    }
  }
}

/** A tensor whose data lives in a GPU storage buffer. */
export class GpuTensor implements Tensor {
  readonly backend = 'webgpu';
  private _disposed = false;
  constructor(
    readonly shape: readonly number[],
    readonly dtype: DType,
    /**
     * dtype of the bytes in `storage`: `dtype`, except f32 tensors of an f16-precision
     * backend, which are stored as f16 (and widened again by `read()`).
     */
    readonly stored: DType,
    readonly storage: Storage,
    /** Device generation that created it (tensors die with their device). */
    readonly generation: number,
    private readonly onDispose: (t: GpuTensor) => void,
  ) {}
  get disposed(): boolean {
    return this._disposed;
  }
  get size(): number {
    let n = 1;
    for (const d of this.shape) n *= d;
    return n;
  }
  dispose(): void {
    if (this._disposed) return;
    this._disposed = true;
    this.storage.drop();
    this.onDispose(this);
  }
}
