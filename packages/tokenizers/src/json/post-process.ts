import { emptyEncoding, type MutableEncoding } from '../common/encoding.js';
import type { OffsetTrim, TemplateItem } from './post-processors/types.js';

/** Applies a template to id lists (the fast `encode` path). */
export function templateIds(items: readonly TemplateItem[], a: number[], b: number[] | null, addSpecial: boolean): number[] {
  if (!addSpecial && b === null) return a;
  const out: number[] = [];
  for (const it of items) {
    if (it.kind === 'sequence') {
      const src = it.which === 0 ? a : b;
      if (src) for (let i = 0; i < src.length; i++) out.push(src[i]!);
    } else if (addSpecial) for (const id of it.ids) out.push(id);
  }
  return out;
}

/** Applies a template to full encodings (HF `TemplateProcessing::apply_template` + merge). */
export function templateEncoding(
  items: readonly TemplateItem[],
  a: MutableEncoding,
  b: MutableEncoding | null,
  addSpecial: boolean,
): MutableEncoding {
  const out = emptyEncoding();
  for (const it of items) {
    if (it.kind === 'sequence') {
      const src = it.which === 0 ? a : b;
      if (!src) continue;
      const n = src.ids.length;
      for (let i = 0; i < n; i++) {
        out.ids.push(src.ids[i]!);
        out.tokens.push(src.tokens[i]!);
        out.offsets.push(src.offsets[i]!);
        out.attentionMask.push(src.attentionMask[i]!);
        out.typeIds.push(it.typeId);
        out.specialTokensMask.push(src.specialTokensMask[i]!);
        out.wordIds.push(src.wordIds[i]!);
        out.sequenceIds.push(it.which);
      }
    } else if (addSpecial) {
      for (let k = 0; k < it.ids.length; k++) {
        out.ids.push(it.ids[k]!);
        out.tokens.push(it.tokens[k]!);
        out.offsets.push([0, 0]);
        out.attentionMask.push(1);
        out.typeIds.push(it.typeId);
        out.specialTokensMask.push(1);
        out.wordIds.push(null);
        out.sequenceIds.push(null);
      }
    }
  }
  return out;
}

const SPACE_CHAR = 'Ġ';
const WS = /\p{White_Space}/u;
function isSpaceish(ch: string): boolean {
  return ch === SPACE_CHAR || WS.test(ch);
}

/** HF ByteLevel `process_offsets`: leading/trailing spaces of a token are not part of its offsets. */
export function trimByteLevelOffsets(e: MutableEncoding, trim: OffsetTrim): void {
  for (let i = 0; i < e.ids.length; i++) {
    const token = e.tokens[i]!;
    const chars = Array.from(token);
    let lead = 0;
    while (lead < chars.length && isSpaceish(chars[lead]!)) lead++;
    let trail = 0;
    while (trail < chars.length && isSpaceish(chars[chars.length - 1 - trail]!)) trail++;
    if (lead === 0 && trail === 0) continue;
    const off = e.offsets[i]!;
    let [s, t] = off;
    if (lead > 0) {
      const isFirst = i === 0 || s === 0;
      if (isFirst && trim.addPrefixSpace && lead === 1) lead = 0;
      s = Math.min(s + lead, t);
    }
    if (trail > 0 && t >= trail) t = Math.max(t - trail, s);
    e.offsets[i] = [s, t];
  }
}
