import type { WebGpuBackend } from '@weft/webgpu';
import { createNodeWebGpuBackend } from '@weft/webgpu/node';

/**
 * Shared backend for the GPU tests. When no adapter can be created: with CI=true the tests
 * fail loudly; on a developer machine without a driver they skip with the printed reason.
 */
let cached: Promise<WebGpuBackend | string> | undefined;

export function gpuBackend(): Promise<WebGpuBackend | string> {
  cached ??= createNodeWebGpuBackend().catch((e: Error) => {
    if (process.env.CI === 'true' || process.env.CI === '1') throw e;
    const reason = `skipping WebGPU tests: ${e.message}`;
    console.warn(reason);
    return reason;
  });
  return cached;
}

let cachedF16: Promise<WebGpuBackend | string> | undefined;

/**
 * Shared f16-precision backend (`precision: 'f16'`) for the GPU tests: a reason string (printed
 * once) when there is no adapter or it lacks shader-f16 — SwiftShader has none; Mesa ≥ 25
 * lavapipe has it: VK_ICD_FILENAMES=/usr/share/vulkan/icd.d/lvp_icd.json WEFT_GPU_SYSTEM_ICD=1.
 */
export function gpuF16Backend(): Promise<WebGpuBackend | string> {
  cachedF16 ??= gpuBackend().then((auto) => {
    if (typeof auto === 'string') return auto;
    if (!auto.info.f16) {
      const reason = `skipping f16-precision tests: ${auto.info.device} has no shader-f16 (Mesa ≥ 25 lavapipe has it: VK_ICD_FILENAMES=/usr/share/vulkan/icd.d/lvp_icd.json WEFT_GPU_SYSTEM_ICD=1)`;
      console.warn(reason);
      return reason;
    }
    return createNodeWebGpuBackend({ precision: 'f16' });
  });
  return cachedF16;
}
