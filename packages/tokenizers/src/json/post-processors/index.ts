import { arr, asObject, bool, fail, field, type JsonObject, typeOf, unknownType } from '../config.js';
import { BertProcessing } from './bert.js';
import { ByteLevelPostProcessor } from './byte-level.js';
import { RobertaProcessing } from './roberta.js';
import { PostProcessorSequence } from './sequence.js';
import { TemplateProcessing } from './template.js';
import type { PostProcessor, TemplateItem } from './types.js';

export type { OffsetTrim, PostProcessor, TemplateItem } from './types.js';
export { addedCount, plainTemplate } from './types.js';
export { BertProcessing, ByteLevelPostProcessor, PostProcessorSequence, RobertaProcessing, TemplateProcessing };

const KNOWN = ['TemplateProcessing', 'BertProcessing', 'RobertaProcessing', 'ByteLevel', 'Sequence'];

function tokenPair(o: JsonObject, key: string, path: string): [string, number] {
  const v = field(o, key);
  if (!Array.isArray(v) || v.length !== 2 || typeof v[0] !== 'string' || typeof v[1] !== 'number' || !Number.isInteger(v[1])) {
    fail(`${path}.${key}`, 'must be a [token, id] pair');
  }
  return [v[0], v[1]];
}

function templateItems(
  list: unknown[],
  path: string,
  specials: Map<string, { ids: number[]; tokens: string[] }>,
): TemplateItem[] {
  return list.map((raw, i) => {
    const p = `${path}[${i}]`;
    const o = asObject(raw, p);
    const seq = field(o, 'Sequence');
    if (seq !== undefined) {
      const s = asObject(seq, `${p}.Sequence`);
      const id = field(s, 'id');
      if (id !== 'A' && id !== 'B') fail(`${p}.Sequence.id`, `is ${JSON.stringify(id)}`, 'use "A" or "B"');
      const typeId = field(s, 'type_id') ?? 0;
      if (typeof typeId !== 'number') fail(`${p}.Sequence.type_id`, 'must be a number');
      return { kind: 'sequence', which: id === 'A' ? 0 : 1, typeId } as const;
    }
    const sp = field(o, 'SpecialToken');
    if (sp !== undefined) {
      const s = asObject(sp, `${p}.SpecialToken`);
      const id = field(s, 'id');
      if (typeof id !== 'string') fail(`${p}.SpecialToken.id`, 'must be a string');
      const def = specials.get(id);
      if (!def) fail(`${p}.SpecialToken.id`, `is ${JSON.stringify(id)}, which is not in special_tokens`);
      const typeId = field(s, 'type_id') ?? 0;
      if (typeof typeId !== 'number') fail(`${p}.SpecialToken.type_id`, 'must be a number');
      return { kind: 'special', ids: def.ids, tokens: def.tokens, typeId } as const;
    }
    return fail(p, 'must be {"Sequence": ...} or {"SpecialToken": ...}');
  });
}

/** Builds a post-processor from its tokenizer.json config; throws InvalidFileError on unknown types or bad fields. */
export function createPostProcessor(config: unknown, path = 'post_processor'): PostProcessor {
  const o = asObject(config, path);
  const type = typeOf(o, path);
  switch (type) {
    case 'TemplateProcessing': {
      const specials = new Map<string, { ids: number[]; tokens: string[] }>();
      const sp = field(o, 'special_tokens');
      if (sp !== undefined && sp !== null) {
        const so = asObject(sp, `${path}.special_tokens`);
        for (const key of Object.keys(so)) {
          const p = `${path}.special_tokens[${JSON.stringify(key)}]`;
          const d = asObject(so[key], p);
          const ids = arr(d, 'ids', p);
          const tokens = arr(d, 'tokens', p);
          if (!ids.every((x) => typeof x === 'number' && Number.isInteger(x) && x >= 0))
            fail(`${p}.ids`, 'must be non-negative integers');
          if (!tokens.every((x) => typeof x === 'string')) fail(`${p}.tokens`, 'must be strings');
          if (ids.length !== tokens.length) fail(p, 'has different numbers of ids and tokens');
          specials.set(key, { ids: ids as number[], tokens: tokens as string[] });
        }
      }
      const single = templateItems(arr(o, 'single', path), `${path}.single`, specials);
      const pair =
        field(o, 'pair') === undefined
          ? [...single, { kind: 'sequence', which: 1, typeId: 1 } as const]
          : templateItems(arr(o, 'pair', path), `${path}.pair`, specials);
      return new TemplateProcessing(single, pair);
    }
    case 'BertProcessing':
      return new BertProcessing(tokenPair(o, 'sep', path), tokenPair(o, 'cls', path));
    case 'RobertaProcessing':
      return new RobertaProcessing(
        tokenPair(o, 'sep', path),
        tokenPair(o, 'cls', path),
        bool(o, 'trim_offsets', path, true),
        bool(o, 'add_prefix_space', path, true),
      );
    case 'ByteLevel':
      return new ByteLevelPostProcessor(bool(o, 'trim_offsets', path, true), bool(o, 'add_prefix_space', path, true));
    case 'Sequence':
      return new PostProcessorSequence(
        arr(o, 'processors', path).map((p, i) => createPostProcessor(p, `${path}.processors[${i}]`)),
      );
    default:
      return unknownType(path, type, KNOWN);
  }
}
