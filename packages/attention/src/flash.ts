import type { AttentionCall, AttentionSpec } from '@weft/core';
import { createBias } from './bias.js';
import { type AttentionDims, scaleOf, validateAttention } from './dims.js';
import { type KeyRange, maskAllows, maskOf, maskRange } from './mask.js';
import type { Allows } from './reference.js';
import { scratchF32, scratchF64, scratchI32 } from './scratch.js';

type FlashSpec = Extract<AttentionSpec, { kind: 'flash' }>;

/** Default tile edge (query rows × key rows per tile). */
export const FLASH_BLOCK = 64;

/** The mask predicate of a `flash` spec (mask plus optional window), for the reference. */
export function flashAllows(spec: FlashSpec): Allows {
  const mask = maskOf(spec);
  return (qPos, kPos) => maskAllows(mask, spec.window, qPos, kPos);
}

/**
 * FlashAttention on the CPU (Dao et al. 2022): queries in tiles of B rows meet keys in tiles
 * of B rows; each row keeps a running max m, running sum l and an unnormalised accumulator,
 * rescaled by exp(m_old − m_new) when a later tile raises the max (online softmax). Key tiles
 * outside every row's visible range — above the causal diagonal, before a sliding window —
 * are never touched. Extra memory is one B×B score tile, a B×D accumulator and B-length
 * m/l/range arrays: O(B·(B + D)), independent of T. Same result as `full` up to rounding.
 */
export function flashAttention(
  q: Float32Array,
  k: Float32Array,
  v: Float32Array,
  d: AttentionDims,
  call: AttentionCall,
): Float32Array {
  validateAttention(q, k, v, d, call);
  const spec = call.spec as FlashSpec;
  const mask = maskOf(spec);
  const window = spec.window;
  const { T, H, Hkv, D } = d;
  const L = call.kvLength;
  // a tile never needs more rows than the call has (keeps huge blockSize values harmless)
  const B = Math.max(1, Math.min(spec.blockSize ?? FLASH_BLOCK, Math.max(T, L)));
  const group = H / Hkv;
  const scale = scaleOf(call, D);
  const bias = createBias(call.bias, H);
  const keyMask = call.keyMask;
  const out = new Float32Array(T * H * D);
  const tile = scratchF32(B * B); // [B, B] scores of one query tile × key tile
  const acc = scratchF32(B * D); // [B, D] unnormalised outputs
  const m = scratchF64(B);
  const l = scratchF64(B);
  const lo = scratchI32(B);
  const hi = scratchI32(B);
  const probs = call.capture ? new Float32Array(H * T * L) : undefined;
  const range: KeyRange = { lo: 0, hi: -1 };
  for (let h = 0; h < H; h++) {
    const g = Math.floor(h / group);
    for (let t0 = 0; t0 < T; t0 += B) {
      const rows = Math.min(B, T - t0);
      let LO = L;
      let HI = -1;
      for (let r = 0; r < rows; r++) {
        maskRange(mask, window, call.queryOffset + t0 + r, L, range);
        lo[r] = range.lo;
        hi[r] = range.hi;
        if (range.lo <= range.hi) {
          if (range.lo < LO) LO = range.lo;
          if (range.hi > HI) HI = range.hi;
        }
        m[r] = Number.NEGATIVE_INFINITY;
        l[r] = 0;
      }
      acc.fill(0);
      for (let s0 = LO - (LO % B); s0 <= HI; s0 += B) {
        const sEnd = Math.min(s0 + B - 1, HI);
        for (let r = 0; r < rows; r++) {
          const a = Math.max(lo[r]!, s0);
          const b = Math.min(hi[r]!, sEnd);
          if (a > b) continue; // this row sees nothing in this key tile
          const qPos = call.queryOffset + t0 + r;
          const qo = ((t0 + r) * H + h) * D;
          let tileMax = Number.NEGATIVE_INFINITY;
          for (let s = a; s <= b; s++) {
            if (keyMask && keyMask[s] === 0) continue;
            const ko = (s * Hkv + g) * D;
            let dot = 0;
            for (let i = 0; i < D; i++) dot += q[qo + i]! * k[ko + i]!;
            let logit = dot * scale;
            if (bias) logit += bias(h, qPos, s);
            tile[r * B + s - s0] = logit;
            if (logit > tileMax) tileMax = logit;
          }
          if (tileMax === Number.NEGATIVE_INFINITY) continue;
          const mOld = m[r]!;
          const mNew = Math.max(mOld, tileMax);
          const ao = r * D;
          if (mOld !== mNew && l[r]! > 0) {
            const correction = Math.exp(mOld - mNew);
            l[r]! *= correction;
            for (let i = 0; i < D; i++) acc[ao + i]! *= correction;
          }
          m[r] = mNew;
          let sum = 0;
          for (let s = a; s <= b; s++) {
            if (keyMask && keyMask[s] === 0) continue;
            const p = Math.exp(tile[r * B + s - s0]! - mNew);
            sum += p;
            const vo = (s * Hkv + g) * D;
            for (let i = 0; i < D; i++) acc[ao + i]! += p * v[vo + i]!;
          }
          l[r]! += sum;
        }
      }
      for (let r = 0; r < rows; r++) {
        const inv = l[r]! > 0 ? 1 / l[r]! : 0;
        const oo = ((t0 + r) * H + h) * D;
        for (let i = 0; i < D; i++) out[oo + i] = acc[r * D + i]! * inv;
        if (probs && l[r]! > 0) {
          // recompute pass, as FlashAttention's backward does: p = exp(logit − m) / l
          const qPos = call.queryOffset + t0 + r;
          const qo = ((t0 + r) * H + h) * D;
          for (let s = lo[r]!; s <= hi[r]!; s++) {
            if (keyMask && keyMask[s] === 0) continue;
            const ko = (s * Hkv + g) * D;
            let dot = 0;
            for (let i = 0; i < D; i++) dot += q[qo + i]! * k[ko + i]!;
            const logit = dot * scale + (bias ? bias(h, qPos, s) : 0);
            probs[(h * T + t0 + r) * L + s] = Math.exp(logit - m[r]!) * inv;
          }
        }
      }
    }
  }
  if (probs) call.capture!(probs, [H, T, L]);
  return out;
}
