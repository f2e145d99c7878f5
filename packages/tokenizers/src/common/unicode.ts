/**
 * Unicode helpers with the semantics of Rust's `char` methods and the `regex`/`onig` crates
 * that Hugging Face `tokenizers` uses. JS's `\s` differs (it includes U+FEFF and lacks
 * U+0085), so everything here spells out `\p{White_Space}`.
 */

/** Rust `char::is_whitespace` (Unicode White_Space). */
export const WHITE_SPACE_RE = /\p{White_Space}/u;

/** Unicode White_Space, as a code point test. */
export function isWhiteSpace(cp: number): boolean {
  if (cp < 0x80) return cp === 0x20 || (cp >= 0x09 && cp <= 0x0d);
  return (
    cp === 0x85 ||
    cp === 0xa0 ||
    cp === 0x1680 ||
    (cp >= 0x2000 && cp <= 0x200a) ||
    cp === 0x2028 ||
    cp === 0x2029 ||
    cp === 0x202f ||
    cp === 0x205f ||
    cp === 0x3000
  );
}

const PUNCT_RE = /^\p{P}$/u;
/** Rust `is_ascii_punctuation() || is_punctuation()` (HF's BERT punctuation test). */
export function isBertPunctuation(ch: string): boolean {
  const c = ch.charCodeAt(0);
  if (c < 0x80)
    return (c >= 0x21 && c <= 0x2f) || (c >= 0x3a && c <= 0x40) || (c >= 0x5b && c <= 0x60) || (c >= 0x7b && c <= 0x7e);
  return PUNCT_RE.test(ch);
}

/** Unicode general category P* (Rust `char::is_punctuation` via unicode_categories). */
export function isPunctuation(ch: string): boolean {
  return PUNCT_RE.test(ch);
}

/**
 * Translates a regex written for Oniguruma / Rust `regex` (as found in tokenizer.json files)
 * into a JS `RegExp` with the `u` flag: `\s`/`\S` become `\p{White_Space}`, `\d` becomes
 * `\p{Nd}`, `\w` the Unicode word class, possessive quantifiers (`?+`, `*+`, `++`) lose the
 * `+`, and `(?i:...)` groups of literals expand to case-insensitive character classes.
 * Throws a SyntaxError (wrapped by callers) when the pattern is not valid.
 */
export function translateRegex(pattern: string, flags = 'gu'): RegExp {
  let out = '';
  let inClass = 0;
  let caseInsensitive = 0; // depth marker of an open (?i: group
  const groupStack: boolean[] = [];
  let lastQuantifier = false;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '\\') {
      lastQuantifier = false;
      const next = pattern[i + 1];
      i++;
      if (next === undefined) throw new SyntaxError('pattern ends with a lone backslash');
      if (next === 's') out += '\\p{White_Space}';
      else if (next === 'S') out += inClass ? '\\P{White_Space}' : '\\P{White_Space}';
      else if (next === 'd') out += '\\p{Nd}';
      else if (next === 'D') out += '\\P{Nd}';
      else if (next === 'w')
        out += inClass
          ? '\\p{Alphabetic}\\p{M}\\p{Nd}\\p{Pc}\\p{Join_Control}'
          : '[\\p{Alphabetic}\\p{M}\\p{Nd}\\p{Pc}\\p{Join_Control}]';
      else if (next === 'W') out += inClass ? '\\P{Alphabetic}' : '[^\\p{Alphabetic}\\p{M}\\p{Nd}\\p{Pc}\\p{Join_Control}]';
      else if (next === 'A') out += '^';
      else if (next === 'z' || next === 'Z') out += '$';
      else if (next === 'p' || next === 'P') {
        // \pL shorthand → \p{L}
        if (pattern[i + 1] === '{') {
          const close = pattern.indexOf('}', i);
          out += '\\' + next + pattern.slice(i + 1, close + 1);
          i = close;
        } else {
          out += '\\' + next + '{' + pattern[i + 1] + '}';
          i++;
        }
      } else out += '\\' + next;
      continue;
    }
    if (inClass) {
      lastQuantifier = false;
      if (ch === '[') {
        // Nested classes (onig set syntax) are not supported by JS `u` mode; POSIX classes are rare.
        out += '\\[';
        continue;
      }
      if (ch === ']') inClass = 0;
      out += ch;
      continue;
    }
    if (ch === '[') {
      inClass = 1;
      out += ch;
      if (pattern[i + 1] === '^') {
        out += '^';
        i++;
      }
      if (pattern[i + 1] === ']') {
        out += '\\]';
        i++;
      }
      continue;
    }
    if (ch === '(') {
      if (pattern.startsWith('(?i:', i)) {
        groupStack.push(true);
        caseInsensitive++;
        out += '(?:';
        i += 3;
        continue;
      }
      groupStack.push(false);
      out += ch;
      continue;
    }
    if (ch === ')') {
      if (groupStack.pop()) caseInsensitive--;
      out += ch;
      continue;
    }
    if (ch === '+' && lastQuantifier) {
      // Possessive quantifier (x?+, x*+, x++, x{n}+): JS has none; the greedy form matches the same here.
      lastQuantifier = false;
      continue;
    }
    if (ch === '?' || ch === '*' || ch === '+') {
      // A '?' right after a quantifier makes it lazy; it is not a quantifier itself.
      lastQuantifier = !(ch === '?' && lastQuantifier);
      out += ch;
      continue;
    }
    if (ch === '{' && /^\{\d+(,\d*)?\}/.test(pattern.slice(i))) {
      const close = pattern.indexOf('}', i);
      out += pattern.slice(i, close + 1);
      i = close;
      lastQuantifier = true;
      continue;
    }
    lastQuantifier = false;
    if (caseInsensitive > 0 && /\p{L}/u.test(ch)) {
      const lo = ch.toLowerCase();
      const up = ch.toUpperCase();
      out += lo !== up && lo.length === 1 && up.length === 1 ? `[${lo}${up}]` : ch;
      continue;
    }
    out += ch;
  }
  return new RegExp(out, flags);
}

/** Escapes a literal string for use inside a JS regex. */
export function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}
