/**
 * Byte buffer that releases only complete UTF-8 characters, so a character split across
 * tokens (byte-fallback pieces) is emitted whole. Invalid sequences become U+FFFD.
 */
export class Utf8Stream {
  private pending = new Uint8Array(0);
  private readonly decoder = new TextDecoder('utf-8', { ignoreBOM: true });

  /** Appends bytes; returns the text made of complete characters. */
  push(bytes: Uint8Array): string {
    const buf = new Uint8Array(this.pending.length + bytes.length);
    buf.set(this.pending);
    buf.set(bytes, this.pending.length);
    const cut = completePrefixLength(buf);
    this.pending = buf.slice(cut);
    return cut ? this.decoder.decode(buf.subarray(0, cut)) : '';
  }

  /** Emits whatever is left (an incomplete character becomes U+FFFD). */
  flush(): string {
    const rest = this.pending;
    this.pending = new Uint8Array(0);
    return rest.length ? this.decoder.decode(rest) : '';
  }
}

/** Length of the longest prefix that does not end inside an incomplete multi-byte sequence. */
export function completePrefixLength(buf: Uint8Array): number {
  const n = buf.length;
  for (let back = 1; back <= Math.min(3, n); back++) {
    const b = buf[n - back]!;
    if ((b & 0xc0) === 0x80) continue; // continuation byte: keep looking for the lead
    const need = b >= 0xf0 && b <= 0xf4 ? 4 : b >= 0xe0 ? 3 : b >= 0xc2 && b < 0xe0 ? 2 : 1;
    return need > back ? n - back : n;
  }
  return n;
}
