import { type OffsetTrim, type PostProcessor, plainTemplate, type TemplateItem } from './types.js';

/** tokenizer.json `ByteLevel` post-processor: adds nothing, optionally trims `Ġ` out of offsets. */
export class ByteLevelPostProcessor implements PostProcessor {
  readonly type = 'ByteLevel';
  readonly trim: OffsetTrim | null;
  constructor(trimOffsets: boolean, addPrefixSpace: boolean) {
    this.trim = trimOffsets ? { addPrefixSpace } : null;
  }
  template(pair: boolean): readonly TemplateItem[] {
    return plainTemplate(pair, 1);
  }
}
