import { type AttentionSpec, XorShiftRng } from '@weft/core';
import type { KeyPattern } from './sparse.js';

type BlockSparseSpec = Extract<AttentionSpec, { kind: 'block-sparse' }>;

/**
 * The key blocks query block `qb` attends under BigBird's pattern (Zaheer et al. 2020),
 * ascending. Positions are cut into blocks of `block`; query block qb sees
 *  - its sliding blocks qb−w..qb+w (causal: qb−w..qb), w = windowBlocks (default 1),
 *  - the first `globalBlocks` blocks, which in turn see every block,
 *  - `randomBlocks` further blocks drawn without replacement from the rest (causal: only
 *    earlier ones) by xorshift64* seeded from (seed, qb) — the same blocks for a given
 *    position whatever the sequence length, so a decode step matches prefill.
 * `blockCount` is the number of key blocks (only consulted when not causal).
 */
export function blockSparseKeyBlocks(spec: BlockSparseSpec, qb: number, blockCount: number): number[] {
  const w = spec.windowBlocks ?? 1;
  const causal = spec.causal ?? true;
  const last = causal ? qb : blockCount - 1;
  if (qb < spec.globalBlocks) return range(0, last);
  const chosen = new Set<number>();
  for (let j = 0; j < Math.min(spec.globalBlocks, last + 1); j++) chosen.add(j);
  for (let j = Math.max(0, qb - w); j <= Math.min(last, qb + w); j++) chosen.add(j);
  const candidates: number[] = [];
  for (let j = spec.globalBlocks; j <= last; j++) if (!chosen.has(j)) candidates.push(j);
  const rng = new XorShiftRng((BigInt(spec.seed >>> 0) << 32n) ^ BigInt(qb + 1) ^ 0x5bd1e995n);
  const picks = Math.min(spec.randomBlocks, candidates.length);
  for (let i = 0; i < picks; i++) {
    const j = i + (rng.nextU32() % (candidates.length - i)); // partial Fisher–Yates
    const tmp = candidates[i]!;
    candidates[i] = candidates[j]!;
    candidates[j] = tmp;
    chosen.add(candidates[i]!);
  }
  return [...chosen].sort((a, b) => a - b);
}

function range(a: number, b: number): number[] {
  const r: number[] = [];
  for (let j = a; j <= b; j++) r.push(j);
  return r;
}

/**
 * BigBird block-sparse attention as a {@link KeyPattern} over `kvLength` keys (causal inside
 * blocks when causal). Block lists are computed once per query block.
 */
export function blockSparsePattern(spec: BlockSparseSpec, kvLength: number): KeyPattern {
  const b = spec.block;
  const causal = spec.causal ?? true;
  const blockCount = Math.ceil(kvLength / b);
  const lists = new Map<number, { list: number[]; set: Set<number> }>();
  const blocksOf = (qb: number) => {
    let entry = lists.get(qb);
    if (!entry) {
      const list = blockSparseKeyBlocks(spec, qb, blockCount);
      entry = { list, set: new Set(list) };
      lists.set(qb, entry);
    }
    return entry;
  };
  return {
    allows(qPos, kPos) {
      if (causal && kPos > qPos) return false;
      return blocksOf(Math.floor(qPos / b)).set.has(Math.floor(kPos / b));
    },
    keys(qPos, kvLength, out) {
      let n = 0;
      const hi = causal ? Math.min(qPos, kvLength - 1) : kvLength - 1;
      for (const j of blocksOf(Math.floor(qPos / b)).list) {
        for (let s = j * b; s < Math.min((j + 1) * b, hi + 1); s++) out[n++] = s;
      }
      return n;
    },
    maxKeys: (kvLength) =>
      spec.globalBlocks > 0 ? kvLength : Math.min(kvLength, b * (2 * (spec.windowBlocks ?? 1) + 1 + spec.randomBlocks)),
  };
}
