/** A decoder stage (tokenizer.json `decoder`): token strings in, text pieces out (joined with ''). */
export interface Decoder {
  readonly type: string;
  decodeChain(tokens: string[]): string[];
}
