import type { RopeCall } from '@weft/core';
import { applyRope, validateRope } from '@weft/positional';
import type { Storage } from './tensor.js';

/**
 * Rotation tables cs:[positions, R/2] of (cos, sin)·magnitude pairs for the RoPE kernel,
 * built by running @weft/positional's own `applyRope` on unit vectors (1, 0): the rotation
 * is linear, so this captures every scaling (linear, NTK, YaRN with its mscale, Llama-3)
 * with the exact f32 angles the CPU path uses. Length-independent configurations are cached
 * per config and grown by doubling; dynamic NTK (which depends on the sequence length) gets
 * a table per call.
 */
export class RopeTables {
  private readonly cache = new Map<string, { storage: Storage; rows: number }>();

  get(
    call: RopeCall,
    T: number,
    D: number,
    upload: (data: Float32Array) => Storage,
  ): { storage: Storage; half: number; row0: number; perCall: boolean } {
    const R = validateRope(call, D);
    const half = R / 2;
    const need = call.offset + T;
    if (call.scaling?.kind === 'dynamic-ntk') {
      const storage = upload(build(call, R, call.offset, T, call.seqLen ?? need));
      return { storage, half, row0: 0, perCall: true };
    }
    const key = JSON.stringify([call.base, R, call.scaling ?? null]);
    let entry = this.cache.get(key);
    if (!entry || entry.rows < need) {
      const rows = Math.max(256, 2 ** Math.ceil(Math.log2(need)));
      entry?.storage.drop();
      entry = { storage: upload(build(call, R, 0, rows, rows)), rows };
      this.cache.set(key, entry);
    }
    return { storage: entry.storage, half, row0: call.offset, perCall: false };
  }

  clear(): void {
    for (const e of this.cache.values()) e.storage.drop();
    this.cache.clear();
  }
}

function build(call: RopeCall, R: number, offset: number, rows: number, seqLen: number): Float32Array {
  const x = new Float32Array(rows * R);
  for (let i = 0; i < x.length; i += 2) x[i] = 1;
  applyRope(x, rows, 1, R, { ...call, layout: 'pairs', rotaryDim: R, offset, seqLen } as RopeCall);
  return x;
}
