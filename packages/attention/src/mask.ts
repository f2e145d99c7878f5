import { type MaskSpec, SpecError } from '@weft/core';

/**
 * Masks of `full` and `flash` attention. Every one of them (with an optional local window)
 * leaves each query a contiguous key range, which is what lets flash skip whole tiles.
 *   causal:        kPos ≤ qPos
 *   bidirectional: every key (encoders, cross-attention)
 *   prefix(P):     kPos < P or kPos ≤ qPos (prefix tokens see the whole prefix)
 *   window(W):     additionally |qPos − kPos| < W
 */
export interface KeyRange {
  lo: number;
  /** Inclusive; hi < lo means no visible key. */
  hi: number;
}

/** Reference form: may the query at qPos attend the key at kPos? */
export function maskAllows(mask: MaskSpec, window: number | undefined, qPos: number, kPos: number): boolean {
  if (window !== undefined && Math.abs(qPos - kPos) >= window) return false;
  switch (mask.kind) {
    case 'causal':
      return kPos <= qPos;
    case 'bidirectional':
      return true;
    case 'prefix':
      return kPos < mask.prefixLength || kPos <= qPos;
    default:
      throw new SpecError(
        'mask.kind',
        `unknown mask '${(mask as { kind: string }).kind}'`,
        "use 'causal', 'bidirectional' or 'prefix'",
      );
  }
}

/** Fast form: the visible key range of the query at qPos among kvLength keys (writes into `out`). */
export function maskRange(mask: MaskSpec, window: number | undefined, qPos: number, kvLength: number, out: KeyRange): KeyRange {
  let lo = 0;
  let hi = kvLength - 1;
  if (mask.kind === 'causal') hi = Math.min(hi, qPos);
  else if (mask.kind === 'prefix') hi = Math.min(hi, Math.max(qPos, mask.prefixLength - 1));
  if (window !== undefined) {
    lo = Math.max(lo, qPos - window + 1);
    hi = Math.min(hi, qPos + window - 1);
  }
  out.lo = lo;
  out.hi = hi;
  return out;
}

/** The mask of a full/flash spec; `causal` when unset (weft models are decoders). */
export function maskOf(spec: { mask?: MaskSpec }): MaskSpec {
  return spec.mask ?? { kind: 'causal' };
}
