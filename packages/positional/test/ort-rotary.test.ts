import { readFileSync } from 'node:fs';
import { compareArrays } from '@weft/testing';
import { describe, expect, it } from 'vitest';
import { applyRope } from '../src/rope.js';
import { applyRopeReference } from '../src/rope-reference.js';

/**
 * Peer parity: onnxruntime-web's com.microsoft RotaryEmbedding operator (interleaved = weft's
 * `pairs`, non-interleaved = `halves`, partial rotary via rotary_embedding_dim) on seeded inputs.
 * Regenerate the goldens with `node packages/positional/scripts/ort-rotary-goldens.mjs`.
 * Shapes: x:[T,H,D].
 */
interface Case {
  base: number;
  T: number;
  H: number;
  D: number;
  rotaryDim: number;
  offset: number;
  layout: 'pairs' | 'halves';
  x: number[];
  y: number[];
}
const goldens = JSON.parse(readFileSync(new URL('./goldens/ort-rotary.json', import.meta.url), 'utf8')) as {
  source: string;
  cases: Case[];
};

const rms = (a: ArrayLike<number>) => Math.sqrt(Array.from(a).reduce((s, v) => s + v * v, 0) / a.length);

describe(`RoPE matches ${goldens.source}`, () => {
  it('has cases for both layouts and partial rotary', () => {
    expect(goldens.cases.length).toBe(8);
    expect(new Set(goldens.cases.map((c) => c.layout))).toEqual(new Set(['pairs', 'halves']));
    expect(goldens.cases.some((c) => c.rotaryDim < c.D)).toBe(true);
  });
  for (const c of goldens.cases) {
    const label = `${c.layout}, base ${c.base}, T=${c.T} H=${c.H} D=${c.D} R=${c.rotaryDim}, offset ${c.offset}`;
    it(label, () => {
      const call = { base: c.base, layout: c.layout, rotaryDim: c.rotaryDim, offset: c.offset };
      // the peer really rotated (positions > 0 move the rotated dims)
      expect(c.y).not.toEqual(c.x);
      const ref = Float64Array.from(c.x);
      applyRopeReference(ref, c.T, c.H, c.D, call);
      const r = compareArrays(ref, c.y, 1e-6, rms(c.y));
      expect(r.ok, `reference: ${r.message}`).toBe(true);
      // float64-angle fast path (any scaling; factor 1 leaves the frequencies alone)
      const scaled = Float32Array.from(c.x);
      applyRope(scaled, c.T, c.H, c.D, { ...call, scaling: { kind: 'linear', factor: 1 } });
      const s = compareArrays(scaled, c.y, 1e-6, rms(c.y));
      expect(s.ok, `fast (f64 angles): ${s.message}`).toBe(true);
      // default path: llama2.c's float32 angles are off by ~1e-7·position radians
      const fast = Float32Array.from(c.x);
      applyRope(fast, c.T, c.H, c.D, call);
      const f = compareArrays(fast, c.y, Math.max(1e-6, 2e-7 * (c.offset + c.T)), rms(c.y));
      expect(f.ok, `fast (f32 angles): ${f.message}`).toBe(true);
    });
  }
});
