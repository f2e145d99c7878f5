/**
 * The bytes each token id appends to the output — what constraints walk through the DFA.
 *
 * Constraints work on UTF-8 bytes, not characters, because byte-level vocabularies (GPT-2
 * style, SentencePiece byte fallback `<0xHH>`) have tokens that are pieces of one character.
 */
import { OptionError, type Tokenizer } from '@weft/core';

/** Options of {@link TokenVocabulary.fromTokenizer}. */
export interface VocabularyOptions {
  /** Ids that end generation. Default: `tokenizer.special.eos`. */
  readonly eos?: readonly number[];
  /** Ids never allowed inside constrained text (besides BOS/EOS/PAD/UNK, which always are). */
  readonly exclude?: readonly number[];
}

/** GPT-2's byte ↔ printable-character table (`bytes_to_unicode`). */
function byteLevelAlphabet(): Map<number, number> {
  const printable: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) printable.push(b);
  for (let b = 0xa1; b <= 0xac; b++) printable.push(b);
  for (let b = 0xae; b <= 0xff; b++) printable.push(b);
  const charToByte = new Map<number, number>();
  for (const b of printable) charToByte.set(b, b);
  let extra = 0;
  for (let b = 0; b < 256; b++) {
    if (!printable.includes(b)) charToByte.set(256 + extra++, b);
  }
  return charToByte;
}

const BYTE_PIECE = /^<0x([0-9A-Fa-f]{2})>$/;

/** Token id → the bytes it contributes; `undefined` marks ids constraints never allow. */
export class TokenVocabulary {
  /** Number of ids (logits longer than this are masked beyond it). */
  readonly size: number;
  /** End-of-sequence ids: allowed exactly when the text so far is a complete match. */
  readonly eos: readonly number[];
  private readonly bytes: ReadonlyArray<Uint8Array | undefined>;

  private constructor(bytes: ReadonlyArray<Uint8Array | undefined>, eos: readonly number[]) {
    this.bytes = bytes;
    this.size = bytes.length;
    this.eos = eos;
  }

  /** The bytes of token `id`, or `undefined` if the id is special or excluded. */
  tokenBytes(id: number): Uint8Array | undefined {
    return this.bytes[id];
  }

  private byteComplete: boolean | undefined;
  /** True if every single byte value is some token (then every byte path is spellable). */
  coversAllBytes(): boolean {
    if (this.byteComplete === undefined) {
      const seen = new Uint8Array(256);
      for (const b of this.bytes) if (b?.length === 1) seen[b[0]!] = 1;
      this.byteComplete = seen.every((x) => x === 1);
    }
    return this.byteComplete;
  }

  /**
   * From explicit byte strings (`undefined`/`null` = never allowed). Empty byte strings are
   * treated as never allowed: they would let generation stall without progress.
   */
  static fromBytes(tokens: ReadonlyArray<Uint8Array | string | undefined | null>, eos: readonly number[]): TokenVocabulary {
    if (eos.length === 0) throw new OptionError('eos', 'a constrained vocabulary needs at least one end-of-sequence id');
    const enc = new TextEncoder();
    const bytes = tokens.map((t) => {
      if (t === undefined || t === null) return undefined;
      const b = typeof t === 'string' ? enc.encode(t) : t;
      return b.length === 0 ? undefined : b;
    });
    for (const e of eos) {
      if (!Number.isInteger(e) || e < 0 || e >= bytes.length)
        throw new OptionError('eos', `id ${e} is outside the vocabulary of ${bytes.length}`);
      bytes[e] = undefined;
    }
    return new TokenVocabulary(bytes, [...new Set(eos)]);
  }

  /**
   * Reads every token's bytes from a {@link Tokenizer}:
   * 1. pieces spelled `<0xHH>` (SentencePiece / llama2.c byte fallback) are that byte;
   * 2. otherwise the text is `decode([anchor, id])` minus `decode([anchor])`, where the
   *    anchor is the token of `"a"`: decoding a token after another keeps the leading space
   *    that SentencePiece/llama2.c decoders drop at the start of a text;
   * 3. if that text has U+FFFD (an incomplete UTF-8 piece) and the raw piece is written in
   *    GPT-2's byte-level alphabet, the piece is mapped back to its bytes;
   * 4. anything else with U+FFFD, or decoding to nothing, is never allowed, nor is any token
   *    whose text changes with `skipSpecialTokens` (added control tokens like `<|user|>`).
   */
  static fromTokenizer(tokenizer: Tokenizer, options: VocabularyOptions = {}): TokenVocabulary {
    const eos = options.eos ?? (tokenizer.special.eos === undefined ? [] : [tokenizer.special.eos]);
    if (eos.length === 0) {
      throw new OptionError('eos', 'the tokenizer declares no EOS token', 'pass `eos: [id]` to TokenVocabulary.fromTokenizer');
    }
    const never = new Set<number>(options.exclude ?? []);
    for (const id of [tokenizer.special.bos, tokenizer.special.pad, tokenizer.special.unk, ...eos])
      if (id !== undefined) never.add(id);

    const anchorIds = tokenizer.encode('a', { addSpecialTokens: false });
    const anchor = anchorIds[anchorIds.length - 1];
    const anchorText = anchor === undefined ? '' : tokenizer.decode([anchor], { skipSpecialTokens: true });
    const alphabet = byteLevelAlphabet();
    const enc = new TextEncoder();

    const bytes: (Uint8Array | undefined)[] = [];
    for (let id = 0; id < tokenizer.vocabSize; id++) {
      if (never.has(id)) {
        bytes.push(undefined);
        continue;
      }
      const piece = tokenizer.idToToken(id);
      const m = piece === undefined ? null : BYTE_PIECE.exec(piece);
      if (m) {
        bytes.push(Uint8Array.of(Number.parseInt(m[1]!, 16)));
        continue;
      }
      const decodeAfterAnchor = (skipSpecialTokens: boolean): string => {
        const opts = { skipSpecialTokens };
        if (anchor === undefined) return tokenizer.decode([id], opts);
        const pair = tokenizer.decode([anchor, id], opts);
        return pair.startsWith(anchorText) ? pair.slice(anchorText.length) : tokenizer.decode([id], opts);
      };
      const text = decodeAfterAnchor(true);
      // A token that decodes differently when special tokens are skipped is one (an added
      // control token such as <|user|>): it never belongs inside constrained text.
      if (text !== decodeAfterAnchor(false)) {
        bytes.push(undefined);
        continue;
      }
      if (text.includes('\uFFFD') && !(piece ?? '').includes('\uFFFD')) {
        const raw = piece === undefined ? undefined : fromByteLevel(piece, alphabet);
        bytes.push(raw);
        continue;
      }
      bytes.push(text.length === 0 ? undefined : enc.encode(text));
    }
    return TokenVocabulary.fromBytes(bytes, eos);
  }
}

function fromByteLevel(piece: string, alphabet: Map<number, number>): Uint8Array | undefined {
  const out: number[] = [];
  for (const ch of piece) {
    const b = alphabet.get(ch.codePointAt(0)!);
    if (b === undefined) return undefined;
    out.push(b);
  }
  return out.length === 0 ? undefined : Uint8Array.from(out);
}
