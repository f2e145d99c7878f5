#!/usr/bin/env node
// Runs the WebGPU test project a second time on Mesa lavapipe (Vulkan on the CPU, with
// shader-f16) when Mesa ≥ 25 is installed. The main run uses SwiftShader (Debian chromium's ICD);
// Debian 12's own Mesa 22 lavapipe is rejected by Dawn, so older Mesa is skipped with a note.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const icd = '/usr/share/vulkan/icd.d/lvp_icd.json';
// biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own ${Version} format field
const dpkg = spawnSync('dpkg-query', ['-W', '-f=${Version}', 'mesa-vulkan-drivers'], { encoding: 'utf8' });
const major = Number(/^(\d+)\./.exec(dpkg.stdout ?? '')?.[1] ?? 0);
if (!existsSync(icd) || major < 25) {
  console.log(
    `lavapipe run skipped: Mesa ${dpkg.stdout || 'not installed'} (needs mesa-vulkan-drivers ≥ 25 from bookworm-backports)`,
  );
  process.exit(0);
}
console.log(`== WebGPU tests on Mesa ${dpkg.stdout} lavapipe`);
const r = spawnSync('pnpm', ['vitest', 'run', '--project', 'webgpu'], {
  stdio: 'inherit',
  env: { ...process.env, VK_ICD_FILENAMES: icd, WEFT_GPU_SYSTEM_ICD: '1' },
});
process.exit(r.status ?? 1);
