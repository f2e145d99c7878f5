import { DeviceError } from '@weft/core';
import { type DeviceFactory, WebGpuBackend } from './backend.js';
import { noAdapter } from './errors.js';
import type {} from './gpu-types.js';

/** Options of {@link createWebGpuBackend}. */
export interface WebGpuOptions {
  /**
   * A `navigator.gpu`-compatible object. Defaults to `globalThis.navigator.gpu` (browsers,
   * workers). In Node use `createNodeWebGpuBackend()` from `@weft/webgpu/node`.
   */
  readonly gpu?: object;
  readonly powerPreference?: 'low-power' | 'high-performance';
  /** Request `shader-f16` when the adapter has it (default true). */
  readonly f16?: boolean;
  /**
   * Kernel family: `workgroup` (tiled, workgroup memory and barriers: best on real GPUs),
   * `barrier-free` (register-blocked / serial-chunk kernels: best on software adapters), or
   * `auto` (default): barrier-free when the adapter is a CPU/software one.
   */
  readonly kernels?: 'auto' | 'workgroup' | 'barrier-free';
}

/**
 * Creates the WebGPU backend. Throws DeviceError('no-adapter') — whose message says how to
 * get a driver — when WebGPU or an adapter is missing; catch it and choose the CPU backend:
 *
 * ```ts
 * const backend = await createWebGpuBackend().catch(() => createCpuBackend());
 * ```
 */
export async function createWebGpuBackend(options: WebGpuOptions = {}): Promise<WebGpuBackend> {
  const factory = deviceFactory(options);
  const { device, adapterName, f16, software } = await factory();
  const barrierFree = options.kernels === 'barrier-free' || ((options.kernels ?? 'auto') === 'auto' && software);
  return new WebGpuBackend(device, adapterName, f16, factory, barrierFree);
}

function deviceFactory(options: WebGpuOptions): DeviceFactory {
  return async () => {
    const gpu = (options.gpu ?? (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu) as GPU | undefined;
    if (!gpu) throw noAdapter('this environment has no WebGPU (navigator.gpu is undefined)');
    let adapter: GPUAdapter | null;
    try {
      adapter = await gpu.requestAdapter(options.powerPreference ? { powerPreference: options.powerPreference } : undefined);
    } catch (e) {
      throw noAdapter(`requestAdapter failed: ${(e as Error).message}`);
    }
    if (!adapter) throw noAdapter('requestAdapter() returned null (no usable GPU driver)');
    const f16 = options.f16 !== false && adapter.features.has('shader-f16');
    const limits = adapter.limits;
    let device: GPUDevice;
    try {
      device = await adapter.requestDevice({
        requiredFeatures: f16 ? ['shader-f16'] : [],
        requiredLimits: {
          maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
          maxBufferSize: limits.maxBufferSize,
          maxComputeWorkgroupStorageSize: limits.maxComputeWorkgroupStorageSize,
          maxComputeInvocationsPerWorkgroup: limits.maxComputeInvocationsPerWorkgroup,
          maxStorageBuffersPerShaderStage: limits.maxStorageBuffersPerShaderStage,
        },
      });
    } catch (e) {
      throw new DeviceError(
        'no-adapter',
        `requestDevice failed: ${(e as Error).message}`,
        'Try again without other GPU-heavy tabs/processes, or use the CPU backend.',
      );
    }
    const info = adapter.info as GPUAdapterInfo | undefined;
    const adapterName =
      [info?.vendor, info?.architecture, info?.device, info?.description].filter(Boolean).join(' ') || 'WebGPU adapter';
    const software =
      (adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter === true ||
      (info as { isFallbackAdapter?: boolean } | undefined)?.isFallbackAdapter === true ||
      /swiftshader|llvmpipe|lavapipe|software|warp/i.test(adapterName);
    return { device, adapterName, f16, software };
  };
}
