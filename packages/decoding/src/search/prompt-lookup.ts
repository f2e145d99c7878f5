/**
 * Prompt-lookup drafting (Saxena 2023; HF `prompt_lookup_num_tokens`): find the last n tokens
 * (n = maxNgram down to 1) earlier in the sequence and propose the tokens that followed them.
 * Matches are tried from the start of the sequence; the first with a non-empty continuation wins.
 */
export function promptLookupDraft(history: readonly number[], numTokens: number, maxNgram: number): number[] {
  const T = history.length;
  for (let n = Math.min(maxNgram, T - 1); n >= 1; n--) {
    const tail = T - n;
    for (let start = 0; start + n <= T; start++) {
      let match = true;
      for (let j = 0; j < n; j++) {
        if (history[start + j] !== history[tail + j]) {
          match = false;
          break;
        }
      }
      if (!match) continue;
      const from = start + n;
      const to = Math.min(from + numTokens, T);
      if (from < to) return history.slice(from, to);
    }
  }
  return [];
}
