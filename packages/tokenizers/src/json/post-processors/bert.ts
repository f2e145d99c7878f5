import type { PostProcessor, TemplateItem } from './types.js';

/** tokenizer.json `BertProcessing`: `[CLS] A [SEP]` / `[CLS] A [SEP] B [SEP]`, B with type id 1. */
export class BertProcessing implements PostProcessor {
  readonly type = 'BertProcessing';
  readonly trim = null;
  constructor(
    readonly sep: readonly [string, number],
    readonly cls: readonly [string, number],
  ) {}
  template(pair: boolean): readonly TemplateItem[] {
    const cls: TemplateItem = { kind: 'special', ids: [this.cls[1]], tokens: [this.cls[0]], typeId: 0 };
    const sep = (typeId: number): TemplateItem => ({ kind: 'special', ids: [this.sep[1]], tokens: [this.sep[0]], typeId });
    const items: TemplateItem[] = [cls, { kind: 'sequence', which: 0, typeId: 0 }, sep(0)];
    if (pair) items.push({ kind: 'sequence', which: 1, typeId: 1 }, sep(1));
    return items;
  }
}
