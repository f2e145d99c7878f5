import { InvalidFileError } from '@weft/core';

/**
 * Parsed `.tiktoken` rank file: the bytes of every rank, stored flat.
 * `bytes.subarray(offsets[r], offsets[r + 1])` are the bytes of rank `r`.
 */
export interface TiktokenRanks {
  /** Highest rank + 1. */
  readonly count: number;
  /** 1 where the rank exists; a file may skip ranks (p50k has no 50256, which is a special token). */
  readonly present: Uint8Array;
  readonly bytes: Uint8Array;
  readonly offsets: Uint32Array;
}

/** A rank file may skip a few ranks (reserved for special tokens); more than this is a broken file. */
const MAX_HOLES = 1024;

const B64 = /* @__PURE__ */ (() => {
  const t = new Int8Array(128).fill(-1);
  const abc = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  for (let i = 0; i < 64; i++) t[abc.charCodeAt(i)] = i;
  return t;
})();

/**
 * Parses a `.tiktoken` file (`<base64 token> <rank>` per line, each rank at most once).
 * Throws {@link InvalidFileError} naming the file and the line on any malformed input.
 */
export function parseTiktokenRanks(data: Uint8Array | string, fileName = 'rank file'): TiktokenRanks {
  const src = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  const hint = 'pass an OpenAI .tiktoken rank file (lines of "<base64 bytes> <rank>")';
  const n = src.length;
  // Pass 1: count lines to size the tables.
  let lines = 0;
  for (let i = 0; i < n; i++) if (src[i] === 10) lines++;
  if (n > 0 && src[n - 1] !== 10) lines++;
  if (lines === 0) throw new InvalidFileError(fileName, 'the rank file is empty', hint);
  const lineRank = new Int32Array(lines);
  const out = new Uint8Array(n); // decoded bytes are shorter than their base64
  const tokenStart = new Int32Array(lines);
  const tokenEnd = new Int32Array(lines);
  let entries = 0;
  let w = 0;
  let line = 0;
  let count = 0;
  for (let i = 0; i < n; ) {
    let eol = i;
    while (eol < n && src[eol] !== 10) eol++;
    line++;
    let end = eol;
    if (end > i && src[end - 1] === 13) end--;
    if (end > i) {
      let sp = i;
      while (sp < end && src[sp] !== 32) sp++;
      if (sp === end) throw new InvalidFileError(fileName, `line ${line}: expected "<base64> <rank>", found no space`, hint);
      // base64 decode src[i..sp)
      const t0 = w;
      let acc = 0;
      let bits = 0;
      let pad = 0;
      for (let k = i; k < sp; k++) {
        const c = src[k]!;
        if (c === 61) {
          pad++;
          continue;
        }
        const v = c < 128 ? B64[c]! : -1;
        if (v < 0 || pad > 0) throw new InvalidFileError(fileName, `line ${line}: the token is not valid base64`, hint);
        acc = ((acc << 6) | v) & 0xffffff;
        bits += 6;
        if (bits >= 8) {
          bits -= 8;
          out[w++] = (acc >> bits) & 0xff;
        }
      }
      if ((sp - i) % 4 !== 0 || pad > 2 || w === t0)
        throw new InvalidFileError(fileName, `line ${line}: the token is not valid base64`, hint);
      let rank = 0;
      if (sp + 1 >= end) throw new InvalidFileError(fileName, `line ${line}: missing rank`, hint);
      for (let k = sp + 1; k < end; k++) {
        const d = src[k]! - 48;
        if (d < 0 || d > 9 || rank > 1e9)
          throw new InvalidFileError(fileName, `line ${line}: the rank is not a non-negative integer`, hint);
        rank = rank * 10 + d;
      }
      if (rank >= lines + MAX_HOLES)
        throw new InvalidFileError(fileName, `line ${line}: rank ${rank} is out of range (the file has ${lines} lines)`, hint);
      lineRank[entries] = rank;
      tokenStart[entries] = t0;
      tokenEnd[entries] = w;
      entries++;
      count = Math.max(count, rank + 1);
    }
    i = eol + 1;
  }
  if (count - entries > MAX_HOLES)
    throw new InvalidFileError(fileName, `${count - entries} ranks below ${count} are missing`, hint);
  const entryOf = new Int32Array(count).fill(-1);
  for (let k = 0; k < entries; k++) {
    const r = lineRank[k]!;
    if (entryOf[r] !== -1) throw new InvalidFileError(fileName, `rank ${r} appears twice`, hint);
    entryOf[r] = k;
  }
  const present = new Uint8Array(count);
  const bytes = new Uint8Array(w);
  const offsets = new Uint32Array(count + 1);
  let o = 0;
  for (let r = 0; r < count; r++) {
    offsets[r] = o;
    const k = entryOf[r]!;
    if (k < 0) continue;
    present[r] = 1;
    bytes.set(out.subarray(tokenStart[k]!, tokenEnd[k]!), o);
    o += tokenEnd[k]! - tokenStart[k]!;
  }
  offsets[count] = o;
  return { count, present, bytes, offsets };
}
