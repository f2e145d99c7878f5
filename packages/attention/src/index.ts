/**
 * @weft/attention — attention variants: specs, float64 references and fast CPU kernels.
 * @packageDocumentation
 */
export * from './full.js';
