/// <reference types="@webgpu/types" />
/**
 * Internal: pulls the WebGPU type declarations into this package only. No other weft
 * package may reference `GPU*` types.
 */
export type GpuLike = GPU;
