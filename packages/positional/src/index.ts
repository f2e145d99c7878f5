/**
 * @weft/positional — positional encoders: references and fast CPU versions.
 * @packageDocumentation
 */
export * from './rope.js';
