import { utf8DecodeStrict } from '../../common/utf8.js';
import type { Decoder } from './types.js';

const HEX = /^<0x[0-9a-fA-F]{2}>$/;

/** tokenizer.json `ByteFallback`: runs of `<0xAB>` tokens become UTF-8 text, or one U+FFFD per byte if invalid. */
export class ByteFallbackDecoder implements Decoder {
  readonly type = 'ByteFallback';
  decodeChain(tokens: string[]): string[] {
    const out: string[] = [];
    let bytes: number[] = [];
    const flush = () => {
      if (bytes.length === 0) return;
      const s = utf8DecodeStrict(Uint8Array.from(bytes));
      if (s !== null) out.push(s);
      else for (let i = 0; i < bytes.length; i++) out.push('\uFFFD');
      bytes = [];
    };
    for (const t of tokens) {
      if (t.length === 6 && HEX.test(t)) bytes.push(Number.parseInt(t.slice(3, 5), 16));
      else {
        flush();
        out.push(t);
      }
    }
    flush();
    return out;
  }
}
