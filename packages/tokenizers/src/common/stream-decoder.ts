import type { DecodeOptions, TokenStreamDecoder } from '@weft/core';

/**
 * Streaming decoder over any `decode(ids)` function, following HF's `DecodeStream`:
 * decode a small window of recent ids twice (without and with the new id) and emit only the
 * difference, and only once it does not end in U+FFFD (an incomplete UTF-8 sequence).
 *
 * The window is what makes it correct for decoders that look at neighbouring tokens
 * (Metaspace/Strip drop a leading space of the first token, WordPiece joins `##` pieces,
 * ByteFallback needs all bytes of a character). Cost per token is O(window).
 */
export function createWindowStreamDecoder(
  decode: (ids: number[], opts?: DecodeOptions) => string,
  opts: DecodeOptions = {},
): TokenStreamDecoder {
  let ids: number[] = [];
  let prefix = '';
  let prefixIndex = 0;
  let readIndex = 0;
  return {
    push(id: number): string {
      ids.push(id);
      const text = decode(ids.slice(prefixIndex), opts);
      if (text.length > prefix.length && !text.endsWith('\uFFFD')) {
        const out = text.slice(prefix.length);
        prefix = decode(ids.slice(readIndex), opts);
        prefixIndex = readIndex;
        readIndex = ids.length;
        // Keep the buffer short: ids before prefixIndex are never needed again.
        if (prefixIndex > 64) {
          ids = ids.slice(prefixIndex);
          readIndex -= prefixIndex;
          prefixIndex = 0;
        }
        return out;
      }
      return '';
    },
    flush(): string {
      const text = decode(ids.slice(prefixIndex), opts);
      const out = text.length > prefix.length ? text.slice(prefix.length) : '';
      ids = [];
      prefix = '';
      prefixIndex = 0;
      readIndex = 0;
      return out;
    },
  };
}
