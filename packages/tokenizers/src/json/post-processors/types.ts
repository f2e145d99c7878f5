/** One element of a post-processing template. */
export type TemplateItem =
  | { readonly kind: 'sequence'; readonly which: 0 | 1; readonly typeId: number }
  | { readonly kind: 'special'; readonly ids: readonly number[]; readonly tokens: readonly string[]; readonly typeId: number };

/** Byte-level offset trimming (drop leading/trailing `Ġ` from offsets). */
export interface OffsetTrim {
  readonly addPrefixSpace: boolean;
}

/** A post-processor stage (tokenizer.json `post_processor`). */
export interface PostProcessor {
  readonly type: string;
  /** The layout of the output for one or two sequences (special tokens included). */
  template(pair: boolean): readonly TemplateItem[];
  /** Offset trimming applied to the sequences' tokens, if any. */
  readonly trim: OffsetTrim | null;
}

/** Number of special tokens a template adds. */
export function addedCount(items: readonly TemplateItem[]): number {
  let n = 0;
  for (const it of items) if (it.kind === 'special') n += it.ids.length;
  return n;
}

/** Template items for sequences only (what every post-processor does without special tokens). */
export function plainTemplate(pair: boolean, typeB = 1): TemplateItem[] {
  const items: TemplateItem[] = [{ kind: 'sequence', which: 0, typeId: 0 }];
  if (pair) items.push({ kind: 'sequence', which: 1, typeId: typeB });
  return items;
}
