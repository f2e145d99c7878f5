/**
 * The regular-expression tree both front ends produce: the regex parser and the JSON-schema
 * compiler. Leaves are code point sets; {@link ./nfa.ts} lowers them to UTF-8 bytes.
 */
import { type CharSet, charSetOf } from './charset.js';

/** A regular language over Unicode scalar values. */
export type RegexNode =
  | { readonly kind: 'empty' }
  | { readonly kind: 'set'; readonly set: CharSet }
  | { readonly kind: 'concat'; readonly items: readonly RegexNode[] }
  | { readonly kind: 'alt'; readonly options: readonly RegexNode[] }
  /** `max` is `Infinity` for an unbounded repeat. */
  | { readonly kind: 'repeat'; readonly item: RegexNode; readonly min: number; readonly max: number };

/** Matches only the empty string. */
export const EMPTY: RegexNode = { kind: 'empty' };

/** One character from `set`. */
export function set(s: CharSet): RegexNode {
  return { kind: 'set', set: s };
}

/** The exact text `text`. */
export function literal(text: string): RegexNode {
  const items: RegexNode[] = [];
  for (const ch of text) items.push(set(charSetOf(ch.codePointAt(0)!)));
  return seq(...items);
}

/** Concatenation (flattens nested concatenations, drops empties). */
export function seq(...parts: RegexNode[]): RegexNode {
  const items: RegexNode[] = [];
  for (const p of parts) {
    if (p.kind === 'empty') continue;
    if (p.kind === 'concat') items.push(...p.items);
    else items.push(p);
  }
  if (items.length === 0) return EMPTY;
  if (items.length === 1) return items[0]!;
  return { kind: 'concat', items };
}

/** Alternation. */
export function alt(...options: RegexNode[]): RegexNode {
  const flat: RegexNode[] = [];
  for (const o of options) {
    if (o.kind === 'alt') flat.push(...o.options);
    else flat.push(o);
  }
  if (flat.length === 1) return flat[0]!;
  return { kind: 'alt', options: flat };
}

/** `item{min,max}`. */
export function repeat(item: RegexNode, min: number, max: number): RegexNode {
  return { kind: 'repeat', item, min, max };
}

/** `item?` */
export function optional(item: RegexNode): RegexNode {
  return repeat(item, 0, 1);
}

/** `item*` */
export function star(item: RegexNode): RegexNode {
  return repeat(item, 0, Number.POSITIVE_INFINITY);
}

/** `item+` */
export function plus(item: RegexNode): RegexNode {
  return repeat(item, 1, Number.POSITIVE_INFINITY);
}
