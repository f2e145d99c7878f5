/**
 * A bounded string-keyed cache with two generations (an approximate LRU that costs one Map
 * lookup per hit): when the young generation is full it becomes the old one; hits in the old
 * generation are promoted. Memory stays under 2 × `capacity` entries.
 */
export class WordCache<V> {
  private young = new Map<string, V>();
  private old = new Map<string, V>();
  constructor(private readonly capacity = 50_000) {}

  get(key: string): V | undefined {
    const v = this.young.get(key);
    if (v !== undefined) return v;
    const o = this.old.get(key);
    if (o !== undefined) this.set(key, o);
    return o;
  }

  set(key: string, value: V): void {
    if (this.young.size >= this.capacity) {
      this.old = this.young;
      this.young = new Map();
    }
    this.young.set(key, value);
  }

  clear(): void {
    this.young.clear();
    this.old.clear();
  }
}
