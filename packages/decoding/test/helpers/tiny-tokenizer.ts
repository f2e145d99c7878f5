/**
 * A character-level tokenizer for tests: ids 0–2 are <unk>, <s>, </s>; id 3 + k is the k-th
 * character of ALPHABET (wrapping with a numeric suffix beyond it). Multi-character pieces make
 * stop strings span tokens.
 */
import type { DecodeOptions, EncodeOptions, Tokenizer, TokenStreamDecoder } from '@weft/core';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz .,!?';
const SPECIAL = ['<unk>', '<s>', '</s>'];

export class TinyTokenizer implements Tokenizer {
  readonly special = { unk: 0, bos: 1, eos: 2 };
  constructor(readonly vocabSize: number) {}
  idToToken(id: number): string | undefined {
    if (id < 0 || id >= this.vocabSize) return undefined;
    if (id < 3) return SPECIAL[id];
    const k = id - 3;
    const ch = ALPHABET[k % ALPHABET.length]!;
    return k < ALPHABET.length ? ch : ch + ch;
  }
  tokenToId(token: string): number | undefined {
    for (let i = 0; i < this.vocabSize; i++) if (this.idToToken(i) === token) return i;
    return undefined;
  }
  encode(text: string, opts?: EncodeOptions): number[] {
    const ids = opts?.addSpecialTokens === false ? [] : [1];
    for (const ch of text) ids.push(this.tokenToId(ch) ?? 0);
    return ids;
  }
  decode(ids: ArrayLike<number>, opts?: DecodeOptions): string {
    let s = '';
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      if (id < 3 && opts?.skipSpecialTokens) continue;
      s += this.idToToken(id) ?? '';
    }
    return s;
  }
  createStreamDecoder(opts?: DecodeOptions): TokenStreamDecoder {
    return { push: (id) => this.decode([id], opts), flush: () => '' };
  }
}
