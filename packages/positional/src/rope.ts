import { type RopeCall, type RopeScaling, ShapeError, SpecError } from '@weft/core';
import { ropeDependsOnLength, ropeFrequencies, ropeLengthRegime } from './scaling/index.js';
import { validateRopeFields } from './validate.js';

/**
 * Fast float32 rotary embedding with cached cos/sin tables (same call shape as
 * {@link applyRopeReference}). Shapes: x:[T,H,D] token-major, R = rotary dims, tables [P, R/2].
 *
 * Length-dependent scalings (dynamic NTK, LongRoPE) keep a table per length regime, see
 * {@link RopeTable}.
 *
 * Angles: unscaled RoPE rounds position·θ to float32 exactly as llama2.c (and Hugging Face,
 * whose angle matmul runs in float32) do, so the default path stays bit-compatible with
 * llama2.c. Scaled RoPE (linear, dynamic NTK, YaRN, Llama 3, LongRoPE) serves long contexts, where a
 * float32 angle is off by up to ~1e-7·position radians, so its angles are computed in float64;
 * only cos and sin are rounded to float32.
 */

/** Rows beyond this many positions are computed on the fly instead of being tabled (memory cap). */
const MAX_TABLE_POSITIONS = 1 << 15;

/** Checks a RoPE call against the head dim D and throws SpecError naming the bad field; returns R. */
export function validateRope(call: RopeCall, D: number): number {
  const R = validateRopeFields(call, D);
  if (!Number.isInteger(call.offset) || call.offset < 0)
    throw new SpecError('offset', `must be an integer ≥ 0, got ${call.offset}`);
  if (call.seqLen !== undefined && (!Number.isInteger(call.seqLen) || call.seqLen < 0)) {
    throw new SpecError('seqLen', `must be an integer ≥ 0, got ${call.seqLen}`);
  }
  return R;
}

/** cos/sin of pos·θ_i for i < R/2 into cos/sin at `at` (the one place angles are rounded). */
function fillRow(
  inv: Float64Array,
  inv32: Float32Array,
  f32Angles: boolean,
  pos: number,
  cos: Float32Array,
  sin: Float32Array,
  at: number,
): void {
  const half = inv.length;
  if (f32Angles) {
    for (let i = 0; i < half; i++) {
      const angle = Math.fround(pos * inv32[i]!);
      cos[at + i] = Math.cos(angle);
      sin[at + i] = Math.sin(angle);
    }
  } else {
    for (let i = 0; i < half; i++) {
      const angle = pos * inv[i]!;
      cos[at + i] = Math.cos(angle);
      sin[at + i] = Math.sin(angle);
    }
  }
}

/** Rotates the H heads of one token row at x[o..], pairs layout, with cos/sin at [at..]. */
function rotatePairs(
  x: Float32Array,
  o: number,
  H: number,
  D: number,
  half: number,
  cos: Float32Array,
  sin: Float32Array,
  at: number,
): void {
  for (let h = 0; h < H; h++, o += D) {
    for (let i = 0; i < half; i++) {
      const a = x[o + 2 * i]!;
      const b = x[o + 2 * i + 1]!;
      const c = cos[at + i]!;
      const s = sin[at + i]!;
      x[o + 2 * i] = a * c - b * s;
      x[o + 2 * i + 1] = a * s + b * c;
    }
  }
}

/** Rotates the H heads of one token row at x[o..], halves layout, with cos/sin at [at..]. */
function rotateHalves(
  x: Float32Array,
  o: number,
  H: number,
  D: number,
  half: number,
  cos: Float32Array,
  sin: Float32Array,
  at: number,
): void {
  for (let h = 0; h < H; h++, o += D) {
    for (let i = 0; i < half; i++) {
      const a = x[o + i]!;
      const b = x[o + i + half]!;
      const c = cos[at + i]!;
      const s = sin[at + i]!;
      x[o + i] = a * c - b * s;
      x[o + i + half] = a * s + b * c;
    }
  }
}

/** The fixed-frequency part of a RoPE configuration (everything but the layout and offset). */
export interface RopeConfig {
  readonly base: number;
  readonly rotaryDim: number;
  readonly scaling?: RopeScaling;
}

/** cos/sin rows [P, R/2] for one frequency table, grown on demand up to the cap. */
class CosSinRows {
  cos = new Float32Array(0);
  sin = new Float32Array(0);
  positions = 0;
  constructor(
    readonly inv: Float64Array,
    readonly inv32: Float32Array,
    readonly f32Angles: boolean,
  ) {}

  ensure(end: number): void {
    if (end <= this.positions || this.positions >= MAX_TABLE_POSITIONS) return;
    const half = this.inv.length;
    const target = Math.min(MAX_TABLE_POSITIONS, Math.max(end, this.positions * 2, 64));
    const cos = new Float32Array(target * half);
    const sin = new Float32Array(target * half);
    cos.set(this.cos);
    sin.set(this.sin);
    for (let p = this.positions; p < target; p++) fillRow(this.inv, this.inv32, this.f32Angles, p, cos, sin, p * half);
    this.cos = cos;
    this.sin = sin;
    this.positions = target;
  }
}

/**
 * A RoPE configuration with its cos/sin tables (grown on demand, capped at 32768 positions).
 * Reuse one per model: every layer's q and k rotate at the same positions. Length-dependent
 * scalings keep one table per length regime (LongRoPE: short and long; dynamic NTK: while the
 * sequence fits the original context), and compute rows on the fly where the frequencies change
 * with every length (dynamic NTK past the original context).
 */
export class RopeTable {
  readonly base: number;
  readonly rotaryDim: number;
  readonly scaling: RopeScaling | undefined;
  private readonly f32Angles: boolean;
  private readonly regimes = new Map<number, CosSinRows>();
  private current: CosSinRows;
  private currentRegime: number;
  private readonly rowCos: Float32Array;
  private readonly rowSin: Float32Array;

  constructor(config: RopeConfig) {
    this.base = config.base;
    this.rotaryDim = config.rotaryDim;
    // a private copy: later edits to the caller's object must not leak into cached tables
    this.scaling = config.scaling ? structuredClone(config.scaling) : undefined;
    this.f32Angles = config.scaling === undefined;
    this.currentRegime = ropeLengthRegime(config.scaling, 0);
    this.current = this.rowsFor(0);
    this.rowCos = new Float32Array(config.rotaryDim / 2);
    this.rowSin = new Float32Array(config.rotaryDim / 2);
  }

  /** Positions currently tabled for the last length regime used (for tests and memory accounting). */
  get tabledPositions(): number {
    return this.current.positions;
  }

  private rowsFor(seqLen: number): CosSinRows {
    const regime = ropeLengthRegime(this.scaling, seqLen);
    let rows = this.regimes.get(regime);
    if (!rows) {
      const inv = ropeFrequencies(this.base, this.rotaryDim, this.scaling, seqLen);
      rows = new CosSinRows(inv, Float32Array.from(inv), this.f32Angles);
      if (this.regimes.size >= 2) this.regimes.delete(this.regimes.keys().next().value!);
      this.regimes.set(regime, rows);
    }
    this.current = rows;
    this.currentRegime = regime;
    return rows;
  }

  /**
   * Rotates x:[T,H,D] in place at positions offset..offset+T−1. `seqLen` (default offset+T)
   * only matters for length-dependent scalings (dynamic NTK, LongRoPE).
   */
  apply(x: Float32Array, T: number, H: number, D: number, layout: 'pairs' | 'halves', offset: number, seqLen = offset + T): void {
    const half = this.rotaryDim / 2;
    const rotateRow = layout === 'pairs' ? rotatePairs : rotateHalves;
    const rows =
      ropeDependsOnLength(this.scaling) && ropeLengthRegime(this.scaling, seqLen) !== this.currentRegime
        ? this.rowsFor(seqLen)
        : this.current;
    // dynamic NTK past the original context: a new table for every length would cost more than it saves
    const tabled = !(this.scaling?.kind === 'dynamic-ntk' && seqLen > this.scaling.originalContext);
    if (tabled) rows.ensure(offset + T);
    for (let t = 0; t < T; t++) {
      const pos = offset + t;
      if (tabled && pos < rows.positions) rotateRow(x, t * H * D, H, D, half, rows.cos, rows.sin, pos * half);
      else {
        fillRow(rows.inv, rows.inv32, this.f32Angles, pos, this.rowCos, this.rowSin, 0);
        rotateRow(x, t * H * D, H, D, half, this.rowCos, this.rowSin, 0);
      }
    }
  }
}

/** Tables shared by {@link applyRope} calls, keyed by configuration; a handful at most. */
const tables = /* @__PURE__ */ new Map<string, RopeTable>();
const MAX_TABLES = 16;

function tableFor(base: number, R: number, scaling: RopeScaling | undefined): RopeTable {
  // Keyed by value, not object identity, so a scaling object mutated between calls never reuses a stale table.
  const scalingKey = scaling ? JSON.stringify(scaling) : '';
  const key = `${base}|${R}|${scalingKey}`;
  let table = tables.get(key);
  if (!table) {
    if (tables.size >= MAX_TABLES) tables.delete(tables.keys().next().value!);
    table = new RopeTable({ base, rotaryDim: R, scaling });
    tables.set(key, table);
  }
  return table;
}

/**
 * Applies RoPE in place to x:[T,H,D] at positions offset..offset+T−1 (what `Backend.rope`
 * calls). Validates the call, then rotates with a cached cos/sin table.
 */
export function applyRope(x: Float32Array, T: number, H: number, D: number, call: RopeCall): void {
  const R = validateRope(call, D);
  if (x.length !== T * H * D)
    throw new ShapeError('rope', `x has ${x.length} elements, expected T·H·D = ${T}·${H}·${D} = ${T * H * D}`);
  tableFor(call.base, R, call.scaling).apply(x, T, H, D, call.layout, call.offset, call.seqLen ?? call.offset + T);
}
