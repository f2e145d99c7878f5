/**
 * A tiny deterministic causal LM for tests: logits of the next token depend on the last
 * `order − 1` tokens through a seeded hash (an n-gram table computed on the fly), and its
 * KVCache is just the token history, so clone/truncate are exact.
 *
 * Shapes: V = vocab, T = tokens in one forward call, D = hidden size.
 */
import type { CausalLM, ForwardOptions, KVCache, ModelConfig } from '@weft/core';

export interface TinyLMOptions {
  vocabSize: number;
  /** 2 = bigram, 3 = trigram. */
  order?: number;
  seed?: number;
  /** Spread of the logits (bigger = peakier distributions). */
  scale?: number;
  contextLength?: number;
  hiddenSize?: number;
  /** Await a macrotask in every forward (to test aborts between steps). */
  async?: boolean;
}

export class TinyCache implements KVCache {
  tokens: number[] = [];
  disposed = false;
  constructor(readonly capacity: number) {}
  get length(): number {
    return this.tokens.length;
  }
  truncate(length: number): void {
    this.check();
    if (length < 0 || length > this.tokens.length) throw new Error(`truncate(${length}) of ${this.tokens.length}`);
    this.tokens.length = length;
  }
  clone(): TinyCache {
    this.check();
    const c = new TinyCache(this.capacity);
    c.tokens = this.tokens.slice();
    return c;
  }
  reset(): void {
    this.check();
    this.tokens = [];
  }
  dispose(): void {
    this.disposed = true;
  }
  check(): void {
    if (this.disposed) throw new Error('cache used after dispose');
  }
}

function hash(a: number, b: number, c: number, seed: number): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  for (const x of [a, b, c]) {
    h = Math.imul(h ^ (x + 0x7f4a7c15), 0x85ebca6b) >>> 0;
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35) >>> 0;
    h ^= h >>> 16;
  }
  return h / 4294967296;
}

export class TinyLM implements CausalLM {
  config: ModelConfig;
  readonly order: number;
  readonly seed: number;
  readonly scale: number;
  readonly hiddenSize: number;
  readonly async: boolean;
  forwardCalls = 0;
  tokensProcessed = 0;
  caches: TinyCache[] = [];
  constructor(o: TinyLMOptions) {
    this.order = o.order ?? 2;
    this.seed = o.seed ?? 1;
    this.scale = o.scale ?? 4;
    this.hiddenSize = o.hiddenSize ?? 8;
    this.async = o.async ?? false;
    this.config = {
      architecture: 'tiny-ngram',
      vocabSize: o.vocabSize,
      contextLength: o.contextLength ?? 64,
      dim: this.hiddenSize,
      layers: 1,
      heads: 1,
      kvHeads: 1,
      headDim: this.hiddenSize,
      hiddenDim: this.hiddenSize,
      attention: { kind: 'full', causal: true },
      positional: { kind: 'none' },
      bosTokenId: 1,
      eosTokenId: 2,
    } as ModelConfig;
  }
  createCache(opts?: { capacity?: number }): TinyCache {
    const c = new TinyCache(opts?.capacity ?? this.config.contextLength);
    this.caches.push(c);
    return c;
  }
  /** Logits after a history (only the last order−1 tokens matter). */
  logitsAfter(history: readonly number[]): Float32Array {
    const V = this.config.vocabSize;
    const a = history.length >= 1 ? history[history.length - 1]! : -1;
    const b = this.order >= 3 && history.length >= 2 ? history[history.length - 2]! : -1;
    const out = new Float32Array(V);
    for (let v = 0; v < V; v++) out[v] = (hash(a, b, v, this.seed) * 2 - 1) * this.scale;
    return out;
  }
  hiddenAfter(history: readonly number[]): Float32Array {
    const a = history.length >= 1 ? history[history.length - 1]! : -1;
    const b = this.order >= 3 && history.length >= 2 ? history[history.length - 2]! : -1;
    const out = new Float32Array(this.hiddenSize);
    for (let d = 0; d < this.hiddenSize; d++) out[d] = hash(a, b, 100000 + d, this.seed + 7) * 2 - 1;
    return out;
  }
  async forward(ids: ArrayLike<number>, cache: KVCache, opts?: ForwardOptions): Promise<Float32Array> {
    return (await this.run(ids, cache, opts)).logits;
  }
  async forwardWithHidden(
    ids: ArrayLike<number>,
    cache: KVCache,
    opts?: ForwardOptions,
  ): Promise<{ logits: Float32Array; hidden: Float32Array }> {
    return this.run(ids, cache, opts);
  }
  private async run(
    ids: ArrayLike<number>,
    cache: KVCache,
    opts?: ForwardOptions,
  ): Promise<{ logits: Float32Array; hidden: Float32Array }> {
    if (this.async) await new Promise((r) => setTimeout(r, 0));
    if (opts?.signal?.aborted) throw new DOMException('aborted', 'AbortError');
    const c = cache as TinyCache;
    c.check();
    if (ids.length === 0) throw new Error('forward with no ids');
    if (c.length + ids.length > c.capacity) throw new Error(`cache overflow: ${c.length} + ${ids.length} > ${c.capacity}`);
    this.forwardCalls++;
    this.tokensProcessed += ids.length;
    const V = this.config.vocabSize;
    const D = this.hiddenSize;
    const all = opts?.logits === 'all';
    const T = ids.length;
    const logits = new Float32Array((all ? T : 1) * V); // [T·V] or [V]
    const hidden = new Float32Array((all ? T : 1) * D);
    for (let t = 0; t < T; t++) {
      const id = ids[t]!;
      if (!Number.isInteger(id) || id < 0 || id >= V) throw new Error(`bad id ${id}`);
      c.tokens.push(id);
      if (all || t === T - 1) {
        const row = all ? t : 0;
        logits.set(this.logitsAfter(c.tokens), row * V);
        hidden.set(this.hiddenAfter(c.tokens), row * D);
      }
    }
    return { logits, hidden };
  }
  dispose(): void {}
}

/** Exact next-token distribution (float64 softmax of logits / temperature). */
export function softmax64(logits: ArrayLike<number>, temperature = 1): Float64Array {
  const out = new Float64Array(logits.length);
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]! / temperature);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += out[i] = Math.exp(logits[i]! / temperature - max);
  for (let i = 0; i < logits.length; i++) out[i] = out[i]! / sum;
  return out;
}

/** Collects an async iterable. */
export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}
