import { describe, expect, it } from 'vitest';
import { bf16ToF32, f16ToF32, f32ToBf16, f32ToF16 } from './half.js';

describe('f16', () => {
  it('round-trips every finite f16 bit pattern exactly', () => {
    let checked = 0;
    for (let bits = 0; bits < 0x10000; bits++) {
      const exp = (bits >>> 10) & 0x1f;
      if (exp === 0x1f) continue;
      expect(f32ToF16(f16ToF32(bits))).toBe(bits);
      checked++;
    }
    expect(checked).toBe(63488);
  });
  it('rounds to nearest even and saturates to infinity', () => {
    expect(f32ToF16(1 + 2 ** -11)).toBe(0x3c00); // tie → even (1.0)
    expect(f32ToF16(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie → even (up)
    expect(f32ToF16(65520)).toBe(0x7c00);
    expect(f32ToF16(-1e9)).toBe(0xfc00);
    expect(f16ToF32(f32ToF16(Number.NaN))).toBeNaN();
    expect(f16ToF32(0x0001)).toBe(2 ** -24);
  });
});

describe('bf16', () => {
  it('round-trips and rounds to nearest even', () => {
    for (const v of [0, 1, -2.5, 3.140625, 1e30, -1e-30])
      expect(Math.abs(bf16ToF32(f32ToBf16(v)) - v)).toBeLessThanOrEqual(Math.abs(v) * 2 ** -8);
    expect(f32ToBf16(1)).toBe(0x3f80);
    expect(bf16ToF32(f32ToBf16(1 + 2 ** -8))).toBe(1); // tie → even
    expect(bf16ToF32(f32ToBf16(Number.NaN))).toBeNaN();
  });
});
