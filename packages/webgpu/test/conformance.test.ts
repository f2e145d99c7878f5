import { attendReference } from '@weft/attention';
import { createCpuBackend } from '@weft/cpu';
import { applyRopeReference } from '@weft/positional';
import { type ConformanceReferences, conformanceCases, freshSeed } from '@weft/testing';
import { createNodeWebGpuBackend } from '@weft/webgpu/node';
import { describe, expect, it } from 'vitest';
import { gpuBackend } from './gpu.js';

const refs: ConformanceReferences = { attention: attendReference, rope: applyRopeReference };
const cases = conformanceCases();

describe('conformance: cpu', () => {
  const cpu = createCpuBackend();
  for (const c of cases) {
    it(c.name, async () => {
      const seed = freshSeed();
      const r = await c.run(cpu, refs, seed);
      expect(r.ok, `${r.message} (WEFT_SEED=${seed})`).toBe(true);
    });
  }
});

describe('conformance: webgpu', async () => {
  const gpu = await gpuBackend();
  for (const c of cases) {
    it.skipIf(typeof gpu === 'string')(c.name, async () => {
      if (typeof gpu === 'string') return;
      const seed = freshSeed();
      const r = await c.run(gpu, refs, seed);
      expect(r.ok, `${r.message} (WEFT_SEED=${seed})`).toBe(true);
    });
  }
});

// the other kernel family (tiled matmul with workgroup memory, flash attention with barriers)
// on the ops where the families differ; `auto` picks barrier-free kernels on SwiftShader
describe('conformance: webgpu, workgroup kernels', async () => {
  const auto = await gpuBackend();
  const gpu =
    typeof auto === 'string' ? auto : await createNodeWebGpuBackend({ kernels: auto.barrierFree ? 'workgroup' : 'barrier-free' });
  for (const c of cases.filter((c) => c.group === 'matmul' || c.group.startsWith('attention'))) {
    it.skipIf(typeof gpu === 'string')(c.name, async () => {
      if (typeof gpu === 'string') return;
      const seed = freshSeed();
      const r = await c.run(gpu, refs, seed);
      expect(r.ok, `${r.message} (WEFT_SEED=${seed})`).toBe(true);
    });
  }
});
