import type { DeviceError } from '@weft/core';
import { fromGpuError, lost } from './errors.js';
import type {} from './gpu-types.js';
import type { Precision } from './kernels/common.js';
import { PipelineCache } from './pipelines.js';
import { BufferPool } from './pool.js';

/** Uniform parameters of one dispatch: 32-bit words, u32/i32/f32 by index. */
export class Params {
  readonly buffer: ArrayBuffer;
  readonly u: Uint32Array;
  readonly i: Int32Array;
  readonly f: Float32Array;
  constructor(words: number) {
    this.buffer = new ArrayBuffer(Math.max(16, Math.ceil(words / 4) * 16));
    this.u = new Uint32Array(this.buffer);
    this.i = new Int32Array(this.buffer);
    this.f = new Float32Array(this.buffer);
  }
}

const ARENA_BYTES = 64 * 1024;
const MAX_DISPATCHES = 192;

/**
 * Device-level machinery shared by every op: the buffer pools, the pipeline cache and the
 * batched command encoder. Ops record compute passes into one encoder; it is submitted when
 * a result is read, when host data must be uploaded after pending work, or every
 * {@link MAX_DISPATCHES} dispatches. Uniform parameters of a batch live in one arena buffer
 * written just before the batch is submitted (queue order keeps earlier batches intact).
 */
export class Runtime {
  readonly storage: BufferPool;
  readonly staging: BufferPool;
  readonly pipelines: PipelineCache;
  private readonly arena: GPUBuffer;
  private readonly arenaHost = new Uint8Array(ARENA_BYTES);
  private readonly align: number;
  private encoder: GPUCommandEncoder | null = null;
  /** The open compute pass: consecutive dispatches share one pass (copies close it). */
  private pass: GPUComputePassEncoder | null = null;
  private arenaUsed = 0;
  private dispatches = 0;
  private scopes: Promise<DeviceError | null>[] = [];
  private uncaptured: DeviceError | null = null;
  lostError: DeviceError | null = null;
  /** Total queue submissions (for tests and the docs' batching claims). */
  submissions = 0;

  constructor(
    readonly device: GPUDevice,
    maxStorageBytes: number,
    /**
     * Prefer kernels without workgroup barriers (software adapters such as SwiftShader and
     * lavapipe run each barrier as a fiber switch per invocation).
     */
    readonly barrierFree = false,
    /** Storage and arithmetic precision of activations (see kernels/common.ts). */
    readonly precision: Precision = 'f32',
  ) {
    this.align = device.limits.minUniformBufferOffsetAlignment;
    const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
    this.storage = new BufferPool(device, usage, maxStorageBytes, 'weft');
    this.staging = new BufferPool(
      device,
      GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
      device.limits.maxBufferSize,
      'weft-read',
    );
    this.pipelines = new PipelineCache(device);
    this.arena = device.createBuffer({
      size: ARENA_BYTES,
      usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
      label: 'weft-params',
    });
    device.addEventListener?.('uncapturederror', (ev: Event) => {
      const e = (ev as GPUUncapturedErrorEvent).error;
      this.uncaptured ??= fromGpuError(e, 'uncaptured');
    });
    device.lost.then((info) => {
      this.lostError = lost(`${info.reason}${info.message ? `: ${info.message}` : ''}`);
    });
  }

  /** Throws the typed error if the device is gone. */
  assertAlive(): void {
    if (this.lostError) throw this.lostError;
  }

  private endPass(): void {
    this.pass?.end();
    this.pass = null;
  }

  private open(): GPUCommandEncoder {
    if (!this.encoder) {
      this.device.pushErrorScope('out-of-memory');
      this.device.pushErrorScope('validation');
      this.encoder = this.device.createCommandEncoder();
    }
    return this.encoder;
  }

  /** Records one compute dispatch: binding 0 = params (if any), then the storage buffers in order. */
  dispatch(
    pipeline: GPUComputePipeline,
    params: Params | null,
    buffers: readonly GPUBuffer[],
    groups: readonly [number, number?, number?],
  ): void {
    this.assertAlive();
    const size = params ? params.buffer.byteLength : 0;
    if (params && this.arenaUsed + size > ARENA_BYTES) this.flush();
    const enc = this.open();
    const entries: GPUBindGroupEntry[] = [];
    let binding = 0;
    if (params) {
      this.arenaHost.set(new Uint8Array(params.buffer), this.arenaUsed);
      entries.push({ binding: binding++, resource: { buffer: this.arena, offset: this.arenaUsed, size } });
      this.arenaUsed += Math.ceil(size / this.align) * this.align;
    }
    for (const b of buffers) entries.push({ binding: binding++, resource: { buffer: b } });
    const bindGroup = this.device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries });
    this.pass ??= enc.beginComputePass();
    this.pass.setPipeline(pipeline);
    this.pass.setBindGroup(0, bindGroup);
    this.pass.dispatchWorkgroups(groups[0], groups[1] ?? 1, groups[2] ?? 1);
    if (++this.dispatches >= MAX_DISPATCHES) this.flush();
  }

  /** Records a buffer-to-buffer copy in the current batch. */
  copy(src: GPUBuffer, srcOffset: number, dst: GPUBuffer, dstOffset: number, bytes: number): void {
    this.assertAlive();
    const enc = this.open();
    this.endPass();
    enc.copyBufferToBuffer(src, srcOffset, dst, dstOffset, bytes);
  }

  /** Records a zero fill in the current batch. */
  clear(buffer: GPUBuffer, offset: number, bytes: number): void {
    this.assertAlive();
    const enc = this.open();
    this.endPass();
    enc.clearBuffer(buffer, offset, bytes);
  }

  /** Submits recorded work (params first, then the commands). */
  flush(): void {
    if (!this.encoder) return;
    this.endPass();
    if (this.arenaUsed > 0) this.device.queue.writeBuffer(this.arena, 0, this.arenaHost, 0, this.arenaUsed);
    this.device.queue.submit([this.encoder.finish()]);
    this.submissions++;
    const validation = this.device.popErrorScope();
    const oom = this.device.popErrorScope();
    this.scopes.push(
      Promise.all([validation, oom]).then(
        ([v, o]) => (o ? fromGpuError(o, 'GPU work') : v ? fromGpuError(v, 'GPU work') : null),
        () => null,
      ),
    );
    this.encoder = null;
    this.arenaUsed = 0;
    this.dispatches = 0;
  }

  /** Uploads host bytes after all recorded work (so a reused pooled buffer is never overwritten early). */
  write(buffer: GPUBuffer, offset: number, data: ArrayBufferView): void {
    this.assertAlive();
    this.flush();
    const bytes = new Uint8Array(data.buffer as ArrayBuffer, data.byteOffset, data.byteLength);
    const aligned = bytes.byteLength & ~3;
    if (aligned > 0) this.device.queue.writeBuffer(buffer, offset, bytes, 0, aligned);
    if (aligned < bytes.byteLength) {
      const tail = new Uint8Array(4);
      tail.set(bytes.subarray(aligned));
      this.device.queue.writeBuffer(buffer, offset + aligned, tail);
    }
  }

  /** Waits for every submitted batch's error scopes; throws the first error. */
  async checkErrors(): Promise<void> {
    const scopes = this.scopes;
    this.scopes = [];
    const errors = await Promise.all(scopes);
    const first = errors.find((e) => e !== null) ?? this.uncaptured;
    this.uncaptured = null;
    if (this.lostError) throw this.lostError;
    if (first) throw first;
  }

  /** Copies `bytes` of a buffer to the host. */
  async readBytes(buffer: GPUBuffer, offset: number, bytes: number): Promise<Uint8Array> {
    this.assertAlive();
    const size = Math.max(4, Math.ceil(bytes / 4) * 4);
    const staging = this.staging.acquire(size, 'read');
    const enc = this.open();
    this.endPass();
    enc.copyBufferToBuffer(buffer, offset, staging, 0, Math.min(size, buffer.size - offset));
    this.flush();
    try {
      await staging.mapAsync(GPUMapMode.READ, 0, size);
    } catch (e) {
      await Promise.resolve();
      if (this.lostError || this.device.lost === undefined) throw this.lostError ?? lost(String(e));
      await this.checkErrors();
      throw lost(`mapAsync failed: ${(e as Error).message}`);
    }
    const out = new Uint8Array(staging.getMappedRange(0, size).slice(0, bytes));
    staging.unmap();
    this.staging.release(staging);
    await this.checkErrors();
    return out;
  }

  destroy(): void {
    this.pass = null;
    this.encoder = null;
    this.storage.trim();
    this.staging.trim();
    this.arena.destroy();
  }
}
