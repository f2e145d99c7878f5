import type { OffsetTrim, PostProcessor, TemplateItem } from './types.js';

/**
 * tokenizer.json `Sequence` of post-processors. Each stage adds its special tokens around what
 * the previous stages produced; in practice one stage adds tokens and another trims offsets,
 * so the last stage with special tokens gives the template and any stage may trim.
 */
export class PostProcessorSequence implements PostProcessor {
  readonly type = 'Sequence';
  readonly trim: OffsetTrim | null;
  constructor(readonly processors: readonly PostProcessor[]) {
    this.trim = processors.find((p) => p.trim)?.trim ?? null;
  }
  template(pair: boolean): readonly TemplateItem[] {
    let best: readonly TemplateItem[] | null = null;
    for (const p of this.processors) {
      const t = p.template(pair);
      if (t.some((i) => i.kind === 'special')) best = t;
    }
    return best ?? this.processors[this.processors.length - 1]?.template(pair) ?? [{ kind: 'sequence', which: 0, typeId: 0 }];
  }
}
