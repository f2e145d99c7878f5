/**
 * The {@link LogitsProcessor} that enforces a {@link TokenConstraint}: every id that cannot
 * continue the constrained text gets −Infinity; EOS stays only where the text is complete.
 */
import { type GenerationContext, type LogitsProcessor, OptionError, ShapeError } from '@weft/core';
import { DEAD } from './dfa.js';
import { noWayForward, type TokenConstraint } from './token-constraint.js';

/** A constraint processor; also reports where the generated text stands. */
export interface ConstraintProcessor extends LogitsProcessor {
  readonly constraint: TokenConstraint;
  /**
   * Automaton state after the generated part of `history` (throws if it broke the constraint).
   * Tokens after an EOS that closed a complete text are ignored (finished sequences in a batch).
   */
  stateOf(ctx: GenerationContext): number;
  /** True if the generated text is a complete match (EOS allowed). */
  isComplete(ctx: GenerationContext): boolean;
  /** True if EOS closed a complete text, or the text is complete and nothing but EOS can follow. */
  isFinished(ctx: GenerationContext): boolean;
}

/**
 * Wraps a constraint as a logits processor. It keeps the states of the last sequence it saw
 * and re-walks only the part of the history that changed, so it stays cheap in a plain loop
 * and still right when beams or rollbacks swap histories.
 */
export function createConstraintProcessor(constraint: TokenConstraint): ConstraintProcessor {
  const ids: number[] = [];
  // states[i] = automaton state after i generated tokens; `endedAt` = index of the EOS that closed
  // a complete text (batched and beam search may keep feeding finished sequences: only EOS then).
  const states: number[] = [constraint.start];
  let endedAt = -1;
  let saved = new Float32Array(0);

  const track = (ctx: GenerationContext): number => {
    const gen = ctx.history.subarray(ctx.promptLength);
    let k = 0;
    while (k < ids.length && k < gen.length && ids[k] === gen[k]) k++;
    ids.length = k;
    states.length = k + 1;
    if (endedAt >= k) endedAt = -1;
    for (let i = k; i < gen.length; i++) {
      const id = gen[i]!;
      const here = states[i]!;
      let next: number;
      if (endedAt >= 0) next = here;
      else if (constraint.isEos(id) && constraint.canEnd(here)) {
        next = here;
        endedAt = i;
      } else {
        next = constraint.advance(here, id);
        if (next === DEAD) {
          throw new OptionError(
            'history',
            `generated token ${id} at step ${i} breaks the constraint`,
            'apply the constraint processor at every step, after any processor that could re-enable masked ids',
          );
        }
      }
      ids.push(id);
      states.push(next);
    }
    return states[gen.length]!;
  };

  return {
    name: 'constraint',
    constraint,
    stateOf: track,
    isComplete: (ctx) => constraint.canEnd(track(ctx)),
    isFinished: (ctx) => {
      const s = track(ctx);
      return endedAt >= 0 || (constraint.canEnd(s) && constraint.mask(s).allowed === 0);
    },
    process(logits: Float32Array, ctx: GenerationContext): void {
      const V = constraint.vocab.size;
      if (logits.length < V) {
        throw new ShapeError(
          'constraint',
          `logits have ${logits.length} entries, the vocabulary ${V}`,
          'build the vocabulary from the model’s tokenizer',
        );
      }
      const state = track(ctx);
      if (endedAt >= 0) {
        // Finished (EOS seen after a complete text): only EOS may follow.
        const eosLogits = constraint.vocab.eos.map((id) => logits[id]!);
        logits.fill(Number.NEGATIVE_INFINITY);
        constraint.vocab.eos.forEach((id, k) => {
          logits[id] = eosLogits[k]!;
        });
        return;
      }
      const mask = constraint.mask(state);
      const canEnd = constraint.canEnd(state);
      if (mask.allowed === 0 && !canEnd) noWayForward(state);
      const eos = constraint.vocab.eos;
      const ids = mask.ids;
      if (mask.kind === 'block') {
        // Most tokens stay: knock out the blocked ones, EOS unless complete, and any padding.
        for (let k = 0; k < ids.length; k++) logits[ids[k]!] = Number.NEGATIVE_INFINITY;
        if (!canEnd) for (const id of eos) logits[id] = Number.NEGATIVE_INFINITY;
        logits.fill(Number.NEGATIVE_INFINITY, V);
        return;
      }
      if (saved.length < ids.length) saved = new Float32Array(Math.max(ids.length, saved.length * 2));
      for (let k = 0; k < ids.length; k++) saved[k] = logits[ids[k]!]!;
      const eosLogits = canEnd ? eos.map((id) => logits[id]!) : [];
      logits.fill(Number.NEGATIVE_INFINITY);
      for (let k = 0; k < ids.length; k++) logits[ids[k]!] = saved[k]!;
      for (let k = 0; k < eosLogits.length; k++) logits[eos[k]!] = eosLogits[k]!;
    },
  };
}
