import { bf16ToF32, type DType, f16ToF32, InvalidFileError, UnsupportedError } from '@weft/core';

/**
 * safetensors: u64 little-endian header length N, N bytes of JSON
 * `{ name: { dtype, shape, data_offsets: [begin, end] }, __metadata__?: {...} }`, then the data
 * (offsets relative to the end of the header). Everything is checked: the file is untrusted.
 */

/** safetensors dtype names. */
export type SafetensorsDType =
  | 'F64'
  | 'F32'
  | 'F16'
  | 'BF16'
  | 'I64'
  | 'I32'
  | 'I16'
  | 'I8'
  | 'U64'
  | 'U32'
  | 'U16'
  | 'U8'
  | 'BOOL'
  | 'F8_E4M3'
  | 'F8_E5M2';

const SIZES: Record<SafetensorsDType, number> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U64: 8,
  U32: 4,
  U16: 2,
  U8: 1,
  BOOL: 1,
  F8_E4M3: 1,
  F8_E5M2: 1,
};

export interface SafetensorsTensor {
  readonly name: string;
  readonly dtype: SafetensorsDType;
  readonly shape: readonly number[];
  /** Absolute byte range in the file. */
  readonly begin: number;
  readonly end: number;
}

export interface SafetensorsFile {
  readonly tensors: ReadonlyMap<string, SafetensorsTensor>;
  readonly metadata: Readonly<Record<string, string>>;
}

const MAX_HEADER = 100 * 1024 * 1024;

/** Parses and validates the header of a safetensors file. */
export function parseSafetensors(data: Uint8Array, fileName = 'model.safetensors'): SafetensorsFile {
  const hint = 'pass a .safetensors file (written by the safetensors library)';
  if (data.byteLength < 8)
    throw new InvalidFileError(
      fileName,
      `only ${data.byteLength} bytes; a safetensors file starts with an 8-byte header length`,
      hint,
    );
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const n = Number(view.getBigUint64(0, true));
  if (n < 2 || n > MAX_HEADER || 8 + n > data.byteLength)
    throw new InvalidFileError(fileName, `header length ${n} does not fit the file (${data.byteLength} bytes)`, hint);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(data.subarray(8, 8 + n)));
  } catch (e) {
    throw new InvalidFileError(fileName, `header is not valid UTF-8 JSON (${(e as Error).message})`, hint);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header))
    throw new InvalidFileError(fileName, 'header is not a JSON object', hint);
  const tensors = new Map<string, SafetensorsTensor>();
  let metadata: Record<string, string> = {};
  const ranges: [number, number, string][] = [];
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof raw !== 'object' || raw === null)
        throw new InvalidFileError(fileName, '__metadata__ must be an object of strings');
      metadata = Object.fromEntries(Object.entries(raw as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
      continue;
    }
    const e = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof e !== 'object' || e === null) throw new InvalidFileError(fileName, `entry ${name} is not an object`);
    if (typeof e.dtype !== 'string' || !(e.dtype in SIZES))
      throw new InvalidFileError(fileName, `tensor ${name} has unknown dtype ${JSON.stringify(e.dtype)}`);
    if (!Array.isArray(e.shape) || e.shape.some((d) => !Number.isSafeInteger(d) || d < 0))
      throw new InvalidFileError(fileName, `tensor ${name} has an invalid shape ${JSON.stringify(e.shape)}`);
    const off = e.data_offsets;
    if (!Array.isArray(off) || off.length !== 2 || !off.every((x) => Number.isSafeInteger(x) && x >= 0) || off[0] > off[1])
      throw new InvalidFileError(fileName, `tensor ${name} has invalid data_offsets ${JSON.stringify(off)}`);
    const dtype = e.dtype as SafetensorsDType;
    const count = (e.shape as number[]).reduce((a, b) => a * b, 1);
    const [b, en] = off as [number, number];
    if (en - b !== count * SIZES[dtype])
      throw new InvalidFileError(
        fileName,
        `tensor ${name}: ${en - b} bytes for ${dtype}[${(e.shape as number[]).join(',')}], expected ${count * SIZES[dtype]}`,
      );
    const begin = 8 + n + b;
    const end = 8 + n + en;
    if (end > data.byteLength)
      throw new InvalidFileError(
        fileName,
        `truncated: tensor ${name} ends at byte ${end}, the file has ${data.byteLength}`,
        'the file is damaged or incomplete',
      );
    tensors.set(name, { name, dtype, shape: e.shape as number[], begin, end });
    ranges.push([b, en, name]);
  }
  ranges.sort((x, y) => x[0] - y[0]);
  for (let i = 1; i < ranges.length; i++)
    if (ranges[i]![0] < ranges[i - 1]![1])
      throw new InvalidFileError(fileName, `tensors ${ranges[i - 1]![2]} and ${ranges[i]![2]} overlap`);
  return { tensors, metadata };
}

/** A tensor's values as f32 (floats and integers are converted; F8 is not supported). */
export function safetensorsToF32(data: Uint8Array, t: SafetensorsTensor): Float32Array {
  const bytes = Uint8Array.prototype.slice.call(data, t.begin, t.end);
  const buf = bytes.buffer;
  switch (t.dtype) {
    case 'F32':
      return new Float32Array(buf);
    case 'F64':
      return Float32Array.from(new Float64Array(buf));
    case 'F16': {
      const h = new Uint16Array(buf);
      const out = new Float32Array(h.length);
      for (let i = 0; i < h.length; i++) out[i] = f16ToF32(h[i]!);
      return out;
    }
    case 'BF16': {
      const h = new Uint16Array(buf);
      return Float32Array.from(h, (x) => bf16ToF32(x));
    }
    case 'I64':
      return Float32Array.from(new BigInt64Array(buf), (x) => Number(x));
    case 'U64':
      return Float32Array.from(new BigUint64Array(buf), (x) => Number(x));
    case 'I32':
      return Float32Array.from(new Int32Array(buf));
    case 'U32':
      return Float32Array.from(new Uint32Array(buf));
    case 'I16':
      return Float32Array.from(new Int16Array(buf));
    case 'U16':
      return Float32Array.from(new Uint16Array(buf));
    case 'I8':
      return Float32Array.from(new Int8Array(buf));
    case 'U8':
    case 'BOOL':
      return Float32Array.from(bytes);
    default:
      throw new UnsupportedError(`safetensors dtype ${t.dtype} (tensor ${t.name})`);
  }
}

/** Raw storage for the dtypes a backend keeps natively (F32 → f32, F16 → f16 bits, BF16 → bf16 bits). */
export function safetensorsHost(data: Uint8Array, t: SafetensorsTensor): { data: Float32Array | Uint16Array; dtype: DType } {
  const bytes = Uint8Array.prototype.slice.call(data, t.begin, t.end);
  if (t.dtype === 'F16') return { data: new Uint16Array(bytes.buffer), dtype: 'f16' };
  if (t.dtype === 'BF16') return { data: new Uint16Array(bytes.buffer), dtype: 'bf16' };
  return { data: safetensorsToF32(data, t), dtype: 'f32' };
}

/** Writes a safetensors file from f32 tensors (used by exports and tests). */
export function writeSafetensors(
  tensors: Record<string, { shape: number[]; data: Float32Array }>,
  metadata: Record<string, string> = {},
): Uint8Array {
  const header: Record<string, unknown> = Object.keys(metadata).length ? { __metadata__: metadata } : {};
  let off = 0;
  for (const [name, t] of Object.entries(tensors)) {
    header[name] = { dtype: 'F32', shape: t.shape, data_offsets: [off, off + t.data.byteLength] };
    off += t.data.byteLength;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((json.length + 8) % 8)) % 8);
  const h = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + h.length + off);
  new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
  out.set(h, 8);
  let p = 8 + h.length;
  for (const t of Object.values(tensors)) {
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), p);
    p += t.data.byteLength;
  }
  return out;
}
