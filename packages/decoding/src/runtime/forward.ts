/** Calls into a {@link CausalLM} with uniform abort handling. */
import { AbortError, type CausalLM, type ForwardOptions, type KVCache, throwIfAborted, WeftError } from '@weft/core';

/**
 * `lm.forward` that checks the signal before and after the call and turns an engine's own
 * abort exception (e.g. a DOMException named 'AbortError') into weft's {@link AbortError}.
 */
export async function forwardChecked(
  lm: CausalLM,
  ids: ArrayLike<number>,
  cache: KVCache,
  signal: AbortSignal | undefined,
  logits: ForwardOptions['logits'] = 'last',
): Promise<Float32Array> {
  throwIfAborted(signal);
  let out: Float32Array;
  try {
    out = await lm.forward(ids, cache, signal ? { signal, logits } : { logits });
  } catch (err) {
    if (signal?.aborted && !(err instanceof AbortError)) throw new AbortError(signal.reason);
    throw err;
  }
  throwIfAborted(signal);
  return out;
}

/** True when an error is weft's or the platform's abort error. */
export function isAbort(err: unknown): boolean {
  return err instanceof AbortError || (err instanceof Error && err.name === 'AbortError' && !(err instanceof WeftError));
}

/** Runs an engine call with the same abort handling as {@link forwardChecked}. */
export async function guarded<T>(signal: AbortSignal | undefined, run: () => Promise<T>): Promise<T> {
  throwIfAborted(signal);
  let out: T;
  try {
    out = await run();
  } catch (err) {
    if (signal?.aborted && !(err instanceof AbortError)) throw new AbortError(signal.reason);
    throw err;
  }
  throwIfAborted(signal);
  return out;
}
