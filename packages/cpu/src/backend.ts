import { attendCpu } from '@weft/attention';
import {
  type AttentionCall,
  type Backend,
  type BackendInfo,
  byteLength,
  DTYPES,
  type DType,
  type HostArray,
  numel,
  type RopeCall,
  ShapeError,
  type Tensor,
  type TensorContainer,
  TensorScopes,
} from '@weft/core';
import { applyRope } from '@weft/positional';
import { dequantizeRow } from './dequant.js';
import { matmulF32 } from './matmul.js';
import { CpuTensor } from './tensor.js';
import { activeWasmKernels, isWasmWeightDType } from './wasm/kernels.js';

/**
 * The CPU Backend: host typed arrays, synchronous kernels. Always available; the reference
 * every other backend is tested against.
 * Shape legend: T tokens, C channels, K input features, N output features, H heads, D head dim.
 */
export class CpuBackend implements Backend {
  readonly info: BackendInfo = { name: 'cpu', f16: false, maxBufferBytes: 2 ** 31 - 1, device: 'JS' };
  private live = 0;
  private readonly scopes = new TensorScopes<CpuTensor>();

  private make(shape: readonly number[], dtype: DType, data: HostArray): CpuTensor {
    const t = new CpuTensor([...shape], dtype, data, () => {
      this.live--;
    });
    this.live++;
    this.scopes.track(t);
    return t;
  }

  private f32(shape: readonly number[], data: Float32Array): CpuTensor {
    return this.make(shape, 'f32', data);
  }

  private static unwrap(t: Tensor, op: string): CpuTensor {
    if (!(t instanceof CpuTensor)) throw new ShapeError(op, `tensor belongs to backend '${t.backend}', not 'cpu'`);
    return t;
  }

  private static f32data(t: Tensor, op: string): Float32Array {
    const c = CpuBackend.unwrap(t, op);
    if (c.dtype !== 'f32') throw new ShapeError(op, `expected an f32 tensor, got ${c.dtype}`);
    return c.data as Float32Array;
  }

  fromHost(data: HostArray, shape: readonly number[], dtype: DType = data instanceof Int32Array ? 'i32' : 'f32'): Tensor {
    const expected = byteLength(dtype, numel(shape));
    if (data.byteLength !== expected) {
      throw new ShapeError('fromHost', `${data.byteLength} bytes given for ${dtype}[${shape.join(',')}], expected ${expected}`);
    }
    return this.make(shape, dtype, copyHost(data, dtype));
  }

  zeros(shape: readonly number[], dtype: DType = 'f32'): Tensor {
    return this.make(shape, dtype, allocHost(dtype, numel(shape)));
  }

  async read(t: Tensor): Promise<HostArray> {
    const c = CpuBackend.unwrap(t, 'read');
    return c.data.slice();
  }

  /** Synchronous read (CPU only): the storage itself, not a copy. */
  peek(t: Tensor): HostArray {
    return CpuBackend.unwrap(t, 'peek').data;
  }

  reshape(t: Tensor, shape: readonly number[]): Tensor {
    const c = CpuBackend.unwrap(t, 'reshape');
    if (numel(shape) !== c.size)
      throw new ShapeError(
        'reshape',
        `[${c.shape.join(',')}] has ${c.size} elements, [${shape.join(',')}] needs ${numel(shape)}`,
      );
    return this.make(shape, c.dtype, c.data);
  }

  tidy<T extends TensorContainer>(fn: () => T): T {
    return this.scopes.tidy(fn);
  }

  liveTensors(): number {
    return this.live;
  }

  dispose(): void {
    this.scopes.clear();
  }

  matmul(x: Tensor, w: Tensor): Tensor {
    const xd = CpuBackend.f32data(x, 'matmul');
    const wc = CpuBackend.unwrap(w, 'matmul');
    const K = x.shape.at(-1)!;
    const M = xd.length / K;
    const [N, Kw] = wc.shape as [number, number];
    if (wc.shape.length !== 2 || Kw !== K)
      throw new ShapeError('matmul', `x [..,${K}] · wᵀ needs w [N,${K}], got [${wc.shape.join(',')}]`);
    if (DTYPES[wc.dtype].quantized && K % 32 !== 0)
      throw new ShapeError('matmul', `${wc.dtype} weights need K % 32 == 0, got ${K}`);
    const out = new Float32Array(M * N);
    const wasm = activeWasmKernels();
    const dtype = wc.dtype;
    if (wasm && isWasmWeightDType(dtype) && wasm.matmul(dtype, xd, wc.data, out, M, N, K)) {
      // WebAssembly SIMD kernels (src/wasm); the JS kernels below are the fallback
    } else if (wc.dtype === 'f32') matmulF32(xd, wc.data as Float32Array, out, M, N, K);
    else {
      const row = new Float32Array(K);
      for (let n = 0; n < N; n++) {
        dequantizeRow(wc.dtype, wc.data, n, K, row);
        for (let m = 0; m < M; m++) {
          let acc = 0;
          const xo = m * K;
          for (let k = 0; k < K; k++) acc += xd[xo + k]! * row[k]!;
          out[m * N + n] = acc;
        }
      }
    }
    return this.f32([...x.shape.slice(0, -1), N], out);
  }

  gather(table: Tensor, ids: Int32Array): Tensor {
    const tc = CpuBackend.unwrap(table, 'gather');
    const [V, C] = tc.shape as [number, number];
    const out = new Float32Array(ids.length * C);
    const row = new Float32Array(C);
    for (let t = 0; t < ids.length; t++) {
      const id = ids[t]!;
      if (!(id >= 0 && id < V)) throw new ShapeError('gather', `token id ${id} outside the vocabulary [0, ${V})`);
      dequantizeRow(tc.dtype, tc.data, id, C, row);
      out.set(row, t * C);
    }
    return this.f32([ids.length, C], out);
  }

  rmsNorm(x: Tensor, w: Tensor, eps: number): Tensor {
    const xd = CpuBackend.f32data(x, 'rmsNorm');
    const wd = CpuBackend.f32data(w, 'rmsNorm');
    const C = wd.length;
    if (x.shape.at(-1) !== C) throw new ShapeError('rmsNorm', `x last dim ${x.shape.at(-1)} ≠ weight ${C}`);
    const out = new Float32Array(xd.length);
    for (let o = 0; o < xd.length; o += C) {
      let ss = 0;
      for (let i = 0; i < C; i++) ss += xd[o + i]! * xd[o + i]!;
      const inv = 1 / Math.sqrt(ss / C + eps);
      for (let i = 0; i < C; i++) out[o + i] = wd[i]! * (inv * xd[o + i]!);
    }
    return this.f32(x.shape, out);
  }

  layerNorm(x: Tensor, w: Tensor, b: Tensor, eps: number): Tensor {
    const xd = CpuBackend.f32data(x, 'layerNorm');
    const wd = CpuBackend.f32data(w, 'layerNorm');
    const bd = CpuBackend.f32data(b, 'layerNorm');
    const C = wd.length;
    if (x.shape.at(-1) !== C || bd.length !== C)
      throw new ShapeError('layerNorm', `x last dim ${x.shape.at(-1)}, weight ${C}, bias ${bd.length} must agree`);
    const out = new Float32Array(xd.length);
    for (let o = 0; o < xd.length; o += C) {
      let mean = 0;
      for (let i = 0; i < C; i++) mean += xd[o + i]!;
      mean /= C;
      let v = 0;
      for (let i = 0; i < C; i++) v += (xd[o + i]! - mean) ** 2;
      const inv = 1 / Math.sqrt(v / C + eps);
      for (let i = 0; i < C; i++) out[o + i] = (xd[o + i]! - mean) * inv * wd[i]! + bd[i]!;
    }
    return this.f32(x.shape, out);
  }

  private binary(a: Tensor, b: Tensor, op: string, f: (x: number, y: number) => number): Tensor {
    const ad = CpuBackend.f32data(a, op);
    const bd = CpuBackend.f32data(b, op);
    if (bd.length !== ad.length && (bd.length === 0 || ad.length % bd.length !== 0 || b.shape.at(-1) !== a.shape.at(-1))) {
      throw new ShapeError(op, `cannot broadcast [${b.shape.join(',')}] onto [${a.shape.join(',')}]`);
    }
    const out = new Float32Array(ad.length);
    const n = bd.length;
    for (let i = 0; i < ad.length; i++) out[i] = f(ad[i]!, bd[i % n]!);
    return this.f32(a.shape, out);
  }

  add(a: Tensor, b: Tensor): Tensor {
    return this.binary(a, b, 'add', (x, y) => x + y);
  }

  mul(a: Tensor, b: Tensor): Tensor {
    return this.binary(a, b, 'mul', (x, y) => x * y);
  }

  swiglu(gate: Tensor, up: Tensor): Tensor {
    const g = CpuBackend.f32data(gate, 'swiglu');
    const u = CpuBackend.f32data(up, 'swiglu');
    if (g.length !== u.length) throw new ShapeError('swiglu', `gate has ${g.length} elements, up ${u.length}`);
    const out = new Float32Array(g.length);
    for (let i = 0; i < g.length; i++) {
      const v = g[i]!;
      out[i] = (v / (1 + Math.exp(-v))) * u[i]!;
    }
    return this.f32(gate.shape, out);
  }

  gelu(x: Tensor): Tensor {
    const d = CpuBackend.f32data(x, 'gelu');
    const out = new Float32Array(d.length);
    const c = Math.sqrt(2 / Math.PI);
    for (let i = 0; i < d.length; i++) {
      const v = d[i]!;
      out[i] = 0.5 * v * (1 + Math.tanh(c * (v + 0.044715 * v * v * v)));
    }
    return this.f32(x.shape, out);
  }

  softmax(x: Tensor): Tensor {
    const d = CpuBackend.f32data(x, 'softmax');
    const C = x.shape.at(-1)!;
    const out = new Float32Array(d.length);
    for (let o = 0; o < d.length; o += C) {
      let max = Number.NEGATIVE_INFINITY;
      for (let i = 0; i < C; i++) if (d[o + i]! > max) max = d[o + i]!;
      let sum = 0;
      for (let i = 0; i < C; i++) {
        const e = Math.exp(d[o + i]! - max);
        out[o + i] = e;
        sum += e;
      }
      for (let i = 0; i < C; i++) out[o + i]! /= sum;
    }
    return this.f32(x.shape, out);
  }

  sliceRows(x: Tensor, start: number, count: number): Tensor {
    const c = CpuBackend.unwrap(x, 'sliceRows');
    const rows = c.shape[0]!;
    if (start < 0 || count < 0 || start + count > rows)
      throw new ShapeError('sliceRows', `rows [${start}, ${start + count}) outside [0, ${rows})`);
    const unit = storageUnitsPerRow(c);
    const data = c.data.slice(start * unit, (start + count) * unit);
    return this.make([count, ...c.shape.slice(1)], c.dtype, data);
  }

  writeRows(dst: Tensor, src: Tensor, row: number): void {
    const d = CpuBackend.unwrap(dst, 'writeRows');
    const s = CpuBackend.unwrap(src, 'writeRows');
    const rowElems = d.size / d.shape[0]!;
    if (s.size % rowElems !== 0 || s.dtype !== d.dtype)
      throw new ShapeError(
        'writeRows',
        `source [${s.shape.join(',')}] ${s.dtype} does not fit rows of [${d.shape.join(',')}] ${d.dtype}`,
      );
    const count = s.size / rowElems;
    if (row < 0 || row + count > d.shape[0]!)
      throw new ShapeError(
        'writeRows',
        `rows [${row}, ${row + count}) outside [0, ${d.shape[0]})`,
        'the KV cache is full: create it with a larger capacity',
      );
    // Same dtype means same typed-array class; quantized rows are whole blocks of bytes.
    (d.data as Uint8Array).set(s.data as Uint8Array, row * storageUnitsPerRow(d));
  }

  rope(x: Tensor, call: RopeCall): Tensor {
    const d = CpuBackend.f32data(x, 'rope');
    if (x.shape.length !== 3) throw new ShapeError('rope', `x must be [T,H,D], got [${x.shape.join(',')}]`);
    const [T, H, D] = x.shape as [number, number, number];
    const out = d.slice();
    applyRope(out, T, H, D, call);
    return this.f32(x.shape, out);
  }

  attention(q: Tensor, k: Tensor, v: Tensor, call: AttentionCall): Tensor {
    if (q.shape.length !== 3 || k.shape.length !== 3 || v.shape.length !== 3) {
      throw new ShapeError(
        'attention',
        `q must be [T,H,D] and k,v [S,Hkv,D]; got [${q.shape.join(',')}], [${k.shape.join(',')}], [${v.shape.join(',')}]`,
      );
    }
    const [T, H, D] = q.shape as [number, number, number];
    const [S, Hkv, Dk] = k.shape as [number, number, number];
    if (Dk !== D || v.shape[2] !== D || v.shape[0] !== S || v.shape[1] !== Hkv)
      throw new ShapeError(
        'attention',
        `head dims/slots disagree: q [${q.shape.join(',')}], k [${k.shape.join(',')}], v [${v.shape.join(',')}]`,
      );
    const out = attendCpu(
      CpuBackend.f32data(q, 'attention'),
      CpuBackend.f32data(k, 'attention'),
      CpuBackend.f32data(v, 'attention'),
      { T, H, Hkv, D, S },
      call,
    );
    return this.f32([T, H, D], out);
  }
}

/** Typed-array elements one row occupies (bytes for quantized blocks, which must not split a row). */
function storageUnitsPerRow(t: CpuTensor): number {
  const rowElems = t.size / t.shape[0]!;
  const info = DTYPES[t.dtype];
  if (!info.quantized) return rowElems;
  if (rowElems % info.blockSize !== 0)
    throw new ShapeError('rows', `${t.dtype} rows of ${rowElems} elements are not whole ${info.blockSize}-element blocks`);
  return byteLength(t.dtype, rowElems);
}

function allocHost(dtype: DType, n: number): HostArray {
  switch (dtype) {
    case 'f32':
      return new Float32Array(n);
    case 'i32':
      return new Int32Array(n);
    case 'f16':
    case 'bf16':
      return new Uint16Array(n);
    default:
      return new Uint8Array(byteLength(dtype, n));
  }
}

function copyHost(data: HostArray, dtype: DType): HostArray {
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
  switch (dtype) {
    case 'f32':
      return new Float32Array(bytes.buffer);
    case 'i32':
      return new Int32Array(bytes.buffer);
    case 'f16':
    case 'bf16':
      return new Uint16Array(bytes.buffer);
    default:
      return bytes;
  }
}

/** Creates the CPU backend. */
export function createCpuBackend(): CpuBackend {
  return new CpuBackend();
}
