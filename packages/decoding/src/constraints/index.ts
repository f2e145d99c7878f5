/**
 * Constrained generation: regular expressions and a JSON-schema subset compiled to byte DFAs,
 * lifted to token masks over a vocabulary, applied as a logits processor.
 * @packageDocumentation
 */
export type { CharSet } from './charset.js';
export { type ConstraintSpec, compileConstraint, constraintProcessor, createConstraint } from './constraint.js';
export { ByteDfa, buildDfa, DEAD, DEFAULT_MAX_DFA_STATES } from './dfa.js';
export {
  compileJsonSchema,
  type JsonSchema,
  type JsonSchemaOptions,
  jsonSchemaToRegex,
  type WhitespacePolicy,
} from './json-schema.js';
export { type ByteNfa, buildNfa, nfaMatches } from './nfa.js';
export { type ConstraintProcessor, createConstraintProcessor } from './processor.js';
export { type AutomatonLimits, compileRegex, compileRegexNode } from './regex.js';
export type { RegexNode } from './regex-ast.js';
export { parseRegex } from './regex-parse.js';
export { allowedTokensReference, TokenConstraint, type TokenMask } from './token-constraint.js';
export { TokenVocabulary, type VocabularyOptions } from './vocabulary.js';
