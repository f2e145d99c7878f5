import type { WasmArena } from './arena.js';

/**
 * Resident copies of weight arrays in wasm memory, so a decode step does not copy every weight
 * matrix in again (for 1×4096×4096 the copy costs about as much as the product itself).
 *
 * Policy: an array is cached the second time it is used as `w` (weights are reused every step;
 * one-off operands are not, and must not push weights out). Entries are keyed by the typed array
 * object (WeakMap), evicted least-recently-used beyond a byte budget, and freed when their array
 * is garbage-collected. Weights are treated as read-only: a sampled fingerprint is re-checked on
 * every hit and catches most in-place edits, but not all — after editing a weight array in place,
 * call {@link WeightCache.clear}.
 */

export interface CacheEntry {
  readonly offset: number;
  readonly bytes: number;
  readonly fingerprint: number;
  live: boolean;
}

/** Counters for tests and benchmarks. */
export interface WeightCacheStats {
  readonly entries: number;
  readonly bytes: number;
  readonly budget: number;
  readonly hits: number;
  readonly misses: number;
  readonly evictions: number;
}

type Bytes = ArrayBufferView;

export class WeightCache {
  private map = new WeakMap<object, CacheEntry>();
  private seen = new WeakSet<object>();
  /** Insertion order = recency order (re-inserted on every hit). */
  private readonly lru = new Set<CacheEntry>();
  private readonly registry: FinalizationRegistry<CacheEntry> | undefined;
  private used = 0;
  private hits = 0;
  private misses = 0;
  private evictions = 0;

  constructor(
    private readonly arena: WasmArena,
    private budget: number,
  ) {
    this.registry = typeof FinalizationRegistry === 'function' ? new FinalizationRegistry((e) => this.drop(e)) : undefined;
  }

  /** The wasm offset of `data`'s resident copy, or undefined (not cached, or changed since). */
  lookup(data: Bytes): number | undefined {
    const e = this.map.get(data);
    if (!e?.live) {
      this.misses++;
      return undefined;
    }
    if (e.bytes !== data.byteLength || e.fingerprint !== fingerprint(data)) {
      this.drop(e);
      this.map.delete(data);
      this.misses++;
      return undefined;
    }
    this.lru.delete(e);
    this.lru.add(e);
    this.hits++;
    return e.offset;
  }

  /**
   * Copies `data` in as a resident entry when policy allows (second sighting, fits the budget);
   * returns its offset, or undefined (the caller copies it into scratch for this call only).
   */
  admit(data: Bytes): number | undefined {
    if (!this.seen.has(data)) {
      this.seen.add(data);
      return undefined;
    }
    const bytes = data.byteLength;
    if (bytes > this.budget) return undefined;
    while (this.used + bytes > this.budget && this.lru.size) this.evictOldest();
    let offset = this.arena.alloc(bytes);
    while (offset === undefined && this.lru.size) {
      this.evictOldest();
      offset = this.arena.alloc(bytes);
    }
    if (offset === undefined) return undefined;
    new Uint8Array(this.arena.memory.buffer, offset, bytes).set(new Uint8Array(data.buffer, data.byteOffset, bytes));
    const e: CacheEntry = { offset, bytes, fingerprint: fingerprint(data), live: true };
    this.map.set(data, e);
    this.lru.add(e);
    this.registry?.register(data, e);
    this.used += bytes;
    return offset;
  }

  /** Changes the byte budget (0 disables caching), evicting as needed. */
  setBudget(bytes: number): void {
    this.budget = Math.max(0, bytes);
    while (this.used > this.budget && this.lru.size) this.evictOldest();
  }

  /** Frees every resident copy. */
  clear(): void {
    for (const e of [...this.lru]) this.drop(e);
    this.map = new WeakMap();
    this.seen = new WeakSet();
  }

  stats(): WeightCacheStats {
    return {
      entries: this.lru.size,
      bytes: this.used,
      budget: this.budget,
      hits: this.hits,
      misses: this.misses,
      evictions: this.evictions,
    };
  }

  private evictOldest(): void {
    const e = this.lru.values().next().value as CacheEntry;
    this.drop(e);
    this.evictions++;
  }

  private drop(e: CacheEntry): void {
    if (!e.live) return;
    e.live = false;
    this.lru.delete(e);
    this.used -= e.bytes;
    this.arena.release(e.offset, e.bytes);
  }
}

/** FNV-1a over the length and 64 bytes sampled evenly (plus the first and last 8). */
export function fingerprint(data: Bytes): number {
  const u8 = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const n = u8.length;
  let h = 0x811c9dc5 ^ n;
  const mix = (b: number) => {
    h = Math.imul(h ^ b, 0x01000193);
  };
  for (let i = 0; i < Math.min(8, n); i++) mix(u8[i]!);
  for (let i = Math.max(0, n - 8); i < n; i++) mix(u8[i]!);
  if (n > 0) for (let s = 0; s < 64; s++) mix(u8[Math.floor((s * (n - 1)) / 63)]!);
  return h >>> 0;
}
