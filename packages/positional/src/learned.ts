import { OutOfRangeError, ShapeError, SpecError } from '@weft/core';

/**
 * Learned absolute positions (GPT-2 `wpe`, BERT, OPT): row p of a trained table [P,C] is added
 * to the embedding of the token at position p. Positions ≥ P were never trained, so asking for
 * them is an error, not a silent wrap. Shapes: x:[T,C], table:[P,C].
 */

function checkLookup(table: Float32Array | Float64Array, maxPositions: number, C: number, T: number, offset: number): void {
  if (!Number.isInteger(maxPositions) || maxPositions <= 0)
    throw new SpecError('maxPositions', `must be a positive integer, got ${maxPositions}`);
  if (table.length !== maxPositions * C) {
    throw new ShapeError(
      'learned positions',
      `table has ${table.length} elements, expected maxPositions·C = ${maxPositions}·${C}`,
    );
  }
  if (!Number.isInteger(offset) || offset < 0) throw new SpecError('offset', `must be an integer ≥ 0, got ${offset}`);
  if (offset + T > maxPositions) {
    throw new OutOfRangeError(
      `position ${offset + T - 1} is outside the learned position table (${maxPositions} positions, 0..${maxPositions - 1})`,
      `this model only knows ${maxPositions} positions: shorten the prompt, lower maxNewTokens, or drop old tokens from the context`,
    );
  }
}

/** Float64 reference with the fast call's shape: x[t,c] += table[offset + t, c], in place. */
export function addLearnedReference(
  x: Float64Array,
  T: number,
  C: number,
  offset: number,
  table: Float32Array,
  maxPositions: number,
): void {
  checkLookup(table, maxPositions, C, T, offset);
  for (let t = 0; t < T; t++) for (let c = 0; c < C; c++) x[t * C + c] = x[t * C + c]! + table[(offset + t) * C + c]!;
}

/** Adds table rows offset..offset+T−1 to x:[T,C] in place; OutOfRangeError past the table. */
export function addLearned(
  x: Float32Array,
  T: number,
  C: number,
  offset: number,
  table: Float32Array,
  maxPositions: number,
): void {
  checkLookup(table, maxPositions, C, T, offset);
  if (x.length !== T * C) throw new ShapeError('learned positions', `x has ${x.length} elements, expected T·C = ${T}·${C}`);
  const rows = table.subarray(offset * C, (offset + T) * C);
  for (let i = 0; i < rows.length; i++) x[i] = x[i]! + rows[i]!;
}
