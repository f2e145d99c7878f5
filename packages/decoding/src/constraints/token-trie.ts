/**
 * The vocabulary as a byte trie in DFS preorder, built once per {@link TokenVocabulary} and
 * shared by every constraint over it.
 *
 * N = trie nodes (distinct token prefixes). Walking node k needs only its parent's DFA state
 * (kept per depth); a dead node jumps to `end[k]`, skipping its whole subtree, so a state in
 * which few tokens are allowed costs about as many steps as there are live prefixes.
 */
import type { TokenVocabulary } from './vocabulary.js';

/** Preorder byte trie over a vocabulary's token byte strings. */
export interface TokenTrie {
  /** [N] byte on the edge into node k (node 0 is the root). */
  readonly byte: Uint8Array;
  /** [N] depth of node k (root 0). */
  readonly depth: Int32Array;
  /** [N] first node after k's subtree. */
  readonly end: Int32Array;
  /** [N] first index into `ids` of the tokens spelled exactly by node k, or −1. */
  readonly termFirst: Int32Array;
  /** [N] how many tokens node k spells (several ids can share bytes). */
  readonly termCount: Int32Array;
  /** Token ids with bytes, in trie (byte-sorted) order. */
  readonly ids: Int32Array;
  /** Longest token in bytes. */
  readonly maxDepth: number;
}

const tries = new WeakMap<TokenVocabulary, TokenTrie>();

/** The (cached) trie of `vocab`. */
export function tokenTrie(vocab: TokenVocabulary): TokenTrie {
  let t = tries.get(vocab);
  if (!t) {
    t = buildTrie(vocab);
    tries.set(vocab, t);
  }
  return t;
}

function buildTrie(vocab: TokenVocabulary): TokenTrie {
  const list: number[] = [];
  for (let id = 0; id < vocab.size; id++) if (vocab.tokenBytes(id) !== undefined) list.push(id);
  list.sort((a, b) => compareBytes(vocab.tokenBytes(a)!, vocab.tokenBytes(b)!));

  const byte: number[] = [0];
  const depth: number[] = [0];
  const termFirst: number[] = [-1];
  const termCount: number[] = [0];
  const path: number[] = [0]; // path[d] = node at depth d on the current token's path
  let prev: Uint8Array | undefined;
  let maxDepth = 0;
  for (let i = 0; i < list.length; i++) {
    const b = vocab.tokenBytes(list[i]!)!;
    let l = 0;
    if (prev) while (l < prev.length && l < b.length && prev[l] === b[l]) l++;
    for (let d = l; d < b.length; d++) {
      byte.push(b[d]!);
      depth.push(d + 1);
      termFirst.push(-1);
      termCount.push(0);
      path[d + 1] = byte.length - 1;
    }
    const node = path[b.length]!;
    if (termFirst[node] === -1) termFirst[node] = i;
    termCount[node]!++;
    if (b.length > maxDepth) maxDepth = b.length;
    prev = b;
  }

  const n = byte.length;
  const end = new Int32Array(n).fill(n);
  const stack: number[] = [];
  for (let k = 0; k < n; k++) {
    while (stack.length > 0 && depth[stack[stack.length - 1]!]! >= depth[k]!) end[stack.pop()!] = k;
    stack.push(k);
  }
  return {
    byte: Uint8Array.from(byte),
    depth: Int32Array.from(depth),
    end,
    termFirst: Int32Array.from(termFirst),
    termCount: Int32Array.from(termCount),
    ids: Int32Array.from(list),
    maxDepth,
  };
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}
