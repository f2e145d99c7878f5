/**
 * Beam search (Hugging Face's BeamSearchScorer rules): per step, every beam's processed
 * log-probabilities extend its score; the best 2·numBeams candidates are scanned in order, an EOS
 * candidate ranked within the first numBeams becomes a finished hypothesis, the others become the
 * next beams until numBeams are chosen. Finished hypotheses are scored
 * sum(log p) / L^lengthPenalty with L = generated tokens including the EOS.
 * Each beam owns a KV cache: children clone their parent's ({@link KVCache.clone}).
 *
 * Shapes: V = vocabulary, B = numBeams; candidates per step ≤ B·V.
 */
import { type CausalLM, OptionError } from '@weft/core';
import type { SequenceState } from '../runtime/cache-policy.js';
import type { ResolvedGenerateOptions } from '../runtime/options.js';
import { startSequence } from '../runtime/sequence.js';
import type { FinishReason } from './finish.js';
import { processed } from './pick.js';

/** One returned sequence. */
export interface BeamHypothesis {
  /** Generated tokens (EOS included when the hypothesis finished with one). */
  readonly tokens: number[];
  /** sum(log p) / L^lengthPenalty. */
  readonly score: number;
  /** sum(log p) of the generated tokens under the processed distributions. */
  readonly logProb: number;
  readonly finishReason: FinishReason;
}

interface Beam {
  seq: SequenceState;
  logits: Float32Array;
  tokens: number[];
  logProb: number;
}

function logSoftmax(x: Float32Array): Float64Array {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < x.length; i++) if (x[i]! > max) max = x[i]!;
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += Math.exp(x[i]! - max);
  const lse = max + Math.log(sum);
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = x[i]! - lse;
  return out;
}

class Hypotheses {
  readonly list: BeamHypothesis[] = [];
  constructor(
    readonly size: number,
    readonly lengthPenalty: number,
  ) {}
  score(logProb: number, length: number): number {
    return logProb / Math.max(1, length) ** this.lengthPenalty;
  }
  add(tokens: number[], logProb: number, finishReason: FinishReason): void {
    const score = this.score(logProb, tokens.length);
    this.list.push({ tokens, score, logProb, finishReason });
    this.list.sort((a, b) => b.score - a.score);
    if (this.list.length > this.size) this.list.pop();
  }
  get worst(): number {
    return this.list.length < this.size ? Number.NEGATIVE_INFINITY : this.list[this.list.length - 1]!.score;
  }
  isDone(bestLogProb: number, generated: number, maxNew: number, early: boolean | 'never'): boolean {
    if (this.list.length < this.size) return false;
    if (early === true) return true;
    let bestPossible: number;
    if (early === false || this.lengthPenalty <= 0 || !Number.isFinite(maxNew))
      bestPossible = bestLogProb / Math.max(1, generated) ** this.lengthPenalty;
    else bestPossible = bestLogProb / maxNew ** this.lengthPenalty;
    return this.worst >= bestPossible;
  }
}

/** Runs beam search to completion and returns the best `numReturnSequences` hypotheses, best first. */
export async function beamSearch(lm: CausalLM, prompt: readonly number[], o: ResolvedGenerateOptions): Promise<BeamHypothesis[]> {
  if (o.strategy.kind !== 'beam') throw new OptionError('numBeams', 'beamSearch needs numBeams > 1', 'set numBeams');
  const { numBeams, lengthPenalty, earlyStopping, numReturnSequences } = o.strategy;
  const eos = new Set(o.stopTokenIds);
  const hyps = new Hypotheses(numBeams, lengthPenalty);
  const maxNew = o.maxNewTokens;
  const deadline = Date.now() + o.maxTimeMs;
  const start = await startSequence(lm, prompt, { policy: o.cache, prefixCache: o.prefixCache, signal: o.signal });
  let beams: Beam[] = [{ seq: start.seq, logits: start.logits, tokens: [], logProb: 0 }];
  let reason: FinishReason = 'length';
  try {
    for (let step = 0; step < maxNew; step++) {
      // candidates: (beam, token, logProb), best 2·B
      const cands: { beam: number; token: number; logProb: number }[] = [];
      const width = 2 * numBeams;
      for (let b = 0; b < beams.length; b++) {
        const beam = beams[b]!;
        const lp = logSoftmax(processed(beam.logits, o.processors, beam.seq.history, beam.seq.promptLength));
        for (let v = 0; v < lp.length; v++) {
          const s = beam.logProb + lp[v]!;
          if (s === Number.NEGATIVE_INFINITY || Number.isNaN(s)) continue;
          cands.push({ beam: b, token: v, logProb: s });
        }
      }
      cands.sort((x, y) => y.logProb - x.logProb || x.beam - y.beam || x.token - y.token);
      const chosen: { beam: number; token: number; logProb: number }[] = [];
      for (let r = 0; r < Math.min(width, cands.length) && chosen.length < numBeams; r++) {
        const c = cands[r]!;
        if (eos.has(c.token)) {
          if (r < numBeams) hyps.add([...beams[c.beam]!.tokens, c.token], c.logProb, 'stop');
        } else chosen.push(c);
      }
      const generated = step + 1;
      const best = chosen.length > 0 ? chosen[0]!.logProb : Number.NEGATIVE_INFINITY;
      if (chosen.length === 0 || hyps.isDone(best, generated, maxNew, earlyStopping)) {
        beams = disposeAll(beams);
        reason = 'stop';
        break;
      }
      // advance: the first child of a parent takes over its cache, later children clone it
      const taken = new Set<number>();
      const next: Beam[] = [];
      const full = beams[0]!.seq.isFull();
      for (const c of chosen) {
        const parent = beams[c.beam]!;
        const seq = taken.has(c.beam) ? parent.seq.fork() : parent.seq;
        taken.add(c.beam);
        next.push({ seq, logits: parent.logits, tokens: [...parent.tokens, c.token], logProb: c.logProb });
      }
      for (let b = 0; b < beams.length; b++) if (!taken.has(b)) beams[b]!.seq.dispose();
      beams = next;
      if (generated >= maxNew || full || Date.now() >= deadline) {
        reason = generated >= maxNew ? 'length' : full ? 'context' : 'time';
        break;
      }
      for (const beam of beams) beam.logits = await beam.seq.feed([beam.tokens[beam.tokens.length - 1]!]);
    }
    for (const beam of beams) hyps.add(beam.tokens, beam.logProb, reason);
    return hyps.list.slice(0, numReturnSequences);
  } finally {
    disposeAll(beams);
  }
}

function disposeAll(beams: Beam[]): Beam[] {
  for (const b of beams) b.seq.dispose();
  return [];
}
