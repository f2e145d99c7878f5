import { DeviceError, f16ToF32, f32ToF16, OptionError, ShapeError } from '@weft/core';
import { createCpuBackend } from '@weft/cpu';
import { createWebGpuBackend } from '@weft/webgpu';
import { createNodeWebGpuBackend } from '@weft/webgpu/node';
import { describe, expect, it } from 'vitest';
import { gpuBackend, gpuF16Backend } from './gpu.js';

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

describe('precision option', () => {
  /** A navigator.gpu whose adapter has the given features (requestDevice is never reached). */
  const fakeGpu = (features: string[]) => ({
    requestAdapter: async () => ({
      features: new Set(features),
      limits: {},
      info: { vendor: 'fake', device: 'no-f16 adapter' },
      requestDevice: async () => {
        throw new Error('not reached');
      },
    }),
  });

  it("precision 'f16' on an adapter without shader-f16 gives OptionError naming shader-f16 and precision 'f32'", async () => {
    const err = await createWebGpuBackend({ gpu: fakeGpu([]), precision: 'f16' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OptionError);
    expect((err as OptionError).option).toBe('precision');
    expect((err as OptionError).message).toMatch(/shader-f16/);
    expect((err as OptionError).message).toMatch(/no-f16 adapter/);
    expect((err as OptionError).message).toMatch(/precision: 'f32'/);
  });

  it("precision 'f16' with f16: false, or an unknown precision, gives OptionError before touching the GPU", async () => {
    await expect(createWebGpuBackend({ gpu: fakeGpu(['shader-f16']), precision: 'f16', f16: false })).rejects.toThrow(
      OptionError,
    );
    await expect(createWebGpuBackend({ gpu: fakeGpu([]), precision: 'bf16' as 'f16' })).rejects.toThrow(/'f32' or 'f16'/);
  });
});

describe('f16 precision', async () => {
  const auto = await gpuBackend();
  const f16 = await gpuF16Backend();
  const gpu = typeof f16 === 'string' ? null : f16;

  it.skipIf(!gpu)('info says the precision; the default stays f32', () => {
    expect(gpu!.info.precision).toBe('f16');
    expect(gpu!.info.f16).toBe(true);
    expect((auto as Exclude<typeof auto, string>).info.precision).toBe('f32');
  });

  it.skipIf(!gpu)('f32 tensors take half the GPU memory and read back as Float32Array rounded to f16', async () => {
    const b = gpu!;
    const n = 4096;
    const data = Float32Array.from({ length: n }, (_, i) => Math.sin(i) * 3 + 1e-3);
    const before = b.stats().bytes;
    const t = b.fromHost(data, [n]);
    expect(t.dtype).toBe('f32');
    expect(b.stats().bytes - before).toBe(n * 2);
    const got = await b.read(t);
    expect(got).toBeInstanceOf(Float32Array);
    expect(Array.from(got)).toEqual(Array.from(data, (x) => f16ToF32(f32ToF16(x))));
    t.dispose();
  });

  it.skipIf(!gpu)(
    'KV-cache rows of odd length (f16 rows at 2-byte offsets) are written without touching their neighbours',
    async () => {
      const b = gpu!;
      const C = 3; // 6-byte rows
      const rowOf = (r: number) => Float32Array.from({ length: C }, (_, i) => 10 * r + i);
      const cache = b.fromHost(
        Float32Array.from({ length: 7 * C }, (_, i) => -1 - i),
        [7, C],
      );
      b.tidy(() => {
        for (let r = 0; r < 7; r += 2) b.writeRows(cache, b.fromHost(rowOf(r), [1, C]), r);
      });
      const want = Array.from({ length: 7 * C }, (_, i) =>
        Math.floor(i / C) % 2 === 0 ? 10 * Math.floor(i / C) + (i % C) : -1 - i,
      );
      expect(Array.from(await b.read(cache))).toEqual(want);
      const mid = b.sliceRows(cache, 1, 5);
      expect(Array.from(await b.read(mid))).toEqual(want.slice(C, 6 * C));
      cache.dispose();
      mid.dispose();
    },
  );
});
