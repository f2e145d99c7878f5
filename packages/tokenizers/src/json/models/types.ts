/** A tokenization model (tokenizer.json `model`): turns one pre-tokenized word into ids. */
export interface Model {
  readonly type: string;
  /** Number of entries of the model's own vocabulary. */
  readonly vocabSize: number;
  tokenToId(token: string): number | undefined;
  idToToken(id: number): string | undefined;
  /** Appends the ids of `word` to `out` (the fast path; may use a cache). */
  tokenize(word: string, out: number[]): void;
  /**
   * Ids of `word` with, per token, its [start, end) range in `word`'s UTF-16 units
   * (flat: two numbers per token).
   */
  tokenizeWithSpans(word: string): { ids: number[]; spans: number[]; tokens?: string[] };
}

/** Builds a vocabulary map from a JSON object (own keys only; `__proto__` is an ordinary token). */
export function vocabFromObject(
  o: { readonly [k: string]: unknown },
  path: string,
  fail: (path: string, problem: string) => never,
): { map: Map<string, number>; tokens: string[] } {
  const map = new Map<string, number>();
  const tokens: string[] = [];
  for (const key of Object.keys(o)) {
    const id = o[key];
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id > 0x7fffffff) {
      fail(`${path}[${JSON.stringify(key)}]`, `must be a non-negative integer id, got ${JSON.stringify(id)}`);
    }
    map.set(key, id);
    tokens[id] = key;
  }
  return { map, tokens };
}

/** `<0xAB>` (HF byte-fallback token name). */
export function byteToken(b: number): string {
  return `<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`;
}
