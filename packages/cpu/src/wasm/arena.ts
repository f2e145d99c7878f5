/**
 * A first-fit allocator over one WebAssembly.Memory: the kernels' scratch (x, out, dequantised
 * rows, weights copied for one call) and the resident weight cache share it. The memory grows
 * on demand (WebAssembly memories never shrink); a request that cannot be met returns
 * `undefined` so the caller can fall back to the plain JS kernels.
 */

/** Allocation granule: a cache line, so no two blocks share one. */
const ALIGN = 64;
const PAGE = 65536;

interface Span {
  offset: number;
  size: number;
}

export class WasmArena {
  /** Free spans, sorted by offset, never adjacent (merged on release). */
  private readonly free: Span[] = [];
  private top: number;

  /**
   * @param memory the module's memory
   * @param base first usable byte (everything below is left alone)
   */
  constructor(
    readonly memory: WebAssembly.Memory,
    base = ALIGN,
  ) {
    this.top = roundUp(base);
    const end = memory.buffer.byteLength;
    if (end > this.top) this.free.push({ offset: this.top, size: end - this.top });
    this.top = Math.max(this.top, end);
  }

  /** Bytes the memory holds now. */
  get capacity(): number {
    return this.memory.buffer.byteLength;
  }

  /** Bytes in free spans. */
  get freeBytes(): number {
    return this.free.reduce((s, f) => s + f.size, 0);
  }

  /** Reserves `bytes` (rounded up to 64); returns the byte offset, or undefined when the memory cannot grow. */
  alloc(bytes: number): number | undefined {
    const size = roundUp(Math.max(1, bytes));
    for (let i = 0; i < this.free.length; i++) {
      const f = this.free[i]!;
      if (f.size < size) continue;
      const offset = f.offset;
      if (f.size === size) this.free.splice(i, 1);
      else {
        f.offset += size;
        f.size -= size;
      }
      return offset;
    }
    // grow: reuse a free span that ends at the top of memory
    const last = this.free.at(-1);
    const tail = last && last.offset + last.size === this.top ? last.size : 0;
    const pages = Math.ceil((size - tail) / PAGE);
    try {
      this.memory.grow(pages);
    } catch {
      return undefined;
    }
    const added = pages * PAGE;
    if (tail) last!.size += added;
    else this.free.push({ offset: this.top, size: added });
    this.top += added;
    return this.alloc(size);
  }

  /** Returns a block from {@link alloc} (same byte count). */
  release(offset: number, bytes: number): void {
    const size = roundUp(Math.max(1, bytes));
    let i = 0;
    while (i < this.free.length && this.free[i]!.offset < offset) i++;
    const prev = this.free[i - 1];
    const next = this.free[i];
    if ((prev && prev.offset + prev.size > offset) || (next && offset + size > next.offset)) {
      throw new Error(`WasmArena: block at ${offset} (+${size}) overlaps a free span (double release?)`);
    }
    if (prev && prev.offset + prev.size === offset) {
      prev.size += size;
      if (next && prev.offset + prev.size === next.offset) {
        prev.size += next.size;
        this.free.splice(i, 1);
      }
    } else if (next && offset + size === next.offset) {
      next.offset = offset;
      next.size += size;
    } else this.free.splice(i, 0, { offset, size });
  }
}

function roundUp(n: number): number {
  return Math.ceil(n / ALIGN) * ALIGN;
}
