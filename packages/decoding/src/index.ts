/**
 * @weft/decoding — decoding strategies over any CausalLM's logits.
 * @packageDocumentation
 */
export * from './constraints/index.js';
