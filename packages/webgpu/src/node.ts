import { existsSync } from 'node:fs';
import type { WebGpuBackend } from './backend.js';
import { createWebGpuBackend, type WebGpuOptions } from './create.js';
import { noAdapter } from './errors.js';

/**
 * Node entry point: a WebGPU backend over Dawn from the npm package `webgpu`.
 * The Vulkan loader reads VK_ICD_FILENAMES when the GPU instance is created; when it is
 * unset and Debian's chromium ships SwiftShader, that driver is used. (LD_LIBRARY_PATH must
 * be set before Node starts if the system lacks libvulkan1: `LD_LIBRARY_PATH=/usr/lib/chromium`.)
 */
export async function createNodeWebGpuBackend(
  options: Omit<WebGpuOptions, 'gpu'> & { dawnFlags?: readonly string[] } = {},
): Promise<WebGpuBackend> {
  const swiftshader = '/usr/lib/chromium/vk_swiftshader_icd.json';
  if (!process.env.VK_ICD_FILENAMES && existsSync(swiftshader) && !hasSystemIcd()) process.env.VK_ICD_FILENAMES = swiftshader;
  let mod: { create: (flags: string[]) => object; globals: Record<string, unknown> };
  try {
    mod = (await import('webgpu')) as unknown as typeof mod;
  } catch (e) {
    throw noAdapter(
      `the npm package 'webgpu' could not be loaded (${(e as Error).message}); install it with \`pnpm add webgpu\``,
    );
  }
  for (const [k, v] of Object.entries(mod.globals)) if (!(k in globalThis)) (globalThis as Record<string, unknown>)[k] = v;
  const gpu = mod.create([...(options.dawnFlags ?? [])]);
  return createWebGpuBackend({ ...options, gpu });
}

function hasSystemIcd(): boolean {
  return ['/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d'].some((d) => existsSync(d));
}
