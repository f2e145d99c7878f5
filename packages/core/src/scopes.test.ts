import { describe, expect, it } from 'vitest';
import type { DType } from './dtype.js';
import { collectTensors, TensorScopes } from './scopes.js';
import type { Tensor } from './tensor.js';

class Fake implements Tensor {
  readonly shape = [1];
  readonly dtype: DType = 'f32';
  readonly backend = 'fake';
  disposed = false;
  dispose(): void {
    this.disposed = true;
  }
}

describe('TensorScopes', () => {
  it('disposes what a scope made except what it returns; kept tensors move to the parent scope', () => {
    const scopes = new TensorScopes<Fake>();
    const make = () => {
      const t = new Fake();
      scopes.track(t);
      return t;
    };
    let inner: Fake | undefined;
    let dropped: Fake | undefined;
    const outer = scopes.tidy(() => {
      const kept = scopes.tidy(() => {
        dropped = make();
        inner = make();
        return { nested: [inner] };
      });
      expect(dropped!.disposed).toBe(true);
      expect(inner!.disposed).toBe(false);
      void kept;
      return undefined; // inner now belongs to the outer scope, which keeps nothing
    });
    expect(outer).toBeUndefined();
    expect(inner!.disposed).toBe(true);
    const top = make(); // outside any scope: never disposed by the scopes
    scopes.tidy(() => undefined);
    expect(top.disposed).toBe(false);
  });

  it('finds tensors at any depth of arrays and plain objects', () => {
    const a = new Fake();
    const b = new Fake();
    const found = new Set<Tensor>();
    collectTensors({ x: [a, { y: b }], z: undefined }, found);
    expect([...found]).toEqual([a, b]);
  });
});
