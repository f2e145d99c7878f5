import {
  type CausalLM,
  type ForwardOptions,
  f16ToF32,
  InvalidFileError,
  type KVCache,
  type ModelConfig,
  OutOfRangeError,
  throwIfAborted,
  UnsupportedError,
  WeftError,
} from '@weft/core';
import type { InferenceSession, Tensor as OrtTensor } from 'onnxruntime-web';

/**
 * onnxruntime sessions (onnxruntime-web or -node) as weft {@link CausalLM}s, so @weft/decoding
 * drives them like weft's own models. Two past/present conventions are recognised from the
 * session's input names:
 *  - `stacked`: `past_i` / `present_i` of shape [2, B, Hkv, S, D] (GPT-2 exports of
 *    onnxruntime's transformers tools and onnxruntime-genai tests);
 *  - `split`: `past_key_values.i.key|value` / `present.i.key|value` of shape [B, Hkv, S, D]
 *    (Optimum and onnxruntime-genai exports).
 * Shape legend: B batch (1), T new tokens, S cached tokens, V vocab.
 */

/** The parts of the onnxruntime module the adapter needs (both -web and -node fit). */
export interface OrtModule {
  readonly Tensor: new (type: OrtTensor.Type, data: OrtTensor.DataType, dims: readonly number[]) => OrtTensor;
}

type PastKind = 'stacked' | 'split';

interface PastSlot {
  readonly input: string;
  readonly output: string;
  readonly type: 'float32' | 'float16';
  /** Dims with the sequence axis set to 0. */
  readonly emptyDims: number[];
  readonly seqAxis: number;
}

/** Options of {@link OnnxCausalLM}. */
export interface OnnxCausalLMOptions {
  /** Longest sequence (default 2048, or what the caller knows from the model's config). */
  readonly contextLength?: number;
  readonly bosTokenId?: number;
  readonly eosTokenId?: number;
  /** Name of the session for error messages. */
  readonly name?: string;
}

interface CachedPast {
  data: Float32Array | Uint16Array;
  dims: number[];
}

/** The cache of an ONNX model: the `present` tensors of the last run. */
export class OnnxCache implements KVCache {
  private _disposed = false;
  constructor(
    readonly slots: readonly PastSlot[],
    public pasts: CachedPast[],
    private _length: number,
    readonly capacity: number,
  ) {}
  get length(): number {
    return this._length;
  }
  get disposed(): boolean {
    return this._disposed;
  }
  /** @internal */
  set(pasts: CachedPast[], length: number): void {
    this.pasts = pasts;
    this._length = length;
  }
  truncate(length: number): void {
    if (length < 0 || length > this._length) throw new OutOfRangeError(`truncate(${length}) outside [0, ${this._length}]`);
    this.pasts = this.pasts.map((p, i) => sliceSeq(p, this.slots[i]!.seqAxis, length));
    this._length = length;
  }
  clone(): OnnxCache {
    return new OnnxCache(
      this.slots,
      this.pasts.map((p) => ({ data: p.data.slice(), dims: [...p.dims] })),
      this._length,
      this.capacity,
    );
  }
  reset(): void {
    this.truncate(0);
  }
  dispose(): void {
    this.pasts = [];
    this._disposed = true;
  }
}

/** Keeps the first `length` positions along `axis`. */
function sliceSeq(p: CachedPast, axis: number, length: number): CachedPast {
  const dims = [...p.dims];
  const S = dims[axis]!;
  if (length === S) return p;
  const outer = dims.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  dims[axis] = length;
  const out = new (p.data.constructor as Float32ArrayConstructor | Uint16ArrayConstructor)(outer * length * inner);
  for (let o = 0; o < outer; o++) out.set(p.data.subarray(o * S * inner, o * S * inner + length * inner), o * length * inner);
  return { data: out, dims };
}

/** A decoder-only ONNX model with past key/values, as a weft CausalLM. */
export class OnnxCausalLM implements CausalLM {
  readonly config: ModelConfig;
  private readonly slots: PastSlot[];
  private readonly idsType: 'int32' | 'int64';
  private readonly hasPositions: boolean;
  private readonly hasMask: boolean;
  private readonly logitsType: 'float32' | 'float16';
  readonly pastKind: PastKind;
  /**
   * Some exports (onnxruntime-genai's attention-mask subgraph) accept several new tokens only
   * when the cache is empty; once such a run fails, later multi-token extensions go token by token.
   */
  private extendOneByOne = false;

  constructor(
    readonly ort: OrtModule,
    readonly session: InferenceSession,
    opts: OnnxCausalLMOptions = {},
  ) {
    const name = opts.name ?? 'model.onnx';
    const inputs = new Map(session.inputMetadata.map((m) => [m.name, m]));
    const outputs = new Map(session.outputMetadata.map((m) => [m.name, m]));
    const ids = inputs.get('input_ids');
    const logits = outputs.get('logits');
    if (!ids || !logits || !ids.isTensor || !logits.isTensor)
      throw new UnsupportedError(
        `${name}: a session without input_ids → logits`,
        'export the decoder with input_ids and logits (Optimum or onnxruntime-genai)',
      );
    if (ids.type !== 'int32' && ids.type !== 'int64') throw new UnsupportedError(`${name}: input_ids of type ${ids.type}`);
    if (logits.type !== 'float32' && logits.type !== 'float16')
      throw new UnsupportedError(`${name}: logits of type ${logits.type}`);
    this.idsType = ids.type;
    this.logitsType = logits.type;
    this.hasPositions = inputs.has('position_ids');
    this.hasMask = inputs.has('attention_mask');
    const stacked = [...inputs.keys()].filter((n) => /^past_\d+$/.test(n));
    const split = [...inputs.keys()].filter((n) => /^past_key_values\.\d+\.(key|value)$/.test(n));
    this.pastKind = stacked.length > 0 ? 'stacked' : 'split';
    const slotOf = (input: string, output: string): PastSlot => {
      const meta = inputs.get(input);
      if (!meta?.isTensor) throw new UnsupportedError(`${name}: input ${input} is not a tensor`);
      if (!outputs.has(output)) throw new UnsupportedError(`${name}: past input ${input} has no matching output ${output}`);
      if (meta.type !== 'float32' && meta.type !== 'float16')
        throw new UnsupportedError(`${name}: ${input} of type ${meta.type}`);
      const seqAxis = this.pastKind === 'stacked' ? 3 : 2;
      const emptyDims = meta.shape.map((d, i) => (i === seqAxis ? 0 : typeof d === 'number' ? d : 1));
      return { input, output, type: meta.type, emptyDims, seqAxis };
    };
    const byIndex = (a: string, b: string) => Number(/\d+/.exec(a)![0]) - Number(/\d+/.exec(b)![0]) || a.localeCompare(b);
    this.slots =
      this.pastKind === 'stacked'
        ? stacked.sort(byIndex).map((n) => slotOf(n, n.replace('past_', 'present_')))
        : split.sort(byIndex).map((n) => slotOf(n, n.replace('past_key_values.', 'present.')));
    if (this.slots.length === 0)
      throw new UnsupportedError(`${name}: a decoder without past key/value inputs`, 'export with use_cache / past key values');
    const vocab = logits.shape.at(-1);
    if (typeof vocab !== 'number') throw new UnsupportedError(`${name}: logits with a symbolic vocabulary dimension`);
    const first = this.slots[0]!.emptyDims;
    const kvHeads = first[this.pastKind === 'stacked' ? 2 : 1]!;
    const headDim = first.at(-1)!;
    const layers = this.pastKind === 'stacked' ? this.slots.length : this.slots.length / 2;
    this.config = {
      architecture: 'onnx',
      vocabSize: vocab,
      contextLength: opts.contextLength ?? 2048,
      // Only what the cache shapes reveal; the rest runs inside the engine.
      dim: kvHeads * headDim,
      layers,
      heads: kvHeads,
      kvHeads,
      headDim,
      hiddenDim: 0,
      attention: { kind: 'full', mask: { kind: 'causal' } },
      positional: { kind: 'none' },
      ...(opts.bosTokenId !== undefined ? { bosTokenId: opts.bosTokenId } : {}),
      ...(opts.eosTokenId !== undefined ? { eosTokenId: opts.eosTokenId } : {}),
    };
  }

  createCache(opts: { capacity?: number } = {}): OnnxCache {
    const capacity = opts.capacity ?? this.config.contextLength;
    const pasts = this.slots.map((s) => ({
      data: s.type === 'float16' ? new Uint16Array(0) : new Float32Array(0),
      dims: [...s.emptyDims],
    }));
    return new OnnxCache(this.slots, pasts, 0, capacity);
  }

  async forward(ids: ArrayLike<number>, cache: KVCache, opts: ForwardOptions = {}): Promise<Float32Array> {
    if (ids.length > 1 && cache.length > 0 && cache instanceof OnnxCache) {
      if (!this.extendOneByOne) {
        try {
          return await this.run(ids, cache, opts);
        } catch (e) {
          if (e instanceof WeftError) throw e;
          this.extendOneByOne = true;
        }
      }
      const rows: Float32Array[] = [];
      for (let i = 0; i < ids.length; i++) rows.push(await this.run([ids[i]!], cache, { ...opts, logits: 'last' }));
      if (opts.logits !== 'all') return rows.at(-1)!;
      const all = new Float32Array(rows.length * this.config.vocabSize);
      for (let i = 0; i < rows.length; i++) all.set(rows[i]!, i * this.config.vocabSize);
      return all;
    }
    return this.run(ids, cache, opts);
  }

  private async run(ids: ArrayLike<number>, cache: KVCache, opts: ForwardOptions): Promise<Float32Array> {
    throwIfAborted(opts.signal);
    if (!(cache instanceof OnnxCache) || cache.slots !== this.slots)
      throw new UnsupportedError('a KV cache from another model', 'use model.createCache()');
    if (cache.disposed) throw new UnsupportedError('using a disposed KV cache', 'create a new one with model.createCache()');
    const T = ids.length;
    const P = cache.length;
    if (T === 0) throw new OutOfRangeError('forward() needs at least one token id');
    if (P + T > cache.capacity)
      throw new OutOfRangeError(`${P} cached + ${T} new tokens exceed the cache capacity ${cache.capacity}`);
    const V = this.config.vocabSize;
    for (let i = 0; i < T; i++)
      if (!(ids[i]! >= 0 && ids[i]! < V)) throw new OutOfRangeError(`token id ${ids[i]} outside the vocabulary [0, ${V})`);
    const { Tensor } = this.ort;
    const ints = (values: number[]) =>
      this.idsType === 'int64'
        ? new Tensor('int64', BigInt64Array.from(values, BigInt), [1, values.length])
        : new Tensor('int32', Int32Array.from(values), [1, values.length]);
    const feeds: Record<string, OrtTensor> = { input_ids: ints(Array.from(ids)) };
    if (this.hasPositions) feeds.position_ids = ints(Array.from({ length: T }, (_, i) => P + i));
    if (this.hasMask) {
      const mask = new Array<number>(P + T).fill(1);
      feeds.attention_mask =
        this.idsType === 'int64'
          ? new Tensor('int64', BigInt64Array.from(mask, BigInt), [1, P + T])
          : new Tensor('int32', Int32Array.from(mask), [1, P + T]);
    }
    this.slots.forEach((s, i) => {
      const p = cache.pasts[i]!;
      feeds[s.input] = new Tensor(s.type, p.data, p.dims);
    });
    const out = await this.session.run(feeds);
    throwIfAborted(opts.signal);
    const presents = this.slots.map((s) => {
      const t = out[s.output]!;
      return { data: t.data as Float32Array | Uint16Array, dims: [...t.dims] };
    });
    cache.set(presents, P + T);
    const logits = out.logits!;
    const raw = logits.data as Float32Array | Uint16Array;
    const all = this.logitsType === 'float16' ? Float32Array.from(raw as Uint16Array, (h) => f16ToF32(h)) : (raw as Float32Array);
    if (all.length !== T * V) throw new InvalidFileError('logits', `expected ${T}×${V} values, got ${all.length}`);
    return opts.logits === 'all' ? all : all.slice((T - 1) * V);
  }

  dispose(): void {
    void this.session.release?.();
  }
}
