/** UTF-8 helpers shared by the tokenizer formats. */

import { utf8Encoder } from './byte-level.js';

/** UTF-8 bytes of a string (lone surrogates become U+FFFD's three bytes, as in every UTF-8 encoder). */
export function utf8Encode(text: string): Uint8Array {
  return utf8Encoder().encode(text);
}

let lossy: TextDecoder | undefined;
/** Decodes UTF-8, turning each invalid sequence into U+FFFD (like Rust's `String::from_utf8_lossy`). */
export function utf8DecodeLossy(bytes: Uint8Array): string {
  lossy ??= new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
  return lossy.decode(bytes);
}

let strict: TextDecoder | undefined;
/** Decodes UTF-8, returning `null` when the bytes are not valid UTF-8. */
export function utf8DecodeStrict(bytes: Uint8Array): string | null {
  strict ??= new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  try {
    return strict.decode(bytes);
  } catch {
    return null;
  }
}

/** Number of UTF-8 bytes of the code point starting at `text[i]` (2 code units for astral ones). */
export function utf8LengthAt(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c < 0x80) return 1;
  if (c < 0x800) return 2;
  if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
    const d = text.charCodeAt(i + 1);
    if (d >= 0xdc00 && d <= 0xdfff) return 4;
  }
  return 3;
}

/**
 * Replaces lone surrogates by U+FFFD. Every tokenizer works on UTF-8 (or on Unicode scalar
 * values), where a lone surrogate cannot exist; this is what encoding to UTF-8 does anyway.
 */
export function wellFormed(text: string): string {
  const s = text as string & { isWellFormed?: () => boolean; toWellFormed?: () => string };
  if (typeof s.isWellFormed === 'function') return s.isWellFormed() ? text : s.toWellFormed!();
  return text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}
