/**
 * DFA minimization over a class-compressed table ([S, C], DEAD = −1 for "no way to accept").
 */

const DEAD = -1;

/** A minimized table: same classes, fewer states. */
export interface MinimalDfa {
  readonly start: number;
  /** [S', C] next state or −1. */
  readonly table: Int32Array;
  readonly accepting: Uint8Array;
}

/**
 * Hopcroft minimization: merges states no input can tell apart. The pruned table is made
 * complete with a sink for DEAD, refined with Hopcroft's "process the smaller half" rule
 * (O(S·C·log S)), and the sink's block is dropped again. Fewer states means fewer token masks.
 */
export function minimizeDfa(start: number, classes: number, table: Int32Array, accepting: Uint8Array): MinimalDfa {
  const n = accepting.length;
  const N = n + 1; // + sink
  const sink = n;
  const C = classes;
  // The complete table ([N, C], DEAD → sink) and predecessors per (target, class) in CSR form.
  const full = new Int32Array(N * C).fill(sink);
  for (let i = 0; i < n * C; i++) if (table[i] !== DEAD) full[i] = table[i]!;
  const predStart = new Int32Array(N * C + 1);
  for (let s = 0; s < N; s++) for (let c = 0; c < C; c++) predStart[full[s * C + c]! * C + c + 1]!++;
  for (let i = 0; i < N * C; i++) predStart[i + 1]! += predStart[i]!;
  const preds = new Int32Array(N * C);
  const fill = predStart.slice(0, N * C);
  for (let s = 0; s < N; s++) for (let c = 0; c < C; c++) preds[fill[full[s * C + c]! * C + c]!++] = s;

  // Partition refinement structure: blocks are ranges of `elems`; [first, mid) is the marked part.
  const elems = new Int32Array(N);
  const loc = new Int32Array(N);
  const blockOf = new Int32Array(N);
  const first: number[] = [];
  const end: number[] = [];
  const mid: number[] = [];
  const inWork: boolean[] = [];
  const work: number[] = [];
  let k = 0;
  for (const acc of [1, 0]) {
    const b = first.length;
    const from = k;
    for (let s = 0; s < N; s++) {
      if ((s !== sink && accepting[s] === 1 ? 1 : 0) !== acc) continue;
      elems[k] = s;
      loc[s] = k++;
      blockOf[s] = b;
    }
    if (k === from) continue;
    first.push(from);
    end.push(k);
    mid.push(from);
    inWork.push(true);
    work.push(b);
  }

  const touched: number[] = [];
  const splitter: number[] = [];
  while (work.length > 0) {
    const a = work.pop()!;
    inWork[a] = false;
    splitter.length = 0;
    for (let i = first[a]!; i < end[a]!; i++) splitter.push(elems[i]!);
    for (let c = 0; c < C; c++) {
      for (const t of splitter) {
        for (let i = predStart[t * C + c]!; i < predStart[t * C + c + 1]!; i++) {
          const p = preds[i]!;
          const b = blockOf[p]!;
          const at = loc[p]!;
          if (at < mid[b]!) continue; // already marked
          if (mid[b] === first[b]) touched.push(b);
          const j = mid[b]!;
          const q = elems[j]!;
          elems[j] = p;
          loc[p] = j;
          elems[at] = q;
          loc[q] = at;
          mid[b] = j + 1;
        }
      }
      for (const b of touched) {
        if (mid[b] === end[b]) {
          mid[b] = first[b]!;
          continue;
        }
        // Split: the marked part [first, mid) becomes a new block.
        const nb = first.length;
        first.push(first[b]!);
        end.push(mid[b]!);
        mid.push(first[b]!);
        first[b] = mid[b]!;
        inWork.push(false);
        for (let i = first[nb]!; i < end[nb]!; i++) blockOf[elems[i]!] = nb;
        if (inWork[b]) {
          inWork[nb] = true;
          work.push(nb);
        } else {
          const smaller = end[nb]! - first[nb]! <= end[b]! - first[b]! ? nb : b;
          inWork[smaller] = true;
          work.push(smaller);
        }
      }
      touched.length = 0;
    }
  }

  // Renumber blocks without the sink's block (it holds only the sink: every state is live).
  const sinkBlock = blockOf[sink]!;
  const id = new Int32Array(first.length).fill(DEAD);
  let m = 0;
  for (let s = 0; s < n; s++) {
    const b = blockOf[s]!;
    if (b !== sinkBlock && id[b] === DEAD) id[b] = m++;
  }
  const out = new Int32Array(m * C).fill(DEAD);
  const acc = new Uint8Array(m);
  for (let s = 0; s < n; s++) {
    const r = id[blockOf[s]!]!;
    acc[r] = accepting[s]!;
    for (let c = 0; c < C; c++) {
      const t = table[s * C + c]!;
      out[r * C + c] = t === DEAD ? DEAD : id[blockOf[t]!]!;
    }
  }
  return { start: id[blockOf[start]!]!, table: out, accepting: acc };
}
