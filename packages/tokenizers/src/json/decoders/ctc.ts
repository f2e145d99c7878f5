import type { Decoder } from './types.js';
import { cleanupSpaces } from './wordpiece.js';

/** tokenizer.json `CTC` decoder: collapse repeats, drop padding, word delimiter → space. */
export class CTCDecoder implements Decoder {
  readonly type = 'CTC';
  constructor(
    readonly padToken: string,
    readonly wordDelimiterToken: string,
    readonly cleanup: boolean,
  ) {}
  decodeChain(tokens: string[]): string[] {
    const out: string[] = [];
    for (let i = 0; i < tokens.length; i++) {
      if (i > 0 && tokens[i] === tokens[i - 1]) continue;
      let t = tokens[i]!.replaceAll(this.padToken, '');
      if (this.cleanup) t = cleanupSpaces(t).replaceAll(this.wordDelimiterToken, ' ');
      if (t !== '') out.push(t);
    }
    return out;
  }
}
