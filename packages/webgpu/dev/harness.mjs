// Kernel playground harness (llm.c dev/cuda style): a device, raw buffers, validation against
// a CPU reference, and timing. Run a kernel file after building the package:
//   pnpm turbo run build --filter=@weft/webgpu && node packages/webgpu/dev/matmul.mjs
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** Re-executes the calling script with SwiftShader's Vulkan loader when the system has none. */
export function ensureVulkan(scriptUrl) {
  const chromium = '/usr/lib/chromium';
  // the adapter: SwiftShader unless VK_ICD_FILENAMES picks another driver (e.g. Mesa's lavapipe)
  if (!process.env.VK_ICD_FILENAMES && existsSync(`${chromium}/vk_swiftshader_icd.json`))
    process.env.VK_ICD_FILENAMES = `${chromium}/vk_swiftshader_icd.json`;
  if (
    process.env.WEFT_DEV_CHILD ||
    !existsSync(`${chromium}/libvulkan.so.1`) ||
    existsSync('/usr/lib/x86_64-linux-gnu/libvulkan.so.1')
  )
    return;
  const env = {
    ...process.env,
    WEFT_DEV_CHILD: '1',
    LD_LIBRARY_PATH: [process.env.LD_LIBRARY_PATH, chromium].filter(Boolean).join(':'),
  };
  env.VK_ICD_FILENAMES ??= `${chromium}/vk_swiftshader_icd.json`;
  const r = spawnSync(process.execPath, [fileURLToPath(scriptUrl), ...process.argv.slice(2)], { stdio: 'inherit', env });
  process.exit(r.status ?? 1);
}

const dist = (p) => import(pathToFileURL(fileURLToPath(new URL(`../dist/${p}`, import.meta.url))).href);

export async function setup() {
  const { createNodeWebGpuBackend } = await dist('node.js');
  const backend = await createNodeWebGpuBackend();
  const rt = backend.rt; // the backend's runtime (private field; playground only)
  const upload = (data) => {
    const b = rt.storage.acquire(Math.max(4, data.byteLength), 'dev');
    rt.write(b, 0, data);
    return b;
  };
  const empty = (floats) => rt.storage.acquire(Math.max(4, floats * 4), 'dev');
  const read = async (buffer, floats) => new Float32Array((await rt.readBytes(buffer, 0, floats * 4)).buffer);
  return { backend, rt, upload, empty, read, dist };
}

/** Uniform values in [-0.5, 0.5) from a 32-bit xorshift (fast: no BigInt). */
export function randn(n, seed) {
  let s = seed >>> 0 || 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    out[i] = s / 2 ** 32 - 0.5;
  }
  return out;
}

export function maxRelError(got, want) {
  let rms = 0;
  for (const w of want) rms += w * w;
  rms = Math.sqrt(rms / want.length);
  let worst = 0;
  for (let i = 0; i < want.length; i++)
    worst = Math.max(worst, Math.abs(got[i] - want[i]) / Math.max(Math.abs(want[i]), 0.1 * rms));
  return worst;
}

/** Median wall time (ms) of `fn` (which must wait for the GPU), after 2 warm-ups. */
export async function time(fn, budgetMs = 1000) {
  await fn();
  await fn();
  const times = [];
  const start = performance.now();
  while (times.length < 3 || (performance.now() - start < budgetMs && times.length < 30)) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}
