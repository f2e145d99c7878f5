/**
 * Normalized text with its alignment: for each UTF-16 unit `i` of `text`, the input span
 * [starts[i], ends[i]) it came from. Only built when offsets are requested.
 */
export interface Aligned {
  readonly text: string;
  readonly starts: number[];
  readonly ends: number[];
}

/** A normalizer stage (tokenizer.json `normalizer`). */
export interface Normalizer {
  readonly type: string;
  /** The fast path: text in, normalized text out. */
  normalize(text: string): string;
  /** Same text as {@link normalize}, plus where each unit came from. */
  normalizeAligned(input: Aligned): Aligned;
}

/** Identity alignment of a string. */
export function alignedOf(text: string): Aligned {
  const starts = new Array<number>(text.length);
  const ends = new Array<number>(text.length);
  for (let i = 0; i < text.length; i++) {
    starts[i] = i;
    ends[i] = i + 1;
  }
  return { text, starts, ends };
}

/** Code point boundaries of a string: [0, ..., text.length]. */
export function codePointBoundaries(text: string): number[] {
  const b = [0];
  for (let i = 0; i < text.length; ) {
    const c = text.charCodeAt(i);
    i += c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00 ? 2 : 1;
    b.push(i);
  }
  return b;
}

const NON_STARTER = /[\p{M}\u1160-\u11ff\u302e\u302f\u3099\u309a]/u;
/**
 * Boundaries before every code point that starts a new composition unit (not a mark, not a
 * Hangul medial/final jamo). Unicode normalization of each segment on its own gives the same
 * text as normalizing the whole string in practice; callers verify and fall back otherwise.
 */
export function starterBoundaries(text: string): number[] {
  const cps = codePointBoundaries(text);
  const b = [0];
  for (let k = 1; k < cps.length - 1; k++) {
    const i = cps[k]!;
    if (!NON_STARTER.test(String.fromCodePoint(text.codePointAt(i)!))) b.push(i);
  }
  if (text.length > 0) b.push(text.length);
  return b;
}

/** Applies `fn` to each segment between `bounds`; every output unit inherits its segment's span. */
export function mapSegments(input: Aligned, bounds: number[], fn: (segment: string) => string): Aligned {
  let text = '';
  const starts: number[] = [];
  const ends: number[] = [];
  for (let k = 0; k + 1 < bounds.length; k++) {
    const a = bounds[k]!;
    const b = bounds[k + 1]!;
    if (b <= a) continue;
    const out = fn(input.text.slice(a, b));
    const s = input.starts[a]!;
    const e = input.ends[b - 1]!;
    if (out === input.text.slice(a, b)) {
      // Unchanged: keep the finer per-unit alignment.
      for (let i = a; i < b; i++) {
        starts.push(input.starts[i]!);
        ends.push(input.ends[i]!);
      }
    } else if (out.length <= b - a) {
      // Composition / removal / 1:1 mapping. HF aligns a composed character with the first
      // character it came from and keeps the rest in place: output 0 ↔ input 0, the tail
      // right-aligned.
      const shift = b - a - out.length;
      for (let i = 0; i < out.length; i++) {
        const k = i === 0 ? a : a + shift + i;
        starts.push(input.starts[k]!);
        ends.push(input.ends[k]!);
      }
    } else {
      // Expansion (decomposition, ligature split): every output unit spans the whole input.
      for (let i = 0; i < out.length; i++) {
        starts.push(s);
        ends.push(e);
      }
    }
    text += out;
  }
  return { text, starts, ends };
}

/** Per-code-point mapping, aligned. */
export function mapCodePoints(input: Aligned, fn: (cp: string) => string): Aligned {
  return mapSegments(input, codePointBoundaries(input.text), fn);
}

/**
 * Crude alignment used when a segment-wise aligned normalization does not reproduce the fast
 * result exactly: unit i of `text` maps proportionally into the input span.
 */
export function proportional(input: Aligned, text: string): Aligned {
  const n = input.text.length;
  const starts: number[] = [];
  const ends: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const k = n === 0 ? 0 : Math.min(n - 1, Math.floor((i * n) / text.length));
    starts.push(n === 0 ? 0 : input.starts[k]!);
    ends.push(n === 0 ? 0 : input.ends[k]!);
  }
  return { text, starts, ends };
}
