/**
 * @weft/cpu — the CPU Backend, always available.
 * @packageDocumentation
 */
export { CpuBackend, createCpuBackend } from './backend.js';
export { dequantizeRow, halfToFloat, quantizeQ4_0, quantizeQ8_0 } from './dequant.js';
export { matmulF32, matmulReference } from './matmul.js';
export { CpuTensor } from './tensor.js';
export { wasmSimdSupported } from './wasm/detect.js';
export type { WasmKernelOptions, WasmWeightDType } from './wasm/kernels.js';
export {
  activeWasmKernels,
  DEFAULT_CACHE_BYTES,
  isWasmWeightDType,
  PREFILL_ROWS,
  setWasmKernelsEnabled,
  sharedWasmKernels,
  WasmKernels,
} from './wasm/kernels.js';
export type { WeightCacheStats } from './wasm/weight-cache.js';
