import { describe, expect, it } from 'vitest';
import { gpuBackend } from '../test/gpu.js';

describe('smoke', async () => {
  const b = await gpuBackend();
  it.skipIf(typeof b === 'string')('adds', async () => {
    if (typeof b === 'string') return;
    const x = b.fromHost(new Float32Array([1, 2, 3, 4]), [2, 2]);
    const y = b.fromHost(new Float32Array([10, 20]), [2]);
    const z = b.add(x, y);
    expect(Array.from((await b.read(z)) as Float32Array)).toEqual([11, 22, 13, 24]);
    const w = b.fromHost(new Float32Array([1, 0, 0, 1, 1, 1]), [3, 2]);
    const m = b.matmul(x, w);
    expect(Array.from((await b.read(m)) as Float32Array)).toEqual([1, 2, 3, 3, 4, 7]);
  });
});
