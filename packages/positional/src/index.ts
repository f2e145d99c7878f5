/**
 * @weft/positional — positional encoders: float64 references and fast CPU versions behind
 * the same call shapes, chosen at run time from a {@link PositionalSpec}.
 * @packageDocumentation
 */
export type { PositionalSpec, RopeCall, RopeScaling } from '@weft/core';
export * from './alibi.js';
export * from './encoder.js';
export * from './hf-config.js';
export * from './learned.js';
export * from './rope.js';
export * from './rope-reference.js';
export * from './rope-shift.js';
export * from './scaling/index.js';
export * from './sinusoidal.js';
export * from './t5.js';
export * from './validate.js';
