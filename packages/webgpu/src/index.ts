/**
 * @weft/webgpu — weft's GPU runtime: a {@link Backend} over WebGPU with WGSL kernels for the
 * Llama forward, every positional encoder and every attention variant. Browser-safe; Node
 * users import `createNodeWebGpuBackend` from `@weft/webgpu/node`.
 * @packageDocumentation
 */

export { MAX_HEAD_DIM, SPLIT_MAX_T } from './attention.js';
export { WebGpuBackend, type WebGpuInfo, type WebGpuStats } from './backend.js';
export { createWebGpuBackend, type WebGpuOptions } from './create.js';
export type { Precision as WebGpuPrecision } from './kernels/common.js';
