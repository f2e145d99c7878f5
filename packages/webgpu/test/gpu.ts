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
