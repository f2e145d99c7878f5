import { existsSync } from 'node:fs';
import { weftProject } from '../../vitest.shared.js';

// Dawn's Vulkan loader reads these when the GPU instance is created; forked test workers
// inherit them from this (main) process. Debian's chromium ships SwiftShader and a libvulkan.
const chromium = '/usr/lib/chromium';
if (!process.env.VK_ICD_FILENAMES && existsSync(`${chromium}/vk_swiftshader_icd.json`) && !process.env.WEFT_GPU_SYSTEM_ICD) {
  process.env.VK_ICD_FILENAMES = `${chromium}/vk_swiftshader_icd.json`;
}
const hasSystemLoader = [
  '/usr/lib/x86_64-linux-gnu/libvulkan.so.1',
  '/usr/lib/aarch64-linux-gnu/libvulkan.so.1',
  '/usr/lib/libvulkan.so.1',
].some((p) => existsSync(p));
if (!hasSystemLoader && existsSync(`${chromium}/libvulkan.so.1`) && !(process.env.LD_LIBRARY_PATH ?? '').includes(chromium)) {
  process.env.LD_LIBRARY_PATH = [process.env.LD_LIBRARY_PATH, chromium].filter(Boolean).join(':');
}

export default weftProject('webgpu', { testTimeout: 120_000 });
