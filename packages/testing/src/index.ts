/**
 * @weft/testing — helpers for weft's tests (not for production bundles).
 * @packageDocumentation
 */
export * from './random.js';
export * from './compare.js';
export * from './fixtures.js';
export * from './conformance/index.js';
