import { favorFeatures } from '@weft/attention';
import type { AttentionCall, AttentionSpec } from '@weft/core';
import { favorProjWgsl, foldWgsl, readWgsl } from './kernels/linear-state.js';
import { Params, type Runtime } from './runtime.js';
import type { Storage } from './tensor.js';

type LinearSpec = Extract<AttentionSpec, { kind: 'linear' }>;

interface State {
  readonly key: string;
  readonly v: Storage;
  readonly S: Storage;
  readonly z: Storage;
  readonly omega: Storage | null;
  /** FAVOR+: the running max key log-scale per (g, r) (kernels/linear-state.ts). */
  readonly mx: Storage | null;
  n: number;
}

/**
 * Running states of causal linear attention, one per KV-cache buffer: a decode step folds
 * only the cache rows added since the last step (O(m·D) per kv head) and reads the answer
 * in O(m·D) — instead of re-reading the whole cache. A state stays valid while the cache
 * rows it folded are untouched (`Storage.lowestWrite`); a rewrite below them (truncate +
 * new tokens, a different sequence) rebuilds it from row 0. States die with their buffers.
 */
export class LinearStates {
  private readonly states = new Map<Storage, State>();

  constructor(
    private readonly rt: Runtime,
    private readonly upload: (data: Float32Array) => Storage,
  ) {}

  /** One decode row (T = 1, queryOffset = kvLength − 1). q:[1,H,D], cache k,v:[S,Hkv,D]. */
  decode(
    spec: LinearSpec,
    call: AttentionCall,
    H: number,
    Hkv: number,
    D: number,
    q: GPUBuffer,
    k: Storage,
    v: Storage,
    out: GPUBuffer,
  ): void {
    const fm = spec.featureMap;
    const kind = fm === 'elu+1' ? 'elu+1' : 'favor+';
    const m = fm === 'elu+1' ? D : fm.features;
    const scale = call.scale ?? 1 / Math.sqrt(D);
    const key = JSON.stringify([fm, scale, D, Hkv]);
    const L = call.kvLength;
    let st = this.states.get(k);
    if (!st || st.key !== key || st.v !== v || st.n > L || k.lowestWrite < st.n || v.lowestWrite < st.n) {
      if (st) this.forget(k);
      const omega = fm === 'elu+1' ? null : this.upload(Float32Array.from(favorFeatures(D, m, fm.seed, 0)));
      const mx = omega ? this.upload(new Float32Array(Hkv * m).fill(-3e38)) : null;
      st = { key, v, S: this.upload(new Float32Array(Hkv * m * D)), z: this.upload(new Float32Array(Hkv * m)), omega, mx, n: 0 };
      this.states.set(k, st);
      const forget = () => this.forget(k);
      k.onRelease.push(forget);
      v.onRelease.push(forget);
    }
    const p = new Params(8);
    p.u.set([H, Hkv, D, m, st.n, L]);
    p.f[6] = Math.sqrt(scale);
    // FAVOR+: log-features of the new key rows and of the query, one pass each (scratch)
    const temps: GPUBuffer[] = [];
    const proj = (x: GPUBuffer, n0: number, n1: number, heads: number): GPUBuffer => {
      const pipe = this.rt.pipelines.get('linproj:favor+', () => favorProjWgsl(this.rt.precision));
      const pj = this.rt.storage.acquire(Math.max(4, (n1 - n0) * heads * (m + 1) * 4), 'linear features');
      temps.push(pj);
      const pp = new Params(8);
      pp.u.set([heads, Hkv, D, m, n0, n1]);
      pp.f[6] = Math.sqrt(scale);
      this.rt.dispatch(pipe, pp, [x, st!.omega!.buffer, pj], [Math.ceil(((n1 - n0) * heads) / 64)]);
      return pj;
    };
    if (st.n < L) {
      const fold = this.rt.pipelines.get(`linfold:${kind}`, () => foldWgsl(kind, this.rt.precision));
      const buffers = st.omega
        ? [v.buffer, st.S.buffer, st.z.buffer, proj(k.buffer, st.n, L, Hkv), st.mx!.buffer]
        : [k.buffer, v.buffer, st.S.buffer, st.z.buffer];
      this.rt.dispatch(fold, p, buffers, [Math.ceil((Hkv * m) / 64)]);
      st.n = L;
    }
    k.lowestWrite = Number.POSITIVE_INFINITY;
    v.lowestWrite = Number.POSITIVE_INFINITY;
    const read = this.rt.pipelines.get(`linread:${kind}`, () => readWgsl(kind, this.rt.precision));
    this.rt.dispatch(read, p, [st.omega ? proj(q, 0, 1, H) : q, st.S.buffer, st.z.buffer, out], [Math.ceil((H * D) / 64)]);
    // released after recording: later work that reuses them is queued behind these dispatches
    for (const b of temps) this.rt.storage.release(b);
  }

  private forget(k: Storage): void {
    const st = this.states.get(k);
    if (!st) return;
    this.states.delete(k);
    st.S.drop();
    st.z.drop();
    st.omega?.drop();
    st.mx?.drop();
  }

  /** Live states (diagnostics). */
  get size(): number {
    return this.states.size;
  }
}
