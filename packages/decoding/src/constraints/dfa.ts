/**
 * Subset construction NFA → DFA over bytes, then pruning of dead states.
 *
 * Bytes are first grouped into equivalence classes (bytes no edge tells apart), so the table
 * is `states × classes` instead of `states × 256`. After pruning every state can still reach
 * an accepting state: a transition either leads somewhere useful or is −1 (dead).
 */
import { OptionError } from '@weft/core';
import { minimizeDfa } from './minimize.js';
import { type ByteNfa, epsilonClosure } from './nfa.js';

/** Default cap on DFA states. */
export const DEFAULT_MAX_DFA_STATES = 50_000;

/** Sentinel for "no transition": the input can no longer match. */
export const DEAD = -1;

/** A deterministic automaton over bytes in which every state is live (can reach accept). */
export class ByteDfa {
  /** Number of states; states are 0..size−1. */
  readonly size: number;
  /** Initial state. */
  readonly start: number;
  /** Byte → class id (Uint8: at most 256 classes). */
  readonly classOf: Uint8Array;
  /** Number of byte classes. */
  readonly classes: number;
  /** @internal [S, C] next state or DEAD (read by the token-mask hot loop). */
  readonly table: Int32Array;
  private readonly accepting: Uint8Array;

  /** @internal — use {@link compileRegex}, {@link compileJsonSchema} or {@link buildDfa}. */
  constructor(start: number, classOf: Uint8Array, classes: number, table: Int32Array, accepting: Uint8Array) {
    this.start = start;
    this.classOf = classOf;
    this.classes = classes;
    this.table = table;
    this.accepting = accepting;
    this.size = accepting.length;
  }

  /** Next state after `byte`, or {@link DEAD}. */
  step(state: number, byte: number): number {
    return this.table[state * this.classes + this.classOf[byte]!]!;
  }

  /** True if the input read so far is a complete match. */
  isAccepting(state: number): boolean {
    return this.accepting[state] === 1;
  }

  /** True if some non-empty continuation from `state` can still match. */
  canContinue(state: number): boolean {
    const row = state * this.classes;
    for (let c = 0; c < this.classes; c++) if (this.table[row + c] !== DEAD) return true;
    return false;
  }

  /** State after reading `bytes` from `state` (default: the start), or {@link DEAD}. */
  walk(bytes: ArrayLike<number>, state = this.start): number {
    let s = state;
    for (let i = 0; i < bytes.length && s !== DEAD; i++) s = this.step(s, bytes[i]!);
    return s;
  }

  /** Whole-input match of UTF-8 `text` (or raw bytes). */
  matches(text: string | ArrayLike<number>): boolean {
    const bytes = typeof text === 'string' ? new TextEncoder().encode(text) : text;
    const s = this.walk(bytes);
    return s !== DEAD && this.isAccepting(s);
  }
}

/** Determinizes `nfa`; throws {@link OptionError} on an empty language or past `maxStates`. */
export function buildDfa(nfa: ByteNfa, maxStates = DEFAULT_MAX_DFA_STATES, option = 'pattern'): ByteDfa {
  // Byte classes from all edge boundaries.
  const boundary = new Uint8Array(257);
  boundary[0] = 1;
  for (const list of nfa.edges) {
    for (const e of list) {
      boundary[e.lo] = 1;
      boundary[e.hi + 1] = 1;
    }
  }
  const classOf = new Uint8Array(256);
  let classes = 0;
  for (let b = 0; b < 256; b++) {
    if (boundary[b] && b > 0) classes++;
    classOf[b] = classes;
  }
  classes++;

  // Per NFA state: its ε-closure restricted to "important" states (byte edges, or accept):
  // two subsets with the same important states behave the same, so only those key a DFA state.
  const n0 = nfa.edges.length;
  const important = (q: number) => nfa.edges[q]!.length > 0 || q === nfa.accept;
  const closures: Int32Array[] = [];
  for (let q = 0; q < n0; q++) closures.push(Int32Array.from(epsilonClosure(nfa, [q]).filter(important)));
  const stamp = new Int32Array(n0).fill(-1);
  let generation = 0;
  const closeAll = (seeds: number[]): number[] => {
    generation++;
    const out: number[] = [];
    for (const q of seeds) {
      for (const r of closures[q]!) {
        if (stamp[r] !== generation) {
          stamp[r] = generation;
          out.push(r);
        }
      }
    }
    return out.sort((a, b) => a - b);
  };

  const sets: number[][] = [];
  const index = new Map<string, number>();
  const rows: number[] = [];
  const intern = (set: number[]): number => {
    const key = set.join(',');
    let id = index.get(key);
    if (id === undefined) {
      if (sets.length >= maxStates) {
        throw new OptionError(
          'maxStates',
          `the constraint needs more than ${maxStates} DFA states`,
          'use smaller repeat counts / maxLength / maxItems, or raise maxStates',
        );
      }
      id = sets.length;
      sets.push(set);
      index.set(key, id);
    }
    return id;
  };

  intern(closeAll([nfa.start]));
  const targets: number[][] = Array.from({ length: classes }, () => []);
  for (let d = 0; d < sets.length; d++) {
    for (let c = 0; c < classes; c++) targets[c]!.length = 0;
    for (const q of sets[d]!) {
      for (const e of nfa.edges[q]!) {
        for (let c = classOf[e.lo]!; c <= classOf[e.hi]!; c++) targets[c]!.push(e.to);
      }
    }
    for (let c = 0; c < classes; c++) {
      rows[d * classes + c] = targets[c]!.length === 0 ? DEAD : intern(closeAll(targets[c]!));
    }
  }

  // Prune: keep states from which an accepting state is reachable.
  const n = sets.length;
  const accepting = sets.map((s) => s.includes(nfa.accept));
  const reverse: number[][] = Array.from({ length: n }, () => []);
  for (let d = 0; d < n; d++) {
    for (let c = 0; c < classes; c++) {
      const t = rows[d * classes + c]!;
      if (t !== DEAD) reverse[t]!.push(d);
    }
  }
  const live = new Uint8Array(n);
  const stack: number[] = [];
  for (let d = 0; d < n; d++) {
    if (accepting[d]) {
      live[d] = 1;
      stack.push(d);
    }
  }
  while (stack.length > 0) {
    const t = stack.pop()!;
    for (const p of reverse[t]!) {
      if (!live[p]) {
        live[p] = 1;
        stack.push(p);
      }
    }
  }
  if (!live[0]) {
    throw new OptionError(option, 'the constraint matches no string at all (empty language)', 'check for contradictions');
  }
  const renumber = new Int32Array(n).fill(DEAD);
  let m = 0;
  for (let d = 0; d < n; d++) if (live[d]) renumber[d] = m++;
  const table = new Int32Array(m * classes);
  const acc = new Uint8Array(m);
  for (let d = 0; d < n; d++) {
    const r = renumber[d]!;
    if (r === DEAD) continue;
    acc[r] = accepting[d] ? 1 : 0;
    for (let c = 0; c < classes; c++) {
      const t = rows[d * classes + c]!;
      table[r * classes + c] = t === DEAD ? DEAD : renumber[t]!;
    }
  }
  const min = minimizeDfa(renumber[0]!, classes, table, acc);
  return new ByteDfa(min.start, classOf, classes, min.table, min.accepting);
}
