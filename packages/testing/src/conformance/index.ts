/**
 * The backend conformance suite: every Backend op and every attention/positional variant,
 * run on a backend with fresh seeded inputs and compared with float64 references
 * (f32 within 1e-4 relative, f16 compute within 2e-2). Used by @weft/cpu and @weft/webgpu.
 */
export * from './cases.js';
export * from './reference.js';
