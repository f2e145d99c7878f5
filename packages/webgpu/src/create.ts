import { DeviceError, OptionError } from '@weft/core';
import { type DeviceFactory, WebGpuBackend } from './backend.js';
import { noAdapter } from './errors.js';
import type {} from './gpu-types.js';
import type { Precision } from './kernels/common.js';

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
   * Precision of activations, KV cache and f32 weights on the GPU (default `'f32'`).
   *
   * `'f16'` (needs an adapter with `shader-f16`; `backend.info.f16` tells): those tensors are
   * stored as IEEE half floats — half the memory and bandwidth —; matmul multiplies
   * `vec4<f16>` and accumulates in f32, attention forms the products of its f16 operands
   * exactly and accumulates in f32, norms and softmax statistics stay f32, and every result is
   * rounded to f16 when stored. Tensors still say `dtype: 'f32'`:
   * `fromHost(Float32Array)` rounds on upload and `read()` returns a Float32Array. f16, bf16,
   * q8_0 and q4_0 weights keep their own storage. Expect agreement with f32 to about 1e-2
   * relative (the conformance suite's f16 tolerance is 2e-2); see the runtime docs for measured
   * figures. On an adapter without `shader-f16` (e.g. SwiftShader) creation
   * throws an OptionError that says so.
   */
  readonly precision?: Precision;
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
  const precision = options.precision ?? 'f32';
  if (precision !== 'f32' && precision !== 'f16')
    throw new OptionError('precision', `must be 'f32' or 'f16', got ${JSON.stringify(precision)}`);
  if (precision === 'f16' && options.f16 === false)
    throw new OptionError('precision', "'f16' needs shader-f16, but f16: false asks not to request it", 'drop f16: false');
  const factory = deviceFactory(options, precision);
  const { device, adapterName, f16, software } = await factory();
  const barrierFree = options.kernels === 'barrier-free' || ((options.kernels ?? 'auto') === 'auto' && software);
  return new WebGpuBackend(device, adapterName, f16, factory, barrierFree, precision);
}

function deviceFactory(options: WebGpuOptions, precision: Precision): DeviceFactory {
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
    if (precision === 'f16' && !f16) {
      throw new OptionError(
        'precision',
        `'f16' needs the WebGPU feature shader-f16, which this adapter (${describe(adapter)}) lacks`,
        "use precision: 'f32' (the default) here, or an adapter with shader-f16 (most desktop GPUs; Mesa ≥ 25 lavapipe)",
      );
    }
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
    const adapterName = describe(adapter);
    const software =
      (adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter === true ||
      (info as { isFallbackAdapter?: boolean } | undefined)?.isFallbackAdapter === true ||
      /swiftshader|llvmpipe|lavapipe|software|warp/i.test(adapterName);
    return { device, adapterName, f16, software };
  };
}

function describe(adapter: GPUAdapter): string {
  const info = adapter.info as GPUAdapterInfo | undefined;
  return [info?.vendor, info?.architecture, info?.device, info?.description].filter(Boolean).join(' ') || 'WebGPU adapter';
}
