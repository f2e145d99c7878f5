/**
 * @weft/core — the contracts weft's packages speak. Types only, plus small pure helpers
 * (errors, RNG, f16/bf16), so every package can depend on it at no bundle cost.
 * @packageDocumentation
 */

export * from './decoding.js';
export * from './dtype.js';
export * from './errors.js';
export * from './half.js';
export * from './model.js';
export * from './rng.js';
export * from './scopes.js';
export * from './specs.js';
export * from './tensor.js';
export * from './tokenizer.js';
