/**
 * Thompson construction: {@link RegexNode} → NFA over bytes (UTF-8 of the code points).
 * Also the plain NFA simulation that serves as the reference for the DFA.
 */
import { OptionError } from '@weft/core';
import type { RegexNode } from './regex-ast.js';
import { utf8Sequences } from './utf8.js';

/** A byte edge: any byte in [lo, hi] goes to `to`. */
export interface ByteEdge {
  readonly lo: number;
  readonly hi: number;
  readonly to: number;
}

/** An NFA with ε-edges and byte-range edges; one start state and one accepting state. */
export interface ByteNfa {
  readonly epsilon: readonly (readonly number[])[];
  readonly edges: readonly (readonly ByteEdge[])[];
  readonly start: number;
  readonly accept: number;
}

/** Default cap on NFA states (expanded counted repeats count fully). */
export const DEFAULT_MAX_NFA_STATES = 500_000;

/** Builds the NFA of `node`. Throws an {@link OptionError} past `maxStates` states. */
export function buildNfa(node: RegexNode, maxStates = DEFAULT_MAX_NFA_STATES): ByteNfa {
  const epsilon: number[][] = [];
  const edges: ByteEdge[][] = [];
  const newState = (): number => {
    if (epsilon.length >= maxStates) {
      throw new OptionError(
        'maxStates',
        `the constraint needs more than ${maxStates} NFA states`,
        'use smaller repeat counts / maxLength / maxItems, or fewer alternatives',
      );
    }
    epsilon.push([]);
    edges.push([]);
    return epsilon.length - 1;
  };

  // Emits `n` starting at state `from`; returns the state reached at its end.
  const emit = (n: RegexNode, from: number): number => {
    switch (n.kind) {
      case 'empty':
        return from;
      case 'set': {
        const end = newState();
        for (const seq of utf8Sequences(n.set)) {
          let s = from;
          for (let i = 0; i < seq.length; i++) {
            const t = i === seq.length - 1 ? end : newState();
            edges[s]!.push({ lo: seq[i]![0], hi: seq[i]![1], to: t });
            s = t;
          }
        }
        return end;
      }
      case 'concat': {
        let s = from;
        for (const item of n.items) s = emit(item, s);
        return s;
      }
      case 'alt': {
        const end = newState();
        for (const o of n.options) {
          const s = newState();
          epsilon[from]!.push(s);
          epsilon[emit(o, s)]!.push(end);
        }
        return end;
      }
      case 'repeat': {
        let s = from;
        for (let i = 0; i < n.min; i++) s = emit(n.item, s);
        if (n.max === Number.POSITIVE_INFINITY) {
          // s -ε-> loop; loop -item-> back to loop; loop -ε-> end
          const loop = newState();
          epsilon[s]!.push(loop);
          const inner = newState();
          epsilon[loop]!.push(inner);
          epsilon[emit(n.item, inner)]!.push(loop);
          const end = newState();
          epsilon[loop]!.push(end);
          return end;
        }
        const end = newState();
        for (let i = n.min; i < n.max; i++) {
          epsilon[s]!.push(end);
          s = emit(n.item, s);
        }
        epsilon[s]!.push(end);
        return end;
      }
    }
  };

  const start = newState();
  const accept = emit(node, start);
  return { epsilon, edges, start, accept };
}

/** ε-closure of `states` (sorted, unique). */
export function epsilonClosure(nfa: ByteNfa, states: Iterable<number>): number[] {
  const seen = new Set<number>();
  const stack = [...states];
  while (stack.length > 0) {
    const s = stack.pop()!;
    if (seen.has(s)) continue;
    seen.add(s);
    for (const t of nfa.epsilon[s]!) if (!seen.has(t)) stack.push(t);
  }
  return [...seen].sort((a, b) => a - b);
}

/** Reference matcher: simulates the NFA on `bytes` (whole-input match). */
export function nfaMatches(nfa: ByteNfa, bytes: ArrayLike<number>): boolean {
  let current = epsilonClosure(nfa, [nfa.start]);
  for (let i = 0; i < bytes.length && current.length > 0; i++) {
    const b = bytes[i]!;
    const next: number[] = [];
    for (const s of current) for (const e of nfa.edges[s]!) if (b >= e.lo && b <= e.hi) next.push(e.to);
    current = epsilonClosure(nfa, next);
  }
  return current.includes(nfa.accept);
}
