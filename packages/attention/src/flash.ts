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
        // rows in groups of 4 share every key/value load (≈2× fewer loads than row by row)
        for (let r0 = 0; r0 < rows; r0 += 4) {
          const n = Math.min(4, rows - r0);
          let a = sEnd + 1;
          let b = s0 - 1;
          for (let r = r0; r < r0 + n; r++) {
            a = Math.min(a, Math.max(lo[r]!, s0));
            b = Math.max(b, Math.min(hi[r]!, sEnd));
          }
          if (a > b) continue; // no row of the group sees this key tile
          // scores [n, a..b]; keys a row may not see get −∞
          const q0 = ((t0 + r0) * H + h) * D;
          const rowStride = H * D;
          for (let s = a; s <= b; s++) {
            const ko = (s * Hkv + g) * D;
            const padded = keyMask !== undefined && keyMask[s] === 0;
            if (n === 4) {
              let d0 = 0;
              let d1 = 0;
              let d2 = 0;
              let d3 = 0;
              for (let i = 0; i < D; i++) {
                const kv = k[ko + i]!;
                d0 += q[q0 + i]! * kv;
                d1 += q[q0 + rowStride + i]! * kv;
                d2 += q[q0 + 2 * rowStride + i]! * kv;
                d3 += q[q0 + 3 * rowStride + i]! * kv;
              }
              tile[r0 * B + s - s0] = d0;
              tile[(r0 + 1) * B + s - s0] = d1;
              tile[(r0 + 2) * B + s - s0] = d2;
              tile[(r0 + 3) * B + s - s0] = d3;
            } else {
              for (let j = 0; j < n; j++) {
                let dot = 0;
                for (let i = 0; i < D; i++) dot += q[q0 + j * rowStride + i]! * k[ko + i]!;
                tile[(r0 + j) * B + s - s0] = dot;
              }
            }
            for (let r = r0; r < r0 + n; r++) {
              const at = r * B + s - s0;
              if (padded || s < lo[r]! || s > hi[r]!) tile[at] = Number.NEGATIVE_INFINITY;
              else {
                tile[at] = tile[at]! * scale;
                if (bias) tile[at]! += bias(h, call.queryOffset + t0 + r, s);
              }
            }
          }
          // online softmax per row: rescale by exp(m_old − m_new), turn scores into weights
          for (let r = r0; r < r0 + n; r++) {
            let tileMax = Number.NEGATIVE_INFINITY;
            for (let s = a; s <= b; s++) tileMax = Math.max(tileMax, tile[r * B + s - s0]!);
            if (tileMax === Number.NEGATIVE_INFINITY) {
              tile.fill(0, r * B + a - s0, r * B + b - s0 + 1); // sees nothing here
              continue;
            }
            const mOld = m[r]!;
            const mNew = Math.max(mOld, tileMax);
            if (mOld !== mNew && l[r]! > 0) {
              const correction = Math.exp(mOld - mNew);
              l[r]! *= correction;
              for (let i = 0; i < D; i++) acc[r * D + i]! *= correction;
            }
            m[r] = mNew;
            let sum = 0;
            for (let s = a; s <= b; s++) {
              const w = Math.exp(tile[r * B + s - s0]! - mNew);
              tile[r * B + s - s0] = w;
              sum += w;
            }
            l[r]! += sum;
          }
          // acc += weights · v, again sharing each value row across the group
          for (let s = a; s <= b; s++) {
            const vo = (s * Hkv + g) * D;
            if (n === 4) {
              const w0 = tile[r0 * B + s - s0]!;
              const w1 = tile[(r0 + 1) * B + s - s0]!;
              const w2 = tile[(r0 + 2) * B + s - s0]!;
              const w3 = tile[(r0 + 3) * B + s - s0]!;
              if (w0 === 0 && w1 === 0 && w2 === 0 && w3 === 0) continue;
              const a0 = r0 * D;
              for (let i = 0; i < D; i++) {
                const vv = v[vo + i]!;
                acc[a0 + i]! += w0 * vv;
                acc[a0 + D + i]! += w1 * vv;
                acc[a0 + 2 * D + i]! += w2 * vv;
                acc[a0 + 3 * D + i]! += w3 * vv;
              }
            } else {
              for (let r = r0; r < r0 + n; r++) {
                const w = tile[r * B + s - s0]!;
                if (w === 0) continue;
                for (let i = 0; i < D; i++) acc[r * D + i]! += w * v[vo + i]!;
              }
            }
          }
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
