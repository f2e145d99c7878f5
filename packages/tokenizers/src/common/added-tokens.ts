import { isWhiteSpace } from './unicode.js';

/** One entry of tokenizer.json's `added_tokens` (also used by other formats for their specials). */
export interface AddedToken {
  readonly id: number;
  readonly content: string;
  /** Only match when not glued to word characters on either side. */
  readonly singleWord: boolean;
  /** Swallow the whitespace on the left of the match. */
  readonly lstrip: boolean;
  /** Swallow the whitespace on the right of the match. */
  readonly rstrip: boolean;
  /** Matched against the normalized text (true) or the raw input (false). */
  readonly normalized: boolean;
  /** Special tokens are dropped by `decode(..., { skipSpecialTokens: true })`. */
  readonly special: boolean;
}

/** A piece of text after splitting out added tokens: `id` is -1 for ordinary text. */
export interface TextSplit {
  readonly start: number;
  readonly end: number;
  readonly id: number;
}

interface TrieNode {
  next: Map<number, TrieNode> | undefined;
  /** Index into the token list of the token ending here, or -1. */
  token: number;
}

const WORD_CHAR = /[\p{Alphabetic}\p{M}\p{Nd}\p{Pc}\p{Join_Control}]/u;

/**
 * Finds added tokens in text, leftmost-longest (like HF's Aho-Corasick matcher), honouring
 * `singleWord`, `lstrip` and `rstrip`. Matching walks a trie from every position whose code
 * unit can start a token, so ordinary text costs one table lookup per code unit.
 */
export class AddedTokenMatcher {
  private readonly root: TrieNode = { next: undefined, token: -1 };
  private readonly firstUnits = new Uint8Array(0x10000);
  private readonly tokens: AddedToken[] = [];

  constructor(tokens: Iterable<AddedToken>) {
    for (const t of tokens) {
      if (t.content.length === 0) continue;
      let node = this.root;
      for (let i = 0; i < t.content.length; i++) {
        const c = t.content.charCodeAt(i);
        node.next ??= new Map();
        let child = node.next.get(c);
        if (!child) {
          child = { next: undefined, token: -1 };
          node.next.set(c, child);
        }
        node = child;
      }
      // Later entries with the same content win, as in HF (the map is keyed by content).
      node.token = this.tokens.length;
      this.tokens.push(t);
      this.firstUnits[t.content.charCodeAt(0)] = 1;
    }
  }

  /** Number of distinct token strings matched. */
  get size(): number {
    return this.tokens.length;
  }

  /** Splits `text` into ordinary pieces (`id` -1) and added tokens, covering it exactly. */
  split(text: string): TextSplit[] {
    const out: TextSplit[] = [];
    if (this.tokens.length === 0) {
      out.push({ start: 0, end: text.length, id: -1 });
      return out;
    }
    let startOffset = 0;
    const n = text.length;
    let i = 0;
    while (i < n) {
      if (this.firstUnits[text.charCodeAt(i)] === 0) {
        i++;
        continue;
      }
      // Longest match starting at i.
      let node: TrieNode | undefined = this.root;
      let best = -1;
      let bestEnd = i;
      for (let j = i; j < n && node?.next; j++) {
        node = node.next.get(text.charCodeAt(j));
        if (!node) break;
        if (node.token >= 0) {
          best = node.token;
          bestEnd = j + 1;
        }
      }
      if (best < 0) {
        i++;
        continue;
      }
      const tok = this.tokens[best]!;
      let start = i;
      let stop = bestEnd;
      if (tok.singleWord) {
        const before = start > 0 && WORD_CHAR.test(lastChar(text, start));
        const after = stop < n && WORD_CHAR.test(firstChar(text, stop));
        if (before || after) {
          i++;
          continue;
        }
      }
      if (tok.lstrip) {
        let s = start;
        while (s > 0) {
          const cp = text.codePointAt(s - 1)!;
          const low = cp >= 0xdc00 && cp <= 0xdfff && s >= 2;
          const full = low ? text.codePointAt(s - 2)! : cp;
          if (!isWhiteSpace(full)) break;
          s -= full > 0xffff ? 2 : 1;
        }
        start = Math.max(s, startOffset);
      }
      if (tok.rstrip) {
        while (stop < n) {
          const cp = text.codePointAt(stop)!;
          if (!isWhiteSpace(cp)) break;
          stop += cp > 0xffff ? 2 : 1;
        }
      }
      if (startOffset < start) out.push({ start: startOffset, end: start, id: -1 });
      out.push({ start, end: stop, id: tok.id });
      startOffset = stop;
      i = bestEnd;
      if (i < stop) i = stop;
    }
    if (startOffset !== n || out.length === 0) out.push({ start: startOffset, end: n, id: -1 });
    return out;
  }
}

function lastChar(text: string, end: number): string {
  const c = text.charCodeAt(end - 1);
  if (c >= 0xdc00 && c <= 0xdfff && end >= 2) return text.slice(end - 2, end);
  return text[end - 1]!;
}

function firstChar(text: string, start: number): string {
  return String.fromCodePoint(text.codePointAt(start)!);
}
