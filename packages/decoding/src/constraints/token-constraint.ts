/**
 * A byte DFA lifted to token ids: which tokens may come next in each DFA state.
 *
 * A state's allowed set comes from walking the vocabulary's byte trie ({@link ./token-trie.ts})
 * through the DFA: shared prefixes are stepped once and a dead prefix skips its whole subtree.
 * It is cached per state, so a state costs O(live trie nodes) the first time and nothing
 * afterwards. {@link allowedTokensReference} is the plain one-token-at-a-time version the
 * tests compare against.
 */
import { OptionError } from '@weft/core';
import { type ByteDfa, DEAD } from './dfa.js';
import { type TokenTrie, tokenTrie } from './token-trie.js';
import type { TokenVocabulary } from './vocabulary.js';

/**
 * The tokens allowed in one state (EOS never listed: it is allowed exactly when the state can
 * end). When most of the vocabulary is allowed (inside strings), the complement is stored.
 */
export type TokenMask =
  /** `ids` are the allowed non-EOS ids. */
  | { readonly kind: 'allow'; readonly ids: Int32Array; readonly allowed: number }
  /** `ids` are the non-EOS ids in [0, V) that are not allowed. */
  | { readonly kind: 'block'; readonly ids: Int32Array; readonly allowed: number };

/**
 * A {@link ByteDfa} seen through one vocabulary: allowed tokens per state, token-level state
 * advance and acceptance. Build it with {@link createConstraint}. V = vocabulary size.
 */
export class TokenConstraint {
  readonly dfa: ByteDfa;
  readonly vocab: TokenVocabulary;
  private readonly trie: TokenTrie;
  private readonly cache = new Map<number, TokenMask>();
  private readonly eosSet: Set<number>;
  // Only for vocabularies missing some single byte: states from which a token path reaches
  // an accepting state (byte-level liveness does not imply token-level liveness then).
  private tokenLive: Uint8Array | undefined;
  private readonly byteComplete: boolean;

  constructor(dfa: ByteDfa, vocab: TokenVocabulary) {
    this.dfa = dfa;
    this.vocab = vocab;
    this.eosSet = new Set(vocab.eos);
    this.byteComplete = vocab.coversAllBytes();
    this.trie = tokenTrie(vocab);
  }

  /** The state before any generated token. */
  get start(): number {
    return this.dfa.start;
  }

  /** The allowed tokens of `state` as stored (computed on first use, then cached: do not modify). */
  mask(state: number): TokenMask {
    let hit = this.cache.get(state);
    if (!hit) {
      let ids = this.computeAllowed(state);
      if (!this.byteComplete) {
        const live = this.liveStates();
        ids = ids.filter((id) => live[this.advance(state, id)] === 1);
      }
      hit =
        this.vocab.size > 64 && ids.length > this.vocab.size / 2
          ? this.complement(ids)
          : { kind: 'allow', ids, allowed: ids.length };
      this.cache.set(state, hit);
    }
    return hit;
  }

  /**
   * Throws the `OptionError('vocabulary')` a generation would hit if no token sequence can spell
   * a complete match. Free for byte-complete vocabularies (then every live state is spellable);
   * otherwise it runs the token-level liveness analysis now instead of at the first step.
   */
  checkSpellable(): void {
    if (!this.byteComplete) this.liveStates();
  }

  /**
   * Computes the mask of every automaton state now instead of on first use (what a server may
   * do once per schema so that no generation step pays for a new state). Returns the count.
   */
  precompute(): number {
    for (let state = 0; state < this.dfa.size; state++) this.mask(state);
    return this.dfa.size;
  }

  /** Non-EOS token ids allowed in `state` (a fresh array when the mask is stored as a complement). */
  allowedTokens(state: number): Int32Array {
    const m = this.mask(state);
    if (m.kind === 'allow') return m.ids;
    const V = this.vocab.size;
    const blocked = new Uint8Array(V);
    for (const id of m.ids) blocked[id] = 1;
    const out = new Int32Array(m.allowed);
    let k = 0;
    const eos = this.eosMark();
    for (let id = 0; id < V; id++) if (!blocked[id] && !eos[id]) out[k++] = id;
    return out;
  }

  private complement(allowed: Int32Array): TokenMask {
    const V = this.vocab.size;
    const ok = Uint8Array.from(this.eosMark()); // EOS is never listed: count it as "ok"
    for (const id of allowed) ok[id] = 1;
    const blocked = new Int32Array(V - allowed.length);
    let k = 0;
    for (let id = 0; id < V; id++) if (!ok[id]) blocked[k++] = id;
    return { kind: 'block', ids: blocked.slice(0, k), allowed: allowed.length };
  }

  private eosMarks: Uint8Array | undefined;
  /** [V] 1 at EOS ids. */
  private eosMark(): Uint8Array {
    if (!this.eosMarks) {
      this.eosMarks = new Uint8Array(this.vocab.size);
      for (const id of this.vocab.eos) this.eosMarks[id] = 1;
    }
    return this.eosMarks;
  }

  /** Token-level liveness over the states reachable from the start (built once, on demand). */
  private liveStates(): Uint8Array {
    if (this.tokenLive) return this.tokenLive;
    const n = this.dfa.size;
    const reached = new Uint8Array(n);
    const edges: number[][] = Array.from({ length: n }, () => []);
    const queue = [this.start];
    reached[this.start] = 1;
    while (queue.length > 0) {
      const s = queue.pop()!;
      for (const id of this.computeAllowed(s)) {
        const t = this.advance(s, id);
        edges[t]!.push(s);
        if (!reached[t]) {
          reached[t] = 1;
          queue.push(t);
        }
      }
    }
    const live = new Uint8Array(n);
    const stack: number[] = [];
    for (let s = 0; s < n; s++) {
      if (reached[s] && this.dfa.isAccepting(s)) {
        live[s] = 1;
        stack.push(s);
      }
    }
    while (stack.length > 0) {
      const t = stack.pop()!;
      for (const p of edges[t]!) {
        if (!live[p]) {
          live[p] = 1;
          stack.push(p);
        }
      }
    }
    if (!live[this.start]) {
      // Name the first bytes the text could start with that no token starts with.
      const firsts = new Set<number>();
      for (let i = 0; i < this.vocab.size; i++) {
        const b = this.vocab.tokenBytes(i);
        if (b) firsts.add(b[0]!);
      }
      const missing: string[] = [];
      for (let b = 0; b < 256; b++) {
        if (this.dfa.step(this.start, b) !== DEAD && !firsts.has(b))
          missing.push(b < 0x80 ? JSON.stringify(String.fromCharCode(b)) : `0x${b.toString(16)}`);
      }
      throw new OptionError(
        'vocabulary',
        `no sequence of tokens spells a complete match${missing.length > 0 ? ` (no token starts with ${missing.slice(0, 8).join(', ')})` : ''}`,
        'the vocabulary lacks bytes the constraint needs: use a byte-fallback / byte-level tokenizer, or change the constraint',
      );
    }
    this.tokenLive = live;
    return live;
  }

  /** True if the text so far is a complete match, so EOS is allowed. */
  canEnd(state: number): boolean {
    return state !== DEAD && this.dfa.isAccepting(state);
  }

  /** True if `id` is an end-of-sequence id. */
  isEos(id: number): boolean {
    return this.eosSet.has(id);
  }

  /** State after token `id`, or {@link DEAD} if the token is not allowed. EOS is not a text token: it gives DEAD. */
  advance(state: number, id: number): number {
    if (state === DEAD) return DEAD;
    const bytes = this.vocab.tokenBytes(id);
    if (bytes === undefined) return DEAD;
    return this.dfa.walk(bytes, state);
  }

  /** State after `ids` from the start (a trailing EOS is ignored if the text can end), or DEAD. */
  stateAfter(ids: ArrayLike<number>): number {
    let s = this.start;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      if (this.isEos(id) && i === ids.length - 1) return this.canEnd(s) ? s : DEAD;
      s = this.advance(s, id);
      if (s === DEAD) return DEAD;
    }
    return s;
  }

  /** True if `ids` spell a complete match (optionally followed by one EOS). */
  accepts(ids: ArrayLike<number>): boolean {
    return this.canEnd(this.stateAfter(ids));
  }

  private computeAllowed(state: number): Int32Array {
    const { byte, depth, end, termFirst, termCount, ids, maxDepth } = this.trie;
    const { table, classOf, classes } = this.dfa;
    const out: number[] = [];
    // states[d] = DFA state after the first d bytes of the current trie path
    const states = new Int32Array(maxDepth + 1);
    states[0] = state;
    const n = byte.length;
    let k = 1;
    while (k < n) {
      const d = depth[k]!;
      const s = table[states[d - 1]! * classes + classOf[byte[k]!]!]!;
      if (s === DEAD) {
        k = end[k]!;
        continue;
      }
      states[d] = s;
      const first = termFirst[k]!;
      if (first >= 0) for (let j = 0; j < termCount[k]!; j++) out.push(ids[first + j]!);
      k++;
    }
    return Int32Array.from(out);
  }
}

/** Reference: allowed non-EOS ids in `state`, one token at a time. */
export function allowedTokensReference(constraint: TokenConstraint, state: number): Int32Array {
  const out: number[] = [];
  for (let id = 0; id < constraint.vocab.size; id++) {
    const b = constraint.vocab.tokenBytes(id);
    if (b !== undefined && constraint.dfa.walk(b, state) !== DEAD) out.push(id);
  }
  return Int32Array.from(out);
}

/** Throws the error constraint processors raise when a state has no way forward. */
export function noWayForward(state: number): never {
  throw new OptionError(
    'vocabulary',
    `no token can continue the constrained text from automaton state ${state}, and it is not complete`,
    'the vocabulary cannot spell the required bytes: use a byte-complete vocabulary or relax the constraint',
  );
}
