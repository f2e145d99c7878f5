import { DeviceError } from '@weft/core';
import type {} from './gpu-types.js';

/**
 * A size-bucketed pool of storage buffers. Sizes round up to the next of {2^k, 1.5·2^k}
 * (≤ 33% waste) so a decode loop that allocates the same shapes every step reuses buffers
 * instead of creating new ones. Every GPUBuffer this pool creates is counted until
 * `destroy()`ed: `stats().allocated` is the live GPU-buffer count the leak tests watch.
 */
export class BufferPool {
  private readonly free = new Map<number, GPUBuffer[]>();
  private allocated = 0;
  private inUse = 0;
  private bytesAllocated = 0;

  constructor(
    private readonly device: GPUDevice,
    private readonly usage: number,
    private readonly maxBytes: number,
    private readonly label: string,
  ) {}

  /** Bucket size for a request of `bytes` (at least 16, 4-byte aligned). */
  static bucket(bytes: number): number {
    const b = Math.max(16, Math.ceil(bytes / 4) * 4);
    if (b <= 256) return Math.ceil(b / 16) * 16;
    const p = 2 ** Math.ceil(Math.log2(b));
    const mid = (p / 4) * 3;
    return b <= mid ? mid : p;
  }

  /** A buffer of at least `bytes`; throws DeviceError('limits') above the adapter's limit. */
  acquire(bytes: number, what: string): GPUBuffer {
    if (bytes > this.maxBytes) {
      throw new DeviceError(
        'limits',
        `${what} needs ${bytes} bytes in one buffer, but this adapter allows at most ${this.maxBytes} bytes per storage binding`,
        'Split the tensor (e.g. shard the vocabulary/embedding), use quantized weights (q8_0/q4_0), or use the CPU backend for this model.',
      );
    }
    let size = BufferPool.bucket(bytes);
    if (size > this.maxBytes) size = Math.ceil(bytes / 4) * 4;
    const list = this.free.get(size);
    this.inUse++;
    const reused = list?.pop();
    if (reused) return reused;
    this.allocated++;
    this.bytesAllocated += size;
    return this.device.createBuffer({ size, usage: this.usage, label: `${this.label}:${what}` });
  }

  /** Returns a buffer for reuse. */
  release(buffer: GPUBuffer): void {
    this.inUse--;
    let list = this.free.get(buffer.size);
    if (!list) this.free.set(buffer.size, (list = []));
    list.push(buffer);
  }

  /** Destroys the cached free buffers (in-use buffers stay valid). */
  trim(): void {
    for (const list of this.free.values()) {
      for (const b of list) {
        this.bytesAllocated -= b.size;
        this.allocated--;
        b.destroy();
      }
    }
    this.free.clear();
  }

  stats(): { allocated: number; inUse: number; pooled: number; bytes: number } {
    return { allocated: this.allocated, inUse: this.inUse, pooled: this.allocated - this.inUse, bytes: this.bytesAllocated };
  }
}
