/**
 * @weft/testing — helpers for weft's tests (not for production bundles).
 * @packageDocumentation
 */

export * from './compare.js';
export * from './conformance/index.js';
export * from './fixtures.js';
export * from './random.js';
