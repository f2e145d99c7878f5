/** Options of {@link Tokenizer.encode}. */
export interface EncodeOptions {
  /** Add the tokenizer's special tokens (BOS, [CLS]/[SEP], ...). Default true. */
  readonly addSpecialTokens?: boolean;
}

/** Options of {@link Tokenizer.decode}. */
export interface DecodeOptions {
  /** Drop special tokens from the text. Default false. */
  readonly skipSpecialTokens?: boolean;
}

/** Turns a stream of token ids into text, emitting only complete characters. */
export interface TokenStreamDecoder {
  /** Adds one token; returns the text that became final (may be ''). */
  push(id: number): string;
  /** Returns whatever is still buffered (incomplete UTF-8 becomes U+FFFD). */
  flush(): string;
}

/** Special token ids a tokenizer knows about. */
export interface SpecialTokenIds {
  readonly bos?: number;
  readonly eos?: number;
  readonly pad?: number;
  readonly unk?: number;
}

/** The contract every tokenizer format implements. */
export interface Tokenizer {
  readonly vocabSize: number;
  readonly special: SpecialTokenIds;
  encode(text: string, opts?: EncodeOptions): number[];
  decode(ids: ArrayLike<number>, opts?: DecodeOptions): string;
  idToToken(id: number): string | undefined;
  tokenToId(token: string): number | undefined;
  /** Streaming decoder for generation. */
  createStreamDecoder(opts?: DecodeOptions): TokenStreamDecoder;
}
