import {
  type DecodeOptions,
  type EncodeOptions,
  InvalidFileError,
  type SpecialTokenIds,
  type Tokenizer,
  type TokenStreamDecoder,
} from '@weft/core';
import { Utf8Stream } from './utf8-stream.js';

/**
 * The llama2.c `tokenizer.bin` format (Karpathy's export of a SentencePiece vocabulary):
 *   i32 max_token_length, then per token: f32 score, i32 len, len bytes.
 * The token count is not stored; it is whatever the file holds (it must match the model).
 * Ids 0/1/2 are <unk>, <s> (BOS), </s> (EOS); ids 3..258 are the byte pieces <0x00>..<0xFF>.
 *
 * Encoding reproduces run.c's `encode` exactly: BOS, the dummy-prefix " " token (when the
 * text is non-empty), one token per UTF-8 character (or its bytes + 3 as fallback), then
 * greedy merging of the adjacent pair whose merged string has the highest score.
 */
export class Llama2cTokenizer implements Tokenizer {
  readonly special: SpecialTokenIds = { unk: 0, bos: 1, eos: 2 };
  /** Token strings as byte strings (one char per byte, code < 256). */
  private readonly pieces: string[];
  private readonly scores: Float32Array;
  private readonly lookup = new Map<string, number>();
  /** Raw bytes each token contributes to decoded text (byte pieces resolved). */
  private readonly bytes: Uint8Array[];
  readonly maxTokenLength: number;

  constructor(pieces: string[], scores: Float32Array, maxTokenLength: number) {
    this.pieces = pieces;
    this.scores = scores;
    this.maxTokenLength = maxTokenLength;
    for (let i = 0; i < pieces.length; i++) if (!this.lookup.has(pieces[i]!)) this.lookup.set(pieces[i]!, i);
    this.bytes = pieces.map((p) => {
      const m = /^<0x([0-9A-Fa-f]{2})>$/.exec(p);
      if (m) return Uint8Array.of(Number.parseInt(m[1]!, 16));
      return latin1Bytes(p);
    });
  }

  get vocabSize(): number {
    return this.pieces.length;
  }

  encode(text: string, opts: EncodeOptions & { eos?: boolean } = {}): number[] {
    const utf8 = new TextEncoder().encode(text);
    const tokens: number[] = [];
    if (opts.addSpecialTokens ?? true) tokens.push(1);
    if (utf8.length > 0) {
      const dummy = this.lookup.get(' ');
      if (dummy !== undefined) tokens.push(dummy);
    }
    let buf = '';
    for (let i = 0; i < utf8.length; i++) {
      const c = utf8[i]!;
      if ((c & 0xc0) !== 0x80) buf = '';
      buf += String.fromCharCode(c);
      const next = i + 1 < utf8.length ? utf8[i + 1]! : 0;
      if ((next & 0xc0) === 0x80 && buf.length < 4) continue;
      const id = this.lookup.get(buf);
      if (id !== undefined) tokens.push(id);
      else for (let j = 0; j < buf.length; j++) tokens.push(buf.charCodeAt(j) + 3);
      buf = '';
    }
    // Greedy merge by score, exactly as run.c (first best pair wins ties).
    for (;;) {
      let bestScore = -1e10;
      let bestId = -1;
      let bestIdx = -1;
      for (let i = 0; i < tokens.length - 1; i++) {
        const id = this.lookup.get(this.pieces[tokens[i]!]! + this.pieces[tokens[i + 1]!]!);
        if (id !== undefined && this.scores[id]! > bestScore) {
          bestScore = this.scores[id]!;
          bestId = id;
          bestIdx = i;
        }
      }
      if (bestIdx < 0) break;
      tokens.splice(bestIdx, 2, bestId);
    }
    if (opts.eos) tokens.push(2);
    return tokens;
  }

  /** Bytes token `id` prints after `prev` (run.c strips the leading space after BOS). */
  pieceBytes(prev: number, id: number): Uint8Array {
    const b = this.bytes[id];
    if (b === undefined) throw new InvalidFileError('token id', `${id} is outside the vocabulary [0, ${this.vocabSize})`);
    if (prev === 1 && b[0] === 0x20) return b.subarray(1);
    return b;
  }

  private isSpecial(id: number): boolean {
    return id === 0 || id === 1 || id === 2;
  }

  decode(ids: ArrayLike<number>, opts: DecodeOptions = {}): string {
    const stream = this.createStreamDecoder(opts);
    let out = '';
    for (let i = 0; i < ids.length; i++) out += stream.push(ids[i]!);
    return out + stream.flush();
  }

  createStreamDecoder(opts: DecodeOptions = {}): TokenStreamDecoder {
    const utf8 = new Utf8Stream();
    let prev = -1;
    return {
      push: (id: number) => {
        // run.c never prints <unk>/<s>/</s> (their pieces are "\n<s>\n" etc.), so they decode
        // to nothing unless the caller asks for them with skipSpecialTokens: false.
        const skip = (opts.skipSpecialTokens ?? true) && this.isSpecial(id);
        const bytes = skip ? new Uint8Array(0) : this.pieceBytes(prev, id);
        prev = id;
        return utf8.push(bytes);
      },
      flush: () => utf8.flush(),
    };
  }

  idToToken(id: number): string | undefined {
    const p = this.pieces[id];
    return p === undefined ? undefined : new TextDecoder('utf-8', { ignoreBOM: true }).decode(latin1Bytes(p));
  }

  tokenToId(token: string): number | undefined {
    return this.lookup.get(bytesToLatin1(new TextEncoder().encode(token)));
  }

  /** Score of a token (its SentencePiece log-probability / merge priority). */
  score(id: number): number {
    return this.scores[id]!;
  }
}

function latin1Bytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

function bytesToLatin1(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]!);
  return s;
}

/**
 * Parses a llama2.c tokenizer.bin. `fileName` names the file in errors; `vocabSize`, when
 * given (from the model header), must equal the number of tokens in the file.
 */
export function loadLlama2cTokenizer(data: Uint8Array, fileName = 'tokenizer.bin', vocabSize?: number): Llama2cTokenizer {
  const hint = 'pass a llama2.c tokenizer.bin (written by tokenizer.py export), e.g. models/tok512.bin';
  if (data.byteLength < 4)
    throw new InvalidFileError(
      fileName,
      `only ${data.byteLength} bytes; a llama2.c tokenizer starts with a 4-byte max_token_length`,
      hint,
    );
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const maxLen = view.getInt32(0, true);
  if (maxLen <= 0 || maxLen > 1024)
    throw new InvalidFileError(fileName, `max_token_length is ${maxLen}; this is not a llama2.c tokenizer.bin`, hint);
  const pieces: string[] = [];
  const scores: number[] = [];
  let p = 4;
  while (p < data.byteLength) {
    const i = pieces.length;
    if (p + 8 > data.byteLength)
      throw new InvalidFileError(
        fileName,
        `truncated: token ${i} header needs 8 bytes at offset ${p}, file ends at ${data.byteLength}`,
        hint,
      );
    const score = view.getFloat32(p, true);
    const len = view.getInt32(p + 4, true);
    if (!Number.isFinite(score))
      throw new InvalidFileError(fileName, `token ${i} has a non-finite score; this is not a llama2.c tokenizer.bin`, hint);
    if (len < 0 || len > maxLen)
      throw new InvalidFileError(
        fileName,
        `token ${i} has length ${len}, outside [0, max_token_length=${maxLen}]; this is not a llama2.c tokenizer.bin (or it is corrupt)`,
        hint,
      );
    p += 8;
    if (p + len > data.byteLength)
      throw new InvalidFileError(
        fileName,
        `truncated: token ${i} needs ${len} bytes at offset ${p}, file ends at ${data.byteLength}`,
        hint,
      );
    pieces.push(bytesToLatin1(data.subarray(p, p + len)));
    scores.push(score);
    p += len;
  }
  if (pieces.length < 3 + 256)
    throw new InvalidFileError(
      fileName,
      `holds ${pieces.length} tokens; a llama2.c vocabulary has at least 259 (<unk>, <s>, </s> and 256 byte pieces)`,
      hint,
    );
  if (pieces[3] !== '<0x00>')
    throw new InvalidFileError(
      fileName,
      `token 3 is ${JSON.stringify(pieces[3])}, expected the byte piece <0x00>; this is not a llama2.c tokenizer.bin`,
      hint,
    );
  if (vocabSize !== undefined && vocabSize !== pieces.length) {
    throw new InvalidFileError(
      fileName,
      `holds ${pieces.length} tokens but the model's vocabulary has ${vocabSize}`,
      'use the tokenizer the model was trained with (stories260K uses tok512.bin)',
    );
  }
  return new Llama2cTokenizer(pieces, Float32Array.from(scores), maxLen);
}

/**
 * Builds the llama2.c/SentencePiece-BPE tokenizer from a SentencePiece-style piece list
 * (pieces use ▁ for spaces, as in GGUF `tokenizer.ggml.tokens` with model 'llama').
 * The vocabulary must follow Llama's layout: <unk>, <s>, </s>, then <0x00>..<0xFF>.
 */
export function llamaSpmTokenizer(
  tokens: readonly string[],
  scores: ArrayLike<number>,
  fileName = 'vocabulary',
): Llama2cTokenizer {
  if (tokens.length < 259 || tokens[3] !== '<0x00>' || tokens[258] !== '<0xFF>') {
    throw new InvalidFileError(
      fileName,
      'the vocabulary does not have the Llama SentencePiece layout (<unk>, <s>, </s>, <0x00>..<0xFF>)',
      'load the tokenizer.json or tokenizer.model instead',
    );
  }
  if (scores.length !== tokens.length)
    throw new InvalidFileError(fileName, `${tokens.length} tokens but ${scores.length} scores`);
  const pieces = tokens.map((t) => bytesToLatin1(new TextEncoder().encode(t.replaceAll('\u2581', ' '))));
  const maxLen = pieces.reduce((m, p) => Math.max(m, p.length), 0);
  return new Llama2cTokenizer(pieces, Float32Array.from(scores), maxLen);
}
