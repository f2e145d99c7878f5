import { byteLength, type DType, InvalidFileError, UnsupportedError } from '@weft/core';

/**
 * GGUF (llama.cpp's model container), versions 2 and 3, little-endian.
 * Layout: magic "GGUF", u32 version, u64 tensor count, u64 metadata count, metadata
 * key/values, tensor infos (name, dims ne[0..n) innermost first, ggml type, offset), padding to
 * `general.alignment` (default 32), tensor data. Every count, length and offset is checked
 * against the file before use: the file is untrusted.
 */

/** A metadata value. Arrays of numbers come back as plain arrays (or typed arrays for big ones). */
export type GgufValue = number | bigint | boolean | string | GgufValue[];

/** One tensor's description. `dims` follow GGML order: dims[0] is the contiguous (innermost) one. */
export interface GgufTensorInfo {
  readonly name: string;
  readonly dims: readonly number[];
  /** GGML type id. */
  readonly type: number;
  /** weft dtype when supported. */
  readonly dtype: DType | undefined;
  /** Absolute byte offset in the file. */
  readonly offset: number;
  readonly byteLength: number;
}

export interface GgufFile {
  readonly version: number;
  readonly metadata: ReadonlyMap<string, GgufValue>;
  readonly tensors: ReadonlyMap<string, GgufTensorInfo>;
  readonly alignment: number;
  readonly dataOffset: number;
}

/** GGML type ids weft can read, and their names for error messages. */
const GGML_TYPES: Record<number, { name: string; dtype?: DType }> = {
  0: { name: 'F32', dtype: 'f32' },
  1: { name: 'F16', dtype: 'f16' },
  2: { name: 'Q4_0', dtype: 'q4_0' },
  3: { name: 'Q4_1' },
  6: { name: 'Q5_0' },
  7: { name: 'Q5_1' },
  8: { name: 'Q8_0', dtype: 'q8_0' },
  9: { name: 'Q8_1' },
  10: { name: 'Q2_K' },
  11: { name: 'Q3_K' },
  12: { name: 'Q4_K' },
  13: { name: 'Q5_K' },
  14: { name: 'Q6_K' },
  15: { name: 'Q8_K' },
  24: { name: 'I8' },
  25: { name: 'I16' },
  26: { name: 'I32', dtype: 'i32' },
  28: { name: 'F64' },
  30: { name: 'BF16', dtype: 'bf16' },
};

/** GGML type name for a type id. */
export function ggmlTypeName(type: number): string {
  return GGML_TYPES[type]?.name ?? `type ${type}`;
}

const MAGIC = 0x46554747; // "GGUF" read as little-endian u32
const MAX_COUNT = 1 << 24;

class Reader {
  p = 0;
  private readonly view: DataView;
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  constructor(
    readonly data: Uint8Array,
    readonly file: string,
  ) {
    this.view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  }
  need(n: number, what: string): void {
    if (this.p + n > this.data.byteLength)
      throw new InvalidFileError(
        this.file,
        `truncated: ${what} needs ${n} bytes at offset ${this.p}, the file ends at ${this.data.byteLength}`,
        'the GGUF file is damaged or incomplete; download or convert it again',
      );
  }
  u8(w: string) {
    this.need(1, w);
    return this.view.getUint8(this.p++);
  }
  u32(w: string) {
    this.need(4, w);
    const v = this.view.getUint32(this.p, true);
    this.p += 4;
    return v;
  }
  u64(w: string): number {
    this.need(8, w);
    const v = this.view.getBigUint64(this.p, true);
    this.p += 8;
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new InvalidFileError(this.file, `${w} = ${v} is out of range`);
    return Number(v);
  }
  str(w: string): string {
    const n = this.u64(`${w} length`);
    this.need(n, w);
    try {
      const s = this.decoder.decode(this.data.subarray(this.p, this.p + n));
      this.p += n;
      return s;
    } catch {
      throw new InvalidFileError(this.file, `${w} at offset ${this.p} is not valid UTF-8`);
    }
  }
  value(type: number, w: string, depth = 0): GgufValue {
    const v = this.view;
    const at = (n: number) => {
      this.need(n, w);
      const p = this.p;
      this.p += n;
      return p;
    };
    switch (type) {
      case 0:
        return v.getUint8(at(1));
      case 1:
        return v.getInt8(at(1));
      case 2:
        return v.getUint16(at(2), true);
      case 3:
        return v.getInt16(at(2), true);
      case 4:
        return v.getUint32(at(4), true);
      case 5:
        return v.getInt32(at(4), true);
      case 6:
        return v.getFloat32(at(4), true);
      case 7:
        return v.getUint8(at(1)) !== 0;
      case 8:
        return this.str(w);
      case 9: {
        if (depth > 2) throw new InvalidFileError(this.file, `${w}: arrays nested deeper than 2`);
        const et = this.u32(`${w} element type`);
        const n = this.u64(`${w} element count`);
        if (n > MAX_COUNT * 4) throw new InvalidFileError(this.file, `${w}: array of ${n} elements is implausible`);
        const out: GgufValue[] = new Array(n);
        for (let i = 0; i < n; i++) out[i] = this.value(et, w, depth + 1);
        return out;
      }
      case 10:
        return v.getBigUint64(at(8), true);
      case 11:
        return v.getBigInt64(at(8), true);
      case 12:
        return v.getFloat64(at(8), true);
      default:
        throw new InvalidFileError(
          this.file,
          `${w} has unknown value type ${type}`,
          'the file is not GGUF v2/v3, or it is damaged',
        );
    }
  }
}

/** Parses the GGUF header, metadata and tensor table (not the tensor data). */
export function parseGguf(data: Uint8Array, fileName = 'model.gguf'): GgufFile {
  const r = new Reader(data, fileName);
  if (data.byteLength < 4 || r.u32('magic') !== MAGIC)
    throw new InvalidFileError(
      fileName,
      'does not start with the GGUF magic',
      'pass a .gguf file written by llama.cpp (convert_hf_to_gguf.py) or a compatible tool',
    );
  const version = r.u32('version');
  if (version !== 2 && version !== 3)
    throw new UnsupportedError(
      `${fileName}: GGUF version ${version}`,
      'weft reads GGUF v2 and v3; re-convert with a current llama.cpp',
    );
  const tensorCount = r.u64('tensor count');
  const kvCount = r.u64('metadata count');
  if (tensorCount > MAX_COUNT || kvCount > MAX_COUNT)
    throw new InvalidFileError(fileName, `implausible counts (${tensorCount} tensors, ${kvCount} metadata entries)`);
  const metadata = new Map<string, GgufValue>();
  for (let i = 0; i < kvCount; i++) {
    const key = r.str(`metadata key ${i}`);
    const type = r.u32(`type of ${key}`);
    metadata.set(key, r.value(type, key));
  }
  const alignment = Number(metadata.get('general.alignment') ?? 32);
  if (!(alignment > 0 && (alignment & (alignment - 1)) === 0))
    throw new InvalidFileError(fileName, `general.alignment ${alignment} is not a power of two`);
  const infos: { name: string; dims: number[]; type: number; rel: number }[] = [];
  for (let i = 0; i < tensorCount; i++) {
    const name = r.str(`tensor ${i} name`);
    const nd = r.u32(`${name} dimension count`);
    if (nd < 1 || nd > 4) throw new InvalidFileError(fileName, `tensor ${name} has ${nd} dimensions (GGML allows 1–4)`);
    const dims = Array.from({ length: nd }, (_, d) => r.u64(`${name} dim ${d}`));
    const type = r.u32(`${name} type`);
    const rel = r.u64(`${name} offset`);
    infos.push({ name, dims, type, rel });
  }
  const dataOffset = Math.ceil(r.p / alignment) * alignment;
  const tensors = new Map<string, GgufTensorInfo>();
  for (const t of infos) {
    const n = t.dims.reduce((a, b) => a * b, 1);
    if (!Number.isSafeInteger(n) || n <= 0)
      throw new InvalidFileError(fileName, `tensor ${t.name} has invalid dims [${t.dims.join(', ')}]`);
    const info = GGML_TYPES[t.type];
    const dtype = info?.dtype;
    const bytes = dtype ? byteLength(dtype, n) : Number.NaN;
    if (dtype && (dtype === 'q8_0' || dtype === 'q4_0') && t.dims[0]! % 32 !== 0)
      throw new InvalidFileError(
        fileName,
        `tensor ${t.name}: ${info!.name} rows of ${t.dims[0]} are not whole 32-element blocks`,
      );
    const offset = dataOffset + t.rel;
    if (t.rel % alignment !== 0)
      throw new InvalidFileError(fileName, `tensor ${t.name} offset ${t.rel} is not aligned to ${alignment}`);
    if (dtype && offset + bytes > data.byteLength)
      throw new InvalidFileError(
        fileName,
        `truncated: tensor ${t.name} (${info!.name} [${t.dims.join(', ')}]) needs bytes up to ${offset + bytes}, the file ends at ${data.byteLength}`,
        'the GGUF file is damaged or incomplete',
      );
    if (tensors.has(t.name)) throw new InvalidFileError(fileName, `tensor ${t.name} appears twice`);
    tensors.set(t.name, { name: t.name, dims: t.dims, type: t.type, dtype, offset, byteLength: bytes });
  }
  return { version, metadata, tensors, alignment, dataOffset };
}

/** A metadata value that must be a number. */
export function ggufNumber(g: GgufFile, key: string, fileName: string, fallback?: number): number {
  const v = g.metadata.get(key);
  if (v === undefined) {
    if (fallback !== undefined) return fallback;
    throw new InvalidFileError(fileName, `metadata key ${key} is missing`, 'the file is not a complete GGUF model');
  }
  const n = typeof v === 'bigint' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isFinite(n)) throw new InvalidFileError(fileName, `metadata ${key} is not a number`);
  return n;
}

/** Host array holding a tensor's raw data (copied, aligned). */
export function ggufTensorData(data: Uint8Array, t: GgufTensorInfo): Float32Array | Uint16Array | Uint8Array | Int32Array {
  if (!t.dtype)
    throw new UnsupportedError(
      `tensor ${t.name} of GGML type ${ggmlTypeName(t.type)}`,
      'weft reads F32, F16, BF16, Q8_0 and Q4_0 tensors; re-quantize the model to one of those',
    );
  const bytes = Uint8Array.prototype.slice.call(data, t.offset, t.offset + t.byteLength);
  switch (t.dtype) {
    case 'f32':
      return new Float32Array(bytes.buffer);
    case 'f16':
    case 'bf16':
      return new Uint16Array(bytes.buffer);
    case 'i32':
      return new Int32Array(bytes.buffer);
    default:
      return bytes;
  }
}

/** Minimal GGUF v3 writer (used to export weft models and to build test files). */
export function writeGguf(
  metadata: [string, GgufValue, 'u32' | 'i32' | 'f32' | 'str' | 'bool' | 'arr-str' | 'arr-f32' | 'arr-i32'][],
  tensors: { name: string; dims: number[]; type: number; data: Uint8Array }[],
  alignment = 32,
): Uint8Array {
  const parts: Uint8Array[] = [];
  const enc = new TextEncoder();
  const u32 = (v: number) => new Uint8Array(new Uint32Array([v]).buffer);
  const i32 = (v: number) => new Uint8Array(new Int32Array([v]).buffer);
  const u64 = (v: number) => new Uint8Array(new BigUint64Array([BigInt(v)]).buffer);
  const f32 = (v: number) => new Uint8Array(new Float32Array([v]).buffer);
  const str = (s: string) => {
    const b = enc.encode(s);
    return [u64(b.length), b];
  };
  parts.push(u32(MAGIC), u32(3), u64(tensors.length), u64(metadata.length));
  for (const [key, value, kind] of metadata) {
    parts.push(...str(key));
    switch (kind) {
      case 'u32':
        parts.push(u32(4), u32(value as number));
        break;
      case 'i32':
        parts.push(u32(5), i32(value as number));
        break;
      case 'f32':
        parts.push(u32(6), f32(value as number));
        break;
      case 'bool':
        parts.push(u32(7), Uint8Array.of(value ? 1 : 0));
        break;
      case 'str':
        parts.push(u32(8), ...str(value as string));
        break;
      case 'arr-str':
        parts.push(u32(9), u32(8), u64((value as string[]).length), ...(value as string[]).flatMap(str));
        break;
      case 'arr-f32':
        parts.push(u32(9), u32(6), u64((value as number[]).length), ...(value as number[]).map(f32));
        break;
      case 'arr-i32':
        parts.push(u32(9), u32(5), u64((value as number[]).length), ...(value as number[]).map(i32));
        break;
    }
  }
  let rel = 0;
  const offsets: number[] = [];
  for (const t of tensors) {
    offsets.push(rel);
    parts.push(...str(t.name), u32(t.dims.length), ...t.dims.map(u64), u32(t.type), u64(rel));
    rel = Math.ceil((rel + t.data.byteLength) / alignment) * alignment;
  }
  let header = parts.reduce((a, b) => a + b.byteLength, 0);
  const dataOffset = Math.ceil(header / alignment) * alignment;
  const out = new Uint8Array(dataOffset + rel);
  header = 0;
  for (const p of parts) {
    out.set(p, header);
    header += p.byteLength;
  }
  for (let i = 0; i < tensors.length; i++) out.set(tensors[i]!.data, dataOffset + offsets[i]!);
  return out;
}
