import type { Decoder } from './types.js';

/** HF's cleanup of spaces before punctuation and in English contractions. */
export function cleanupSpaces(s: string): string {
  return s
    .replaceAll(' .', '.')
    .replaceAll(' ?', '?')
    .replaceAll(' !', '!')
    .replaceAll(' ,', ',')
    .replaceAll(" ' ", "'")
    .replaceAll(" n't", "n't")
    .replaceAll(" 'm", "'m")
    .replaceAll(' do not', " don't")
    .replaceAll(" 's", "'s")
    .replaceAll(" 've", "'ve")
    .replaceAll(" 're", "'re");
}

/** tokenizer.json `WordPiece` decoder: join with spaces, glue `##` continuations, optional cleanup. */
export class WordPieceDecoder implements Decoder {
  readonly type = 'WordPiece';
  constructor(
    readonly prefix: string,
    readonly cleanup: boolean,
  ) {}
  decodeChain(tokens: string[]): string[] {
    return tokens.map((t, i) => {
      let s = t;
      if (i !== 0) s = this.prefix !== '' && s.startsWith(this.prefix) ? s.slice(this.prefix.length) : ' ' + s;
      return this.cleanup ? cleanupSpaces(s) : s;
    });
  }
}
