/**
 * @weft/attention — attention variants: specs, float64 references and fast CPU kernels.
 * `attendCpu(q, k, v, dims, call)` runs any {@link AttentionSpec} kind; `attendReference`
 * is its float64 twin.
 * @packageDocumentation
 */
export * from './attend.js';
export * from './bias.js';
export * from './block-sparse.js';
export * from './dilated.js';
export * from './dims.js';
export * from './favor.js';
export * from './feature-map.js';
export * from './flash.js';
export * from './full.js';
export * from './global-local.js';
export * from './linear.js';
export * from './mask.js';
export * from './mla.js';
export * from './reference.js';
export * from './scratch.js';
export * from './sliding-window.js';
export * from './sparse.js';
export * from './transient-global.js';
export * from './validate.js';
