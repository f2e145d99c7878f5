/**
 * Regular expression → byte DFA (see {@link ./regex-parse.ts} for the supported syntax).
 */
import { type ByteDfa, buildDfa, DEFAULT_MAX_DFA_STATES } from './dfa.js';
import { buildNfa, DEFAULT_MAX_NFA_STATES } from './nfa.js';
import type { RegexNode } from './regex-ast.js';
import { parseRegex } from './regex-parse.js';

/** Limits for automaton construction. */
export interface AutomatonLimits {
  /** Cap on DFA states (default 50 000). Exceeding it throws an `OptionError`. */
  readonly maxStates?: number;
}

/**
 * Compiles `pattern` (full-match semantics, JavaScript `u`-flag syntax) into a byte DFA over
 * the UTF-8 encoding of the text.
 * @throws OptionError on a syntax error, an empty language or too many states.
 * @throws UnsupportedError on lookaround, backreferences, `\b`, `\p{…}` and inner anchors.
 */
export function compileRegex(pattern: string, limits: AutomatonLimits = {}): ByteDfa {
  return compileRegexNode(parseRegex(pattern, 'pattern'), limits, 'pattern');
}

/** Compiles an already-built {@link RegexNode}. `option` names the source in errors. */
export function compileRegexNode(node: RegexNode, limits: AutomatonLimits = {}, option = 'pattern'): ByteDfa {
  const maxStates = limits.maxStates ?? DEFAULT_MAX_DFA_STATES;
  return buildDfa(buildNfa(node, Math.max(DEFAULT_MAX_NFA_STATES, maxStates * 4)), maxStates, option);
}
