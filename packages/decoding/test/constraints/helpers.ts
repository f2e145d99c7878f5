import type { Rng } from '@weft/core';
import { type ByteDfa, DEAD } from '@weft/decoding';

/** Bytes needed from each state to reach an accepting state (BFS on reversed edges). */
export function distancesToAccept(dfa: ByteDfa): Int32Array {
  const n = dfa.size;
  const reverse: number[][] = Array.from({ length: n }, () => []);
  for (let s = 0; s < n; s++) {
    for (let b = 0; b < 256; b++) {
      const t = dfa.step(s, b);
      if (t !== DEAD) reverse[t]!.push(s);
    }
  }
  const dist = new Int32Array(n).fill(-1);
  const queue: number[] = [];
  for (let s = 0; s < n; s++) {
    if (dfa.isAccepting(s)) {
      dist[s] = 0;
      queue.push(s);
    }
  }
  for (let q = 0; q < queue.length; q++) {
    const t = queue[q]!;
    for (const p of reverse[t]!) {
      if (dist[p] === -1) {
        dist[p] = dist[t]! + 1;
        queue.push(p);
      }
    }
  }
  return dist;
}

/**
 * A random member of the DFA's language: random bytes while under `softLength`, then the
 * shortest way home. Stops at an accepting state with probability `stopP`.
 */
export function sampleDfa(dfa: ByteDfa, rng: Rng, dist: Int32Array, softLength = 40, stopP = 0.15): Uint8Array {
  const out: number[] = [];
  let s = dfa.start;
  for (;;) {
    if (dfa.isAccepting(s) && (out.length >= softLength || rng.nextFloat() < stopP || !dfa.canContinue(s))) break;
    const options: number[] = [];
    for (let b = 0; b < 256; b++) {
      const t = dfa.step(s, b);
      if (t === DEAD) continue;
      if (out.length >= softLength && dist[t]! >= dist[s]!) continue;
      options.push(b);
    }
    // Prefer structure over the huge non-ASCII ranges now and then.
    const ascii = options.filter((b) => b < 0x80);
    const pool = ascii.length > 0 && rng.nextFloat() < 0.8 ? ascii : options;
    const b = pool[rng.nextU32() % pool.length]!;
    out.push(b);
    s = dfa.step(s, b);
  }
  return Uint8Array.from(out);
}

/** Random string over `alphabet` (code points), length in [0, maxLen]. */
export function randomString(rng: Rng, alphabet: string, maxLen: number): string {
  const chars = Array.from(alphabet);
  const n = rng.nextU32() % (maxLen + 1);
  let s = '';
  for (let i = 0; i < n; i++) s += chars[rng.nextU32() % chars.length];
  return s;
}

/** Reference: number of Moore-refinement blocks (states no input tells apart) of a DFA. */
export function mooreBlockCount(dfa: ByteDfa): number {
  const n = dfa.size;
  let block = Array.from({ length: n }, (_, s) => (dfa.isAccepting(s) ? 1 : 0));
  let count = -1;
  for (;;) {
    const ids = new Map<string, number>();
    const next = block.map((b, s) => {
      const sig = [b];
      for (let byte = 0; byte < 256; byte++) {
        const t = dfa.step(s, byte);
        sig.push(t === DEAD ? -1 : block[t]!);
      }
      const key = sig.join(',');
      if (!ids.has(key)) ids.set(key, ids.size);
      return ids.get(key)!;
    });
    block = next;
    if (ids.size === count) return count;
    count = ids.size;
  }
}
