/**
 * A binary max-heap of indices ordered by `keys[index]` descending, ties by ascending index —
 * a total order, so pops come out exactly in the order a stable descending sort would give.
 * Used to walk the head of a distribution (top-p, typical) without sorting the whole vocabulary.
 */
export class IndexMaxHeap {
  private readonly heap: Int32Array;
  private size: number;
  constructor(
    private readonly keys: ArrayLike<number>,
    ids: ArrayLike<number>,
  ) {
    this.heap = Int32Array.from(ids);
    this.size = this.heap.length;
    for (let i = (this.size >> 1) - 1; i >= 0; i--) this.down(i);
  }
  get length(): number {
    return this.size;
  }
  private above(a: number, b: number): boolean {
    const ka = this.keys[a]!;
    const kb = this.keys[b]!;
    return ka > kb || (ka === kb && a < b);
  }
  private down(i: number): void {
    const h = this.heap;
    const n = this.size;
    const x = h[i]!;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && this.above(h[c + 1]!, h[c]!)) c++;
      if (!this.above(h[c]!, x)) break;
      h[i] = h[c]!;
      i = c;
    }
    h[i] = x;
  }
  /** The next index in order, or −1 when empty. */
  pop(): number {
    if (this.size === 0) return -1;
    const top = this.heap[0]!;
    this.size--;
    if (this.size > 0) {
      this.heap[0] = this.heap[this.size]!;
      this.down(0);
    }
    return top;
  }
}
