import {
  type AttentionCall,
  type Backend,
  type BackendInfo,
  byteLength,
  DeviceError,
  DTYPES,
  type DType,
  f16ArrayToF32,
  f32ArrayToF16,
  type HostArray,
  numel,
  type RopeCall,
  ShapeError,
  type Tensor,
  type TensorContainer,
  TensorScopes,
} from '@weft/core';
import { runAttention, validateCall } from './attention.js';
import { lost } from './errors.js';
import type {} from './gpu-types.js';
import { actBytes, type Precision } from './kernels/common.js';
import { runCopyHalves } from './kernels/copy.js';
import { runBinary, runUnary } from './kernels/elementwise.js';
import { INLINE_IDS, runGather } from './kernels/gather.js';
import { runMatmul } from './kernels/matmul.js';
import { runNorm } from './kernels/norm.js';
import { runRope } from './kernels/rope.js';
import { runSoftmax } from './kernels/softmax.js';
import { LinearStates } from './linear-state.js';
import { RopeTables } from './rope-tables.js';
import { Runtime } from './runtime.js';
import { GpuTensor, Storage } from './tensor.js';

/** Acquires a device (first call and after loss). */
export type DeviceFactory = () => Promise<{ device: GPUDevice; adapterName: string; f16: boolean; software: boolean }>;

/** {@link BackendInfo} plus the WebGPU backend's precision. */
export interface WebGpuInfo extends BackendInfo {
  /**
   * Storage and arithmetic precision of activations, KV cache and f32 weights: `f32`, or `f16`
   * (stored as f16, products in f16, sums in f32; `createWebGpuBackend({ precision })`).
   * `f16` (inherited) says whether the device has `shader-f16`.
   */
  readonly precision: Precision;
}

/** Buffer and pipeline counters for leak tests and diagnostics. */
export interface WebGpuStats {
  readonly liveTensors: number;
  /** GPU storage buffers currently created (in use + pooled): the leak-test baseline. */
  readonly buffers: number;
  readonly buffersInUse: number;
  readonly bytes: number;
  readonly pipelines: number;
  readonly submissions: number;
  /** Running linear-attention states held for KV caches. */
  readonly linearStates: number;
}

/**
 * The WebGPU Backend. Ops record compute passes and return immediately; `read()` submits
 * and maps. Shape legend: M rows, K input features, N output features, T tokens, C channels,
 * H heads, Hkv key/value heads, D head dim, S cache slots, V vocab.
 */
export class WebGpuBackend implements Backend {
  info: WebGpuInfo;
  private rt: Runtime;
  private generation = 0;
  private live = 0;
  private readonly scopes = new TensorScopes<GpuTensor>();
  private ropeTables: RopeTables;
  private linearStates: LinearStates;
  /** Capture deliveries in flight: read() resolves only after them. */
  private readonly captures = new Set<Promise<void>>();
  /** The newest pending capture delivery (the next one waits for it). */
  private lastCapture: Promise<void> = Promise.resolve();
  private disposed = false;

  /** @internal use createWebGpuBackend() */
  constructor(
    device: GPUDevice,
    adapterName: string,
    f16: boolean,
    private readonly factory: DeviceFactory,
    /** Kernel family in use (see WebGpuOptions.kernels). */
    readonly barrierFree = false,
    /** Precision of activations, KV cache and f32 weights (see WebGpuOptions.precision). */
    readonly precision: Precision = 'f32',
  ) {
    this.rt = new Runtime(device, device.limits.maxStorageBufferBindingSize, barrierFree, precision);
    this.info = WebGpuBackend.describe(device, adapterName, f16, precision);
    this.ropeTables = new RopeTables();
    this.linearStates = new LinearStates(this.rt, (data) => this.uploadStorage(data, 'linear state'));
  }

  private static describe(device: GPUDevice, adapterName: string, f16: boolean, precision: Precision): WebGpuInfo {
    return {
      name: 'webgpu',
      f16,
      precision,
      maxBufferBytes: Math.min(device.limits.maxStorageBufferBindingSize, device.limits.maxBufferSize),
      device: adapterName,
    };
  }

  /** The underlying GPUDevice (for interop and tests; owned by this backend). */
  get device(): GPUDevice {
    return this.rt.device;
  }

  /** Whether the device has been lost (every op then throws DeviceError('lost')). */
  get lost(): boolean {
    return this.rt.lostError !== null;
  }

  /**
   * Requests a fresh device after loss (or at will). Every tensor of the old device becomes
   * unusable (ops on it throw DeviceError('lost')); upload the weights again.
   */
  async recreate(): Promise<void> {
    const { device, adapterName, f16 } = await this.factory();
    try {
      this.rt.destroy();
    } catch {
      // the old device may already be gone
    }
    this.rt = new Runtime(device, device.limits.maxStorageBufferBindingSize, this.barrierFree, this.precision);
    this.info = WebGpuBackend.describe(device, adapterName, f16, this.precision);
    this.ropeTables = new RopeTables();
    this.linearStates = new LinearStates(this.rt, (data) => this.uploadStorage(data, 'linear state'));
    this.generation++;
    this.live = 0;
    this.scopes.clear();
  }

  stats(): WebGpuStats {
    const s = this.rt.storage.stats();
    return {
      liveTensors: this.live,
      buffers: s.allocated,
      buffersInUse: s.inUse,
      bytes: s.bytes,
      pipelines: this.rt.pipelines.size,
      submissions: this.rt.submissions,
      linearStates: this.linearStates.size,
    };
  }

  /** Submits recorded work now (reads do this themselves). */
  flush(): void {
    this.rt.flush();
  }

  /** Resolves when all submitted work has finished; surfaces GPU errors as DeviceError. */
  async sync(): Promise<void> {
    this.rt.flush();
    await this.rt.device.queue.onSubmittedWorkDone();
    await this.rt.checkErrors();
  }

  // ---------------------------------------------------------------- tensors

  private alloc(shape: readonly number[], dtype: DType, what: string): GpuTensor {
    this.rt.assertAlive();
    if (this.disposed)
      throw new DeviceError('lost', 'this WebGPU backend was disposed', 'create a new backend with createWebGpuBackend()');
    const stored = this.storedType(dtype);
    const bytes = Math.max(4, byteLength(stored, numel(shape)));
    const buffer = this.rt.storage.acquire(bytes, `${what} ${stored}[${shape.join(',')}]`);
    return this.wrap(new Storage(buffer, bytes, (b) => this.rt.storage.release(b)), shape, dtype);
  }

  /** The dtype f32 tensors are stored as: f16 at f16 precision. */
  private storedType(dtype: DType): DType {
    return dtype === 'f32' && this.precision === 'f16' ? 'f16' : dtype;
  }

  private wrap(storage: Storage, shape: readonly number[], dtype: DType): GpuTensor {
    const gen = this.generation;
    const t = new GpuTensor([...shape], dtype, this.storedType(dtype), storage, gen, () => {
      if (gen === this.generation) this.live--;
    });
    this.live++;
    this.scopes.track(t);
    return t;
  }

  private own(t: Tensor, op: string): GpuTensor {
    if (!(t instanceof GpuTensor))
      throw new ShapeError(
        op,
        `tensor belongs to backend '${t.backend}', not 'webgpu'`,
        'move it with fromHost(await other.read(t), ...)',
      );
    if (t.disposed)
      throw new ShapeError(
        op,
        `tensor [${t.shape.join(',')}] was already disposed`,
        'keep it alive (return it from tidy(), or do not dispose it) while it is used',
      );
    if (t.generation !== this.generation)
      throw lost('the tensor belongs to a device that was lost or replaced; upload it again after recreate()');
    this.rt.assertAlive();
    return t;
  }

  private f32(t: Tensor, op: string): GpuTensor {
    const g = this.own(t, op);
    if (g.dtype !== 'f32') throw new ShapeError(op, `expected an f32 tensor, got ${g.dtype}`);
    return g;
  }

  /** Backend-owned upload (not a user tensor): rope tables and other cached constants. */
  private uploadStorage(data: Float32Array, what: string): Storage {
    const bytes = Math.max(4, data.byteLength);
    const buffer = this.rt.storage.acquire(bytes, what);
    this.rt.write(buffer, 0, data);
    return new Storage(buffer, bytes, (b) => this.rt.storage.release(b));
  }

  fromHost(data: HostArray, shape: readonly number[], dtype: DType = data instanceof Int32Array ? 'i32' : 'f32'): Tensor {
    const expected = byteLength(dtype, numel(shape));
    if (data.byteLength !== expected) {
      throw new ShapeError('fromHost', `${data.byteLength} bytes given for ${dtype}[${shape.join(',')}], expected ${expected}`);
    }
    const t = this.alloc(shape, dtype, 'fromHost');
    if (expected === 0) return t;
    if (t.stored === dtype) this.rt.write(t.storage.buffer, 0, data);
    else {
      // f32 at f16 precision: rounded to f16 (nearest even) on the host, half the upload
      const f32 =
        data instanceof Float32Array ? data : new Float32Array(data.buffer.slice(data.byteOffset, data.byteOffset + expected));
      this.rt.write(t.storage.buffer, 0, f32ArrayToF16(f32));
    }
    return t;
  }

  zeros(shape: readonly number[], dtype: DType = 'f32'): Tensor {
    const t = this.alloc(shape, dtype, 'zeros');
    this.rt.clear(t.storage.buffer, 0, t.storage.buffer.size);
    return t;
  }

  async read(t: Tensor): Promise<HostArray> {
    const g = this.own(t, 'read');
    const bytes = byteLength(g.stored, g.size);
    const raw = await this.rt.readBytes(g.storage.buffer, 0, bytes);
    if (this.captures.size > 0) await Promise.all([...this.captures]);
    if (g.dtype === 'f32' && g.stored === 'f16') return f16ArrayToF32(new Uint16Array(raw.buffer, 0, g.size));
    switch (g.dtype) {
      case 'f32':
        return new Float32Array(raw.buffer, 0, g.size);
      case 'i32':
        return new Int32Array(raw.buffer, 0, g.size);
      case 'f16':
      case 'bf16':
        return new Uint16Array(raw.buffer, 0, g.size);
      default:
        return raw;
    }
  }

  reshape(t: Tensor, shape: readonly number[]): Tensor {
    const g = this.own(t, 'reshape');
    if (numel(shape) !== g.size)
      throw new ShapeError(
        'reshape',
        `[${g.shape.join(',')}] has ${g.size} elements, [${shape.join(',')}] needs ${numel(shape)}`,
      );
    return this.wrap(g.storage.retain(), shape, g.dtype);
  }

  tidy<T extends TensorContainer>(fn: () => T): T {
    return this.scopes.tidy(fn);
  }

  liveTensors(): number {
    return this.live;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.rt.flush();
    this.rt.destroy();
    this.rt.device.destroy();
  }

  // ---------------------------------------------------------------- ops

  matmul(x: Tensor, w: Tensor): Tensor {
    const xg = this.f32(x, 'matmul');
    const wg = this.own(w, 'matmul');
    const K = xg.shape.at(-1)!;
    const M = xg.size / K;
    if (wg.shape.length !== 2 || wg.shape[1] !== K)
      throw new ShapeError('matmul', `x [..,${K}] · wᵀ needs w [N,${K}], got [${wg.shape.join(',')}]`);
    if (!['f32', 'f16', 'bf16', 'q8_0', 'q4_0'].includes(wg.dtype))
      throw new ShapeError('matmul', `weights of dtype ${wg.dtype} are not supported`, 'use f32, f16, bf16, q8_0 or q4_0');
    if (DTYPES[wg.dtype].quantized && K % 32 !== 0)
      throw new ShapeError('matmul', `${wg.dtype} weights need K % 32 == 0, got ${K}`);
    const N = wg.shape[0]!;
    const out = this.alloc([...xg.shape.slice(0, -1), N], 'f32', 'matmul');
    if (M > 0 && N > 0) runMatmul(this.rt, wg.stored, xg.storage.buffer, wg.storage.buffer, out.storage.buffer, M, N, K);
    return out;
  }

  gather(table: Tensor, ids: Int32Array): Tensor {
    const tg = this.own(table, 'gather');
    if (tg.shape.length !== 2) throw new ShapeError('gather', `table must be [V,C], got [${tg.shape.join(',')}]`);
    const [V, C] = tg.shape as [number, number];
    if (DTYPES[tg.dtype].quantized && C % 32 !== 0) throw new ShapeError('gather', `${tg.dtype} rows need C % 32 == 0, got ${C}`);
    if (tg.dtype === 'i32' || tg.dtype === 'u8') throw new ShapeError('gather', `cannot gather rows of dtype ${tg.dtype}`);
    for (let t = 0; t < ids.length; t++) {
      const id = ids[t]!;
      if (!(id >= 0 && id < V)) throw new ShapeError('gather', `token id ${id} outside the vocabulary [0, ${V})`);
    }
    const out = this.alloc([ids.length, C], 'f32', 'gather');
    if (ids.length === 0) return out;
    if (ids.length <= INLINE_IDS) runGather(this.rt, tg.stored, tg.storage.buffer, ids, null, out.storage.buffer, C);
    else {
      const idt = this.fromHost(ids, [ids.length], 'i32') as GpuTensor;
      runGather(this.rt, tg.stored, tg.storage.buffer, ids, idt.storage.buffer, out.storage.buffer, C);
      idt.dispose();
    }
    return out;
  }

  rmsNorm(x: Tensor, w: Tensor, eps: number): Tensor {
    const xg = this.f32(x, 'rmsNorm');
    const wg = this.f32(w, 'rmsNorm');
    const C = wg.size;
    if (xg.shape.at(-1) !== C) throw new ShapeError('rmsNorm', `x last dim ${xg.shape.at(-1)} ≠ weight ${C}`);
    const out = this.alloc(xg.shape, 'f32', 'rmsNorm');
    if (xg.size > 0) runNorm(this.rt, 'rms', xg.storage.buffer, wg.storage.buffer, null, out.storage.buffer, xg.size / C, C, eps);
    return out;
  }

  layerNorm(x: Tensor, w: Tensor, b: Tensor, eps: number): Tensor {
    const xg = this.f32(x, 'layerNorm');
    const wg = this.f32(w, 'layerNorm');
    const bg = this.f32(b, 'layerNorm');
    const C = wg.size;
    if (xg.shape.at(-1) !== C || bg.size !== C)
      throw new ShapeError('layerNorm', `x last dim ${xg.shape.at(-1)}, weight ${C}, bias ${bg.size} must agree`);
    const out = this.alloc(xg.shape, 'f32', 'layerNorm');
    if (xg.size > 0)
      runNorm(this.rt, 'layer', xg.storage.buffer, wg.storage.buffer, bg.storage.buffer, out.storage.buffer, xg.size / C, C, eps);
    return out;
  }

  private binary(a: Tensor, b: Tensor, op: 'add' | 'mul' | 'swiglu'): Tensor {
    const ag = this.f32(a, op);
    const bg = this.f32(b, op);
    const n = ag.size;
    const nb = bg.size;
    if (op === 'swiglu' ? nb !== n : nb !== n && (nb === 0 || n % nb !== 0 || bg.shape.at(-1) !== ag.shape.at(-1))) {
      throw new ShapeError(
        op,
        op === 'swiglu'
          ? `gate has ${n} elements, up ${nb}`
          : `cannot broadcast [${bg.shape.join(',')}] onto [${ag.shape.join(',')}]`,
      );
    }
    const out = this.alloc(ag.shape, 'f32', op);
    if (n > 0) runBinary(this.rt, op, ag.storage.buffer, bg.storage.buffer, out.storage.buffer, n, nb);
    return out;
  }

  add(a: Tensor, b: Tensor): Tensor {
    return this.binary(a, b, 'add');
  }

  mul(a: Tensor, b: Tensor): Tensor {
    return this.binary(a, b, 'mul');
  }

  swiglu(gate: Tensor, up: Tensor): Tensor {
    return this.binary(gate, up, 'swiglu');
  }

  gelu(x: Tensor): Tensor {
    const xg = this.f32(x, 'gelu');
    const out = this.alloc(xg.shape, 'f32', 'gelu');
    if (xg.size > 0) runUnary(this.rt, 'gelu', xg.storage.buffer, out.storage.buffer, xg.size);
    return out;
  }

  softmax(x: Tensor): Tensor {
    const xg = this.f32(x, 'softmax');
    const C = xg.shape.at(-1)!;
    const out = this.alloc(xg.shape, 'f32', 'softmax');
    if (xg.size > 0) runSoftmax(this.rt, xg.storage.buffer, out.storage.buffer, xg.size / C, C);
    return out;
  }

  sliceRows(x: Tensor, start: number, count: number): Tensor {
    const g = this.own(x, 'sliceRows');
    const rows = g.shape[0]!;
    if (!Number.isInteger(start) || !Number.isInteger(count) || start < 0 || count < 0 || start + count > rows) {
      throw new ShapeError('sliceRows', `rows [${start}, ${start + count}) outside [0, ${rows})`);
    }
    const rowBytes = rowByteLength(g);
    const out = this.alloc([count, ...g.shape.slice(1)], g.dtype, 'sliceRows');
    if (count > 0 && rowBytes > 0) this.copyBytes(g, start * rowBytes, out, 0, count * rowBytes);
    return out;
  }

  writeRows(dst: Tensor, src: Tensor, row: number): void {
    const d = this.own(dst, 'writeRows');
    const s = this.own(src, 'writeRows');
    const rowLen = d.size / d.shape[0]!;
    if (s.size % rowLen !== 0 || s.dtype !== d.dtype) {
      throw new ShapeError(
        'writeRows',
        `source [${s.shape.join(',')}] ${s.dtype} does not fit rows of [${d.shape.join(',')}] ${d.dtype}`,
      );
    }
    const count = s.size / rowLen;
    if (!Number.isInteger(row) || row < 0 || row + count > d.shape[0]!) {
      throw new ShapeError(
        'writeRows',
        `rows [${row}, ${row + count}) outside [0, ${d.shape[0]})`,
        'the KV cache is full: create it with a larger capacity',
      );
    }
    const rowBytes = rowByteLength(d);
    if (count > 0) this.copyBytes(s, 0, d, row * rowBytes, count * rowBytes);
    d.storage.lowestWrite = Math.min(d.storage.lowestWrite, row);
  }

  /**
   * Copies bytes between tensors: copyBufferToBuffer when offsets are 4-byte aligned and the
   * length is too (or the copy ends the destination's data, so the padding lands past it);
   * otherwise, for 2-byte granular copies (f16 rows of odd length, 34/18-byte GGML blocks),
   * a kernel that moves 16-bit halves without touching the neighbouring ones.
   */
  private copyBytes(src: GpuTensor, srcOffset: number, dst: GpuTensor, dstOffset: number, bytes: number): void {
    const dstData = byteLength(dst.stored, dst.size);
    if (srcOffset % 4 === 0 && dstOffset % 4 === 0 && (bytes % 4 === 0 || dstOffset + bytes === dstData)) {
      this.rt.copy(src.storage.buffer, srcOffset, dst.storage.buffer, dstOffset, Math.ceil(bytes / 4) * 4);
      return;
    }
    if (srcOffset % 2 !== 0 || dstOffset % 2 !== 0 || bytes % 2 !== 0) {
      throw new ShapeError(
        'copy',
        `rows of ${bytes} bytes at byte offsets ${srcOffset} → ${dstOffset} are not 2-byte aligned`,
        'use rows whose byte length is even',
      );
    }
    if (src.storage.buffer === dst.storage.buffer)
      throw new ShapeError('copy', 'source and destination share storage', 'copy from a separate tensor');
    runCopyHalves(this.rt, src.storage.buffer, srcOffset / 2, dst.storage.buffer, dstOffset / 2, bytes / 2);
  }

  rope(x: Tensor, call: RopeCall): Tensor {
    const xg = this.f32(x, 'rope');
    if (xg.shape.length !== 3) throw new ShapeError('rope', `x must be [T,H,D], got [${xg.shape.join(',')}]`);
    const [T, H, D] = xg.shape as [number, number, number];
    const out = this.alloc(xg.shape, 'f32', 'rope');
    if (xg.size === 0) return out;
    const table = this.ropeTables.get(call, T, D, (data) => this.uploadStorage(data, 'rope table'));
    runRope(this.rt, call.layout, xg.storage.buffer, table.storage.buffer, out.storage.buffer, T, H, D, table.half, table.row0);
    if (table.perCall) table.storage.drop();
    return out;
  }

  /**
   * Reads captured probabilities back and hands them to `call.capture`. The copy is recorded
   * now, so the callback runs before any later read() resolves (a model's forward() awaits
   * its logits after every layer's capture).
   */
  private deliverCapture(
    probs: GPUBuffer,
    shape: readonly [number, number, number],
    fn: NonNullable<AttentionCall['capture']>,
  ): void {
    const n = shape[0] * shape[1] * shape[2];
    const bytes = this.rt.readBytes(probs, 0, n * 4);
    // callbacks run in dispatch order (layer 0 first), whatever order the readbacks finish in
    const previous = this.lastCapture;
    const done = Promise.all([bytes, previous])
      .then(([b]) => fn(new Float32Array(b.buffer, 0, n), shape))
      .catch(() => {
        // GPU errors surface on the next read() through the error scopes
      })
      .finally(() => this.captures.delete(done));
    this.lastCapture = done;
    this.captures.add(done);
  }

  attention(q: Tensor, k: Tensor, v: Tensor, call: AttentionCall): Tensor {
    const qg = this.f32(q, 'attention');
    const kg = this.f32(k, 'attention');
    const vg = this.f32(v, 'attention');
    if (qg.shape.length !== 3 || kg.shape.length !== 3 || vg.shape.length !== 3) {
      throw new ShapeError(
        'attention',
        `q must be [T,H,D] and k,v [S,Hkv,D]; got [${qg.shape.join(',')}], [${kg.shape.join(',')}], [${vg.shape.join(',')}]`,
      );
    }
    const [T, H, D] = qg.shape as [number, number, number];
    const [S, Hkv, Dk] = kg.shape as [number, number, number];
    if (Dk !== D || vg.shape[2] !== D || vg.shape[0] !== S || vg.shape[1] !== Hkv) {
      throw new ShapeError(
        'attention',
        `head dims/slots disagree: q [${qg.shape.join(',')}], k [${kg.shape.join(',')}], v [${vg.shape.join(',')}]`,
      );
    }
    const out = this.alloc([T, H, D], 'f32', 'attention');
    const spec = call.spec;
    if (
      spec.kind === 'linear' &&
      (spec.causal ?? true) &&
      T === 1 &&
      call.kvLength > 0 &&
      call.queryOffset === call.kvLength - 1 &&
      !call.keyMask &&
      !call.bias &&
      !call.capture
    ) {
      // decode step: O(1) running state instead of re-reading the cache
      try {
        validateCall(call, { T, H, Hkv, D, S });
        this.linearStates.decode(spec, call, H, Hkv, D, qg.storage.buffer, kg.storage, vg.storage, out.storage.buffer);
      } catch (e) {
        out.dispose();
        throw e;
      }
      return out;
    }
    // backend-owned temporaries, released once recorded (the pool hands them out again only to later work)
    const temps: Storage[] = [];
    const upload = (data: Uint32Array | Float32Array): GPUBuffer => {
      const st = this.uploadStorage(new Float32Array(data.buffer, data.byteOffset, data.length), 'attention aux');
      temps.push(st);
      return st.buffer;
    };
    const scratch = (elements: number, type: 'f32' | 'act' = 'f32'): GPUBuffer => {
      const bytes = Math.max(4, elements * (type === 'act' ? actBytes(this.precision) : 4));
      const st = new Storage(this.rt.storage.acquire(bytes, 'attention scratch'), bytes, (b) => this.rt.storage.release(b));
      temps.push(st);
      return st.buffer;
    };
    try {
      runAttention({
        rt: this.rt,
        d: { T, H, Hkv, D, S },
        call,
        q: qg.storage.buffer,
        k: kg.storage.buffer,
        v: vg.storage.buffer,
        out: out.storage.buffer,
        upload,
        scratch,
        capture: call.capture ? (probs, shape) => this.deliverCapture(probs, shape, call.capture!) : undefined,
      });
    } catch (e) {
      out.dispose();
      throw e;
    } finally {
      for (const st of temps) st.drop();
    }
    return out;
  }
}

function rowByteLength(t: GpuTensor): number {
  const rows = t.shape[0]!;
  return rows === 0 ? 0 : byteLength(t.stored, t.size) / rows;
}
