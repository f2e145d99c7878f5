/** Result of comparing two arrays element by element. */
export interface Comparison {
  readonly ok: boolean;
  /** Largest |a − b| / max(|b|, floor). */
  readonly maxRelError: number;
  readonly maxAbsError: number;
  readonly worstIndex: number;
  readonly message: string;
}

/**
 * Compares `actual` with `expected` using relative error with an absolute floor:
 * |a − e| ≤ rtol · max(|e|, floor). The floor keeps near-zero entries from dominating;
 * it defaults to the RMS of `expected` times 1e-2... scaled tests can pass their own.
 */
export function compareArrays(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol: number, floor?: number): Comparison {
  if (actual.length !== expected.length) {
    return {
      ok: false,
      maxRelError: Number.POSITIVE_INFINITY,
      maxAbsError: Number.POSITIVE_INFINITY,
      worstIndex: -1,
      message: `length ${actual.length} ≠ expected ${expected.length}`,
    };
  }
  let rms = 0;
  for (let i = 0; i < expected.length; i++) rms += expected[i]! * expected[i]!;
  rms = Math.sqrt(rms / Math.max(1, expected.length));
  const f = floor ?? Math.max(rms * 1e-3, 1e-30);
  let maxRel = 0;
  let maxAbs = 0;
  let worst = -1;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (Number.isNaN(a) !== Number.isNaN(e))
      return {
        ok: false,
        maxRelError: Number.NaN,
        maxAbsError: Number.NaN,
        worstIndex: i,
        message: `NaN mismatch at ${i}: ${a} vs ${e}`,
      };
    if (a === e) continue;
    const abs = Math.abs(a - e);
    const rel = abs / Math.max(Math.abs(e), f);
    if (abs > maxAbs) maxAbs = abs;
    if (rel > maxRel || worst < 0) {
      maxRel = rel;
      worst = i;
    }
  }
  const ok = maxRel <= rtol;
  return {
    ok,
    maxRelError: maxRel,
    maxAbsError: maxAbs,
    worstIndex: worst,
    message: ok
      ? `max rel error ${maxRel.toExponential(2)} ≤ ${rtol}`
      : `max rel error ${maxRel.toExponential(2)} > ${rtol} at index ${worst}: ${actual[worst]} vs ${expected[worst]}`,
  };
}

/** True when every element is within relative tolerance (see {@link compareArrays}). */
export function allClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol = 1e-5, floor?: number): boolean {
  return compareArrays(actual, expected, rtol, floor).ok;
}

/** Throws with a useful message when arrays differ beyond `rtol`. */
export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol = 1e-5, floor?: number): void {
  const c = compareArrays(actual, expected, rtol, floor);
  if (!c.ok) throw new Error(c.message);
}
