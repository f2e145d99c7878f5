/**
 * GPT-2's reversible byte ↔ unicode map: every byte 0..255 gets a printable character so that
 * byte-level BPE vocabularies can be stored as JSON strings (`Ġ` is the space byte 0x20).
 */

/** Character standing for each byte (index = byte). */
export const BYTE_TO_CHAR: readonly string[] = /* @__PURE__ */ buildByteToChar();

/** Highest UTF-16 code unit used by {@link BYTE_TO_CHAR} plus one. */
const CHAR_TABLE_SIZE = 0x144;

/** Byte value of each byte-level character, -1 where the code unit is not one (index = code unit). */
export const CHAR_TO_BYTE: Int16Array = /* @__PURE__ */ buildCharToByte();

function buildByteToChar(): string[] {
  const out: string[] = new Array(256);
  let n = 0;
  for (let b = 0; b < 256; b++) {
    const printable = (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
    out[b] = String.fromCharCode(printable ? b : 256 + n++);
  }
  return out;
}

function buildCharToByte(): Int16Array {
  const table = new Int16Array(CHAR_TABLE_SIZE).fill(-1);
  const chars = BYTE_TO_CHAR.length ? BYTE_TO_CHAR : buildByteToChar();
  for (let b = 0; b < 256; b++) table[chars[b]!.charCodeAt(0)] = b;
  return table;
}

/** Byte value of a byte-level character code, or -1. */
export function byteOfChar(code: number): number {
  return code < CHAR_TABLE_SIZE ? CHAR_TO_BYTE[code]! : -1;
}

/** Maps UTF-8 bytes to their byte-level string. */
export function bytesToByteLevel(bytes: Uint8Array, start = 0, end = bytes.length): string {
  let s = '';
  for (let i = start; i < end; i++) s += BYTE_TO_CHAR[bytes[i]!];
  return s;
}

/**
 * Maps a byte-level string back to its bytes. Returns `null` when some character is not a
 * byte-level character (callers then fall back to the token's own UTF-8, as HF does).
 */
export function byteLevelToBytes(text: string): Uint8Array | null {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const b = byteOfChar(text.charCodeAt(i));
    if (b < 0) return null;
    out[i] = b;
  }
  return out;
}

/** Byte-level form of a JS string: its UTF-8 bytes, each shown as one byte-level character. */
export function toByteLevel(text: string): string {
  // Printable ASCII maps to itself and the space to 'Ġ': no per-character work for most words.
  let plain = true;
  let ascii = true;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x80) {
      ascii = false;
      plain = false;
      break;
    }
    if (c <= 0x20 || c === 0x7f) {
      if (c !== 0x20) plain = false;
    }
  }
  if (plain) return text.indexOf(' ') >= 0 ? text.replaceAll(' ', 'Ġ') : text;
  if (ascii) {
    let s = '';
    for (let i = 0; i < text.length; i++) s += BYTE_TO_CHAR[text.charCodeAt(i)];
    return s;
  }
  return bytesToByteLevel(utf8Encoder().encode(text));
}

let encoder: TextEncoder | undefined;
/** A shared TextEncoder (created on first use, so importing this module has no side effects). */
export function utf8Encoder(): TextEncoder {
  encoder ??= new TextEncoder();
  return encoder;
}
