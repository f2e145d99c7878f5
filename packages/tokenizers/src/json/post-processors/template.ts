import type { PostProcessor, TemplateItem } from './types.js';

/** tokenizer.json `TemplateProcessing`: explicit single/pair layouts with named special tokens. */
export class TemplateProcessing implements PostProcessor {
  readonly type = 'TemplateProcessing';
  readonly trim = null;
  constructor(
    readonly single: readonly TemplateItem[],
    readonly pair: readonly TemplateItem[],
  ) {}
  template(pair: boolean): readonly TemplateItem[] {
    return pair ? this.pair : this.single;
  }
}
