import type { OffsetTrim, PostProcessor, TemplateItem } from './types.js';

/** tokenizer.json `RobertaProcessing`: `<s> A </s>` / `<s> A </s></s> B </s>`, optional offset trimming. */
export class RobertaProcessing implements PostProcessor {
  readonly type = 'RobertaProcessing';
  readonly trim: OffsetTrim | null;
  constructor(
    readonly sep: readonly [string, number],
    readonly cls: readonly [string, number],
    trimOffsets: boolean,
    addPrefixSpace: boolean,
  ) {
    this.trim = trimOffsets ? { addPrefixSpace } : null;
  }
  template(pair: boolean): readonly TemplateItem[] {
    const cls: TemplateItem = { kind: 'special', ids: [this.cls[1]], tokens: [this.cls[0]], typeId: 0 };
    const sep = (typeId: number): TemplateItem => ({ kind: 'special', ids: [this.sep[1]], tokens: [this.sep[0]], typeId });
    const items: TemplateItem[] = [cls, { kind: 'sequence', which: 0, typeId: 0 }, sep(0)];
    if (pair) items.push(sep(0), { kind: 'sequence', which: 1, typeId: 0 }, sep(0));
    return items;
  }
}
