import type { Backend } from '@weft/core';

/**
 * `weft generate --backend webgpu`: a WebGPU backend over Dawn (npm `webgpu`). Throws
 * DeviceError('no-adapter') with setup instructions when no GPU/driver exists; the caller
 * may fall back to the CPU backend.
 *
 * The specifier is not a literal so this file type-checks before apps/cli lists
 * `@weft/webgpu` among its dependencies (it must, for the import to resolve at run time).
 */
export async function createBackend(): Promise<Backend> {
  const specifier = '@weft/webgpu/node';
  const mod = (await import(specifier)) as { createNodeWebGpuBackend: () => Promise<Backend> };
  return mod.createNodeWebGpuBackend();
}
