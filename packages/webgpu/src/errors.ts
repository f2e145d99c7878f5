import { DeviceError } from '@weft/core';

/** Hint shown when no adapter can be created (browser or Node). */
export const NO_ADAPTER_HINT =
  'In a browser, use one with WebGPU enabled (Chrome/Edge 113+, or Chromium with --enable-unsafe-webgpu for software adapters). ' +
  'In Node, install a Vulkan driver: `apt-get install chromium` and set VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json ' +
  '(and LD_LIBRARY_PATH=/usr/lib/chromium when libvulkan1 is not installed), or Mesa lavapipe (mesa-vulkan-drivers ≥ 25). ' +
  'Otherwise fall back to the CPU backend: createCpuBackend() from @weft/cpu.';

/** Hint shown when the device is gone. */
export const LOST_HINT =
  'Call backend.recreate() to get a fresh device and upload the weights again (tensors of the lost device cannot be used), ' +
  'or fall back to createCpuBackend() from @weft/cpu.';

export function noAdapter(detail: string): DeviceError {
  return new DeviceError('no-adapter', `no WebGPU adapter: ${detail}`, NO_ADAPTER_HINT);
}

export function lost(detail: string): DeviceError {
  return new DeviceError('lost', `the WebGPU device was lost: ${detail}`, LOST_HINT);
}

/** Maps a GPUError from an error scope / uncaptured error to a DeviceError. */
export function fromGpuError(err: GPUError, context: string): DeviceError {
  const name = err.constructor?.name ?? '';
  if (name === 'GPUOutOfMemoryError' || /out of memory/i.test(err.message)) {
    return new DeviceError(
      'out-of-memory',
      `${context}: the GPU ran out of memory (${err.message})`,
      'Free tensors you no longer need (dispose() / tidy()), use smaller or quantized (q8_0/q4_0) weights, or use the CPU backend.',
    );
  }
  return new DeviceError(
    'validation',
    `${context}: WebGPU rejected a command: ${err.message}`,
    'This is a bug in weft or an unsupported shape on this adapter; report it with the adapter name and shapes, or use the CPU backend.',
  );
}
