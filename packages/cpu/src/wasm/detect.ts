/**
 * `(module (func (result v128) (i8x16.popcnt (v128.const i32x4 0 0 0 0))))`: validates only
 * where the final 128-bit SIMD proposal is implemented (Chrome 91+, Firefox 89+, Safari 16.4+,
 * Node 16.4+).
 */
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 24, 1, 22, 0, 253, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 253, 98, 11,
]);

let simd: boolean | undefined;

/** True when this engine runs WebAssembly with 128-bit SIMD (checked once, synchronously). */
export function wasmSimdSupported(): boolean {
  if (simd === undefined) {
    try {
      simd = typeof WebAssembly === 'object' && WebAssembly.validate(SIMD_PROBE);
    } catch {
      simd = false;
    }
  }
  return simd;
}
