import {
  type AttentionCall,
  type AttentionSpec,
  type Backend,
  type DType,
  f16ToF32,
  f32ToF16,
  type HostArray,
  type RopeCall,
  type Tensor,
} from '@weft/core';
import { type Comparison, compareArrays } from '../compare.js';
import { randnF32, randomInts } from '../random.js';
import { encodeWeights, geluTanh, layerNormRef, matmulRef, rmsNormRef, silu, softmaxRef } from './reference.js';

/** Shape legend: T query rows, S cache slots, H heads, Hkv kv heads, D head dim, M/N/K matmul, C channels, V vocab. */
export interface AttentionDimsLike {
  readonly T: number;
  readonly H: number;
  readonly Hkv: number;
  readonly D: number;
  readonly S: number;
}

/**
 * The references a conformance run compares against, injected so this package stays free of
 * implementation dependencies: pass `attendReference` from @weft/attention and
 * `applyRopeReference` from @weft/positional.
 */
export interface ConformanceReferences {
  attention(
    q: ArrayLike<number>,
    k: ArrayLike<number>,
    v: ArrayLike<number>,
    d: AttentionDimsLike,
    call: AttentionCall,
  ): ArrayLike<number>;
  /** In-place float64 RoPE of x:[T,H,D]. */
  rope(x: Float64Array, T: number, H: number, D: number, call: RopeCall): void;
}

/** One op/variant check: runs on a backend with fresh seeded inputs and compares with the reference. */
export interface ConformanceCase {
  readonly name: string;
  readonly group: string;
  /** Relative tolerance (f32 compute: 1e-4; f16 compute: 2e-2). */
  readonly tolerance: number;
  run(backend: Backend, refs: ConformanceReferences, seed: number): Promise<Comparison>;
}

/** f32 tolerance of the suite. */
export const F32_TOLERANCE = 1e-4;
/** f16-compute tolerance of the suite. */
export const F16_TOLERANCE = 2e-2;

/**
 * What the backend under test computes in: `f32` (default), or `f16` — activations stored as
 * f16 (e.g. `createWebGpuBackend({ precision: 'f16' })`): numeric cases are held to
 * {@link F16_TOLERANCE}, and the exact ones (gather, row copies) to the reference rounded to f16.
 * In f16 mode the random f32 inputs are rounded to f16 before they are uploaded and handed to
 * the references — the values the backend actually holds —, so the tolerance measures the
 * arithmetic, not the storage: rounding attention inputs alone moves outputs by up to ~2.8e-2
 * in this metric (worst of 40 seeds), which no kernel could win back.
 */
export interface ConformanceOptions {
  readonly precision?: 'f32' | 'f16';
}

interface Mode {
  readonly f16: boolean;
  /** Tolerance of the numeric cases. */
  readonly tolerance: number;
  /** Random f32 inputs as the backend stores them (rounded to f16 in f16 mode). */
  input(x: Float32Array): Float32Array;
}

/** The value x reads back as from an f16 tensor (round to nearest even). */
export function roundF16(x: number): number {
  return f16ToF32(f32ToF16(x));
}

/** Smallest normal f16 (2⁻¹⁴): WGSL lets an implementation flush f16 values below it to zero. */
const F16_MIN_NORMAL = 2 ** -14;

/**
 * Exact comparison with the reference rounded to f16: every element must equal it, except that
 * a subnormal f16 value may read back as ±0 (WGSL allows flushing subnormals).
 */
function exactF16(actual: ArrayLike<number>, expected: ArrayLike<number>): Comparison {
  if (actual.length !== expected.length) return fail(`length ${actual.length} ≠ expected ${expected.length}`);
  for (let i = 0; i < expected.length; i++) {
    const e = roundF16(expected[i]!);
    const a = actual[i]!;
    if (a === e || (a === 0 && Math.abs(e) < F16_MIN_NORMAL)) continue;
    return fail(`element ${i}: ${a} ≠ ${e} (the reference rounded to f16)`);
  }
  return ok('equal to the reference rounded to f16');
}

/**
 * |a − e| ≤ rtol · max(|e|, 0.1·RMS(e)): relative error, with a floor of a tenth of the
 * reference's RMS so entries that cancel to near zero (sums of random signs) are judged
 * against the scale of the output rather than against their own tiny magnitude.
 */
function compare(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol: number): Comparison {
  let rms = 0;
  for (let i = 0; i < expected.length; i++) rms += expected[i]! ** 2;
  rms = Math.sqrt(rms / Math.max(1, expected.length));
  return compareArrays(actual, expected, rtol, Math.max(rms * 0.1, 1e-30));
}

async function readF32(b: Backend, t: Tensor): Promise<Float32Array> {
  const out = (await b.read(t)) as Float32Array;
  return out;
}

function ok(message: string): Comparison {
  return { ok: true, maxRelError: 0, maxAbsError: 0, worstIndex: -1, message };
}

function fail(message: string): Comparison {
  return { ok: false, maxRelError: Number.POSITIVE_INFINITY, maxAbsError: Number.POSITIVE_INFINITY, worstIndex: -1, message };
}

/** Runs fn inside tidy and checks nothing leaked. */
async function scoped(b: Backend, fn: () => Promise<Comparison>): Promise<Comparison> {
  const before = b.liveTensors();
  const r = await fn();
  const after = b.liveTensors();
  if (r.ok && after !== before) return fail(`${after - before} tensor(s) leaked (live ${before} → ${after})`);
  return r;
}

function matmulCase(M: number, N: number, K: number, dtype: DType, mode: Mode): ConformanceCase {
  return {
    name: `matmul ${dtype} [${M},${K}]·[${N},${K}]ᵀ`,
    group: 'matmul',
    tolerance: mode.tolerance,
    run: (b, _r, seed) =>
      scoped(b, async () => {
        const x = mode.input(randnF32(M * K, seed));
        const w = encodeWeights(mode.input(randnF32(N * K, seed + 1, 0.5)), dtype);
        const xt = b.fromHost(x, [M, K]);
        const wt = b.fromHost(w.data, [N, K], dtype);
        const out = b.matmul(xt, wt);
        const got = await readF32(b, out);
        for (const t of [xt, wt, out]) t.dispose();
        return compare(got, matmulRef(x, w.values, M, N, K), mode.tolerance);
      }),
  };
}

function gatherCase(dtype: DType, V: number, C: number, T: number, mode: Mode): ConformanceCase {
  return {
    name: `gather ${dtype} [${V},${C}] × ${T} ids`,
    group: 'gather',
    tolerance: mode.f16 ? 0 : F32_TOLERANCE,
    run: (b, _r, seed) =>
      scoped(b, async () => {
        const table = encodeWeights(mode.input(randnF32(V * C, seed)), dtype);
        const ids = randomInts(T, seed + 1, V);
        const tt = b.fromHost(table.data, [V, C], dtype);
        const out = b.gather(tt, ids);
        const got = await readF32(b, out);
        tt.dispose();
        out.dispose();
        const want = new Float64Array(T * C);
        for (let t = 0; t < T; t++) want.set(table.values.subarray(ids[t]! * C, ids[t]! * C + C), t * C);
        return mode.f16 ? exactF16(got, want) : compare(got, want, F32_TOLERANCE);
      }),
  };
}

type Elementwise = 'add' | 'add-row' | 'mul' | 'mul-row' | 'swiglu' | 'gelu' | 'softmax' | 'rmsNorm' | 'layerNorm';

function elementwiseCase(op: Elementwise, T: number, C: number, mode: Mode): ConformanceCase {
  return {
    name: `${op} [${T},${C}]`,
    group: 'elementwise',
    tolerance: mode.tolerance,
    run: (b, _r, seed) =>
      scoped(b, async () => {
        const a = mode.input(randnF32(T * C, seed));
        const row = op.endsWith('-row') || op === 'rmsNorm' || op === 'layerNorm';
        const bv = mode.input(randnF32(row ? C : T * C, seed + 1));
        const cv = mode.input(randnF32(C, seed + 2));
        const at = b.fromHost(a, [T, C]);
        const bt = b.fromHost(bv, row ? [C] : [T, C]);
        const ct = b.fromHost(cv, [C]);
        let out: Tensor;
        let want: Float64Array;
        const n = bv.length;
        switch (op) {
          case 'add':
          case 'add-row':
            out = b.add(at, bt);
            want = Float64Array.from(a, (x, i) => x + bv[i % n]!);
            break;
          case 'mul':
          case 'mul-row':
            out = b.mul(at, bt);
            want = Float64Array.from(a, (x, i) => x * bv[i % n]!);
            break;
          case 'swiglu':
            out = b.swiglu(at, bt);
            want = Float64Array.from(a, (x, i) => silu(x) * bv[i]!);
            break;
          case 'gelu':
            out = b.gelu(at);
            want = Float64Array.from(a, geluTanh);
            break;
          case 'softmax':
            out = b.softmax(at);
            want = softmaxRef(a, C);
            break;
          case 'rmsNorm':
            out = b.rmsNorm(at, bt, 1e-5);
            want = rmsNormRef(a, bv, C, 1e-5);
            break;
          case 'layerNorm':
            out = b.layerNorm(at, bt, ct, 1e-5);
            want = layerNormRef(a, bv, cv, C, 1e-5);
            break;
        }
        const got = await readF32(b, out);
        for (const t of [at, bt, ct, out]) t.dispose();
        return compare(got, want, mode.tolerance);
      }),
  };
}

/**
 * Rows 1..3 of a [6, C] tensor copied to rows 5..7 of a zeroed [10, C] one. C = 64 keeps
 * every row 4-byte aligned; odd C (f16) and C = 32 (q8_0: 34-byte rows) put rows at 2-byte
 * offsets. Inputs stay unrounded here: f32 at f16 precision must read back the uploaded values
 * rounded to f16 (nearest even).
 */
function rowsCase(dtype: 'f32' | 'f16' | 'q8_0', C: number, mode: Mode): ConformanceCase {
  return {
    name: `sliceRows/writeRows/reshape/zeros ${dtype} C=${C}`,
    group: 'rows',
    tolerance: 0,
    run: (b, _r, seed) =>
      scoped(b, async () => {
        const rows = 6;
        const w = encodeWeights(randnF32(rows * C, seed), dtype);
        const src = b.fromHost(w.data, [rows, C], dtype);
        const cache = b.zeros([10, C], dtype);
        const part = b.sliceRows(src, 1, 3);
        b.writeRows(cache, part, 5);
        const view = b.reshape(cache, [10 * C]);
        const got = await b.read(view);
        const want =
          dtype === 'f32'
            ? new Float32Array(10 * C)
            : dtype === 'f16'
              ? new Uint16Array(10 * C)
              : new Uint8Array(10 * (C / 32) * 34);
        const rowLen = want.length / 10;
        const stored = dtype === 'f32' && mode.f16 ? Float32Array.from(w.data, roundF16) : w.data;
        want.set((stored as typeof want).subarray(1 * rowLen, 4 * rowLen), 5 * rowLen);
        for (const t of [src, cache, part, view]) t.dispose();
        if (got.length !== want.length) return fail(`read ${got.length} elements, expected ${want.length}`);
        for (let i = 0; i < want.length; i++) if (got[i] !== want[i]) return fail(`element ${i}: ${got[i]} ≠ ${want[i]}`);
        return ok('bit-exact');
      }),
  };
}

const lifetimes: ConformanceCase = {
  name: 'tidy / dispose / liveTensors',
  group: 'lifetimes',
  tolerance: 0,
  async run(b) {
    const base = b.liveTensors();
    const x = b.fromHost(new Float32Array([1, 2, 3, 4]), [2, 2]);
    const kept = b.tidy(() => {
      const y = b.add(x, x);
      const z = b.mul(y, y);
      return { z };
    });
    if (b.liveTensors() !== base + 2) return fail(`tidy kept ${b.liveTensors() - base} tensors, expected 2 (x and z)`);
    const got = await b.read(kept.z);
    if (got[3] !== 64) return fail(`(4+4)² read back as ${got[3]}`);
    kept.z.dispose();
    x.dispose();
    x.dispose(); // idempotent
    if (!x.disposed) return fail('disposed flag not set');
    if (b.liveTensors() !== base) return fail(`liveTensors ${b.liveTensors()} ≠ baseline ${base} after dispose`);
    return ok('scopes and counts agree');
  },
};

/** Attention shapes: prefill, a multi-row chunk and a one-row decode step; S > kvLength leaves garbage rows. */
interface AttnShape {
  readonly label: string;
  readonly T: number;
  readonly L: number;
  readonly offset: number;
  readonly H: number;
  readonly Hkv: number;
  readonly D: number;
}

function shapes(H: number, Hkv: number, D: number, L: number): AttnShape[] {
  return [
    { label: 'prefill', T: L, L, offset: 0, H, Hkv, D },
    { label: 'chunk', T: 3, L, offset: L - 3, H, Hkv, D },
    { label: 'decode', T: 1, L, offset: L - 1, H, Hkv, D },
  ];
}

function attentionCase(
  mode: Mode,
  spec: AttentionSpec,
  sh: AttnShape,
  extra: Partial<AttentionCall> = {},
  label = '',
): ConformanceCase {
  const { T, L, offset, H, Hkv, D } = sh;
  const S = L + 5;
  return {
    name: `attention ${JSON.stringify(spec)}${label} ${sh.label} T=${T} kv=${L} H=${H}/${Hkv} D=${D}`,
    group: `attention:${spec.kind}`,
    tolerance: mode.tolerance,
    run: (b, refs, seed) =>
      scoped(b, async () => {
        const q = mode.input(randnF32(T * H * D, seed));
        const k = mode.input(randnF32(S * Hkv * D, seed + 1));
        const v = mode.input(randnF32(S * Hkv * D, seed + 2));
        const call: AttentionCall = { spec, queryOffset: offset, kvLength: L, ...extra };
        const qt = b.fromHost(q, [T, H, D]);
        const kt = b.fromHost(k, [S, Hkv, D]);
        const vt = b.fromHost(v, [S, Hkv, D]);
        const out = b.attention(qt, kt, vt, call);
        const got = await readF32(b, out);
        for (const t of [qt, kt, vt, out]) t.dispose();
        const want = refs.attention(q, k, v, { T, H, Hkv, D, S }, call);
        return compare(got, want, mode.tolerance);
      }),
  };
}

function ropeCase(mode: Mode, call: Omit<RopeCall, 'offset'>, T: number, H: number, D: number, offset: number): ConformanceCase {
  return {
    name: `rope ${JSON.stringify(call)} offset=${offset} [${T},${H},${D}]`,
    group: 'rope',
    tolerance: mode.tolerance,
    run: (b, refs, seed) =>
      scoped(b, async () => {
        const x = mode.input(randnF32(T * H * D, seed));
        const full = { ...call, offset };
        const xt = b.fromHost(x, [T, H, D]);
        const out = b.rope(xt, full);
        const got = await readF32(b, out);
        xt.dispose();
        out.dispose();
        const want = Float64Array.from(x);
        refs.rope(want, T, H, D, full);
        return compare(got, want, mode.tolerance);
      }),
  };
}

/**
 * Every case of the suite (small shapes: it must run in seconds on a software GPU), for a
 * backend computing in `options.precision` (default f32).
 */
export function conformanceCases(options: ConformanceOptions = {}): ConformanceCase[] {
  const f16 = options.precision === 'f16';
  const mode: Mode = {
    f16,
    tolerance: f16 ? F16_TOLERANCE : F32_TOLERANCE,
    input: (x) => (f16 ? x.map(roundF16) : x),
  };
  const cases: ConformanceCase[] = [];
  for (const dtype of ['f32', 'f16', 'bf16', 'q8_0', 'q4_0'] as const) {
    for (const [M, N, K] of [
      [1, 40, 64],
      [3, 33, 96],
      [9, 70, 64],
      [67, 65, 128],
    ] as const)
      cases.push(matmulCase(M, N, K, dtype, mode));
  }
  for (const [M, N, K] of [
    [1, 7, 13],
    [5, 17, 30],
    [70, 9, 18],
  ] as const)
    cases.push(matmulCase(M, N, K, 'f32', mode));
  for (const dtype of ['f32', 'f16', 'bf16', 'q8_0', 'q4_0'] as const) cases.push(gatherCase(dtype, 50, 64, 7, mode));
  cases.push(gatherCase('f32', 20, 12, 300, mode));
  for (const op of ['add', 'add-row', 'mul', 'mul-row', 'swiglu', 'gelu', 'softmax', 'rmsNorm', 'layerNorm'] as const) {
    cases.push(elementwiseCase(op, 5, 48, mode), elementwiseCase(op, 2, 700, mode));
  }
  for (const dtype of ['f32', 'f16', 'q8_0'] as const) cases.push(rowsCase(dtype, 64, mode));
  cases.push(rowsCase('f32', 13, mode), rowsCase('f16', 13, mode), rowsCase('q8_0', 32, mode));
  cases.push(lifetimes);

  for (const layout of ['pairs', 'halves'] as const) {
    cases.push(ropeCase(mode, { base: 10000, layout }, 5, 3, 16, 0), ropeCase(mode, { base: 10000, layout }, 1, 3, 16, 17));
    cases.push(ropeCase(mode, { base: 500000, layout, rotaryDim: 8 }, 4, 2, 16, 3));
  }
  cases.push(
    ropeCase(mode, { base: 10000, layout: 'halves', scaling: { kind: 'linear', factor: 4 } }, 4, 2, 16, 9),
    ropeCase(
      mode,
      { base: 10000, layout: 'halves', scaling: { kind: 'dynamic-ntk', factor: 2, originalContext: 16 } },
      6,
      2,
      16,
      20,
    ),
    ropeCase(mode, { base: 10000, layout: 'halves', scaling: { kind: 'yarn', factor: 4, originalContext: 32 } }, 4, 2, 32, 40),
    ropeCase(
      mode,
      {
        base: 500000,
        layout: 'halves',
        scaling: { kind: 'llama3', factor: 8, originalContext: 64, lowFreqFactor: 1, highFreqFactor: 4 },
      },
      3,
      2,
      32,
      70,
    ),
  );

  const variants: AttentionSpec[] = [
    { kind: 'full' },
    { kind: 'full', mask: { kind: 'bidirectional' } },
    { kind: 'full', mask: { kind: 'prefix', prefixLength: 6 } },
    { kind: 'flash' },
    { kind: 'flash', window: 7 },
    { kind: 'flash', mask: { kind: 'bidirectional' }, window: 5 },
    { kind: 'sliding-window', window: 6 },
    { kind: 'sliding-window', window: 5, sinks: 2 },
    { kind: 'block-sparse', block: 4, windowBlocks: 1, globalBlocks: 1, randomBlocks: 1, seed: 7 },
    { kind: 'block-sparse', block: 4, globalBlocks: 1, randomBlocks: 2, seed: 3, causal: false },
    { kind: 'global-local', window: 4, globalTokens: [0, 5] },
    { kind: 'global-local', window: 3, globalTokens: [2], causal: false },
    { kind: 'dilated', window: 12, dilation: 3 },
    { kind: 'transient-global', window: 4, block: 4 },
    { kind: 'linear', featureMap: 'elu+1' },
    { kind: 'linear', featureMap: 'elu+1', causal: false },
    { kind: 'linear', featureMap: { kind: 'favor+', features: 32, seed: 5 } },
  ];
  for (const spec of variants) for (const sh of shapes(4, 2, 16, 37)) cases.push(attentionCase(mode, spec, sh));
  // longer and wider: several flash tiles, several split-K chunks
  cases.push(attentionCase(mode, { kind: 'flash' }, { label: 'prefill', T: 70, L: 70, offset: 0, H: 2, Hkv: 1, D: 64 }));
  cases.push(attentionCase(mode, { kind: 'full' }, { label: 'decode', T: 1, L: 600, offset: 599, H: 2, Hkv: 2, D: 64 }));
  cases.push(
    attentionCase(
      mode,
      { kind: 'sliding-window', window: 300, sinks: 4 },
      { label: 'decode', T: 1, L: 600, offset: 599, H: 2, Hkv: 1, D: 32 },
    ),
  );
  cases.push(attentionCase(mode, { kind: 'flash' }, { label: 'prefill', T: 20, L: 20, offset: 0, H: 2, Hkv: 1, D: 128 }));
  // MLA latent attention: MQA over [c ; kr] rows, values = the first latentDim columns
  for (const sh of shapes(4, 1, 16, 21))
    cases.push(attentionCase(mode, { kind: 'mla', latentDim: 12, ropeDim: 4 }, sh, { scale: 0.3 }));
  // biases and padding
  const t5 = { kind: 't5-relative', buckets: 8, maxDistance: 20, bidirectional: true } as const;
  const table = randnF32(8 * 4, 99);
  for (const sh of shapes(4, 2, 16, 37)) {
    cases.push(attentionCase(mode, { kind: 'full' }, sh, { bias: { kind: 'alibi' } }, ' +alibi'));
    cases.push(attentionCase(mode, { kind: 'flash' }, sh, { bias: { kind: 'alibi', maxBias: 4 } }, ' +alibi'));
    cases.push(attentionCase(mode, { kind: 'full', mask: { kind: 'bidirectional' } }, sh, { bias: { ...t5, table } }, ' +t5'));
    const keyMask = new Uint8Array(37).fill(1);
    keyMask[0] = keyMask[3] = keyMask[30] = 0;
    cases.push(attentionCase(mode, { kind: 'full' }, sh, { keyMask }, ' +keyMask'));
    cases.push(attentionCase(mode, { kind: 'full' }, sh, { scale: 0.05 }, ' scale=0.05'));
  }
  return cases;
}

/** Host copy of a tensor as numbers (for custom checks). */
export async function readNumbers(b: Backend, t: Tensor): Promise<HostArray> {
  return b.read(t);
}
