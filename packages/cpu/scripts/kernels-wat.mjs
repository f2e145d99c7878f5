/**
 * The WAT source of weft's WebAssembly SIMD (128-bit) kernels.
 *
 * The kernels are WAT written as templates: a tile of MR x-rows × NR w-rows is the same text
 * for every MR, NR and weight format, so it is written once here and unrolled by the template.
 * `build-wasm.mjs` writes the result to `src/wasm/kernels.wat` (to read) and assembles it with
 * wabt into `src/wasm/kernels-bytes.ts` (what the package loads); a test checks both are fresh.
 *
 * Shape legend: M x rows, N w rows (outputs), K features. x:[M,K] f32, w:[N,K] in its storage
 * format, out:[M,N] f32 with a row stride of `ldo` bytes. Every pointer is a byte offset in the
 * module's memory; nothing needs alignment.
 *
 * Calling convention of every exported kernel: (x, w, out, M, N, K, ldo).
 *   mm_f32      f32 weights, register tiles of MR×NR dot products (each w vector feeds MR rows)
 *   mm_f16      f16 weights read directly (bit-exact f16→f32 in SIMD, incl. subnormals/inf/NaN)
 *   mm_bf16     bf16 weights read directly
 *   mm_q8_0     GGML q8_0 blocks (34 B: f16 scale d, 32 × i8) read directly
 *   mm_q4_0     GGML q4_0 blocks (18 B: f16 scale d, 16 B of nibble pairs) read directly
 * and the dequantisers (src, dst, count) used for prefill, where one f32 copy of a few w rows
 * is reused by every x row: deq_f16 / deq_bf16 (count = elements), deq_q8_0 / deq_q4_0
 * (count = blocks of 32).
 */

/**
 * Register tile of the f32 kernel: MR x rows × NR w rows, and the x-row chunk kept in L2.
 * Measured on x64 (16 vector registers), 512³ by CPU time: 2×2 29–32 GFLOP/s, 3×3 28–30,
 * 2×4 / 4×2 / 3×4 / 4×3 / 4×4 26–30 (the larger tiles spill).
 */
export const F32_TILE = { MR: 2, NR: 2, MB: 48 };
/** Width of the one-row (decode) tile: how many w rows share one x vector load. */
export const ROW_TILE = 4;

/** Element formats: how to load 4 lanes (v128 f32x4) and 1 lane (f32) from a w row. */
const FORMATS = {
  f32: {
    bytes: 4,
    locals: [],
    init: [],
    vec: (p, off) => ({ pre: [], expr: `(v128.load offset=${off} (local.get ${p}))` }),
    scalar: (p) => `(f32.load (local.get ${p}))`,
  },
  f16: {
    bytes: 2,
    // constants live in locals so V8 keeps them in registers instead of rebuilding them
    locals: ['$c_mag v128', '$c_mul v128', '$c_thr v128', '$c_inf v128', '$c_sign v128', '$h v128', '$m v128'],
    init: [
      '(local.set $c_mag (v128.const i32x4 0x0fffe000 0x0fffe000 0x0fffe000 0x0fffe000))',
      '(local.set $c_mul (v128.const f32x4 0x1p112 0x1p112 0x1p112 0x1p112))',
      '(local.set $c_thr (v128.const i32x4 0x0f7fffff 0x0f7fffff 0x0f7fffff 0x0f7fffff))',
      '(local.set $c_inf (v128.const i32x4 0x70000000 0x70000000 0x70000000 0x70000000))',
      '(local.set $c_sign (v128.const i32x4 0x80000000 0x80000000 0x80000000 0x80000000))',
    ],
    vec: (p, off) => ({
      pre: [`(local.set $h (v128.load16x4_s offset=${off} (local.get ${p})))`, ...halfMagnitude()],
      expr: halfFinish(),
    }),
    scalar: (p) => `(call $h2f (i32.load16_u (local.get ${p})))`,
  },
  bf16: {
    bytes: 2,
    locals: [],
    init: [],
    vec: (p, off) => ({ pre: [], expr: `(i32x4.shl (v128.load16x4_u offset=${off} (local.get ${p})) (i32.const 16))` }),
    scalar: (p) => `(f32.reinterpret_i32 (i32.shl (i32.load16_u (local.get ${p})) (i32.const 16)))`,
  },
};

/** $m = the f16 magnitude bits moved to f32 position (exponent still biased for f16). */
function halfMagnitude() {
  return ['(local.set $m (v128.and (i32x4.shl (local.get $h) (i32.const 13)) (local.get $c_mag)))'];
}

/**
 * f16 → f32 from $h / $m: magnitude · 2^112 rebiases the exponent exactly (subnormal halves
 * become exact normals); exponent 31 (inf/NaN) instead gets the f32 all-ones exponent with the
 * payload kept; then the sign bit (halves are loaded sign-extended: bit 31 is the f16 sign).
 */
function halfFinish() {
  return `(v128.or
        (v128.bitselect
          (v128.or (local.get $m) (local.get $c_inf))
          (f32x4.mul (local.get $m) (local.get $c_mul))
          (i32x4.gt_s (local.get $m) (local.get $c_thr)))
        (v128.and (local.get $h) (local.get $c_sign)))`;
}

const range = (n) => Array.from({ length: n }, (_, i) => i);
const hsum = (v) =>
  `(f32.add (f32.add (f32x4.extract_lane 0 (local.get ${v})) (f32x4.extract_lane 1 (local.get ${v}))) (f32.add (f32x4.extract_lane 2 (local.get ${v})) (f32x4.extract_lane 3 (local.get ${v}))))`;

/**
 * A tile of R x rows × C w rows: R·C dot products of length K, accumulated in f32x4 lanes over
 * 8 features per step (then 4), lanes summed, then the K % 4 tail in scalar.
 * (x, w, out, K, ldx, ldw, ldo): row strides in bytes.
 */
function tile(fmt, R, C) {
  const f = FORMATS[fmt];
  const name = `$t_${fmt}_${R}x${C}`;
  const xs = range(R).map((r) => `$x${r}`);
  const ws = range(C).map((c) => `$w${c}`);
  const acc = (r, c) => `$a${r}_${c}`;
  const sum = (r, c) => `$s${r}_${c}`;
  const locals = [
    '$k i32',
    '$k8 i32',
    '$k4 i32',
    ...xs.map((x) => `${x} i32`),
    ...ws.map((w) => `${w} i32`),
    ...range(R).flatMap((r) => range(C).map((c) => `${acc(r, c)} v128`)),
    ...range(R).flatMap((r) => range(C).map((c) => `${sum(r, c)} f32`)),
    ...range(R).map((r) => `$xv${r} v128`),
    '$wv v128',
    '$wsc f32',
    ...f.locals,
  ];
  const step = (u) => {
    const out = [];
    for (const r of range(R)) out.push(`(local.set $xv${r} (v128.load offset=${u * 16} (local.get ${xs[r]})))`);
    for (const c of range(C)) {
      const load = f.vec(ws[c], u * 4 * f.bytes);
      out.push(...load.pre, `(local.set $wv ${load.expr})`);
      for (const r of range(R))
        out.push(`(local.set ${acc(r, c)} (f32x4.add (local.get ${acc(r, c)}) (f32x4.mul (local.get $xv${r}) (local.get $wv))))`);
    }
    return out;
  };
  const advance = (elems) => [
    ...xs.map((x) => `(local.set ${x} (i32.add (local.get ${x}) (i32.const ${elems * 4})))`),
    ...ws.map((w) => `(local.set ${w} (i32.add (local.get ${w}) (i32.const ${elems * f.bytes})))`),
  ];
  const body = [
    ...f.init,
    ...xs.map((x, r) => `(local.set ${x} (i32.add (local.get $x) (i32.mul (local.get $ldx) (i32.const ${r}))))`),
    ...ws.map((w, c) => `(local.set ${w} (i32.add (local.get $w) (i32.mul (local.get $ldw) (i32.const ${c}))))`),
    '(local.set $k8 (i32.and (local.get $K) (i32.const -8)))',
    '(local.set $k4 (i32.and (local.get $K) (i32.const -4)))',
    '(block $done8 (loop $loop8',
    '  (br_if $done8 (i32.ge_u (local.get $k) (local.get $k8)))',
    ...step(0),
    ...step(1),
    ...advance(8),
    '  (local.set $k (i32.add (local.get $k) (i32.const 8)))',
    '  (br $loop8)))',
    '(if (i32.lt_u (local.get $k) (local.get $k4)) (then',
    ...step(0),
    ...advance(4),
    '  (local.set $k (local.get $k4))))',
    ...range(R).flatMap((r) => range(C).map((c) => `(local.set ${sum(r, c)} ${hsum(acc(r, c))})`)),
    '(block $done1 (loop $loop1',
    '  (br_if $done1 (i32.ge_u (local.get $k) (local.get $K)))',
    ...range(C).flatMap((c) => [
      `(local.set $wsc ${f.scalar(ws[c])})`,
      ...range(R).map(
        (r) =>
          `(local.set ${sum(r, c)} (f32.add (local.get ${sum(r, c)}) (f32.mul (f32.load (local.get ${xs[r]})) (local.get $wsc))))`,
      ),
    ]),
    ...advance(1),
    '  (local.set $k (i32.add (local.get $k) (i32.const 1)))',
    '  (br $loop1)))',
    // R > 1: ldo is the out row stride and the C outputs are adjacent; R = 1: ldo is the
    // stride between the C outputs (the row kernel spreads its C rows over w)
    ...range(R).flatMap((r) =>
      range(C).map((c) =>
        R === 1
          ? `(f32.store (i32.add (local.get $o) (i32.mul (local.get $ldo) (i32.const ${c}))) (local.get ${sum(r, c)}))`
          : `(f32.store offset=${c * 4} (i32.add (local.get $o) (i32.mul (local.get $ldo) (i32.const ${r}))) (local.get ${sum(r, c)}))`,
      ),
    ),
  ];
  return func(name, ['$x i32', '$w i32', '$o i32', '$K i32', '$ldx i32', '$ldw i32', '$ldo i32'], null, locals, body);
}

/**
 * One x row against all N w rows. With a ROW_TILE-wide kernel, its rows are spread over w
 * (rows n, n+Q, n+2Q, n+3Q for Q = N / ROW_TILE) so each is a long sequential stream the
 * hardware prefetcher follows; adjacent short rows (K = 288) read ~20% slower. Rows left over
 * (N % ROW_TILE) go one at a time. (x, w, o, N, K)
 */
function rowKernel(fmt, dot4, dot1, wRowBytes) {
  const wide = dot4
    ? [
        `(local.set $q (i32.div_u (local.get $N) (i32.const ${ROW_TILE})))`,
        '(block $done4 (loop $loop4',
        '  (br_if $done4 (i32.ge_u (local.get $n) (local.get $q)))',
        `  (call ${dot4} (local.get $x) (i32.add (local.get $w) (i32.mul (local.get $n) (local.get $ldw))) (i32.add (local.get $o) (i32.shl (local.get $n) (i32.const 2))) (local.get $K) (i32.const 0) (i32.mul (local.get $q) (local.get $ldw)) (i32.shl (local.get $q) (i32.const 2)))`,
        '  (local.set $n (i32.add (local.get $n) (i32.const 1)))',
        '  (br $loop4)))',
        `(local.set $n (i32.mul (local.get $q) (i32.const ${ROW_TILE})))`,
      ]
    : [];
  return func(
    `$mv_${fmt}`,
    ['$x i32', '$w i32', '$o i32', '$N i32', '$K i32'],
    null,
    ['$n i32', '$q i32', '$ldw i32'],
    [
      `(local.set $ldw ${wRowBytes})`,
      ...wide,
      '(block $done1 (loop $loop1',
      '  (br_if $done1 (i32.ge_u (local.get $n) (local.get $N)))',
      `  (call ${dot1} (local.get $x) (i32.add (local.get $w) (i32.mul (local.get $n) (local.get $ldw))) (i32.add (local.get $o) (i32.shl (local.get $n) (i32.const 2))) (local.get $K) (i32.const 0) (local.get $ldw) (i32.const 0))`,
      '  (local.set $n (i32.add (local.get $n) (i32.const 1)))',
      '  (br $loop1)))',
    ],
  );
}

/** Exported (x, w, o, M, N, K, ldo) that runs the row kernel once per x row. */
function perRow(fmt) {
  return func(
    `$mm_${fmt}`,
    ['$x i32', '$w i32', '$o i32', '$M i32', '$N i32', '$K i32', '$ldo i32'],
    null,
    ['$m i32'],
    [
      '(block $done (loop $loop',
      '  (br_if $done (i32.ge_u (local.get $m) (local.get $M)))',
      `  (call $mv_${fmt} (i32.add (local.get $x) (i32.mul (local.get $m) (i32.shl (local.get $K) (i32.const 2)))) (local.get $w) (i32.add (local.get $o) (i32.mul (local.get $m) (local.get $ldo))) (local.get $N) (local.get $K))`,
      '  (local.set $m (i32.add (local.get $m) (i32.const 1)))',
      '  (br $loop)))',
    ],
    `mm_${fmt}`,
  );
}

/**
 * f32 matmul: x rows in chunks of MB (kept in L2), each chunk against every group of NR w rows
 * (kept in L1) with MR×NR tiles; rows left over in a chunk and w rows left over use the row
 * kernel / single dot products.
 */
function mmF32() {
  const { MR, NR, MB } = F32_TILE;
  const t = `$t_f32_${MR}x${NR}`;
  return func(
    '$mm_f32',
    ['$x i32', '$w i32', '$o i32', '$M i32', '$N i32', '$K i32', '$ldo i32'],
    null,
    ['$ld i32', '$m0 i32', '$m1 i32', '$mr i32', '$m i32', '$n i32', '$nr i32'],
    [
      '(local.set $ld (i32.shl (local.get $K) (i32.const 2)))',
      `(local.set $nr (i32.sub (local.get $N) (i32.rem_u (local.get $N) (i32.const ${NR}))))`,
      '(block $chunks_done (loop $chunks',
      '  (br_if $chunks_done (i32.ge_u (local.get $m0) (local.get $M)))',
      `  (local.set $m1 (select (local.get $M) (i32.add (local.get $m0) (i32.const ${MB})) (i32.lt_u (local.get $M) (i32.add (local.get $m0) (i32.const ${MB})))))`,
      `  (local.set $mr (i32.sub (local.get $m1) (i32.rem_u (i32.sub (local.get $m1) (local.get $m0)) (i32.const ${MR}))))`,
      '  (local.set $n (i32.const 0))',
      '  (block $cols_done (loop $cols',
      '    (br_if $cols_done (i32.ge_u (local.get $n) (local.get $nr)))',
      '    (local.set $m (local.get $m0))',
      '    (block $rows_done (loop $rows',
      '      (br_if $rows_done (i32.ge_u (local.get $m) (local.get $mr)))',
      `      (call ${t} (i32.add (local.get $x) (i32.mul (local.get $m) (local.get $ld))) (i32.add (local.get $w) (i32.mul (local.get $n) (local.get $ld))) (i32.add (i32.add (local.get $o) (i32.mul (local.get $m) (local.get $ldo))) (i32.shl (local.get $n) (i32.const 2))) (local.get $K) (local.get $ld) (local.get $ld) (local.get $ldo))`,
      `      (local.set $m (i32.add (local.get $m) (i32.const ${MR})))`,
      '      (br $rows)))',
      `    (local.set $n (i32.add (local.get $n) (i32.const ${NR})))`,
      '    (br $cols)))',
      '  ;; w rows left over (N % NR) for the tiled x rows',
      '  (local.set $m (local.get $m0))',
      '  (block $rest_done (loop $rest',
      '    (br_if $rest_done (i32.ge_u (local.get $m) (local.get $mr)))',
      '    (local.set $n (local.get $nr))',
      '    (block $restn_done (loop $restn',
      '      (br_if $restn_done (i32.ge_u (local.get $n) (local.get $N)))',
      '      (call $t_f32_1x1 (i32.add (local.get $x) (i32.mul (local.get $m) (local.get $ld))) (i32.add (local.get $w) (i32.mul (local.get $n) (local.get $ld))) (i32.add (i32.add (local.get $o) (i32.mul (local.get $m) (local.get $ldo))) (i32.shl (local.get $n) (i32.const 2))) (local.get $K) (i32.const 0) (i32.const 0) (i32.const 0))',
      '      (local.set $n (i32.add (local.get $n) (i32.const 1)))',
      '      (br $restn)))',
      '    (local.set $m (i32.add (local.get $m) (i32.const 1)))',
      '    (br $rest)))',
      '  ;; x rows left over (chunk % MR, and all of M = 1 decode): the row kernel',
      '  (local.set $m (local.get $mr))',
      '  (block $tail_done (loop $tail',
      '    (br_if $tail_done (i32.ge_u (local.get $m) (local.get $m1)))',
      '    (call $mv_f32 (i32.add (local.get $x) (i32.mul (local.get $m) (local.get $ld))) (local.get $w) (i32.add (local.get $o) (i32.mul (local.get $m) (local.get $ldo))) (local.get $N) (local.get $K))',
      '    (local.set $m (i32.add (local.get $m) (i32.const 1)))',
      '    (br $tail)))',
      '  (local.set $m0 (local.get $m1))',
      '  (br $chunks)))',
    ],
    'mm_f32',
  );
}

/**
 * Statements leaving the f32 bits of the f16 at `bitsExpr` in local $hf (locals $hb, $hm, $hf):
 * the body of $h2f, inlined where it runs once per block (V8 does not inline wasm calls).
 */
function h2fInline(bitsExpr) {
  return [
    `(local.set $hb ${bitsExpr})`,
    '(local.set $hm (i32.and (i32.shl (local.get $hb) (i32.const 13)) (i32.const 0x0fffe000)))',
    '(local.set $hf (i32.or (select',
    '  (i32.or (local.get $hm) (i32.const 0x70000000))',
    '  (i32.reinterpret_f32 (f32.mul (f32.reinterpret_i32 (local.get $hm)) (f32.const 0x1p112)))',
    '  (i32.gt_s (local.get $hm) (i32.const 0x0f7fffff)))',
    '  (i32.and (i32.shl (local.get $hb) (i32.const 16)) (i32.const 0x80000000))))',
  ];
}

/** Scalar f16 → f32 (same arithmetic as the SIMD version). */
function h2f() {
  return func(
    '$h2f',
    ['$h i32'],
    'f32',
    ['$m i32', '$f i32'],
    [
      '(local.set $m (i32.and (i32.shl (local.get $h) (i32.const 13)) (i32.const 0x0fffe000)))',
      '(local.set $f (select',
      '  (i32.or (local.get $m) (i32.const 0x70000000))',
      '  (i32.reinterpret_f32 (f32.mul (f32.reinterpret_i32 (local.get $m)) (f32.const 0x1p112)))',
      '  (i32.gt_s (local.get $m) (i32.const 0x0f7fffff))))',
      '(f32.reinterpret_i32 (i32.or (local.get $f) (i32.and (i32.shl (local.get $h) (i32.const 16)) (i32.const 0x80000000))))',
    ],
  );
}

/**
 * The 16 signed 8-bit lanes of `q` as four f32x4 (lanes 0-3, 4-7, 8-11, 12-15), each multiplied
 * by the matching x vector at $xp + xOff and added into the partial sums `parts` in turn.
 */
function int8Dot(q, xOff, parts) {
  const lanes = [
    '(i32x4.extend_low_i16x8_s (i16x8.extend_low_i8x16_s (local.get $q)))',
    '(i32x4.extend_high_i16x8_s (i16x8.extend_low_i8x16_s (local.get $q)))',
    '(i32x4.extend_low_i16x8_s (i16x8.extend_high_i8x16_s (local.get $q)))',
    '(i32x4.extend_high_i16x8_s (i16x8.extend_high_i8x16_s (local.get $q)))',
  ];
  return [
    `(local.set $q ${q})`,
    ...lanes.map((ints, i) => {
      const p = parts[i % parts.length];
      return `(local.set ${p} (f32x4.add (local.get ${p}) (f32x4.mul (v128.load offset=${xOff + 16 * i} (local.get $xp)) (f32x4.convert_i32x4_s ${ints}))))`;
    }),
  ];
}

/**
 * One x row · C rows of GGML blocks: per block and row, Σ x·q in f32x4, then acc += d · that.
 * C rows at once keep C independent streams of w in flight (one row at a time was
 * latency-bound from memory: ~4 GFLOP/s against ~11 in cache); one row uses two partial
 * chains instead. (x, w, o, K, ldx, ldw, ldo) like the tiles; ldx and ldo are unused.
 */
function blockDot(fmt, C) {
  const blockBytes = fmt === 'q8_0' ? 34 : 18;
  const rows = range(C);
  const partsOf = (c) => (C === 1 ? ['$p0_0', '$p1_0'] : [`$p0_${c}`]);
  const quants = (c) =>
    fmt === 'q8_0'
      ? [
          ...int8Dot(`(v128.load offset=2 (local.get $wp${c}))`, 0, partsOf(c)),
          ...int8Dot(`(v128.load offset=18 (local.get $wp${c}))`, 64, partsOf(c)),
        ]
      : [
          `(local.set $raw (v128.load offset=2 (local.get $wp${c})))`,
          // low nibbles are elements 0..15, high nibbles 16..31; both minus 8
          ...int8Dot('(i8x16.sub (v128.and (local.get $raw) (local.get $c_lo)) (local.get $c_8))', 0, partsOf(c)),
          ...int8Dot('(i8x16.sub (i8x16.shr_u (local.get $raw) (i32.const 4)) (local.get $c_8))', 64, partsOf(c)),
        ];
  const sumParts = (c) => (C === 1 ? '(f32x4.add (local.get $p0_0) (local.get $p1_0))' : `(local.get $p0_${c})`);
  return func(
    `$t_${fmt}_1x${C}`,
    ['$x i32', '$w i32', '$o i32', '$K i32', '$ldx i32', '$ldw i32', '$ldo i32'],
    null,
    [
      '$xp i32',
      '$end i32',
      ...rows.map((c) => `$wp${c} i32`),
      ...rows.map((c) => `$acc${c} v128`),
      ...rows.flatMap((c) => partsOf(c).map((p) => `${p} v128`)),
      '$q v128',
      '$raw v128',
      '$c_lo v128',
      '$c_8 v128',
      '$hb i32',
      '$hm i32',
      '$hf i32',
    ],
    [
      '(local.set $c_lo (v128.const i8x16 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15))',
      '(local.set $c_8 (v128.const i8x16 8 8 8 8 8 8 8 8 8 8 8 8 8 8 8 8))',
      '(local.set $xp (local.get $x))',
      ...rows.map((c) => `(local.set $wp${c} (i32.add (local.get $w) (i32.mul (local.get $ldw) (i32.const ${c}))))`),
      '(local.set $end (i32.add (local.get $x) (i32.shl (local.get $K) (i32.const 2))))',
      '(block $done (loop $blocks',
      '  (br_if $done (i32.ge_u (local.get $xp) (local.get $end)))',
      ...rows.flatMap((c) => [
        ...partsOf(c).map((p) => `(local.set ${p} (v128.const i32x4 0 0 0 0))`),
        ...quants(c),
        ...h2fInline(`(i32.load16_u (local.get $wp${c}))`),
        `(local.set $acc${c} (f32x4.add (local.get $acc${c}) (f32x4.mul ${sumParts(c)} (f32x4.splat (f32.reinterpret_i32 (local.get $hf))))))`,
        `(local.set $wp${c} (i32.add (local.get $wp${c}) (i32.const ${blockBytes})))`,
      ]),
      '  (local.set $xp (i32.add (local.get $xp) (i32.const 128)))',
      '  (br $blocks)))',
      ...rows.map((c) => `(f32.store (i32.add (local.get $o) (i32.mul (local.get $ldo) (i32.const ${c}))) ${hsum(`$acc${c}`)})`),
    ],
  );
}

/** Elementwise dequantiser (src, dst, count): f16/bf16 → f32, 4 at a time, then singles. */
function deqElementwise(fmt) {
  const f = FORMATS[fmt];
  const v = f.vec('$s', 0);
  return func(
    `$deq_${fmt}`,
    ['$s i32', '$d i32', '$count i32'],
    null,
    ['$end4 i32', '$end i32', ...f.locals],
    [
      ...f.init,
      '(local.set $end (i32.add (local.get $d) (i32.shl (local.get $count) (i32.const 2))))',
      '(local.set $end4 (i32.add (local.get $d) (i32.shl (i32.and (local.get $count) (i32.const -4)) (i32.const 2))))',
      '(block $done4 (loop $loop4',
      '  (br_if $done4 (i32.ge_u (local.get $d) (local.get $end4)))',
      ...v.pre,
      `  (v128.store (local.get $d) ${v.expr})`,
      `  (local.set $s (i32.add (local.get $s) (i32.const ${4 * f.bytes})))`,
      '  (local.set $d (i32.add (local.get $d) (i32.const 16)))',
      '  (br $loop4)))',
      '(block $done1 (loop $loop1',
      '  (br_if $done1 (i32.ge_u (local.get $d) (local.get $end)))',
      `  (f32.store (local.get $d) ${f.scalar('$s')})`,
      `  (local.set $s (i32.add (local.get $s) (i32.const ${f.bytes})))`,
      '  (local.set $d (i32.add (local.get $d) (i32.const 4)))',
      '  (br $loop1)))',
    ],
    `deq_${fmt}`,
  );
}

/** Block dequantiser (src, dst, blocks): d · q for q8_0 / q4_0. */
function deqBlocks(fmt) {
  const blockBytes = fmt === 'q8_0' ? 34 : 18;
  const store = (ints, off) =>
    `(v128.store offset=${off} (local.get $d) (f32x4.mul (local.get $scale) (f32x4.convert_i32x4_s ${ints})))`;
  const sixteen = (q, off) => [
    `(local.set $q ${q})`,
    store('(i32x4.extend_low_i16x8_s (i16x8.extend_low_i8x16_s (local.get $q)))', off),
    store('(i32x4.extend_high_i16x8_s (i16x8.extend_low_i8x16_s (local.get $q)))', off + 16),
    store('(i32x4.extend_low_i16x8_s (i16x8.extend_high_i8x16_s (local.get $q)))', off + 32),
    store('(i32x4.extend_high_i16x8_s (i16x8.extend_high_i8x16_s (local.get $q)))', off + 48),
  ];
  const quants =
    fmt === 'q8_0'
      ? [...sixteen('(v128.load offset=2 (local.get $s))', 0), ...sixteen('(v128.load offset=18 (local.get $s))', 64)]
      : [
          '(local.set $raw (v128.load offset=2 (local.get $s)))',
          ...sixteen('(i8x16.sub (v128.and (local.get $raw) (local.get $c_lo)) (local.get $c_8))', 0),
          ...sixteen('(i8x16.sub (i8x16.shr_u (local.get $raw) (i32.const 4)) (local.get $c_8))', 64),
        ];
  return func(
    `$deq_${fmt}`,
    ['$s i32', '$d i32', '$count i32'],
    null,
    ['$end i32', '$scale v128', '$q v128', '$raw v128', '$c_lo v128', '$c_8 v128', '$hb i32', '$hm i32', '$hf i32'],
    [
      '(local.set $c_lo (v128.const i8x16 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15))',
      '(local.set $c_8 (v128.const i8x16 8 8 8 8 8 8 8 8 8 8 8 8 8 8 8 8))',
      '(local.set $end (i32.add (local.get $d) (i32.shl (local.get $count) (i32.const 7))))',
      '(block $done (loop $blocks',
      '  (br_if $done (i32.ge_u (local.get $d) (local.get $end)))',
      ...h2fInline('(i32.load16_u (local.get $s))'),
      '  (local.set $scale (f32x4.splat (f32.reinterpret_i32 (local.get $hf))))',
      ...quants,
      `  (local.set $s (i32.add (local.get $s) (i32.const ${blockBytes})))`,
      '  (local.set $d (i32.add (local.get $d) (i32.const 128)))',
      '  (br $blocks)))',
    ],
    `deq_${fmt}`,
  );
}

function func(name, params, result, locals, body, exportName) {
  const head = [
    `(func ${name}`,
    exportName ? ` (export "${exportName}")` : '',
    params.map((p) => ` (param ${p})`).join(''),
    result ? ` (result ${result})` : '',
  ].join('');
  return [head, ...locals.map((l) => `  (local ${l})`), ...body.map((l) => `  ${l}`), ')'].join('\n');
}

/** The whole module as WAT text (deterministic). */
export function kernelsWat() {
  const { MR, NR } = F32_TILE;
  const parts = [
    ';; GENERATED by packages/cpu/scripts/build-wasm.mjs from scripts/kernels-wat.mjs — do not edit.',
    '(module',
    '(memory (export "memory") 1)',
    h2f(),
    tile('f32', MR, NR),
    tile('f32', 1, ROW_TILE),
    tile('f32', 1, 1),
    rowKernel('f32', `$t_f32_1x${ROW_TILE}`, '$t_f32_1x1', '(i32.shl (local.get $K) (i32.const 2))'),
    mmF32(),
  ];
  for (const fmt of ['f16', 'bf16']) {
    parts.push(
      tile(fmt, 1, ROW_TILE),
      tile(fmt, 1, 1),
      rowKernel(fmt, `$t_${fmt}_1x${ROW_TILE}`, `$t_${fmt}_1x1`, '(i32.shl (local.get $K) (i32.const 1))'),
      perRow(fmt),
      deqElementwise(fmt),
    );
  }
  for (const fmt of ['q8_0', 'q4_0']) {
    const blockBytes = fmt === 'q8_0' ? 34 : 18;
    parts.push(
      blockDot(fmt, ROW_TILE),
      blockDot(fmt, 1),
      rowKernel(
        fmt,
        `$t_${fmt}_1x${ROW_TILE}`,
        `$t_${fmt}_1x1`,
        `(i32.mul (i32.shr_u (local.get $K) (i32.const 5)) (i32.const ${blockBytes}))`,
      ),
      perRow(fmt),
      deqBlocks(fmt),
    );
  }
  parts.push(')', '');
  return parts.join('\n');
}
