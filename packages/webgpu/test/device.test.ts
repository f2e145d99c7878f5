import { DeviceError, ShapeError } from '@weft/core';
import { createCpuBackend } from '@weft/cpu';
import { createWebGpuBackend } from '@weft/webgpu';
import { createNodeWebGpuBackend } from '@weft/webgpu/node';
import { describe, expect, it } from 'vitest';
import { gpuBackend } from './gpu.js';

describe('no adapter', () => {
  it('a navigator.gpu whose requestAdapter() returns null gives DeviceError(no-adapter) naming the CPU fallback', async () => {
    const fake = { requestAdapter: async () => null };
    const err = await createWebGpuBackend({ gpu: fake }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeviceError);
    expect((err as DeviceError).reason).toBe('no-adapter');
    expect((err as DeviceError).message).toMatch(/createCpuBackend/);
    expect((err as DeviceError).message).toMatch(/VK_ICD_FILENAMES/);
  });

  it('an environment without navigator.gpu gives DeviceError(no-adapter)', async () => {
    const err = await createWebGpuBackend().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeviceError);
    expect((err as DeviceError).message).toMatch(/navigator\.gpu is undefined/);
  });

  it('the caller chooses the CPU fallback', async () => {
    const backend = await createWebGpuBackend({ gpu: { requestAdapter: async () => null } }).catch(() => createCpuBackend());
    expect(backend.info.name).toBe('cpu');
  });
});

describe('device errors', async () => {
  const gpu = await gpuBackend();
  const skip = typeof gpu === 'string';

  it.skipIf(skip)('an allocation over the adapter limit gives DeviceError(limits) before touching the GPU', () => {
    if (typeof gpu === 'string') return;
    const n = Math.floor(gpu.info.maxBufferBytes / 4) + 16;
    const err = (() => {
      try {
        gpu.zeros([n]);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(DeviceError);
    expect((err as DeviceError).reason).toBe('limits');
    expect((err as DeviceError).message).toMatch(/q8_0|CPU backend/);
  });

  it.skipIf(skip)('bad shapes, ids and foreign tensors give ShapeError', () => {
    if (typeof gpu === 'string') return;
    const x = gpu.zeros([2, 8]);
    const w = gpu.zeros([3, 9]);
    expect(() => gpu.matmul(x, w)).toThrow(ShapeError);
    expect(() => gpu.gather(x, new Int32Array([5]))).toThrow(/outside the vocabulary/);
    expect(() => gpu.matmul(x, gpu.zeros([4, 8], 'q8_0'))).toThrow(/K % 32/);
    const cpu = createCpuBackend();
    expect(() => gpu.add(x, cpu.zeros([2, 8]))).toThrow(/belongs to backend 'cpu'/);
    x.dispose();
    expect(() => gpu.add(x, x)).toThrow(/already disposed/);
  });

  it.skipIf(skip)('ops are batched: 60 dispatches and a read take at most 2 queue submissions', async () => {
    if (typeof gpu === 'string') return;
    const x = gpu.fromHost(new Float32Array(256).fill(1), [256]);
    const before = gpu.stats().submissions;
    const y = gpu.tidy(() => {
      let y = x;
      for (let i = 0; i < 60; i++) y = gpu.add(y, x);
      return y;
    });
    const out = (await gpu.read(y)) as Float32Array;
    expect(out[255]).toBe(61);
    expect(gpu.stats().submissions - before).toBeLessThanOrEqual(2);
    x.dispose();
    y.dispose();
  });
});

describe('device loss', () => {
  it('device.destroy() makes every op throw DeviceError(lost); recreate() gives a working device', async () => {
    const gpu = await createNodeWebGpuBackend().catch((e: Error) => (process.env.CI ? Promise.reject(e) : e.message));
    if (typeof gpu === 'string') return void console.warn(`skipping: ${gpu}`);
    const x = gpu.fromHost(new Float32Array([1, 2, 3]), [3]);
    gpu.device.destroy();
    await new Promise((r) => setTimeout(r, 50));
    expect(gpu.lost).toBe(true);
    const err = (() => {
      try {
        gpu.add(x, x);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(DeviceError);
    expect((err as DeviceError).reason).toBe('lost');
    expect((err as DeviceError).message).toMatch(/recreate\(\)/);
    await expect(gpu.read(x)).rejects.toBeInstanceOf(DeviceError);
    await gpu.recreate();
    expect(gpu.lost).toBe(false);
    expect(() => gpu.add(x, x)).toThrow(/lost or replaced/);
    const y = gpu.fromHost(new Float32Array([1, 2, 3]), [3]);
    expect(Array.from((await gpu.read(gpu.add(y, y))) as Float32Array)).toEqual([2, 4, 6]);
    gpu.dispose();
  });
});
