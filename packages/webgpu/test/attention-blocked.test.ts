import { attendReference } from '@weft/attention';
import { applyRopeReference } from '@weft/positional';
import { type ConformanceReferences, conformanceCases, freshSeed } from '@weft/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BLOCK, blockedScratch } from '../src/kernels/attention-blocked.js';
import { gpuBackend } from './gpu.js';

// The blocked prefill path (scores → row softmax → P·v; software adapters, T ≥ 16) processes
// query rows in blocks sized by its scratch budget. The conformance shapes fit one block;
// here the budget is cut so every prefill case runs in blocks of BLOCK rows, which exercises
// the row offsets, the per-block key ranges and the scratch reuse.

const refs: ConformanceReferences = { attention: attendReference, rope: applyRopeReference };
const cases = conformanceCases().filter((c) => c.group.startsWith('attention') && /prefill/.test(c.name));

describe('attention prefill in row blocks of BLOCK rows', async () => {
  const gpu = await gpuBackend();
  const saved = blockedScratch.elements;
  beforeAll(() => {
    blockedScratch.elements = BLOCK;
  });
  afterAll(() => {
    blockedScratch.elements = saved;
  });
  it('has prefill cases to run', () => {
    expect(cases.length).toBeGreaterThan(10);
  });
  for (const c of cases) {
    it.skipIf(typeof gpu === 'string')(c.name, async () => {
      if (typeof gpu === 'string') return;
      const seed = freshSeed();
      const r = await c.run(gpu, refs, seed);
      expect(r.ok, `${r.message} (WEFT_SEED=${seed})`).toBe(true);
    });
  }
});
