/**
 * Parser for the regular-expression subset weft can compile to a DFA.
 *
 * Syntax follows JavaScript `RegExp` with the `u` flag: literals, escapes (`\n \t \r \f \v \0
 * \xHH \uHHHH \u{H…} \cX`, escaped syntax characters), `.` (no line terminators), classes
 * `[a-z]` / `[^…]` / `[]` / `[^]`, `\d \D \w \W \s \S`, groups `(…)` `(?:…)` `(?<name>…)`,
 * alternation, quantifiers `* + ? {m} {m,} {m,n}` (a lazy `?` suffix is accepted: it does not
 * change the language). The whole string must match: `^` at the very start and `$` at the very
 * end are accepted and change nothing. Lookaround, backreferences, word boundaries, Unicode
 * property escapes and anchors elsewhere are rejected with an {@link UnsupportedError}.
 */
import { OptionError, UnsupportedError } from '@weft/core';
import { type CharSet, charSetFromRanges, charSetOf, DIGIT, DOT, negate, SPACE, union, WORD } from './charset.js';
import { alt, EMPTY, type RegexNode, repeat, seq, set } from './regex-ast.js';

/** Largest `{m,n}` bound accepted (bigger counts blow up the automaton). */
export const MAX_REPEAT = 1000;
/** Deepest group nesting accepted (patterns are untrusted input: no stack overflows). */
export const MAX_GROUP_DEPTH = 100;

/** Parses `source` into a {@link RegexNode}. `option` names the user option in errors. */
export function parseRegex(source: string, option = 'pattern'): RegexNode {
  return new Parser(source, option).parse();
}

const SYNTAX = new Set('^$\\.*+?()[]{}|/-'.split('').map((c) => c.codePointAt(0)!));

class Parser {
  private readonly cps: number[];
  private pos = 0;
  private depth = 0;
  constructor(
    private readonly source: string,
    private readonly option: string,
  ) {
    this.cps = Array.from(source, (c) => c.codePointAt(0)!);
  }

  parse(): RegexNode {
    const node = this.parseAlternation();
    if (this.pos < this.cps.length) this.fail(`unmatched \`)\``, 'remove it or escape it as `\\)`');
    return node;
  }

  private fail(problem: string, hint?: string): never {
    throw new OptionError(this.option, `${problem} at position ${this.pos} of /${this.source}/`, hint);
  }

  private unsupported(what: string): never {
    throw new UnsupportedError(
      `regex ${what} (position ${this.pos} of /${this.source}/)`,
      'constraints compile to a finite automaton: use literals, classes, groups, alternation and quantifiers only',
    );
  }

  private peek(offset = 0): number | undefined {
    return this.cps[this.pos + offset];
  }

  private eat(ch: string): boolean {
    if (this.cps[this.pos] === ch.codePointAt(0)) {
      this.pos++;
      return true;
    }
    return false;
  }

  private parseAlternation(): RegexNode {
    const options = [this.parseConcat()];
    while (this.eat('|')) options.push(this.parseConcat());
    return options.length === 1 ? options[0]! : alt(...options);
  }

  private parseConcat(): RegexNode {
    const items: RegexNode[] = [];
    for (;;) {
      const c = this.peek();
      if (c === undefined || c === 0x7c /* | */ || c === 0x29 /* ) */) break;
      items.push(this.parseQuantified());
    }
    return seq(...items);
  }

  private parseQuantified(): RegexNode {
    const atomStart = this.pos;
    let node = this.parseAtom();
    const anchor = this.pos - atomStart === 1 && (this.cps[atomStart] === 0x5e || this.cps[atomStart] === 0x24);
    const q = this.parseQuantifier();
    if (q) {
      if (anchor) this.fail('nothing to repeat');
      node = repeat(node, q.min, q.max);
      if (this.parseQuantifier()) this.fail('nothing to repeat (two quantifiers in a row)');
    }
    return node;
  }

  private parseQuantifier(): { min: number; max: number } | undefined {
    const c = this.peek();
    let q: { min: number; max: number } | undefined;
    if (c === 0x2a) q = { min: 0, max: Number.POSITIVE_INFINITY };
    else if (c === 0x2b) q = { min: 1, max: Number.POSITIVE_INFINITY };
    else if (c === 0x3f) q = { min: 0, max: 1 };
    if (q) {
      this.pos++;
    } else if (c === 0x7b /* { */) {
      q = this.parseBraces();
      if (!q) return undefined;
    } else {
      return undefined;
    }
    this.eat('?'); // lazy: same language
    return q;
  }

  private parseBraces(): { min: number; max: number } | undefined {
    const m = /^\{(\d+)(,(\d*))?\}/.exec(String.fromCodePoint(...this.cps.slice(this.pos, this.pos + 24)));
    if (!m) this.fail('`{` does not start a quantifier `{m}`, `{m,}` or `{m,n}`', 'escape it as `\\{`');
    const min = Number(m[1]);
    const max = m[2] === undefined ? min : m[3] === '' ? Number.POSITIVE_INFINITY : Number(m[3]);
    if (max < min) this.fail(`numbers out of order in quantifier ${m[0]}`);
    if (min > MAX_REPEAT || (max !== Number.POSITIVE_INFINITY && max > MAX_REPEAT)) {
      this.fail(`quantifier ${m[0]} exceeds ${MAX_REPEAT}`, 'use `*` or `+`, or a smaller bound');
    }
    this.pos += m[0].length;
    return { min, max };
  }

  private parseAtom(): RegexNode {
    const c = this.peek()!;
    switch (c) {
      case 0x28 /* ( */:
        return this.parseGroup();
      case 0x5b /* [ */:
        return set(this.parseClass());
      case 0x2e /* . */:
        this.pos++;
        return set(DOT);
      case 0x5c /* \ */:
        {
          this.pos++;
          return set(this.parseEscape(false));
        }
      case 0x5e /* ^ */:
        if (this.pos !== 0) this.unsupported('anchor `^` anywhere but at the start');
        this.pos++;
        return EMPTY;
      case 0x24 /* $ */:
        if (this.pos !== this.cps.length - 1) this.unsupported('anchor `$` anywhere but at the end');
        this.pos++;
        return EMPTY;
      case 0x2a:
      case 0x2b:
      case 0x3f:
        return this.fail('nothing to repeat');
      case 0x7b /* { */:
        if (this.parseBraces()) this.fail('nothing to repeat');
        return this.fail('lone `{`', 'escape it as `\\{`');
      default:
        this.pos++;
        return set(charSetOf(c));
    }
  }

  private parseGroup(): RegexNode {
    if (++this.depth > MAX_GROUP_DEPTH) this.fail(`groups nested deeper than ${MAX_GROUP_DEPTH}`);
    this.pos++; // (
    if (this.eat('?')) {
      if (this.eat(':')) {
        // non-capturing
      } else if (this.peek() === 0x3c /* < */ && this.peek(1) !== 0x3d && this.peek(1) !== 0x21) {
        this.pos++;
        while (this.peek() !== undefined && this.peek() !== 0x3e) this.pos++;
        if (!this.eat('>')) this.fail('unterminated group name');
      } else if (this.peek() === 0x3d || this.peek() === 0x21) {
        this.unsupported('lookahead `(?=…)` / `(?!…)`');
      } else if (this.peek() === 0x3c) {
        this.unsupported('lookbehind `(?<=…)` / `(?<!…)`');
      } else {
        this.unsupported('group modifier `(?…)`');
      }
    }
    const inner = this.parseAlternation();
    if (!this.eat(')')) this.fail('missing `)`');
    this.depth--;
    return inner;
  }

  /** After `\`. In a class, `\b` is backspace and `\-` a dash. */
  private parseEscape(inClass: boolean): CharSet {
    const c = this.peek();
    if (c === undefined) this.fail('`\\` at end of pattern');
    this.pos++;
    const ch = String.fromCodePoint(c);
    switch (ch) {
      case 'd':
        return DIGIT;
      case 'D':
        return negate(DIGIT);
      case 'w':
        return WORD;
      case 'W':
        return negate(WORD);
      case 's':
        return SPACE;
      case 'S':
        return negate(SPACE);
      case 'n':
        return charSetOf(0x0a);
      case 'r':
        return charSetOf(0x0d);
      case 't':
        return charSetOf(0x09);
      case 'f':
        return charSetOf(0x0c);
      case 'v':
        return charSetOf(0x0b);
      case '0':
        if (this.peek() !== undefined && this.peek()! >= 0x30 && this.peek()! <= 0x39) this.unsupported('octal escape');
        return charSetOf(0);
      case 'x':
        return charSetOf(this.hex(2));
      case 'u': {
        if (this.eat('{')) {
          const start = this.pos;
          while (this.peek() !== undefined && this.peek() !== 0x7d) this.pos++;
          const digits = String.fromCodePoint(...this.cps.slice(start, this.pos));
          if (!this.eat('}') || !/^[0-9a-fA-F]{1,6}$/.test(digits)) this.fail('bad `\\u{…}` escape');
          const cp = Number.parseInt(digits, 16);
          if (cp > 0x10ffff) this.fail('code point above U+10FFFF');
          return charSetOf(cp);
        }
        const cp = this.hex(4);
        if (cp >= 0xd800 && cp <= 0xdbff && this.peek() === 0x5c && this.peek(1) === 0x75) {
          const save = this.pos;
          this.pos += 2;
          const lo = this.hex(4);
          if (lo >= 0xdc00 && lo <= 0xdfff) return charSetOf(0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00));
          this.pos = save;
        }
        if (cp >= 0xd800 && cp <= 0xdfff) this.unsupported('lone surrogate escape');
        return charSetOf(cp);
      }
      case 'c': {
        const l = this.peek();
        if (l === undefined || !/[A-Za-z]/.test(String.fromCodePoint(l))) this.fail('`\\c` must be followed by a letter');
        this.pos++;
        return charSetOf(l % 32);
      }
      case 'b':
        if (inClass) return charSetOf(0x08);
        return this.unsupported('word boundary `\\b`');
      case 'B':
        return this.unsupported('word boundary `\\B`');
      case 'k':
        return this.unsupported('named backreference `\\k<…>`');
      case 'p':
      case 'P':
        return this.unsupported('Unicode property escape `\\p{…}`');
      default:
        if (c >= 0x31 && c <= 0x39) return this.unsupported('backreference');
        if (SYNTAX.has(c)) return charSetOf(c);
        return this.fail(`unknown escape \`\\${ch}\``, 'escape only syntax characters, or use a class');
    }
  }

  private hex(n: number): number {
    const digits = String.fromCodePoint(...this.cps.slice(this.pos, this.pos + n));
    if (digits.length !== n || !/^[0-9a-fA-F]+$/.test(digits)) this.fail(`expected ${n} hex digits`);
    this.pos += n;
    return Number.parseInt(digits, 16);
  }

  private parseClass(): CharSet {
    this.pos++; // [
    const negated = this.eat('^');
    const parts: CharSet[] = [];
    for (;;) {
      const c = this.peek();
      if (c === undefined) this.fail('missing `]`');
      if (c === 0x5d /* ] */) {
        this.pos++;
        break;
      }
      const lo = this.classAtom();
      if (this.peek() === 0x2d /* - */ && this.peek(1) !== undefined && this.peek(1) !== 0x5d) {
        this.pos++;
        const hi = this.classAtom();
        if (lo.length !== 2 || lo[0] !== lo[1] || hi.length !== 2 || hi[0] !== hi[1]) {
          this.fail('a class range needs single characters on both sides');
        }
        if (hi[0]! < lo[0]!) this.fail('class range out of order');
        parts.push(charSetFromRanges([[lo[0]!, hi[0]!]]));
      } else {
        parts.push(lo);
      }
    }
    const all = union(...parts);
    return negated ? negate(all) : all;
  }

  private classAtom(): CharSet {
    const c = this.peek()!;
    this.pos++;
    if (c === 0x5c) return this.parseEscape(true);
    return charSetOf(c);
  }
}
