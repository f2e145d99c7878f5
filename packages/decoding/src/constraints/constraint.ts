/**
 * The factory: a constraint spec plus a vocabulary → a {@link TokenConstraint}.
 */
import { OptionError } from '@weft/core';
import type { ByteDfa } from './dfa.js';
import { compileJsonSchema, type JsonSchemaOptions } from './json-schema.js';
import { type ConstraintProcessor, createConstraintProcessor } from './processor.js';
import { type AutomatonLimits, compileRegex } from './regex.js';
import { TokenConstraint } from './token-constraint.js';
import type { TokenVocabulary } from './vocabulary.js';

/** What the generated text must be. */
export type ConstraintSpec =
  /** The whole text matches `pattern` (JavaScript `u`-flag syntax, subset). */
  | ({ readonly kind: 'regex'; readonly pattern: string } & AutomatonLimits)
  /** The whole text is one JSON value valid against `schema` (subset). */
  | ({ readonly kind: 'json-schema'; readonly schema: unknown } & JsonSchemaOptions);

/** Compiles a spec to its byte DFA (no vocabulary needed: check specs early with this). */
export function compileConstraint(spec: ConstraintSpec): ByteDfa {
  switch (spec.kind) {
    case 'regex':
      if (typeof spec.pattern !== 'string') throw new OptionError('pattern', 'must be a string');
      return compileRegex(spec.pattern, spec);
    case 'json-schema':
      return compileJsonSchema(spec.schema, spec);
    default:
      throw new OptionError(
        'kind',
        `unknown constraint kind ${JSON.stringify((spec as { kind: unknown }).kind)}`,
        "use 'regex' or 'json-schema'",
      );
  }
}

/**
 * Compiles `spec` and binds it to `vocab`. Every error (bad spec, empty language, a vocabulary
 * that cannot spell any complete match) is thrown here, before generation starts.
 */
export function createConstraint(spec: ConstraintSpec, vocab: TokenVocabulary): TokenConstraint {
  const constraint = new TokenConstraint(compileConstraint(spec), vocab);
  constraint.checkSpellable();
  return constraint;
}

/** Shorthand: a ready logits processor for `spec` over `vocab`. */
export function constraintProcessor(spec: ConstraintSpec, vocab: TokenVocabulary): ConstraintProcessor {
  return createConstraintProcessor(createConstraint(spec, vocab));
}
