import { byteOfChar, utf8Encoder } from '../../common/byte-level.js';
import { utf8DecodeLossy } from '../../common/utf8.js';
import type { Decoder } from './types.js';

/**
 * tokenizer.json `ByteLevel` decoder: byte-level characters back to bytes, then UTF-8
 * (lossy). A token with any character outside the byte map contributes its own UTF-8, as in HF.
 */
export class ByteLevelDecoder implements Decoder {
  readonly type = 'ByteLevel';
  decodeChain(tokens: string[]): string[] {
    let total = 0;
    for (const t of tokens) total += t.length * 3;
    const bytes = new Uint8Array(total);
    let n = 0;
    for (const t of tokens) {
      const start = n;
      let ok = true;
      for (let i = 0; i < t.length; i++) {
        const b = byteOfChar(t.charCodeAt(i));
        if (b < 0) {
          ok = false;
          break;
        }
        bytes[n++] = b;
      }
      if (!ok) {
        n = start;
        const raw = utf8Encoder().encode(t);
        bytes.set(raw, n);
        n += raw.length;
      }
    }
    return [utf8DecodeLossy(bytes.subarray(0, n))];
  }
}
