import type { Backend } from '@weft/core';

/**
 * `weft generate --backend webgpu`: a WebGPU backend over Dawn (npm `webgpu`). Throws
 * DeviceError('no-adapter') with setup instructions when no GPU/driver exists; the caller
 * may fall back to the CPU backend. `precision: 'f16'` needs an adapter with `shader-f16` (else
 * OptionError('precision') naming the adapter).
 *
 * The specifier is not a literal so this file type-checks before apps/cli lists
 * `@weft/webgpu` among its dependencies (it must, for the import to resolve at run time).
 */
export async function createBackend(precision: 'f32' | 'f16' = 'f32'): Promise<Backend> {
  const specifier = '@weft/webgpu/node';
  const mod = (await import(specifier)) as {
    createNodeWebGpuBackend: (options: { precision: 'f32' | 'f16' }) => Promise<Backend>;
  };
  return mod.createNodeWebGpuBackend({ precision });
}
