import { InvalidFileError } from '@weft/core';
import type { SentencePieceModelProto } from './model-proto.js';

/** U+2581 LOWER ONE EIGHTH BLOCK: SentencePiece's visible space. */
export const SPACE_SYMBOL = '\u2581';

/**
 * SentencePiece's precompiled charsmap: a darts-clone double-array trie over UTF-8 bytes whose
 * values index NUL-terminated replacement strings. Normalization replaces the longest matching
 * prefix at each position (the same rules as sentencepiece's `normalizer.cc`).
 */
export class PrecompiledCharsmap {
  private readonly units: Uint32Array;
  private readonly normalized: Uint8Array;
  private readonly decoded = new Map<number, string>();

  constructor(blob: Uint8Array, file: string) {
    const fail = (problem: string): never => {
      throw new InvalidFileError(
        file,
        `precompiled_charsmap: ${problem}`,
        'the normalizer spec of the model is damaged; re-export the model',
      );
    };
    if (blob.length < 4) fail('shorter than its 4-byte header');
    const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
    const trieSize = view.getUint32(0, true);
    if (trieSize % 4 !== 0 || trieSize > blob.length - 4 || trieSize === 0)
      fail(`trie size ${trieSize} does not fit the ${blob.length}-byte blob`);
    this.units = new Uint32Array(trieSize / 4);
    for (let i = 0; i < this.units.length; i++) this.units[i] = view.getUint32(4 + i * 4, true);
    this.normalized = blob.subarray(4 + trieSize);
  }

  /** Longest match at `bytes[pos..end)`: [length in bytes, replacement] or undefined. */
  match(bytes: Uint8Array, pos: number, end: number): [number, string] | undefined {
    const units = this.units;
    let node = 0;
    let unit = units[0]!;
    node ^= offsetOf(unit);
    let bestLen = 0;
    let bestValue = -1;
    for (let i = pos; i < end; i++) {
      const b = bytes[i]!;
      if (b === 0) break;
      node ^= b;
      if (node >= units.length) break;
      unit = units[node]!;
      if ((unit & 0x800000ff) !== b) break; // label
      node ^= offsetOf(unit);
      if (node >= units.length) break;
      if ((unit >>> 8) & 1) {
        bestLen = i - pos + 1;
        bestValue = units[node]! & 0x7fffffff;
      }
    }
    if (bestValue < 0) return undefined;
    return [bestLen, this.replacement(bestValue)];
  }

  private replacement(offset: number): string {
    let s = this.decoded.get(offset);
    if (s === undefined) {
      let end = offset;
      while (end < this.normalized.length && this.normalized[end] !== 0) end++;
      s = new TextDecoder('utf-8', { ignoreBOM: true }).decode(this.normalized.subarray(offset, end));
      this.decoded.set(offset, s);
    }
    return s;
  }
}

function offsetOf(unit: number): number {
  return (unit >>> 10) << ((unit & (1 << 9)) >>> 6);
}

/** Finds user-defined pieces (matched before normalization, longest first). */
export type UserSymbolMatcher = (text: string, pos: number) => number;

/**
 * The normalizer of a SentencePiece model: charsmap (when present), then
 * `remove_extra_whitespaces`, `add_dummy_prefix`, and spaces → `▁` (`escape_whitespaces`).
 * User-defined symbols pass through untouched.
 */
export class SentencePieceNormalizer {
  private readonly charsmap: PrecompiledCharsmap | undefined;
  private readonly spec: SentencePieceModelProto['normalizer'];
  private readonly suffix: boolean;
  private readonly encoder = new TextEncoder();

  constructor(
    model: SentencePieceModelProto,
    file: string,
    private readonly userSymbols: UserSymbolMatcher | undefined,
  ) {
    this.spec = model.normalizer;
    this.suffix = model.treatWhitespaceAsSuffix;
    this.charsmap = model.normalizer.precompiledCharsmap?.length
      ? new PrecompiledCharsmap(model.normalizer.precompiledCharsmap, file)
      : undefined;
  }

  /** The normalized text of `input` (with `▁` for spaces when escaping). */
  normalize(input: string): string {
    if (input.length === 0) return '';
    const spec = this.spec;
    const chunks = this.normalizedChunks(input);
    const space = spec.escapeWhitespaces ? SPACE_SYMBOL : ' ';
    let k = 0;
    if (spec.removeExtraWhitespaces) while (k < chunks.length && chunks[k] === ' ') k++;
    if (k === chunks.length) return '';
    let out = '';
    if (!this.suffix && spec.addDummyPrefix) out += space;
    let prevSpace = spec.removeExtraWhitespaces;
    for (; k < chunks.length; k++) {
      let sp = chunks[k]!;
      if (prevSpace) {
        let j = 0;
        while (j < sp.length && sp.charCodeAt(j) === 32) j++;
        sp = sp.slice(j);
      }
      if (sp.length > 0) {
        out += spec.escapeWhitespaces ? sp.replaceAll(' ', SPACE_SYMBOL) : sp;
        prevSpace = sp.charCodeAt(sp.length - 1) === 32;
      }
      if (!spec.removeExtraWhitespaces) prevSpace = false;
    }
    if (spec.removeExtraWhitespaces) while (out.endsWith(space)) out = out.slice(0, out.length - space.length);
    if (this.suffix && spec.addDummyPrefix) out += space;
    return out;
  }

  /**
   * Splits `input` into its normalized prefixes as `normalizer.cc`'s `NormalizePrefix` does:
   * a user-defined symbol, else the longest charsmap match, else one character.
   */
  private normalizedChunks(input: string): string[] {
    const out: string[] = [];
    const cm = this.charsmap;
    const bytes = cm ? this.encoder.encode(input) : undefined;
    let bytePos = 0;
    for (let i = 0; i < input.length; ) {
      const user = this.userSymbols?.(input, i) ?? 0;
      if (user > 0) {
        const sym = input.slice(i, i + user);
        out.push(sym);
        if (bytes) bytePos += this.encoder.encode(sym).length;
        i += user;
        continue;
      }
      if (cm && bytes) {
        const m = cm.match(bytes, bytePos, bytes.length);
        if (m) {
          out.push(m[1]);
          // Advance the string index by the characters the matched bytes cover.
          const target = bytePos + m[0];
          while (bytePos < target && i < input.length) {
            const c = input.codePointAt(i)!;
            bytePos += c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
            i += c > 0xffff ? 2 : 1;
          }
          continue;
        }
      }
      const c = input.codePointAt(i)!;
      const w = c > 0xffff ? 2 : 1;
      out.push(input.slice(i, i + w));
      if (bytes) bytePos += c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
      i += w;
    }
    return out;
  }
}
