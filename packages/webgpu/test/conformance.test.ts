import { attendReference } from '@weft/attention';
import { createCpuBackend } from '@weft/cpu';
import { applyRopeReference } from '@weft/positional';
import { type ConformanceReferences, conformanceCases, freshSeed } from '@weft/testing';
import type { WebGpuBackend } from '@weft/webgpu';
import { createNodeWebGpuBackend } from '@weft/webgpu/node';
import { describe, expect, it } from 'vitest';
import { gpuBackend, gpuF16Backend } from './gpu.js';

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

// f16 precision: activations, KV cache and f32 weights stored as f16, products in f16, sums in
// f32, checked against the float64 references within F16_TOLERANCE (exact cases against the
// reference rounded to f16). Needs shader-f16 (Mesa 25 lavapipe has it, SwiftShader does not).
const f16Cases = conformanceCases({ precision: 'f16' });

/** The f16 backend with the default kernel family, or the other family. */
async function f16Backend(kernels: 'auto' | 'other'): Promise<WebGpuBackend | string> {
  const f16 = await gpuF16Backend();
  if (typeof f16 === 'string' || kernels === 'auto') return f16;
  return createNodeWebGpuBackend({ precision: 'f16', kernels: f16.barrierFree ? 'workgroup' : 'barrier-free' });
}

describe('conformance: webgpu f16', async () => {
  const gpu = await f16Backend('auto');
  for (const c of f16Cases) {
    it.skipIf(typeof gpu === 'string')(c.name, async () => {
      if (typeof gpu === 'string') return;
      const seed = freshSeed();
      const r = await c.run(gpu, refs, seed);
      expect(r.ok, `${r.message} (WEFT_SEED=${seed})`).toBe(true);
    });
  }
});

describe('conformance: webgpu f16, workgroup kernels', async () => {
  const gpu = await f16Backend('other');
  for (const c of f16Cases.filter((c) => c.group === 'matmul' || c.group.startsWith('attention'))) {
    it.skipIf(typeof gpu === 'string')(c.name, async () => {
      if (typeof gpu === 'string') return;
      const seed = freshSeed();
      const r = await c.run(gpu, refs, seed);
      expect(r.ok, `${r.message} (WEFT_SEED=${seed})`).toBe(true);
    });
  }
});
