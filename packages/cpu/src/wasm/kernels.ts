import { byteLength, type DType, OptionError, ShapeError } from '@weft/core';
import { WasmArena } from './arena.js';
import { wasmSimdSupported } from './detect.js';
import { KERNELS_BASE64 } from './kernels-bytes.js';
import { WeightCache, type WeightCacheStats } from './weight-cache.js';

/**
 * WebAssembly SIMD matmul for the CPU backend: out[M,N] = x[M,K] · w[N,K]ᵀ with w stored as f32,
 * f16, bf16, q8_0 or q4_0 and read in that format by the kernel (see `kernels.wat`).
 * Shape legend: M x rows (tokens), N outputs (w rows), K features.
 *
 * Decode (M < {@link PREFILL_ROWS}, i.e. M = 1): one fused pass, dequantising w on the fly.
 * Prefill (M ≥ PREFILL_ROWS) with a non-f32 w: a few w rows at a time are dequantised to an f32
 * scratch (in SIMD) and multiplied by every x row with the tiled f32 kernel, so each row is
 * dequantised once per call instead of M times.
 */

/**
 * x rows from which non-f32 weights go through the dequantise-then-tile path. Measured per x row
 * (4096×4096, CPU time): q8_0 fused 3.2 ms at M = 1–3, dequantise-then-tile ≈ 4.2 ms + 1 ms·M;
 * f16 fused 6.4 ms, dequantise-then-tile ≈ 9.4 ms + 1 ms·M. So from M = 2 on.
 */
export const PREFILL_ROWS = 2;
/** Bytes of f32 scratch for dequantised w rows in the prefill path (fits L1/L2). */
const DEQ_SCRATCH_BYTES = 64 * 1024;
/** Default byte budget of resident weight copies. */
export const DEFAULT_CACHE_BYTES = 1024 * 1024 * 1024;

/** Weight formats the kernels read directly. */
export type WasmWeightDType = 'f32' | 'f16' | 'bf16' | 'q8_0' | 'q4_0';

type Kernel = (x: number, w: number, out: number, M: number, N: number, K: number, ldo: number) => void;
type Dequantizer = (src: number, dst: number, count: number) => void;

interface Exports {
  readonly memory: WebAssembly.Memory;
  readonly mm_f32: Kernel;
  readonly mm_f16: Kernel;
  readonly mm_bf16: Kernel;
  readonly mm_q8_0: Kernel;
  readonly mm_q4_0: Kernel;
  readonly deq_f16: Dequantizer;
  readonly deq_bf16: Dequantizer;
  readonly deq_q8_0: Dequantizer;
  readonly deq_q4_0: Dequantizer;
}

/** How one weight format is read: its fused kernel, its dequantiser and its unit of count. */
interface Format {
  readonly mm: Kernel;
  /** Absent for f32 (no dequantisation needed). */
  readonly deq?: Dequantizer;
  /** Elements per dequantiser count (1 per element, 32 per GGML block). */
  readonly perCount: number;
}

function formatFor(e: Exports, dtype: WasmWeightDType): Format {
  switch (dtype) {
    case 'f32':
      return { mm: e.mm_f32, perCount: 1 };
    case 'f16':
      return { mm: e.mm_f16, deq: e.deq_f16, perCount: 1 };
    case 'bf16':
      return { mm: e.mm_bf16, deq: e.deq_bf16, perCount: 1 };
    case 'q8_0':
      return { mm: e.mm_q8_0, deq: e.deq_q8_0, perCount: 32 };
    case 'q4_0':
      return { mm: e.mm_q4_0, deq: e.deq_q4_0, perCount: 32 };
    default:
      throw new OptionError('dtype', `the wasm kernels do not read ${dtype satisfies never} weights`);
  }
}

/** True for the weight dtypes {@link WasmKernels.matmul} reads. */
export function isWasmWeightDType(dtype: DType): dtype is WasmWeightDType {
  return dtype === 'f32' || dtype === 'f16' || dtype === 'bf16' || dtype === 'q8_0' || dtype === 'q4_0';
}

/** Options of {@link WasmKernels}. */
export interface WasmKernelOptions {
  /** Byte budget of resident weight copies (default 1 GiB; 0 copies w in on every call). */
  readonly cacheBytes?: number;
}

/** One instance of the kernels module with its memory, allocator and weight cache. */
export class WasmKernels {
  private readonly e: Exports;
  private readonly arena: WasmArena;
  private readonly cache: WeightCache;
  private readonly formats = new Map<WasmWeightDType, Format>();

  constructor(options: WasmKernelOptions = {}) {
    const cacheBytes = options.cacheBytes ?? DEFAULT_CACHE_BYTES;
    if (!(cacheBytes >= 0)) throw new OptionError('cacheBytes', `must be a byte count ≥ 0, got ${cacheBytes}`);
    const module = new WebAssembly.Module(decodeBase64(KERNELS_BASE64));
    this.e = new WebAssembly.Instance(module, {}).exports as unknown as Exports;
    this.arena = new WasmArena(this.e.memory);
    this.cache = new WeightCache(this.arena, cacheBytes);
  }

  /**
   * out[M,N] = x[M,K] · w[N,K]ᵀ. `w` holds N·K elements of `dtype` (raw f16/bf16 bits as
   * Uint16Array, GGML blocks as Uint8Array; quantised formats need K % 32 == 0).
   * Returns false (and leaves `out` alone) when wasm memory cannot grow to fit the operands, so
   * the caller can use the JS kernels.
   */
  matmul(
    dtype: WasmWeightDType,
    x: Float32Array,
    w: ArrayBufferView,
    out: Float32Array,
    M: number,
    N: number,
    K: number,
  ): boolean {
    const wBytes = byteLength(dtype, N * K);
    if (x.length !== M * K || out.length !== M * N || w.byteLength !== wBytes) {
      throw new ShapeError(
        'matmul',
        `x has ${x.length} (want ${M}·${K}), out ${out.length} (want ${M}·${N}), w ${w.byteLength} bytes (want ${wBytes} for ${dtype}[${N},${K}])`,
      );
    }
    if ((dtype === 'q8_0' || dtype === 'q4_0') && K % 32 !== 0) {
      throw new ShapeError('matmul', `${dtype} weights need K % 32 == 0, got ${K}`);
    }
    if (M === 0 || N === 0) return true;
    const f = this.format(dtype);
    const prefill = f.deq !== undefined && M >= PREFILL_ROWS;
    const rowsPerChunk = prefill ? Math.max(2, Math.floor(DEQ_SCRATCH_BYTES / (4 * K) / 2) * 2) : 0;

    const scratch: [number, number][] = [];
    const take = (bytes: number): number | undefined => {
      const p = this.arena.alloc(bytes);
      if (p !== undefined) scratch.push([p, bytes]);
      return p;
    };
    try {
      let wp = this.cache.lookup(w);
      if (wp === undefined) wp = this.cache.admit(w);
      if (wp === undefined) {
        wp = take(wBytes);
        if (wp === undefined) return false;
        this.bytes(wp, wBytes).set(asBytes(w));
      }
      const xp = take(x.byteLength);
      const op = take(out.byteLength);
      const dp = prefill ? take(rowsPerChunk * K * 4) : 0;
      if (xp === undefined || op === undefined || dp === undefined) return false;
      this.bytes(xp, x.byteLength).set(asBytes(x));
      if (!prefill) f.mm(xp, wp, op, M, N, K, N * 4);
      else {
        const rowBytes = wBytes / N;
        for (let n0 = 0; n0 < N; n0 += rowsPerChunk) {
          const rows = Math.min(rowsPerChunk, N - n0);
          f.deq!(wp + n0 * rowBytes, dp, (rows * K) / f.perCount);
          this.e.mm_f32(xp, dp, op + n0 * 4, M, rows, K, N * 4);
        }
      }
      out.set(new Float32Array(this.e.memory.buffer, op, M * N));
      return true;
    } finally {
      for (const [p, bytes] of scratch) this.arena.release(p, bytes);
    }
  }

  /**
   * Dequantises `out.length` elements of `data` (f16/bf16 bits, or whole GGML blocks) to f32
   * with the kernels' own conversion. Returns false when wasm memory cannot grow.
   */
  dequantize(dtype: Exclude<WasmWeightDType, 'f32'>, data: ArrayBufferView, out: Float32Array): boolean {
    const f = this.format(dtype);
    const n = out.length;
    const bytes = byteLength(dtype, n);
    if (n % f.perCount !== 0 || data.byteLength < bytes) {
      throw new ShapeError(
        'dequantize',
        `${n} ${dtype} elements need ${bytes} bytes (and a multiple of ${f.perCount}); got ${data.byteLength}`,
      );
    }
    const sp = this.arena.alloc(bytes);
    const dp = sp === undefined ? undefined : this.arena.alloc(n * 4);
    try {
      if (sp === undefined || dp === undefined) return false;
      this.bytes(sp, bytes).set(asBytes(data).subarray(0, bytes));
      f.deq!(sp, dp, n / f.perCount);
      out.set(new Float32Array(this.e.memory.buffer, dp, n));
      return true;
    } finally {
      if (sp !== undefined) this.arena.release(sp, bytes);
      if (dp !== undefined) this.arena.release(dp, n * 4);
    }
  }

  /** Changes the resident-weight byte budget (0 disables the cache). */
  setCacheBudget(bytes: number): void {
    if (!(bytes >= 0)) throw new OptionError('cacheBytes', `must be a byte count ≥ 0, got ${bytes}`);
    this.cache.setBudget(bytes);
  }

  /** Frees every resident weight copy (needed after editing a weight array in place). */
  clearCache(): void {
    this.cache.clear();
  }

  /** Cache counters and the wasm memory size. */
  stats(): WeightCacheStats & { readonly memoryBytes: number } {
    return { ...this.cache.stats(), memoryBytes: this.arena.capacity };
  }

  private format(dtype: WasmWeightDType): Format {
    let f = this.formats.get(dtype);
    if (!f) this.formats.set(dtype, (f = formatFor(this.e, dtype)));
    return f;
  }

  private bytes(offset: number, n: number): Uint8Array {
    return new Uint8Array(this.e.memory.buffer, offset, n);
  }
}

let shared: WasmKernels | null | undefined;

/**
 * The process-wide kernels the CPU backend uses, created on first call; null when this engine
 * has no WebAssembly SIMD (the backend then runs its plain JS kernels).
 */
export function sharedWasmKernels(): WasmKernels | null {
  if (shared === undefined) shared = wasmSimdSupported() ? new WasmKernels() : null;
  return shared;
}

let enabled = true;

/**
 * Turns the CPU backend's use of the wasm kernels on or off (on by default where WebAssembly
 * SIMD exists). Off is useful to compare against the plain JS kernels.
 */
export function setWasmKernelsEnabled(on: boolean): void {
  enabled = on;
}

/** The kernels the CPU backend should use now, or null for the JS kernels. */
export function activeWasmKernels(): WasmKernels | null {
  return enabled ? sharedWasmKernels() : null;
}

function asBytes(a: ArrayBufferView): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

function decodeBase64(b64: string): Uint8Array<ArrayBuffer> {
  const B = (globalThis as { Buffer?: { from(s: string, enc: string): Uint8Array } }).Buffer;
  if (B) return Uint8Array.from(B.from(b64, 'base64'));
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}
