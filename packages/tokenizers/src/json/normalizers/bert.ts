import { inRanges, isWhiteSpace, rangesToClass } from '../../common/unicode.js';
import { HF_CONTROL } from '../../common/unicode-tables.js';
import { lowercaseChars } from './lowercase.js';
import { removeNonspacingMarks } from './strip-accents.js';
import { type Aligned, mapCodePoints, mapSegments, type Normalizer, proportional, starterBoundaries } from './types.js';

/** Options of {@link BertNormalizer} (tokenizer.json field names in comments). */
export interface BertNormalizerOptions {
  /** `clean_text`: drop control characters, map whitespace to ' '. */
  readonly cleanText: boolean;
  /** `handle_chinese_chars`: put spaces around CJK ideographs. */
  readonly handleChineseChars: boolean;
  /** `strip_accents` (null means: same as lowercase). */
  readonly stripAccents: boolean | null;
  readonly lowercase: boolean;
}

function isChinese(cp: number): boolean {
  return (
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x20000 && cp <= 0x2a6df) ||
    (cp >= 0x2a700 && cp <= 0x2b73f) ||
    (cp >= 0x2b740 && cp <= 0x2b81f) ||
    (cp >= 0x2b920 && cp <= 0x2ceaf) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0x2f800 && cp <= 0x2fa1f)
  );
}

function cleanChar(ch: string): string {
  const cp = ch.codePointAt(0)!;
  if (cp === 0x09 || cp === 0x0a || cp === 0x0d) return ' ';
  if (cp < 0x80) {
    if (cp < 0x20 || cp === 0x7f) return '';
    return ch;
  }
  // HF's is_control (Cc, Cf, Co by HF's tables; unassigned code points are kept) and U+FFFD.
  if (inRanges(HF_CONTROL, cp)) return '';
  return isWhiteSpace(cp) ? ' ' : ch;
}

let cleanChinese: RegExp | undefined;
/** Characters clean_text or handle_chinese_chars change: controls, U+FFFD, whitespace other than ' ', CJK ideographs. */
function cleanChineseRegex(): RegExp {
  cleanChinese ??= new RegExp(
    `[${rangesToClass(HF_CONTROL)}\\uFFFD]|(?! )\\p{White_Space}|[\\u{4e00}-\\u{9fff}\\u{3400}-\\u{4dbf}\\u{20000}-\\u{2a6df}\\u{2a700}-\\u{2b73f}\\u{2b740}-\\u{2b81f}\\u{2b920}-\\u{2ceaf}\\u{f900}-\\u{faff}\\u{2f800}-\\u{2fa1f}]`,
    'gu',
  );
  return cleanChinese;
}

function needsCharWork(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x80 || c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

/** tokenizer.json `BertNormalizer`. */
export class BertNormalizer implements Normalizer {
  readonly type = 'BertNormalizer';
  private readonly strip: boolean;
  constructor(readonly options: BertNormalizerOptions) {
    this.strip = options.stripAccents ?? options.lowercase;
  }

  private cleanAndChinese(text: string): string {
    const { cleanText, handleChineseChars } = this.options;
    if (!needsCharWork(text)) return text;
    if (cleanText && handleChineseChars) {
      // One native pass; the callback sees only characters that change.
      return text.replace(cleanChineseRegex(), (c) => {
        const cleaned = cleanChar(c);
        return cleaned.length > 0 && isChinese(cleaned.codePointAt(0)!) ? ' ' + cleaned + ' ' : cleaned;
      });
    }
    let out = '';
    for (const ch of text) {
      const c = cleanText ? cleanChar(ch) : ch;
      if (handleChineseChars && c.length > 0 && isChinese(c.codePointAt(0)!)) out += ' ' + c + ' ';
      else out += c;
    }
    return out;
  }

  normalize(text: string): string {
    let t = this.cleanAndChinese(text);
    if (this.strip && needsCharWork(t)) t = removeNonspacingMarks(t.normalize('NFD'));
    if (this.options.lowercase) t = lowercaseChars(t);
    return t;
  }

  normalizeAligned(input: Aligned): Aligned {
    let a = mapCodePoints(input, (ch) => this.cleanAndChinese(ch));
    if (this.strip) {
      const full = removeNonspacingMarks(a.text.normalize('NFD'));
      // Per code point first (finest alignment), per composition unit if reordering differs.
      const fine = mapCodePoints(a, (s) => removeNonspacingMarks(s.normalize('NFD')));
      const seg =
        fine.text === full ? fine : mapSegments(a, starterBoundaries(a.text), (s) => removeNonspacingMarks(s.normalize('NFD')));
      a = seg.text === full ? seg : proportional(a, full);
    }
    if (this.options.lowercase) a = mapCodePoints(a, lowercaseChars);
    return a;
  }
}
