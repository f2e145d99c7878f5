/**
 * The pre-tokenized form of a text segment: a list of pieces ("words") that the model
 * tokenizes independently. `offs[i]` is where piece i starts within its parent (only used to
 * know whether a piece is at the very start). In offset mode, `spans[i]` holds two numbers
 * per UTF-16 unit of the piece: the [start, end) span in the normalized segment it came from.
 */
export interface Pieces {
  texts: string[];
  offs: number[];
  spans: number[][] | null;
}

/** Pre-tokenization context. */
export interface PreTokenizeContext {
  /** Offset of the current segment in the original input (0 for the first one). */
  readonly segmentStart: number;
}

/** A pre-tokenizer stage (tokenizer.json `pre_tokenizer`). */
export interface PreTokenizer {
  readonly type: string;
  preTokenize(pieces: Pieces, ctx: PreTokenizeContext): Pieces;
}

/** What a split does with the matched delimiters (HF `SplitDelimiterBehavior`). */
export type SplitBehavior = 'removed' | 'isolated' | 'merged-with-previous' | 'merged-with-next' | 'contiguous';

/** Parses HF's behaviour names (`Removed`, `Isolated`, ...). */
export function parseBehavior(name: string): SplitBehavior | null {
  switch (name) {
    case 'Removed':
      return 'removed';
    case 'Isolated':
      return 'isolated';
    case 'MergedWithPrevious':
      return 'merged-with-previous';
    case 'MergedWithNext':
      return 'merged-with-next';
    case 'Contiguous':
      return 'contiguous';
    default:
      return null;
  }
}

/**
 * Matches of a pattern in a text as flat triples [start, end, isMatch], covering the text
 * exactly (HF `Pattern::find_matches`).
 */
export type Matches = number[];

/** All non-empty matches of a global regex, as covering triples. */
export function regexMatches(re: RegExp, text: string): Matches {
  const out: Matches = [];
  let prev = 0;
  re.lastIndex = 0;
  for (;;) {
    const m = re.exec(text);
    if (m === null) break;
    const start = m.index;
    const end = start + m[0].length;
    if (end === start) {
      re.lastIndex = start + 1;
      continue;
    }
    if (prev !== start) out.push(prev, start, 0);
    out.push(start, end, 1);
    prev = end;
  }
  if (prev !== text.length) out.push(prev, text.length, 0);
  return out;
}

/** Each code point satisfying `pred` is its own match (HF char-predicate patterns). */
export function charMatches(text: string, pred: (cp: number, ch: string) => boolean): Matches {
  const out: Matches = [];
  let prev = 0;
  for (let i = 0; i < text.length; ) {
    const cp = text.codePointAt(i)!;
    const w = cp > 0xffff ? 2 : 1;
    if (pred(cp, w === 1 ? text[i]! : text.slice(i, i + 2))) {
      if (prev !== i) out.push(prev, i, 0);
      out.push(i, i + w, 1);
      prev = i + w;
    }
    i += w;
  }
  if (prev !== text.length) out.push(prev, text.length, 0);
  return out;
}

/** Inverts the isMatch flags (Split's `invert`). */
export function invertMatches(m: Matches): Matches {
  for (let i = 2; i < m.length; i += 3) m[i] = m[i] ? 0 : 1;
  return m;
}

/** Applies a delimiter behaviour to covering matches; returns flat [start, end) ranges. */
export function applyBehavior(m: Matches, behavior: SplitBehavior): number[] {
  const out: number[] = [];
  switch (behavior) {
    case 'isolated':
      for (let i = 0; i < m.length; i += 3) out.push(m[i]!, m[i + 1]!);
      return out;
    case 'removed':
      for (let i = 0; i < m.length; i += 3) if (!m[i + 2]) out.push(m[i]!, m[i + 1]!);
      return out;
    case 'merged-with-previous': {
      let prevMatch = false;
      for (let i = 0; i < m.length; i += 3) {
        const isMatch = m[i + 2] === 1;
        if (isMatch && !prevMatch && out.length > 0) out[out.length - 1] = m[i + 1]!;
        else out.push(m[i]!, m[i + 1]!);
        prevMatch = isMatch;
      }
      return out;
    }
    case 'merged-with-next': {
      const rev: number[] = [];
      let prevMatch = false;
      for (let i = m.length - 3; i >= 0; i -= 3) {
        const isMatch = m[i + 2] === 1;
        if (isMatch && !prevMatch && rev.length > 0) rev[rev.length - 2] = m[i]!;
        else rev.push(m[i]!, m[i + 1]!);
        prevMatch = isMatch;
      }
      for (let i = rev.length - 2; i >= 0; i -= 2) out.push(rev[i]!, rev[i + 1]!);
      return out;
    }
    case 'contiguous': {
      let prevMatch = false;
      for (let i = 0; i < m.length; i += 3) {
        const isMatch = m[i + 2] === 1;
        if (isMatch === prevMatch && out.length > 0) out[out.length - 1] = m[i + 1]!;
        else out.push(m[i]!, m[i + 1]!);
        prevMatch = isMatch;
      }
      return out;
    }
  }
}

/** Splits every piece into the ranges `rangesOf` returns; empty ranges are dropped. */
export function splitPieces(p: Pieces, rangesOf: (text: string) => number[]): Pieces {
  const texts: string[] = [];
  const offs: number[] = [];
  const spans: number[][] | null = p.spans ? [] : null;
  for (let k = 0; k < p.texts.length; k++) {
    const t = p.texts[k]!;
    const r = rangesOf(t);
    const base = p.offs[k]!;
    for (let i = 0; i < r.length; i += 2) {
      const a = r[i]!;
      const b = r[i + 1]!;
      if (b <= a) continue;
      texts.push(a === 0 && b === t.length ? t : t.slice(a, b));
      offs.push(base + a);
      if (spans) spans.push(p.spans![k]!.slice(2 * a, 2 * b));
    }
  }
  return { texts, offs, spans };
}

/** [start, end) span of the first code point of a piece (both units of a surrogate pair). */
export function firstCharSpan(text: string, spans: number[]): [number, number] {
  if (spans.length === 0) return [0, 0];
  const c = text.charCodeAt(0);
  const pair = c >= 0xd800 && c <= 0xdbff && text.length > 1 && spans.length >= 4;
  return [spans[0]!, pair ? spans[3]! : spans[1]!];
}
