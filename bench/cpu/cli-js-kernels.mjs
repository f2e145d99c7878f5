#!/usr/bin/env node
/**
 * Runs the weft CLI with the CPU backend's WebAssembly kernels turned off (the plain JS kernels
 * of before), for before/after comparisons in one environment:
 *
 *   node bench/cpu/cli-js-kernels.mjs generate --temperature 0   # JS kernels
 *   node apps/cli/bin/weft.js generate --temperature 0           # wasm kernels (default)
 */
const root = new URL('../../', import.meta.url);
const cpu = await import(new URL('packages/cpu/dist/index.js', root).href);
cpu.setWasmKernelsEnabled(false);
const { main } = await import(new URL('apps/cli/dist/main.js', root).href);
process.exitCode = await main(process.argv.slice(2));
