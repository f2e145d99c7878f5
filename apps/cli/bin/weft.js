#!/usr/bin/env node
// `weft` entry point. The CLI is compiled TypeScript: build it once with `pnpm build`
// (the README's demo command does).
process.stdout.on('error', (err) => {
  // `weft generate | head` closes the pipe early: stop quietly.
  if (err && err.code === 'EPIPE') process.exit(0);
  throw err;
});

// WebGPU in Node (Dawn) needs a Vulkan loader. Debian's chromium ships one (with the
// SwiftShader driver) in /usr/lib/chromium; when the system has no libvulkan1, run again with
// that folder on LD_LIBRARY_PATH (the loader path is read when the process starts).
if (process.argv.includes('webgpu') && !process.env.WEFT_VULKAN_REEXEC) {
  const { existsSync } = await import('node:fs');
  const chromium = '/usr/lib/chromium';
  const systemLoader = [
    '/usr/lib/x86_64-linux-gnu/libvulkan.so.1',
    '/usr/lib/aarch64-linux-gnu/libvulkan.so.1',
    '/usr/lib64/libvulkan.so.1',
  ].some((p) => existsSync(p));
  if (!systemLoader && existsSync(`${chromium}/libvulkan.so.1`) && !(process.env.LD_LIBRARY_PATH ?? '').includes(chromium)) {
    const { spawnSync } = await import('node:child_process');
    const env = {
      ...process.env,
      WEFT_VULKAN_REEXEC: '1',
      LD_LIBRARY_PATH: [process.env.LD_LIBRARY_PATH, chromium].filter(Boolean).join(':'),
    };
    const r = spawnSync(process.execPath, process.argv.slice(1), { stdio: 'inherit', env });
    process.exit(r.status ?? 1);
  }
}

let main;
try {
  ({ main } = await import('../dist/main.js'));
} catch (err) {
  if (err && err.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('/dist/')) {
    process.stderr.write('weft: the CLI is not built yet — run `pnpm build` (or the README demo command) first.\n');
    process.exit(1);
  }
  throw err;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`weft: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
