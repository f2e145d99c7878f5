import { XorShiftRng } from '@weft/core';
import { freshSeed } from '@weft/testing';
import { describe, expect, it } from 'vitest';
import { WasmArena } from './arena.js';

const seed = freshSeed();

describe(`WasmArena (seed ${seed})`, () => {
  it('hands out disjoint 64-byte aligned blocks and grows the memory on demand', () => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    const arena = new WasmArena(memory);
    const a = arena.alloc(100)!;
    const b = arena.alloc(65536)!;
    expect(a % 64).toBe(0);
    expect(b % 64).toBe(0);
    expect(b >= a + 128 || a >= b + 65536).toBe(true);
    expect(memory.buffer.byteLength).toBeGreaterThan(65536);
  });

  it('reuses released space and merges neighbours (random alloc/release against a byte map)', () => {
    const rng = new XorShiftRng(seed);
    const memory = new WebAssembly.Memory({ initial: 1 });
    const arena = new WasmArena(memory);
    const live = new Map<number, number>();
    let liveBytes = 0;
    let peak = 0;
    for (let step = 0; step < 2000; step++) {
      if (live.size && rng.nextFloat() < 0.45) {
        const keys = [...live.keys()];
        const k = keys[rng.nextU32() % keys.length]!;
        arena.release(k, live.get(k)!);
        liveBytes -= live.get(k)!;
        live.delete(k);
      } else {
        const bytes = 1 + (rng.nextU32() % 20000);
        const p = arena.alloc(bytes)!;
        const clash = [...live].find(([q, n]) => !(p + bytes <= q || q + n <= p));
        if (clash) expect.fail(`[${p}, +${bytes}) overlaps [${clash[0]}, +${clash[1]}) at step ${step} (seed ${seed})`);
        live.set(p, bytes);
        liveBytes += bytes;
        peak = Math.max(peak, liveBytes);
      }
    }
    for (const [k, n] of live) arena.release(k, n);
    // everything merged back into one span covering the memory above the base
    expect(arena.freeBytes).toBe(memory.buffer.byteLength - 64);
    // first fit keeps fragmentation modest: the memory stays within twice the peak live bytes
    expect(memory.buffer.byteLength).toBeLessThan(2 * peak + 65536);
  });

  it('throws on a double release and returns undefined when the memory cannot grow', () => {
    const arena = new WasmArena(new WebAssembly.Memory({ initial: 1, maximum: 2 }));
    const p = arena.alloc(64)!;
    arena.release(p, 64);
    expect(() => arena.release(p, 64)).toThrow(/double release/);
    expect(arena.alloc(3 * 65536)).toBeUndefined();
    expect(arena.alloc(65536)).toBeDefined();
  });
});
