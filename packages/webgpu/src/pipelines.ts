import type {} from './gpu-types.js';

/** Compiled compute pipelines keyed by kernel name + specialisation key (one WGSL source each). */
export class PipelineCache {
  private readonly cache = new Map<string, GPUComputePipeline>();
  constructor(private readonly device: GPUDevice) {}

  get(key: string, source: () => string): GPUComputePipeline {
    let p = this.cache.get(key);
    if (!p) {
      const module = this.device.createShaderModule({ code: source(), label: key });
      p = this.device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' }, label: key });
      this.cache.set(key, p);
    }
    return p;
  }

  get size(): number {
    return this.cache.size;
  }
}
