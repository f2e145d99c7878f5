import {
  type DecodeOptions,
  type EncodeOptions,
  InvalidFileError,
  OptionError,
  OutOfRangeError,
  SpecError,
  type SpecialTokenIds,
  type Tokenizer,
  type TokenStreamDecoder,
} from '@weft/core';
import { BYTE_TO_CHAR, byteOfChar } from '../common/byte-level.js';
import { wellFormed } from '../common/utf8.js';
import { Utf8Stream } from '../llama2c/utf8-stream.js';
import { bytePairMerge, type RankLookup } from './bpe.js';
import { TIKTOKEN_ENCODINGS, type TiktokenEncodingName, type TiktokenSpec } from './presets.js';
import { parseTiktokenRanks, type TiktokenRanks } from './rank-file.js';
import { AsciiPieceCache, RankTable } from './rank-table.js';
import { createScanner, type PieceScanner, scanState } from './scanner.js';

/** Which special tokens {@link TiktokenTokenizer.encode} may produce or must refuse (tiktoken's semantics). */
export interface TiktokenEncodeOptions extends EncodeOptions {
  /** Special tokens encoded as their id when they appear in the text. Default none. */
  readonly allowedSpecial?: 'all' | readonly string[];
  /**
   * Special tokens whose appearance in the text is an error. Default `'all'` (every special
   * token not allowed). Pass `[]` to encode them as ordinary text instead.
   */
  readonly disallowedSpecial?: 'all' | readonly string[];
}

/** Pieces longer than this (in UTF-16 code units) are not cached. */
const MAX_CACHED_PIECE = 128;
const CACHE_LIMIT = 100_000;

/**
 * A tiktoken encoding (r50k, p50k, cl100k, o200k or a custom spec) implementing weft's
 * {@link Tokenizer}. Ids are tiktoken ranks; there is no BOS/EOS to add, so
 * `addSpecialTokens` has no effect.
 */
export class TiktokenTokenizer implements Tokenizer {
  readonly name: string;
  readonly vocabSize: number;
  readonly special: SpecialTokenIds;
  /** The special tokens and their ids. */
  readonly specialTokens: ReadonlyMap<string, number>;
  private readonly table: RankTable;
  private readonly rankOf: RankLookup;
  /** Scratch bytes of the piece being merged (grown on demand). */
  private scratch = new Uint8Array(1024);
  private readonly tokenBytes: Uint8Array;
  private readonly tokenOffsets: Uint32Array;
  private readonly present: Uint8Array;
  private readonly specialById = new Map<number, string>();
  private readonly scan: PieceScanner;
  private cache = new Map<string, number | number[]>();
  private readonly asciiCache = new AsciiPieceCache();
  private specialRe: RegExp | undefined;
  private readonly utf8 = new TextEncoder();
  private readonly textDecoder = new TextDecoder('utf-8', { ignoreBOM: true });

  constructor(ranks: TiktokenRanks, spec: TiktokenSpec, fileName = 'rank file') {
    this.name = spec.name;
    if (spec.rankCount !== undefined && spec.rankCount !== ranks.count) {
      throw new InvalidFileError(
        fileName,
        `has ${ranks.count} ranks but ${spec.name} has ${spec.rankCount}`,
        `pass the ${spec.name} rank file, or the encoding that matches this file`,
      );
    }
    this.tokenBytes = ranks.bytes;
    this.tokenOffsets = ranks.offsets;
    this.present = ranks.present;
    this.table = new RankTable(ranks, fileName);
    const table = this.table;
    this.rankOf = (b, x, y) => table.lookup(b, x, y);
    const one = new Uint8Array(1);
    for (let b = 0; b < 256; b++) {
      one[0] = b;
      if (table.lookup(one, 0, 1) < 0)
        throw new InvalidFileError(fileName, `byte ${b} has no rank`, 'a tiktoken rank file must contain all 256 single bytes');
    }
    const specials = new Map<string, number>();
    let max = ranks.count - 1;
    for (const [text, id] of Object.entries(spec.specialTokens)) {
      if (!Number.isInteger(id) || id < 0)
        throw new SpecError(`specialTokens[${JSON.stringify(text)}]`, `id ${id} is not a non-negative integer`);
      if (id < ranks.count && ranks.present[id])
        throw new SpecError(
          `specialTokens[${JSON.stringify(text)}]`,
          `id ${id} collides with an ordinary rank`,
          `use an id ≥ ${ranks.count}`,
        );
      specials.set(text, id);
      this.specialById.set(id, text);
      max = Math.max(max, id);
    }
    this.specialTokens = specials;
    this.vocabSize = max + 1;
    const eot = specials.get('<|endoftext|>');
    this.special = eot === undefined ? {} : { eos: eot };
    this.scan = createScanner(spec.scanner ?? 'regex', spec.pattern);
  }

  /** Encodes text, handling special tokens as tiktoken does (see {@link TiktokenEncodeOptions}). */
  encode(text: string, opts: TiktokenEncodeOptions = {}): number[] {
    const allowed = this.selectSpecials(opts.allowedSpecial ?? [], 'allowedSpecial');
    const disallowedOpt = opts.disallowedSpecial ?? 'all';
    const disallowed =
      disallowedOpt === 'all'
        ? [...this.specialTokens.keys()].filter((s) => !allowed.includes(s))
        : this.selectSpecials(disallowedOpt, 'disallowedSpecial');
    for (const s of disallowed) {
      if (text.includes(s))
        throw new OptionError(
          'disallowedSpecial',
          `the text contains the special token ${JSON.stringify(s)}`,
          `pass allowedSpecial: [${JSON.stringify(s)}] to encode it as its id, or disallowedSpecial: [] to encode it as ordinary text`,
        );
    }
    const out: number[] = [];
    if (allowed.length === 0) {
      this.encodeOrdinaryInto(text, out);
      return out;
    }
    const re = this.specialRegex(allowed);
    let last = 0;
    for (const m of text.matchAll(re)) {
      if (m.index > last) this.encodeOrdinaryInto(text.slice(last, m.index), out);
      out.push(this.specialTokens.get(m[0])!);
      last = m.index + m[0].length;
    }
    if (last < text.length) this.encodeOrdinaryInto(last === 0 ? text : text.slice(last), out);
    return out;
  }

  /** Encodes text ignoring special tokens entirely (they come out as ordinary text). */
  encodeOrdinary(text: string): number[] {
    const out: number[] = [];
    this.encodeOrdinaryInto(text, out);
    return out;
  }

  private selectSpecials(sel: 'all' | readonly string[], option: string): string[] {
    if (sel === 'all') return [...this.specialTokens.keys()];
    if (!Array.isArray(sel)) throw new OptionError(option, 'must be "all" or an array of special token strings');
    for (const s of sel) {
      if (!this.specialTokens.has(s))
        throw new OptionError(
          option,
          `${JSON.stringify(s)} is not a special token of ${this.name}`,
          `known: ${[...this.specialTokens.keys()].join(', ')}`,
        );
    }
    return sel as string[];
  }

  private specialRegex(allowed: string[]): RegExp {
    const key = allowed.slice().sort().join('\u0000');
    if (this.specialRe && (this.specialRe as RegExp & { key?: string }).key === key) return this.specialRe;
    const re = new RegExp(
      allowed
        .slice()
        .sort((a, b) => b.length - a.length)
        .map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
        .join('|'),
      'g',
    ) as RegExp & { key?: string };
    re.key = key;
    this.specialRe = re;
    return re;
  }

  /** The hot path: scan pieces, look each up whole, else in the piece cache, else merge. */
  private encodeOrdinaryInto(input: string, out: number[]): void {
    // Lone surrogates cannot be UTF-8: they become U+FFFD, as in tiktoken (Rust strings).
    const text = wellFormed(input);
    const n = text.length;
    const table = this.table;
    const cache = this.cache;
    const asciiCache = this.asciiCache;
    const scan = this.scan;
    let i = 0;
    while (i < n) {
      scanState.nonAscii = false;
      const e = scan(text, i, n);
      if (!scanState.nonAscii) {
        const r = table.lookupAscii(text, i, e);
        if (r >= 0) {
          out.push(r);
          i = e;
          continue;
        }
        const h = table.lastHash;
        const hit = asciiCache.get(text, i, e, h);
        if (hit !== undefined) {
          for (let k = 0; k < hit.length; k++) out.push(hit[k]!);
          i = e;
          continue;
        }
        const piece = text.slice(i, e);
        i = e;
        const len = this.pieceBytes(piece, false);
        const start = out.length;
        bytePairMerge(this.scratch, len, this.rankOf, out);
        if (piece.length <= MAX_CACHED_PIECE) asciiCache.set(piece, h, out.slice(start));
        continue;
      }
      const piece = text.slice(i, e);
      i = e;
      const hit = cache.get(piece);
      if (hit !== undefined) {
        if (typeof hit === 'number') out.push(hit);
        else for (let k = 0; k < hit.length; k++) out.push(hit[k]!);
        continue;
      }
      const len = this.pieceBytes(piece, true);
      const start = out.length;
      const whole = table.lookup(this.scratch, 0, len);
      if (whole >= 0) out.push(whole);
      else bytePairMerge(this.scratch, len, this.rankOf, out);
      if (piece.length <= MAX_CACHED_PIECE) {
        if (cache.size >= CACHE_LIMIT) this.cache = new Map();
        this.cache.set(piece, out.length - start === 1 ? out[start]! : out.slice(start));
      }
    }
  }

  /** Writes the UTF-8 bytes of a piece into the scratch buffer; returns their count. */
  private pieceBytes(piece: string, nonAscii: boolean): number {
    const need = nonAscii ? piece.length * 3 : piece.length;
    if (this.scratch.length < need) this.scratch = new Uint8Array(need * 2);
    if (!nonAscii) {
      for (let k = 0; k < piece.length; k++) this.scratch[k] = piece.charCodeAt(k);
      return piece.length;
    }
    return this.utf8.encodeInto(piece, this.scratch).written;
  }

  /** The bytes of a token (a special token's UTF-8). Throws on an unknown id. */
  tokenBytesOf(id: number): Uint8Array {
    if (Number.isInteger(id) && id >= 0 && id < this.tokenOffsets.length - 1 && this.present[id])
      return this.tokenBytes.subarray(this.tokenOffsets[id]!, this.tokenOffsets[id + 1]!);
    const s = this.specialById.get(id);
    if (s !== undefined) return this.utf8.encode(s);
    throw new OutOfRangeError(
      `token id ${id} is not in ${this.name} (vocabulary size ${this.vocabSize})`,
      'pass ids produced by this encoding',
    );
  }

  /** Concatenated bytes of the tokens. */
  decodeBytes(ids: ArrayLike<number>, opts: DecodeOptions = {}): Uint8Array {
    const count = this.tokenOffsets.length - 1;
    let total = 0;
    for (let k = 0; k < ids.length; k++) {
      const id = ids[k]!;
      if (id >= 0 && id < count && this.present[id]) total += this.tokenOffsets[id + 1]! - this.tokenOffsets[id]!;
      else if (!opts.skipSpecialTokens || !this.specialById.has(id)) total += this.tokenBytesOf(id).length;
    }
    const out = new Uint8Array(total);
    let w = 0;
    for (let k = 0; k < ids.length; k++) {
      const id = ids[k]!;
      if (id >= 0 && id < count && this.present[id]) {
        const a = this.tokenOffsets[id]!;
        const b = this.tokenOffsets[id + 1]!;
        for (let j = a; j < b; j++) out[w++] = this.tokenBytes[j]!;
      } else if (!opts.skipSpecialTokens || !this.specialById.has(id)) {
        const bytes = this.tokenBytesOf(id);
        out.set(bytes, w);
        w += bytes.length;
      }
    }
    return out;
  }

  /** Decodes ids to text; invalid UTF-8 (a character cut between tokens) becomes U+FFFD. */
  decode(ids: ArrayLike<number>, opts: DecodeOptions = {}): string {
    return this.textDecoder.decode(this.decodeBytes(ids, opts));
  }

  /** The token as a GPT-2 byte-level string (`Ġ` = space), or the special token's text. */
  idToToken(id: number): string | undefined {
    const s = this.specialById.get(id);
    if (s !== undefined) return s;
    if (!Number.isInteger(id) || id < 0 || id >= this.tokenOffsets.length - 1 || !this.present[id]) return undefined;
    let out = '';
    for (let j = this.tokenOffsets[id]!; j < this.tokenOffsets[id + 1]!; j++) out += BYTE_TO_CHAR[this.tokenBytes[j]!];
    return out;
  }

  /** Inverse of {@link idToToken}. */
  tokenToId(token: string): number | undefined {
    const s = this.specialTokens.get(token);
    if (s !== undefined) return s;
    const key = new Uint8Array(token.length);
    for (let i = 0; i < token.length; i++) {
      const b = byteOfChar(token.charCodeAt(i));
      if (b < 0) return undefined;
      key[i] = b;
    }
    const r = this.table.lookup(key, 0, key.length);
    return r < 0 ? undefined : r;
  }

  /** Streaming decoder: bytes are buffered until they form whole UTF-8 characters. */
  createStreamDecoder(opts: DecodeOptions = {}): TokenStreamDecoder {
    const stream = new Utf8Stream();
    return {
      push: (id: number) => {
        if (opts.skipSpecialTokens && this.specialById.has(id)) return '';
        return stream.push(this.tokenBytesOf(id));
      },
      flush: () => stream.flush(),
    };
  }
}

/**
 * Loads a tiktoken encoding from its `.tiktoken` rank file. `encoding` names a built-in
 * encoding (its pattern and special tokens) or gives a custom {@link TiktokenSpec}.
 *
 * @example
 * const enc = loadTiktoken(await readFile('cl100k_base.tiktoken'), 'cl100k_base');
 * enc.encode('hello world'); // [15339, 1917]
 */
export function loadTiktoken(
  data: Uint8Array | string,
  encoding: TiktokenEncodingName | TiktokenSpec,
  fileName = 'rank file',
): TiktokenTokenizer {
  let spec: TiktokenSpec;
  if (typeof encoding === 'string') {
    const preset = TIKTOKEN_ENCODINGS[encoding as TiktokenEncodingName];
    if (!preset || !Object.hasOwn(TIKTOKEN_ENCODINGS, encoding))
      throw new OptionError(
        'encoding',
        `unknown tiktoken encoding ${JSON.stringify(encoding)}`,
        `use one of ${Object.keys(TIKTOKEN_ENCODINGS).join(', ')} or pass a TiktokenSpec`,
      );
    spec = preset;
  } else spec = encoding;
  return new TiktokenTokenizer(parseTiktokenRanks(data, fileName), spec, fileName);
}
