import { utf8Encoder } from '../../common/byte-level.js';
import { utf8DecodeLossy } from '../../common/utf8.js';
import { fail } from '../config.js';
import { type Aligned, mapSegments, type Normalizer } from './types.js';

/**
 * SentencePiece's precompiled normalization rules (`precompiled_charsmap`, base64): a
 * darts-clone double-array trie over UTF-8 keys followed by a blob of NUL-terminated
 * replacement strings. Applied per extended grapheme cluster exactly like HF's
 * `spm_precompiled`: a cluster shorter than 6 bytes is looked up whole; otherwise (or when
 * it has no entry) each character is looked up on its own. Lookups take the *shortest*
 * matching prefix, as the reference does.
 */
export class Precompiled implements Normalizer {
  readonly type = 'Precompiled';
  private readonly trie: Uint32Array;
  private readonly blob: Uint8Array;
  private readonly ascii: Array<string | null> = [];
  private readonly memo = new Map<string, string>();
  private readonly scratch = new Uint8Array(64);
  private segmenter: { segment(s: string): Iterable<{ segment: string; index: number }> } | null | undefined;

  constructor(charsmap: Uint8Array, path = 'normalizer.precompiled_charsmap') {
    if (charsmap.length === 0) {
      // HF accepts an empty map: identity.
      this.trie = new Uint32Array(0);
      this.blob = new Uint8Array(0);
    } else {
      if (charsmap.length < 4) fail(path, 'is too short to hold a trie size');
      const view = new DataView(charsmap.buffer, charsmap.byteOffset, charsmap.byteLength);
      const trieBytes = view.getUint32(0, true);
      if (trieBytes % 4 !== 0 || 4 + trieBytes > charsmap.length)
        fail(path, `declares a ${trieBytes}-byte trie in a ${charsmap.length}-byte map`);
      this.trie = new Uint32Array(trieBytes / 4);
      for (let i = 0; i < this.trie.length; i++) this.trie[i] = view.getUint32(4 + i * 4, true);
      this.blob = charsmap.subarray(4 + trieBytes);
    }
    for (let c = 0; c < 0x80; c++) this.ascii.push(this.transform(String.fromCharCode(c)));
  }

  /** First (shortest) prefix match of `chunk`'s UTF-8 in the trie, as its replacement text. */
  transform(chunk: string): string | null {
    if (this.trie.length === 0) return null;
    let bytes = this.scratch;
    const r = utf8Encoder().encodeInto(chunk, bytes);
    let len = r.written;
    if (r.read < chunk.length) {
      bytes = utf8Encoder().encode(chunk);
      len = bytes.length;
    }
    const a = this.trie;
    let pos = 0;
    let unit = a[0]!;
    pos ^= offsetOf(unit);
    for (let i = 0; i < len; i++) {
      const c = bytes[i]!;
      pos ^= c;
      if (pos >= a.length) return null;
      unit = a[pos]!;
      if ((unit & 0x800000ff) >>> 0 !== c) return null;
      pos ^= offsetOf(unit);
      if ((unit >>> 8) & 1) {
        if (pos >= a.length) return null;
        return this.replacement(a[pos]! & 0x7fffffff);
      }
    }
    return null;
  }

  private replacement(index: number): string | null {
    if (index >= this.blob.length) return null;
    let end = index;
    while (end < this.blob.length && this.blob[end] !== 0) end++;
    return utf8DecodeLossy(this.blob.subarray(index, end));
  }

  private grapheme(g: string): string {
    const hit = this.memo.get(g);
    if (hit !== undefined) return hit;
    let out: string | null = null;
    if (utf8Encoder().encode(g).length < 6) out = this.transform(g);
    if (out === null) {
      out = '';
      for (const ch of g) out += this.transform(ch) ?? ch;
    }
    if (this.memo.size > 20_000) this.memo.clear();
    this.memo.set(g, out);
    return out;
  }

  private graphemes(text: string): Iterable<{ segment: string; index: number }> {
    if (this.segmenter === undefined) {
      const Seg = (Intl as unknown as { Segmenter?: new (l?: string, o?: object) => Precompiled['segmenter'] }).Segmenter;
      this.segmenter = Seg ? new Seg(undefined, { granularity: 'grapheme' }) : null;
    }
    if (this.segmenter) return this.segmenter.segment(text);
    const out: Array<{ segment: string; index: number }> = [];
    let i = 0;
    for (const ch of text) {
      out.push({ segment: ch, index: i });
      i += ch.length;
    }
    return out;
  }

  /**
   * Grapheme boundaries. Two adjacent ASCII characters other than CR LF are always separate
   * clusters, so only stretches containing non-ASCII go through Intl.Segmenter.
   */
  private boundaries(text: string, visit: (start: number, end: number) => void): void {
    const n = text.length;
    let i = 0;
    while (i < n) {
      const c = text.charCodeAt(i);
      const d = i + 1 < n ? text.charCodeAt(i + 1) : 0;
      if (c < 0x80 && d < 0x80 && !(c === 13 && d === 10)) {
        visit(i, i + 1);
        i++;
        continue;
      }
      let j = i + 1;
      while (j < n) {
        const p = text.charCodeAt(j - 1);
        const q = text.charCodeAt(j);
        if (p < 0x80 && q < 0x80 && !(p === 13 && q === 10)) break;
        j++;
      }
      const chunk = text.slice(i, j);
      for (const s of this.graphemes(chunk)) visit(i + s.index, i + s.index + s.segment.length);
      i = j;
    }
  }

  normalize(text: string): string {
    // Copy unchanged ASCII runs in bulk; only clusters that may change go through the trie.
    let out = '';
    let run = 0; // start of the pending unchanged run
    this.boundaries(text, (a, b) => {
      if (b === a + 1) {
        const c = text.charCodeAt(a);
        if (c < 0x80) {
          const m = this.ascii[c];
          if (m === null || m === undefined || m === text[a]) return;
          out += text.slice(run, a) + m;
          run = b;
          return;
        }
      }
      const g = text.slice(a, b);
      const n = this.grapheme(g);
      if (n === g) return;
      out += text.slice(run, a) + n;
      run = b;
    });
    return run === 0 ? text : out + text.slice(run);
  }

  normalizeAligned(input: Aligned): Aligned {
    const bounds = [0];
    this.boundaries(input.text, (_a, b) => bounds.push(b));
    return mapSegments(input, bounds, (g) => this.grapheme(g));
  }
}

function offsetOf(unit: number): number {
  return ((unit >>> 10) << ((unit & (1 << 9)) >>> 6)) >>> 0;
}

/** Decodes base64 without Node's Buffer (browser-safe). */
export function base64Decode(text: string, path: string): Uint8Array {
  let bin: string;
  try {
    bin = atob(text);
  } catch {
    fail(path, 'is not valid base64');
  }
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}
