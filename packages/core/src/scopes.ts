import type { Tensor, TensorContainer } from './tensor.js';

/**
 * The `tidy` bookkeeping every backend needs: a stack of open scopes, each holding the tensors
 * created inside it. Closing a scope disposes what it created except the tensors reachable from
 * the scope's result, which move to the enclosing scope (or become unscoped at the top level).
 */
export class TensorScopes<T extends Tensor> {
  private stack: Set<T>[] = [];

  /** Registers a new tensor with the innermost open scope (no-op outside any scope). */
  track(t: T): void {
    this.stack.at(-1)?.add(t);
  }

  /** Forgets a tensor the backend disposes itself (a kernel's temporaries). */
  untrack(t: T): void {
    this.stack.at(-1)?.delete(t);
  }

  /** Runs `fn` in a new scope; see {@link Backend.tidy}. */
  tidy<R extends TensorContainer>(fn: () => R): R {
    const scope = new Set<T>();
    this.stack.push(scope);
    let result: R;
    try {
      result = fn();
    } finally {
      this.stack.pop();
    }
    const keep = new Set<Tensor>();
    collectTensors(result, keep);
    const parent = this.stack.at(-1);
    for (const t of scope) {
      if (keep.has(t)) parent?.add(t);
      else t.dispose();
    }
    return result;
  }

  /** Drops every open scope without disposing (the backend is going away). */
  clear(): void {
    this.stack = [];
  }
}

/** Adds every tensor reachable from `c` (arrays and plain objects, any depth) to `into`. */
export function collectTensors(c: TensorContainer, into: Set<Tensor>): void {
  if (c === undefined || c === null) return;
  if (Array.isArray(c)) for (const x of c) collectTensors(x, into);
  else if (isTensor(c)) into.add(c);
  else if (typeof c === 'object') for (const x of Object.values(c)) collectTensors(x as TensorContainer, into);
}

function isTensor(c: unknown): c is Tensor {
  return typeof c === 'object' && c !== null && 'shape' in c && 'dtype' in c && typeof (c as Tensor).dispose === 'function';
}
