/**
 * Scratch accounting for the benchmark's memory column: every temporary typed array a kernel
 * needs goes through {@link scratchF32}/{@link scratchF64}/{@link scratchI32}. Kernels allocate
 * their scratch once per call and hold it to the end, so the bytes counted are the call's peak
 * extra memory (the output array is not counted).
 */
let counting = false;
let counted = 0;

/** A zeroed Float32Array of n elements, counted while {@link measureScratch} runs. */
export function scratchF32(n: number): Float32Array {
  if (counting) counted += n * 4;
  return new Float32Array(n);
}

/** A zeroed Float64Array of n elements, counted while {@link measureScratch} runs. */
export function scratchF64(n: number): Float64Array {
  if (counting) counted += n * 8;
  return new Float64Array(n);
}

/** A zeroed Int32Array of n elements, counted while {@link measureScratch} runs. */
export function scratchI32(n: number): Int32Array {
  if (counting) counted += n * 4;
  return new Int32Array(n);
}

/** Runs `fn` and returns its result with the scratch bytes the kernels allocated meanwhile. */
export function measureScratch<T>(fn: () => T): { result: T; bytes: number } {
  const outer = counting;
  const before = counted;
  counting = true;
  try {
    const result = fn();
    return { result, bytes: counted - before };
  } finally {
    counting = outer;
    if (!outer) counted = 0;
  }
}
