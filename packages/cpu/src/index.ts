/**
 * @weft/cpu — the CPU Backend, always available.
 * @packageDocumentation
 */
export { CpuBackend, createCpuBackend } from './backend.js';
export { CpuTensor } from './tensor.js';
export { dequantizeRow, quantizeQ4_0, quantizeQ8_0, halfToFloat } from './dequant.js';
export { matmulF32, matmulReference } from './matmul.js';
export {
  WasmKernels,
  activeWasmKernels,
  isWasmWeightDType,
  setWasmKernelsEnabled,
  sharedWasmKernels,
  PREFILL_ROWS,
  DEFAULT_CACHE_BYTES,
} from './wasm/kernels.js';
export type { WasmKernelOptions, WasmWeightDType } from './wasm/kernels.js';
export type { WeightCacheStats } from './wasm/weight-cache.js';
export { wasmSimdSupported } from './wasm/detect.js';
